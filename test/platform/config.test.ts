import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, configSchema, loadConfig } from '../../src/config/index.ts';
import { isSetting, type Setting, type SettingTree } from '../../src/config/setting.ts';
import { tempDir } from './helpers.ts';

const dirs: (() => void)[] = [];
function cwdWith(files: Record<string, string> = {}): string {
  const t = tempDir('config-');
  dirs.push(t.cleanup);
  mkdirSync(join(t.dir, 'config'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(t.dir, 'config', name), text);
  return t.dir;
}
afterEach(() => dirs.splice(0).forEach((c) => c()));

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('uses the defaults: loopback, ./data, simulator mode with a Local dial template', () => {
    const cwd = cwdWith();
    const c = loadConfig({ env: {}, cwd });
    expect(c.server.host).toBe('127.0.0.1');
    expect(c.server.port).toBe(3000);
    expect(c.server.dataDir).toBe(join(cwd, 'data'));
    expect(c.auth.tokenTtlSeconds).toBe(900);
    expect(c.asterisk.mode).toBe('simulator');
    expect(c.asterisk.app).toBe('hotline');
    expect(c.asterisk.agentDialTemplate).toBe('Local/{ext}@agents');
    expect(Object.isFrozen(c.server)).toBe(true);
  });

  it('switches to asterisk mode with PJSIP dialling when an ARI URL is set', () => {
    const c = loadConfig({
      env: {
        ASTERISK_ARI_URL: 'http://pbx:8088',
        ASTERISK_ARI_USER: 'u',
        ASTERISK_ARI_PASSWORD: 'p',
        ASTERISK_APP: 'hl',
      },
      cwd: cwdWith(),
    });
    expect(c.asterisk.mode).toBe('asterisk');
    expect(c.asterisk.agentDialTemplate).toBe('PJSIP/{ext}');
    expect(c.asterisk.app).toBe('hl');
  });

  it('layers default.json, local.json and env in that order', () => {
    const cwd = cwdWith({
      'default.json': JSON.stringify({ server: { port: 4000 }, log: { level: 'warn' } }),
      'local.json': JSON.stringify({ server: { port: 5000 }, asterisk: { app: 'fromfile' } }),
    });
    const c = loadConfig({ env: { PORT: '6000' }, cwd });
    expect(c.server.port).toBe(6000);
    expect(c.log.level).toBe('warn');
    expect(c.asterisk.app).toBe('fromfile');
  });

  it('names the env variable and what is allowed for a bad value', () => {
    const err = configError(() => loadConfig({ env: { PORT: 'eighty' }, cwd: cwdWith() }));
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]).toMatchObject({ key: 'server.port', env: 'PORT', source: 'env' });
    expect(err.message).toContain('PORT');
    expect(err.message).toContain('an integer >= 0 and <= 65535');
    expect(err.message).toContain('"eighty"');
  });

  it('takes the agent extension pattern (default 3 to 6 digits) and refuses one that is not a regular expression', () => {
    expect(loadConfig({ env: {}, cwd: cwdWith() }).asterisk.agentExtensionPattern).toBe('^[0-9]{3,6}$');
    expect(
      loadConfig({ env: { AGENT_EXTENSION_PATTERN: '8[0-9]{3}' }, cwd: cwdWith() }).asterisk.agentExtensionPattern,
    ).toBe('8[0-9]{3}');
    const err = configError(() => loadConfig({ env: { AGENT_EXTENSION_PATTERN: '[0-9' }, cwd: cwdWith() }));
    expect(err.issues[0]).toMatchObject({ key: 'asterisk.agentExtensionPattern', env: 'AGENT_EXTENSION_PATTERN' });
    expect(err.message).toContain('a regular expression');
  });

  it('reports every bad key at once', () => {
    const err = configError(() =>
      loadConfig({
        env: { PORT: '70000', LOG_LEVEL: 'loud', ASTERISK_ARI_URL: 'ftp://x', AGENT_DIAL_TEMPLATE: 'PJSIP/1001' },
        cwd: cwdWith(),
      }),
    );
    const envs = err.issues.map((i) => i.env).sort();
    expect(envs).toEqual(['AGENT_DIAL_TEMPLATE', 'ASTERISK_ARI_URL', 'LOG_LEVEL', 'PORT']);
    expect(err.message).toContain('one of fatal, error, warn, info, debug, trace, silent');
    expect(err.message).toContain('{ext}');
  });

  it('names the file and key for a bad file value and for an unknown key', () => {
    const cwd = cwdWith({ 'local.json': JSON.stringify({ server: { port: '3000', hots: 'x' }, extra: 1 }) });
    const err = configError(() => loadConfig({ env: {}, cwd }));
    const byKey = Object.fromEntries(err.issues.map((i) => [i.key, i]));
    expect(byKey['server.port']?.source).toBe('config/local.json');
    expect(byKey['server.port']?.message).toContain('an integer');
    expect(byKey['server.hots']?.message).toContain('unknown key');
    expect(byKey['server.hots']?.message).toContain('host');
    expect(byKey['extra']?.message).toContain('unknown key');
  });

  it('refuses a file that is not JSON, naming the file', () => {
    const err = configError(() => loadConfig({ env: {}, cwd: cwdWith({ 'local.json': '{ port: 1' }) }));
    expect(err.message).toContain('config/local.json');
    expect(err.message).toContain('not valid JSON');
  });

  it('requires ARI credentials with an ARI URL, and admin username with password', () => {
    const err = configError(() =>
      loadConfig({ env: { ASTERISK_ARI_URL: 'http://pbx:8088', ADMIN_USERNAME: 'boss' }, cwd: cwdWith() }),
    );
    const envs = err.issues.map((i) => i.env);
    expect(envs).toContain('ASTERISK_ARI_USER');
    expect(envs).toContain('ASTERISK_ARI_PASSWORD');
    expect(envs).toContain('ADMIN_PASSWORD');
  });

  it('never echoes a secret in the message', () => {
    const err = configError(() => loadConfig({ env: { TOKEN_SECRET: 'short-secret-value' }, cwd: cwdWith() }));
    expect(err.issues[0]?.env).toBe('TOKEN_SECRET');
    expect(err.message).not.toContain('short-secret-value');
  });

  it('treats an empty variable as unset', () => {
    const c = loadConfig({ env: { ASTERISK_ARI_URL: '', PORT: '' }, cwd: cwdWith() });
    expect(c.asterisk.mode).toBe('simulator');
    expect(c.server.port).toBe(3000);
  });

  it('ships a config/default.json that loads and agrees with the built-in defaults', () => {
    const shipped = JSON.parse(readFileSync(new URL('../../config/default.json', import.meta.url), 'utf8')) as Record<
      string,
      unknown
    >;
    const walk = (tree: SettingTree, data: Record<string, unknown>, path: string) => {
      for (const [k, v] of Object.entries(data)) {
        if (k === '$comment') continue;
        const node = tree[k];
        expect(node, `${path}${k} is a known key`).toBeDefined();
        if (node && isSetting(node)) expect(v, `${path}${k}`).toEqual((node as Setting<unknown>).default);
        else if (node) walk(node, v as Record<string, unknown>, `${path}${k}.`);
      }
    };
    walk(configSchema, shipped, '');
    const cwd = cwdWith({ 'default.json': JSON.stringify(shipped) });
    expect(loadConfig({ env: {}, cwd }).server.port).toBe(3000);
  });
});

describe('README configuration table', () => {
  it('documents every environment variable the schema reads', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const envs: string[] = [];
    const walk = (tree: SettingTree) => {
      for (const node of Object.values(tree)) {
        if (isSetting(node)) {
          if (node.env) envs.push(node.env);
        } else walk(node);
      }
    };
    walk(configSchema);
    expect(envs.length).toBeGreaterThan(15);
    for (const env of envs) expect(readme, env).toContain(`\`${env}\``);
  });
});

describe('list settings', () => {
  it('reads CALENDAR_REGIONS comma-separated and refuses a bad item naming the variable', () => {
    const t = tempDir('config-');
    try {
      expect(loadConfig({ env: { CALENDAR_REGIONS: 'guangxi, other' }, cwd: t.dir }).workOrders.regions).toEqual([
        'guangxi',
        'other',
      ]);
      expect(loadConfig({ env: {}, cwd: t.dir }).workOrders.regions).toEqual([]);
      const err = configError(() => loadConfig({ env: { CALENDAR_REGIONS: 'Guang Xi' }, cwd: t.dir }));
      expect(err.message).toContain('CALENDAR_REGIONS');
      expect(err.message).toContain('region names');
    } finally {
      t.cleanup();
    }
  });
});
