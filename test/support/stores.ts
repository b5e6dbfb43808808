// The two stores behind the same repositories (issue 12), for tests that run once per store:
//   describe.each(STORE_KINDS)('%s', (kind) => { const stores = storeFactory(kind); ... await stores.fresh() ... })
// SQLite: a throw-away in-memory database per call. PostgreSQL: one embedded server per test file
// (test/support/postgres.ts), migrated once into a template database; each fresh() clones it (CREATE DATABASE …
// TEMPLATE …), so a test gets an empty, migrated database in a few milliseconds instead of re-running migrations.
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { openStore } from '../../src/store/db.ts';
import { openPgStore, type PgStore } from '../../src/store/pg-store.ts';
import { pgRepositories, sqliteRepositories, type Repositories } from '../../src/store/repositories.ts';
import { startTestPostgres, type TestPostgres } from './postgres.ts';

export const STORE_KINDS = ['sqlite', 'postgres'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

export interface StoreUnderTest {
  readonly kind: StoreKind;
  readonly repos: Repositories;
  /** Runs one SQL statement as written (the same text is valid in both dialects where a test uses it). */
  exec(sql: string): Promise<void>;
  /** Rows of a query, with numbers as numbers and flags as 0/1 in both dialects. */
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  close(): Promise<void>;
}

export interface StoreFactory {
  /** A new empty, migrated store; closed by the factory after the file's tests when not closed before. */
  fresh(): Promise<StoreUnderTest>;
  /** For a whole server on PostgreSQL: the URL of a new empty database (undefined for SQLite). */
  freshUrl(): Promise<string | undefined>;
}

/** Registers the file's beforeAll/afterAll for `kind` and returns the factory. */
export function storeFactory(kind: StoreKind): StoreFactory {
  let server: TestPostgres | undefined;
  let template = '';
  let base = '';
  let counter = 0;
  const open: StoreUnderTest[] = [];
  beforeAll(async () => {
    if (kind !== 'postgres') return;
    server = await startTestPostgres();
    const url = await server.createDatabase(`tpl_${process.pid}`);
    base = url.slice(0, url.lastIndexOf('/'));
    template = `tpl_${process.pid}`;
    const store = await openPgStore({ url, poolSize: 1 });
    await store.close();
  }, 60_000);
  afterAll(async () => {
    for (const s of open.splice(0)) await s.close();
    await server?.stop();
  }, 30_000);

  const cloneDatabase = async (): Promise<string> => {
    const name = `t_${process.pid}_${++counter}`;
    const admin = new pg.Client({ connectionString: server!.adminUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
    } finally {
      await admin.end();
    }
    return `${base}/${name}`;
  };

  return {
    async freshUrl() {
      return kind === 'postgres' ? cloneDatabase() : undefined;
    },
    async fresh() {
      let s: StoreUnderTest;
      if (kind === 'sqlite') {
        const store = openStore({ dataDir: ':memory:' });
        s = {
          kind,
          repos: sqliteRepositories(store),
          async exec(sql) {
            store.sqlite.exec(sql);
          },
          async query<T>(sql: string) {
            return store.sqlite.prepare(sql).all() as T[];
          },
          async close() {
            store.close();
          },
        };
      } else {
        const store: PgStore = await openPgStore({ url: await cloneDatabase(), poolSize: 4 });
        s = {
          kind,
          repos: pgRepositories(store),
          async exec(sql) {
            await store.pool.query(sql);
          },
          async query<T>(sql: string) {
            const r = await store.pool.query(sql);
            return r.rows.map((row: Record<string, unknown>) =>
              Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'boolean' ? (v ? 1 : 0) : v])),
            ) as T[];
          },
          close: () => store.close(),
        };
      }
      open.push(s);
      return s;
    },
  };
}
