import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, type ConfigIssue } from './config-error.ts';
import { configSchema } from './schema.ts';
import { describeValue, isSetting, type Setting, type SettingTree, type ValuesOf } from './setting.ts';

type Schema = typeof configSchema;
type Raw = ValuesOf<Schema>;

export type TelephonyMode = 'simulator' | 'asterisk';

/** The validated configuration. `server.dataDir` is absolute. */
export type Config = Omit<Raw, 'asterisk'> & {
  asterisk: Omit<Raw['asterisk'], 'agentDialTemplate' | 'externalDialTemplate'> & {
    /** `asterisk` when an ARI URL is configured, else `simulator` (the embedded PBX simulator). */
    mode: TelephonyMode;
    agentDialTemplate: string;
    externalDialTemplate: string;
  };
};

export interface LoadConfigInput {
  env: Readonly<Record<string, string | undefined>>;
  /** Directory holding `config/` and against which a relative DATA_DIR is resolved. */
  cwd: string;
}

export const CONFIG_FILES = ['config/default.json', 'config/local.json'] as const;

/**
 * Reads `config/default.json`, then `config/local.json` (optional), then the environment, and validates
 * every value. Throws ConfigError listing every bad key and what it allows. Pure given env and the files.
 */
export function loadConfig(input: LoadConfigInput): Config {
  const issues: ConfigIssue[] = [];
  const layers: { source: string; data: Record<string, unknown> }[] = [];
  for (const file of CONFIG_FILES) {
    const data = readJsonFile(join(input.cwd, file), file, issues);
    if (data) {
      checkUnknownKeys(data, configSchema, '', file, issues);
      layers.push({ source: file, data });
    }
  }
  const raw = resolveTree(configSchema, [], layers, input.env, issues) as Raw;
  if (issues.length > 0) throw new ConfigError(issues);

  const a = raw.asterisk;
  const mode: TelephonyMode = a.ariUrl ? 'asterisk' : 'simulator';
  if (mode === 'asterisk') {
    if (!a.ariUser)
      issues.push(required('asterisk.ariUser', 'ASTERISK_ARI_USER', 'is required when ASTERISK_ARI_URL is set'));
    if (!a.ariPassword)
      issues.push(
        required('asterisk.ariPassword', 'ASTERISK_ARI_PASSWORD', 'is required when ASTERISK_ARI_URL is set'),
      );
  }
  if (a.amiHost && (!a.amiUser || !a.amiSecret)) {
    issues.push(
      required(
        'asterisk.amiUser',
        'ASTERISK_AMI_USER',
        'ASTERISK_AMI_USER and ASTERISK_AMI_SECRET are required when ASTERISK_AMI_HOST is set',
      ),
    );
  }
  const au = raw.auth;
  if ((au.adminUsername === undefined) !== (au.adminPassword === undefined)) {
    issues.push(
      required('auth.adminPassword', 'ADMIN_PASSWORD', 'ADMIN_USERNAME and ADMIN_PASSWORD must be set together'),
    );
  } else if (au.adminPassword !== undefined && au.adminPassword.length < au.passwordMinLength) {
    issues.push(
      required(
        'auth.adminPassword',
        'ADMIN_PASSWORD',
        `must be at least ${au.passwordMinLength} characters (PASSWORD_MIN_LENGTH)`,
      ),
    );
  }
  if (issues.length > 0) throw new ConfigError(issues);

  const config: Config = {
    ...raw,
    server: { ...raw.server, dataDir: resolve(input.cwd, raw.server.dataDir) },
    asterisk: {
      ...a,
      mode,
      agentDialTemplate: a.agentDialTemplate ?? (mode === 'asterisk' ? 'PJSIP/{ext}' : 'Local/{ext}@agents'),
      // The simulator's outside world is its `external` context; a real Asterisk provides hotline-outbound (docs/asterisk.md).
      externalDialTemplate:
        a.externalDialTemplate ?? (mode === 'asterisk' ? 'Local/{number}@hotline-outbound' : 'Local/{number}@external'),
    },
  };
  return deepFreeze(config);
}

function required(key: string, env: string, message: string): ConfigIssue {
  return { key, env, source: 'combined settings', message };
}

function readJsonFile(path: string, label: string, issues: ConfigIssue[]): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    issues.push({ key: label, source: label, message: `cannot be read: ${(err as Error).message}` });
    return undefined;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    issues.push({ key: label, source: label, message: `is not valid JSON: ${(err as Error).message}` });
    return undefined;
  }
  if (!isPlainObject(data)) {
    issues.push({ key: label, source: label, message: 'must hold a JSON object' });
    return undefined;
  }
  return data;
}

function checkUnknownKeys(
  data: Record<string, unknown>,
  tree: SettingTree,
  prefix: string,
  source: string,
  issues: ConfigIssue[],
): void {
  for (const [k, v] of Object.entries(data)) {
    if (k === '$comment') continue;
    const key = prefix + k;
    const node = Object.hasOwn(tree, k) ? tree[k] : undefined;
    if (!node) {
      issues.push({ key, source, message: `unknown key; allowed here: ${Object.keys(tree).join(', ')}` });
    } else if (!isSetting(node)) {
      if (!isPlainObject(v))
        issues.push({ key, source, message: `must be an object with keys ${Object.keys(node).join(', ')}` });
      else checkUnknownKeys(v, node, key + '.', source, issues);
    }
  }
}

function resolveTree(
  tree: SettingTree,
  path: string[],
  layers: { source: string; data: Record<string, unknown> }[],
  env: LoadConfigInput['env'],
  issues: ConfigIssue[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, node] of Object.entries(tree)) {
    const p = [...path, k];
    out[k] = isSetting(node) ? resolveSetting(node, p, layers, env, issues) : resolveTree(node, p, layers, env, issues);
  }
  return out;
}

function resolveSetting(
  setting: Setting<unknown>,
  path: string[],
  layers: { source: string; data: Record<string, unknown> }[],
  env: LoadConfigInput['env'],
  issues: ConfigIssue[],
): unknown {
  const key = path.join('.');
  let value = setting.default;
  for (const layer of layers) {
    const raw = lookup(layer.data, path);
    if (raw === undefined) continue;
    // null in a file means "unset" for optional settings (lets local.json clear a default).
    if (raw === null && setting.default === undefined) {
      value = undefined;
      continue;
    }
    const r = setting.parse(raw, false);
    if (r.ok) value = r.value;
    else
      issues.push({
        key,
        env: setting.env,
        source: layer.source,
        message: `must be ${r.allowed}${describeValue(setting, raw)}`,
      });
  }
  if (setting.env) {
    const raw = env[setting.env];
    // An empty variable counts as unset: `ASTERISK_ARI_URL= npm start` means "no Asterisk".
    if (raw !== undefined && raw !== '') {
      const r = setting.parse(raw, true);
      if (r.ok) value = r.value;
      else
        issues.push({
          key,
          env: setting.env,
          source: 'env',
          message: `must be ${r.allowed}${describeValue(setting, raw)}`,
        });
    }
  }
  return value;
}

function lookup(data: Record<string, unknown>, path: string[]): unknown {
  let cur: unknown = data;
  for (const p of path) {
    if (!isPlainObject(cur) || !Object.hasOwn(cur, p)) return undefined;
    cur = cur[p];
  }
  return cur;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
