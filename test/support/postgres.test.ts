import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from './postgres.js';

describe('the embedded PostgreSQL used by the tests', () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startTestPostgres();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('given a started server, when two databases are created, then each accepts SQL and they are separate', async () => {
    const a = new pg.Client({ connectionString: await server.createDatabase() });
    const b = new pg.Client({ connectionString: await server.createDatabase() });
    await a.connect();
    await b.connect();
    await a.query('CREATE TABLE only_in_a (id int)');
    const inB = await b.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'only_in_a'");
    const version = await a.query('SHOW server_version_num');
    await a.end();
    await b.end();
    expect(inB.rows[0].n).toBe(0);
    expect(Number(version.rows[0].server_version_num)).toBeGreaterThanOrEqual(180000);
  });
});
