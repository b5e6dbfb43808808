import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Server } from 'socket.io';
import { afterEach, describe, expect, it } from 'vitest';
import { type Cluster, startCluster } from '../../src/cluster/cluster.ts';
import { loadConfig } from '../../src/config/index.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';

const TTL = 2000;
const until = async (pred: () => boolean, maxMs: number) => {
  const end = Date.now() + maxMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('the call-ownership lease beside the socket.io adapter on one PostgreSQL', () => {
  let pgServer: TestPostgres | undefined;
  let cluster: Cluster | undefined;
  let dir: string | undefined;
  let dbUrl: string | undefined;
  let io: Server | undefined;
  const held: pg.PoolClient[] = [];
  afterEach(async () => {
    for (const c of held.splice(0)) c.release();
    // As the server shuts down: socket.io (and the adapter's LISTEN connection) first, then the cluster layer.
    for (const name of ['/', '/agent']) await io?.of(name).adapter.close();
    await cluster?.close({ release: true });
    // Let every connection of the instance close before the server goes (else they report being terminated).
    if (pgServer && dbUrl) {
      const admin = new pg.Client({ connectionString: dbUrl });
      await admin.connect();
      const others = async () =>
        Number(
          (
            await admin.query(
              'SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
            )
          ).rows[0].n,
        );
      for (let i = 0; i < 100 && (await others()) > 0; i++) await new Promise((r) => setTimeout(r, 50));
      await admin.end();
    }
    await pgServer?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('given every connection of the adapter busy (a burst of broadcasts), then the owner still renews in time and keeps the calls', async () => {
    // Given an instance owning the calls with a 2 s lease, its socket.io server on the cluster adapter
    pgServer = await startTestPostgres();
    const url = await pgServer.createDatabase();
    dbUrl = url;
    dir = mkdtempSync(join(tmpdir(), 'lease-pool-'));
    const config = loadConfig({
      env: { DATA_DIR: dir, CLUSTER_DATABASE_URL: url, CLUSTER_LEASE_TTL_MS: String(TTL), INSTANCE_ID: 'only' },
      cwd: dir,
    });
    cluster = await startCluster({ url, config, clock: systemClock, logger: createLogger({ level: 'silent' }) });
    io = new Server({ adapter: cluster.adapter });
    io.of('/agent');
    await cluster.ownership.start();
    await until(() => cluster!.ownership.isOwner(), 5000);

    // When the socket.io side of the cluster holds every connection of its pool for two and a half lease lengths
    // (the adapter's LISTEN connection is one of the six: hold the five others)
    for (let i = 0; i < 5; i++) {
      const c = await cluster.pool.connect();
      c.on('error', () => undefined); // the test's PostgreSQL stops under it at the end
      held.push(c);
    }
    expect(cluster.pool.totalCount).toBe(6);
    expect(cluster.pool.idleCount).toBe(0);
    await new Promise((r) => setTimeout(r, 2.5 * TTL));

    // Then the lease was renewed all along on a connection of its own: still the owner, never fenced
    expect(cluster.ownership.isOwner()).toBe(true);
    expect(cluster.ownership.lastFencedAt).toBeUndefined();
  }, 60_000);
});
