import { join } from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { makeFilePrivate, securePrivateDir, touchPrivateFile } from '../shared/private-files.ts';
import { registerChainFunctions, sealLegacyRows } from './hash-chain.ts';
import { applyMigrations, MIGRATIONS_FOLDER } from './migrate.ts';

export const DB_FILE_NAME = 'hotline.db';

export interface Store {
  /** drizzle over the connection; repositories take this. */
  readonly db: BetterSQLite3Database;
  /** The raw connection, for pragmas, FTS and hand-written statements. */
  readonly sqlite: Database.Database;
  /** Path of the database file, or `:memory:`. */
  readonly path: string;
  /** Runs a trivial query; false when the database cannot answer. */
  ping(): boolean;
  close(): void;
}

export interface OpenStoreOptions {
  /** Directory for `hotline.db`; created 0700 when missing (an existing one is narrowed to 0700). Use `:memory:` for a throw-away database. */
  dataDir: string;
  migrationsFolder?: string;
  /** Milliseconds a writer waits for a lock held by another connection before SQLITE_BUSY. */
  busyTimeoutMs?: number;
}

/**
 * Opens the SQLite store and brings its schema up to date. WAL lets readers run beside the writer;
 * synchronous=FULL makes every commit durable (a work order acknowledged to a citizen must survive a
 * power cut, not only a crash of this process).
 */
export function openStore(opts: OpenStoreOptions): Store {
  const path = opts.dataDir === ':memory:' ? ':memory:' : join(opts.dataDir, DB_FILE_NAME);
  if (path !== ':memory:') {
    securePrivateDir(opts.dataDir);
    // SQLite gives the -wal and -shm files the mode of the database file: make that 0600 before it opens.
    touchPrivateFile(path);
  }
  const sqlite = new Database(path);
  try {
    sqlite.pragma('journal_mode = WAL');
    // Left by an earlier version or a crash, they keep their old mode: narrow them too.
    if (path !== ':memory:') for (const suffix of ['-wal', '-shm']) makeFilePrivate(path + suffix);
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma(`busy_timeout = ${Math.max(0, Math.trunc(opts.busyTimeoutMs ?? 5000))}`);
    // The hash-chain triggers call chain_hash: it must exist on every connection that writes.
    registerChainFunctions(sqlite);
    const db = drizzle(sqlite);
    const chained = () =>
      sqlite.prepare("select 1 from sqlite_master where type = 'table' and name = 'recording_index'").get() !==
      undefined;
    const chainedBefore = chained();
    applyMigrations(db, opts.migrationsFolder ?? MIGRATIONS_FOLDER);
    // Rows written before the chain existed are sealed once, when its migration is applied.
    if (!chainedBefore && chained()) sealLegacyRows(sqlite);
    const ping = sqlite.prepare('select 1 as ok');
    let closed = false;
    return {
      db,
      sqlite,
      path,
      ping() {
        if (closed) return false;
        try {
          return (ping.get() as { ok: number } | undefined)?.ok === 1;
        } catch {
          return false;
        }
      },
      close() {
        if (closed) return;
        closed = true;
        sqlite.close();
      },
    };
  } catch (err) {
    sqlite.close();
    throw err;
  }
}
