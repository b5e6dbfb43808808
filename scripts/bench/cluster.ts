/**
 * Issue 12: several instances.
 *
 * 1. Screen-pop across instances: an emit to an agent's room decided on one socket.io server, received by a
 *    desktop connected to another server through `@socket.io/postgres-adapter` (NOTIFY on a real PostgreSQL),
 *    beside the same emit to desktops on the same server (the single-instance figure, in-memory adapter).
 *    Only the hop from the decision to the desktop is timed (the domain's work is the same either way).
 *    Each is measured with the adapter as shipped and with the server's local-first wrapper
 *    (src/cluster/local-first-adapter.ts).
 * 2. Takeover: scripts/bench/cluster-takeover.ts.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { createAdapter } from '@socket.io/postgres-adapter';
import pg from 'pg';
import { Server } from 'socket.io';
import { io as ioClient, type Socket } from 'socket.io-client';
import { localFirstAdapter } from '../../src/cluster/local-first-adapter.ts';
import { startTestPostgres } from '../../test/support/postgres.ts';

const POPS = Number(process.env.BENCH_CLUSTER_POPS ?? 1000);
const DESKS = Number(process.env.BENCH_CLUSTER_DESKS ?? 50);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const epoch = () => performance.timeOrigin + performance.now();
function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
}
const fmt = (n: number) => n.toFixed(2).padStart(8);

interface PopServer {
  io: Server;
  url: string;
  close(): Promise<void>;
}

async function popServer(adapter?: ReturnType<typeof createAdapter>): Promise<PopServer> {
  const http = createServer();
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const io = new Server(http, { serveClient: false, ...(adapter ? { adapter } : {}) });
  io.of('/agent').on('connection', (s) => void s.join(`agent:${String(s.handshake.auth.agent)}`));
  return {
    io,
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    async close() {
      io.disconnectSockets(true);
      io.engine.close();
      await new Promise((r) => http.close(r));
    },
  };
}

/** Emits POPS pops from `from` to DESKS desktops connected to `to`, paced 2 ms apart; returns latencies in ms. */
async function measurePops(from: PopServer, to: PopServer): Promise<number[]> {
  const sent = new Map<string, number>();
  const lat: number[] = [];
  const desks: Socket[] = [];
  for (let i = 0; i < DESKS; i++) {
    const s = ioClient(`${to.url}/agent`, { auth: { agent: `d${i}` }, transports: ['websocket'], forceNew: true });
    s.on('screen-pop', (p: { callId: string }) => {
      const t = sent.get(p.callId);
      if (t !== undefined) lat.push(epoch() - t);
    });
    await new Promise<void>((r) => s.once('connect', () => r()));
    desks.push(s);
  }
  await sleep(1500); // the adapter's heartbeat has seen every server
  const body = { callerNumber: '138****1234', history: [], draft: { desk: 'mandarin' }, padding: 'x'.repeat(600) };
  for (let i = 0; i < POPS; i++) {
    const callId = `c${i}`;
    sent.set(callId, epoch());
    from.io
      .of('/agent')
      .to(`agent:d${i % DESKS}`)
      .emit('screen-pop', { ...body, callId });
    await sleep(2);
  }
  for (let i = 0; lat.length < POPS && i < 500; i++) await sleep(10);
  for (const s of desks) s.disconnect();
  return lat;
}

async function screenPops(): Promise<void> {
  const pgServer = await startTestPostgres();
  const url = await pgServer.createDatabase();
  const pools: pg.Pool[] = [];
  const pgAdapter = async (localFirst = false) => {
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    await pool.query(
      'CREATE TABLE IF NOT EXISTS socket_io_attachments (id bigserial UNIQUE, created_at timestamptz DEFAULT now(), payload bytea)',
    );
    pools.push(pool);
    const factory = createAdapter(pool, { heartbeatInterval: 1000 });
    return localFirst ? localFirstAdapter(factory) : factory;
  };
  try {
    const single = await popServer();
    const local = await measurePops(single, single);
    await single.close();
    const a = await popServer(await pgAdapter());
    const b = await popServer(await pgAdapter());
    const sameInstance = await measurePops(a, a);
    const crossInstance = await measurePops(a, b);
    await a.close();
    await b.close();
    // What the server runs (src/cluster/cluster.ts): local desktops first, then the NOTIFY to the others.
    const la = await popServer(await pgAdapter(true));
    const lb = await popServer(await pgAdapter(true));
    const lfSame = await measurePops(la, la);
    const lfCross = await measurePops(la, lb);
    await la.close();
    await lb.close();
    console.log(`screen-pop hop (decision → desktop), ${POPS} pops to ${DESKS} desktops, 2 ms apart`);
    console.log('                                              p50 ms    p99 ms    max ms   received');
    const line = (name: string, xs: number[]) =>
      console.log(
        `${name.padEnd(44)} ${fmt(pct(xs, 50))}  ${fmt(pct(xs, 99))}  ${fmt(Math.max(...xs))}   ${xs.length}/${POPS}`,
      );
    line('single instance (in-memory adapter)', local);
    line('postgres adapter, desktop on the same instance', sameInstance);
    line('postgres adapter, desktop on another instance', crossInstance);
    line('local-first (server), same instance', lfSame);
    line('local-first (server), another instance', lfCross);
    console.log(`  machine load average (1 min) ${loadavg()[0]?.toFixed(2)} on ${cpus().length} cores`);
  } finally {
    for (const p of pools) await p.end().catch(() => undefined);
    await pgServer.stop();
  }
}

/** BENCH_CLUSTER_PARTS=pops or =takeover runs one part (default both; the takeover is cluster-takeover.ts). */
export async function run(): Promise<void> {
  const parts = (process.env.BENCH_CLUSTER_PARTS ?? 'pops,takeover').split(',');
  if (parts.includes('pops')) await screenPops();
}
