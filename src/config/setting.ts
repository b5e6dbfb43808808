/**
 * Typed setting definitions. A setting knows its environment variable, its default and how to turn a
 * raw value (a string from the environment, any JSON value from a file) into a typed value, or say
 * in words what is allowed.
 */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; allowed: string };

export interface Setting<T> {
  readonly kind: 'setting';
  readonly env?: string;
  /** Used when no file or variable sets the key. `undefined` means "not set" (only for optional settings). */
  readonly default: T;
  /** Human description of the allowed values, used in error messages and the README table. */
  readonly allowed: string;
  /** Secrets are never echoed back in error messages. */
  readonly secret: boolean;
  parse(raw: unknown, fromEnv: boolean): ParseResult<T>;
}

interface Common {
  env?: string;
  secret?: boolean;
}

function describe(raw: unknown, secret: boolean): string {
  if (secret) return '';
  return ` (got ${JSON.stringify(raw)})`;
}

export function describeValue(setting: Setting<unknown>, raw: unknown): string {
  return describe(raw, setting.secret);
}

export function int(opts: Common & { default: number; min?: number; max?: number }): Setting<number> {
  const min = opts.min ?? Number.MIN_SAFE_INTEGER;
  const max = opts.max ?? Number.MAX_SAFE_INTEGER;
  const allowed = `an integer${opts.min !== undefined ? ` >= ${min}` : ''}${opts.max !== undefined ? ` and <= ${max}` : ''}`;
  return {
    kind: 'setting',
    env: opts.env,
    default: opts.default,
    allowed,
    secret: false,
    parse(raw, fromEnv) {
      let n: number;
      if (fromEnv && typeof raw === 'string' && /^-?\d+$/.test(raw.trim())) n = Number(raw.trim());
      else if (!fromEnv && typeof raw === 'number') n = raw;
      else return { ok: false, allowed };
      if (!Number.isSafeInteger(n) || n < min || n > max) return { ok: false, allowed };
      return { ok: true, value: n };
    },
  };
}

export function bool(opts: Common & { default: boolean }): Setting<boolean> {
  const allowed = 'true or false';
  return {
    kind: 'setting',
    env: opts.env,
    default: opts.default,
    allowed,
    secret: false,
    parse(raw, fromEnv) {
      if (!fromEnv && typeof raw === 'boolean') return { ok: true, value: raw };
      if (fromEnv && typeof raw === 'string') {
        const s = raw.trim().toLowerCase();
        if (s === 'true' || s === '1' || s === 'yes') return { ok: true, value: true };
        if (s === 'false' || s === '0' || s === 'no') return { ok: true, value: false };
      }
      return { ok: false, allowed };
    },
  };
}

export function oneOf<const V extends string>(opts: Common & { values: readonly V[]; default: V }): Setting<V> {
  const allowed = `one of ${opts.values.join(', ')}`;
  return {
    kind: 'setting',
    env: opts.env,
    default: opts.default,
    allowed,
    secret: false,
    parse(raw) {
      if (typeof raw === 'string' && (opts.values as readonly string[]).includes(raw.trim())) {
        return { ok: true, value: raw.trim() as V };
      }
      return { ok: false, allowed };
    },
  };
}

interface StringOpts extends Common {
  /** A regular expression the whole value must match. */
  pattern?: RegExp;
  /** Words for the pattern, used in error messages. */
  allowed?: string;
  minLength?: number;
  maxLength?: number;
  check?: (s: string) => boolean;
}

function stringSetting<T extends string | undefined>(opts: StringOpts, def: T): Setting<T> {
  const allowed =
    opts.allowed ??
    `a string${opts.minLength ? ` of at least ${opts.minLength} characters` : ''}${opts.maxLength ? ` of at most ${opts.maxLength} characters` : ''}`;
  return {
    kind: 'setting',
    env: opts.env,
    default: def,
    allowed,
    secret: opts.secret ?? false,
    parse(raw) {
      if (typeof raw !== 'string') return { ok: false, allowed };
      const s = opts.secret ? raw : raw.trim();
      if (opts.minLength !== undefined && s.length < opts.minLength) return { ok: false, allowed };
      if (opts.maxLength !== undefined && s.length > opts.maxLength) return { ok: false, allowed };
      if (opts.pattern && !opts.pattern.test(s)) return { ok: false, allowed };
      if (opts.check && !opts.check(s)) return { ok: false, allowed };
      return { ok: true, value: s as T };
    },
  };
}

export function str(opts: StringOpts & { default: string }): Setting<string> {
  return stringSetting<string>(opts, opts.default);
}

/** A string that may be absent; its value is `undefined` when neither a file nor the environment sets it. */
export function optionalStr(opts: StringOpts): Setting<string | undefined> {
  return stringSetting<string | undefined>(opts, undefined);
}

export function isPostgresUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'postgres:' || u.protocol === 'postgresql:') && u.hostname !== '' && u.pathname.length > 1;
  } catch {
    return false;
  }
}

export function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

/** A nested group of settings (a section of the JSON files). */
export interface SettingTree {
  readonly [key: string]: Setting<unknown> | SettingTree;
}

/** The typed value of a setting tree: every leaf replaced by its value type. */
export type ValuesOf<S> = {
  -readonly [K in keyof S]: S[K] extends Setting<infer T> ? T : ValuesOf<S[K]>;
};

export function isSetting(x: Setting<unknown> | SettingTree): x is Setting<unknown> {
  return (x as Setting<unknown>).kind === 'setting';
}

/** A list of strings: a JSON array in the files, comma-separated in the environment. */
export function list(
  opts: Common & { default: readonly string[]; item: RegExp; allowed: string },
): Setting<readonly string[]> {
  const allowed = `a list of ${opts.allowed} (JSON array in files, comma-separated in the environment)`;
  return {
    kind: 'setting',
    env: opts.env,
    default: opts.default,
    allowed,
    secret: opts.secret ?? false,
    parse(raw, fromEnv) {
      let items: unknown[];
      if (fromEnv && typeof raw === 'string')
        items = raw
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '');
      else if (!fromEnv && Array.isArray(raw)) items = raw;
      else return { ok: false, allowed };
      if (!items.every((i) => typeof i === 'string' && opts.item.test(i))) return { ok: false, allowed };
      return { ok: true, value: items as string[] };
    },
  };
}
