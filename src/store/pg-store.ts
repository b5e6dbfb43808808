import { fileURLToPath } from 'node:url';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';

/** The drizzle-kit output folder of the PostgreSQL dialect (drizzle-pg.config.ts). */
export const PG_MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle-pg', import.meta.url));

/** Any key, the same in every instance: only one of several starting instances migrates at a time. */
const MIGRATION_LOCK = 0x12_3450;

const INT8_OID = 20;

/**
 * Epoch milliseconds and counts are bigint columns; the driver's default returns them as strings. They stay far
 * below 2^53, so this pool's connections parse them as numbers (set per pool, not globally, so other users of
 * `pg` in the process are not affected).
 */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? (v: string) => Number(v)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export interface PgStore {
  readonly kind: 'postgres';
  readonly pool: pg.Pool;
  /** drizzle over the pool, for repositories that use the query builder. */
  readonly db: NodePgDatabase;
  /** The URL without its password, for logs. */
  readonly safeUrl: string;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface OpenPgStoreOptions {
  url: string;
  /** Connections in the pool (default 10). */
  poolSize?: number;
  migrationsFolder?: string;
}

/** The URL with its password replaced, so that it can be logged. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparsable url)';
  }
}

/**
 * Opens the PostgreSQL store (DATABASE_URL) and brings its schema up to date. Commits are durable by the
 * server's own settings (synchronous_commit on by default), like SQLite's synchronous=FULL.
 */
export async function openPgStore(opts: OpenPgStoreOptions): Promise<PgStore> {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.poolSize ?? 10,
    types,
    application_name: 'hotline-cti',
  });
  // An idle connection dropped by the server must not crash the process; the next query opens a new one.
  pool.on('error', () => {});
  try {
    const client = await pool.connect();
    try {
      await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
      try {
        await migrate(drizzle(client), { migrationsFolder: opts.migrationsFolder ?? PG_MIGRATIONS_FOLDER });
      } finally {
        await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
      }
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end();
    throw err;
  }
  let closed = false;
  return {
    kind: 'postgres',
    pool,
    db: drizzle(pool),
    safeUrl: redactUrl(opts.url),
    async ping() {
      if (closed) return false;
      try {
        const r = await pool.query<{ ok: number }>('select 1 as ok');
        return r.rows[0]?.ok === 1;
      } catch {
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

/**
 * The health route asks synchronously: this answers from a ping repeated every `intervalMs` (a failed or
 * outstanding ping counts as down). The first ping runs at once.
 */
export function probeHealth(store: Pick<PgStore, 'ping'>, intervalMs = 2000): { ok(): boolean; stop(): void } {
  let ok = true;
  let inFlight = false;
  const probe = () => {
    if (inFlight) {
      ok = false;
      return;
    }
    inFlight = true;
    void store.ping().then((r) => {
      ok = r;
      inFlight = false;
    });
  };
  probe();
  const timer = setInterval(probe, intervalMs);
  timer.unref();
  return { ok: () => ok, stop: () => clearInterval(timer) };
}

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/** Runs `fn` in one transaction on one connection; rolled back when it throws. */
export async function inTransaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await fn(client);
    await client.query('commit');
    return result;
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** SQL text, or a named statement (prepared once per connection, for the hot paths). */
type Statement = string | { name: string; text: string };

function exec(q: Queryable, st: Statement, values: unknown[]) {
  return typeof st === 'string' ? (q as pg.Pool).query(st, values) : (q as pg.Pool).query({ ...st, values });
}

/** The rows of a query. */
export async function rows<T>(q: Queryable, st: Statement, values: unknown[] = []): Promise<T[]> {
  return (await exec(q, st, values)).rows as T[];
}

/** The first row of a query, or null. */
export async function one<T>(q: Queryable, st: Statement, values: unknown[] = []): Promise<T | null> {
  return ((await exec(q, st, values)).rows[0] as T | undefined) ?? null;
}

/** How many rows a statement changed. */
export async function changed(q: Queryable, st: Statement, values: unknown[] = []): Promise<number> {
  return (await exec(q, st, values)).rowCount ?? 0;
}
