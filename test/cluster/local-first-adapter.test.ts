import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdapter } from '@socket.io/postgres-adapter';
import pg from 'pg';
import { Server } from 'socket.io';
import { io as ioClient, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localFirstAdapter } from '../../src/cluster/local-first-adapter.ts';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';
import { partitionableProxy } from './cluster-harness.ts';

interface Node {
  io: Server;
  url: string;
  pool: pg.Pool;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('socket.io across instances: local desktops first, then the other instances (scripts/bench cluster)', () => {
  let pgServer: TestPostgres;
  let dbUrl: string;
  const nodes: Node[] = [];
  const clients: Socket[] = [];
  const closers: Array<() => void> = [];

  beforeAll(async () => {
    pgServer = await startTestPostgres();
    dbUrl = await pgServer.createDatabase();
    const setup = new pg.Client({ connectionString: dbUrl });
    await setup.connect();
    await setup.query(
      'CREATE TABLE IF NOT EXISTS socket_io_attachments (id bigserial UNIQUE, created_at timestamptz DEFAULT now(), payload bytea)',
    );
    await setup.end();
  }, 120_000);

  afterAll(async () => {
    for (const c of clients) c.disconnect();
    // The cut link first: its sockets are destroyed, so the pool behind it ends instead of waiting for an answer.
    for (const close of closers) close();
    for (const n of nodes) {
      n.io.disconnectSockets(true);
      await n.io.close();
      await n.pool.end().catch(() => undefined);
    }
    await pgServer.stop();
  }, 60_000);

  async function node(url: string): Promise<Node> {
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    pool.on('error', () => undefined);
    const http = createServer();
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const io = new Server(http, {
      serveClient: false,
      adapter: localFirstAdapter(createAdapter(pool, { heartbeatInterval: 200, errorHandler: () => undefined })),
    });
    io.of('/agent').on('connection', (s) => void s.join(`agent:${String(s.handshake.auth.agent)}`));
    const n = { io, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, pool };
    nodes.push(n);
    return n;
  }

  async function desktop(n: Node, agent: string): Promise<{ pops: string[] }> {
    const s = ioClient(`${n.url}/agent`, { auth: { agent }, transports: ['websocket'], forceNew: true });
    clients.push(s);
    const got = { pops: [] as string[] };
    s.on('screen-pop', (p: { callId: string }) => got.pops.push(p.callId));
    await new Promise<void>((r) => s.once('connect', () => r()));
    return got;
  }

  it('a pop reaches the desktop on the deciding instance while the database is silent, and the one on another instance once', async () => {
    // Given instance A whose database link can be cut and instance B, a desktop of agent a1 on each, a2 on A only
    const proxy = await partitionableProxy(dbUrl);
    closers.push(() => proxy.close());
    const a = await node(proxy.url);
    const b = await node(dbUrl);
    const a1OnA = await desktop(a, 'a1');
    const a1OnB = await desktop(b, 'a1');
    const a2OnA = await desktop(a, 'a2');
    await sleep(600); // both adapters listen and have seen each other's heartbeat

    // When A decides a pop for a1 with the database reachable
    a.io.of('/agent').to('agent:a1').emit('screen-pop', { callId: 'c1' });
    for (let i = 0; i < 200 && a1OnB.pops.length === 0; i++) await sleep(10);

    // Then each of a1's desktops gets it exactly once (the local one is not sent it again through the database)
    await sleep(200);
    expect(a1OnA.pops).toEqual(['c1']);
    expect(a1OnB.pops).toEqual(['c1']);
    expect(a2OnA.pops).toEqual([]);

    // When A's database link goes silent (a partition: no reset, the publish hangs) and A pops again
    proxy.cut();
    a.io.of('/agent').to('agent:a2').emit('screen-pop', { callId: 'c2' });

    // Then the desktop on A has it at once: the local delivery does not wait for the NOTIFY
    for (let i = 0; i < 50 && a2OnA.pops.length === 0; i++) await sleep(10);
    expect(a2OnA.pops).toEqual(['c2']);
    expect(a1OnA.pops).toEqual(['c1']);
  }, 120_000);
});
