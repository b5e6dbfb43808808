/**
 * Screen-pop latency and CPU per call with 500 signed-in agents and 300 concurrent calls.
 *
 * Three processes, as in production: the PBX simulator (as Asterisk would be), this server process
 * (call layer: controller, domain, SQLite CDR, recording archive; the socket.io server), and the 500
 * agent desktops (socket.io clients, `--bench-clients`). Latency is measured from the offer decision
 * (the domain's `decide` returned the screen-pop effect) to the offered agent's desktop receiving the
 * pop, both stamped with performance.timeOrigin + performance.now() (the same system clock). CPU per
 * call is this server process only. Baseline, same run, same server and clients: a plain socket.io
 * emit of the same pop payload to one agent's room, paced like the calls, with no CTI logic.
 *
 * Supervisor set (issue 10): BENCH_CALLS_WALLBOARDS (20) wallboards stay connected to `/supervisor`
 * during the run; each `figures` push is timed from its `at` (the server clock when the push was
 * computed) to its arrival at every wallboard. Baseline, same run, same clients: a bare emit of the
 * largest figures payload seen, to the same number of sockets on a plain namespace, at the same pace.
 *
 * Caller history (issue 12): the call layer reads the callers' earlier orders from a SQLite work-order store in
 * the same file, as the server does; every third caller has two open orders, the newer one confidential. BENCH_CALLS_HISTORY=0 runs without a history source.
 *
 * Env: BENCH_CALLS_AGENTS (500), BENCH_CALLS_CALLS (300), BENCH_CALLS_SPREAD_MS (1000: calls are
 * placed evenly over this), BENCH_CALLS_TALK_MS (4000), BENCH_CALLS_WALLBOARDS (20), BENCH_CALLS_HISTORY (1).
 * BENCH_CALLS_STORE=postgres puts the call records in PostgreSQL (BENCH_DATABASE_URL, else an embedded PostgreSQL 18)
 * and counts its commits and writes per call (issue 12); default: SQLite, as `npm start` without DATABASE_URL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { Server } from 'socket.io';
import { io as ioClient, type Socket } from 'socket.io-client';
import { permissionsOf } from '../../src/auth/permissions.ts';
import type { Principal } from '../../src/auth/principal.ts';
import { createCallLayer, DeferredReconcile } from '../../src/calls/call-layer.ts';
import type { CallCenterConfig } from '../../src/domain/calls/call-center-state.ts';
import { loadIvrConfig } from '../../src/ivr-config/load-ivr-config.ts';
import type { SocketServer } from '../../src/realtime/socket-server.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { createLogger } from '../../src/shared/logger.ts';
import type { CallRecords } from '../../src/store/call-records.ts';
import { openStore } from '../../src/store/db.ts';
import { PgCallRecords } from '../../src/store/pg-call-records.ts';
import { openPgStore, type PgStore } from '../../src/store/pg-store.ts';
import { startTestPostgres, type TestPostgres } from '../../test/support/postgres.ts';
import { AriConnection } from '../../src/telephony/ari/connection.ts';
import { historyNamesFrom, workOrderHistory } from '../../src/calls/work-order-history.ts';
import type { Store } from '../../src/store/db.ts';
import { sqliteRepositories } from '../../src/store/repositories.ts';
import type { Logger } from '../../src/shared/logger.ts';
import { createWorkOrderModule, type WorkOrderModule } from '../../src/work-orders/module.ts';
import { startSimulatorChild } from '../simulator-child.ts';

const AGENTS = Number(process.env.BENCH_CALLS_AGENTS ?? 500);
const CALLS = Number(process.env.BENCH_CALLS_CALLS ?? 300);
const SPREAD_MS = Number(process.env.BENCH_CALLS_SPREAD_MS ?? 1000);
const TALK_MS = Number(process.env.BENCH_CALLS_TALK_MS ?? 4000);
const WALLBOARDS = Number(process.env.BENCH_CALLS_WALLBOARDS ?? 20);
const HISTORY = process.env.BENCH_CALLS_HISTORY !== '0';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const USER = 'bench';
const PASS = 'bench-secret';
const APP = 'hotline';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}

/** Namespaces that trust `auth: { username }` as an agent: the platform's token check is not what is measured. */
function trustingSockets(io: Server): SocketServer {
  return {
    io,
    namespace(name) {
      const nsp = io.of(name);
      nsp.use((socket, next) => {
        const a = socket.handshake.auth as { username?: string; role?: 'agent' | 'supervisor' };
        const username = String(a.username ?? 'x');
        const role = a.role === 'supervisor' ? 'supervisor' : 'agent';
        const principal: Principal = {
          userId: 0,
          username,
          displayName: username,
          role,
          unitId: null,
          permissions: permissionsOf(role),
          expiresAt: Number.MAX_SAFE_INTEGER,
        };
        socket.data.principal = principal;
        next();
      });
      return nsp;
    },
    async close() {
      io.disconnectSockets(true);
      io.engine.close();
    },
  };
}

/** The shipped call flow, entered at a one-prompt node that queues at once (the bench is about the offer, not the menu). */
function benchCallCenter(): CallCenterConfig {
  const c = loadIvrConfig();
  return {
    ivr: {
      ...c.ivr,
      start: 'bench-entry',
      nodes: {
        ...c.ivr.nodes,
        'bench-entry': { type: 'play', prompt: ['zh/digit-1'], next: { action: 'queue', skill: 'mandarin' } },
      },
    },
    acd: { ...c.acd, wrapUpMs: 1000, announceEveryMs: 0 },
  };
}

/** The callers' earlier orders: every third bench caller has an open complaint and a newer confidential report. */
async function seedHistory(store: Store, dir: string, logger: Logger): Promise<WorkOrderModule> {
  const m = createWorkOrderModule({ store, clock: systemClock, logger, dataDir: dir, startScanner: false });
  const taker = { id: 'bench', role: 'agent' as const, unitId: null, permissions: permissionsOf('agent') };
  for (let i = 0; i < CALLS; i += 3) {
    const phone = `1380000${String(i).padStart(4, '0')}`;
    await m.orders.intake(
      {
        channel: 'website',
        type: 'complaint',
        requesterPhone: phone,
        content: '小区门口夜间施工噪音扰民',
        category: 'environment.noise',
      },
      taker,
    );
    await m.orders.intake(
      {
        channel: 'website',
        type: 'report',
        requesterPhone: phone,
        content: '举报违规收费',
        category: 'other',
        confidential: true,
      },
      taker,
    );
  }
  return m;
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-calls-'));
  const sim = await startSimulatorChild({
    ariUser: USER,
    ariPassword: PASS,
    app: APP,
    recordingsDir: join(dir, 'pbx'),
  });
  const auth = `Basic ${Buffer.from(`${USER}:${PASS}`).toString('base64')}`;
  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(sim.controlUrl + path, {
      method,
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`control ${method} ${path}: ${res.status} ${await res.text()}`);
    return res.status === 204 ? undefined : await res.json();
  };
  const logger = createLogger({ level: 'error', pretty: false });
  const store = openStore({ dataDir: dir });
  // Call records on PostgreSQL (BENCH_CALLS_STORE=postgres): commits and writes counted per call.
  const pgCommits: number[] = [];
  let pgWrites = 0;
  let embedded: TestPostgres | null = null;
  let pgStore: PgStore | undefined;
  let callRecords: CallRecords | undefined;
  if (process.env.BENCH_CALLS_STORE === 'postgres') {
    embedded = process.env.BENCH_DATABASE_URL ? null : await startTestPostgres();
    const url = process.env.BENCH_DATABASE_URL ?? (await embedded!.createDatabase('bench_calls'));
    pgStore = await openPgStore({ url });
    callRecords = new PgCallRecords(pgStore.pool, {
      logger,
      onCommit: (ms, writes) => {
        pgCommits.push(ms);
        pgWrites += writes;
      },
    });
    // The recordings stay in the SQLite file; their calls are in PostgreSQL (as the server does).
    store.sqlite.pragma('foreign_keys = OFF');
  }
  const orders = HISTORY ? await seedHistory(store, dir, logger) : undefined;
  const reconcile = new DeferredReconcile();
  const conn = new AriConnection({
    url: sim.ariUrl,
    user: USER,
    password: PASS,
    app: APP,
    clock: systemClock,
    logger,
    reconcile,
    restTimeoutMs: 30_000,
  });

  const decided = new Map<string, number>();
  const popLatency: number[] = [];
  const emitLag: number[] = [];
  const layer = createCallLayer({
    app: APP,
    ari: conn,
    clock: systemClock,
    logger,
    store,
    ...(callRecords ? { calls: callRecords } : {}),
    dataDir: dir,
    callCenter: benchCallCenter(),
    agentDialTemplate: 'Local/{ext}@agents',
    ...(orders ? { history: workOrderHistory(orders.repo, historyNamesFrom(sqliteRepositories(store))) } : {}),
    agentNamespace: {
      onPopEmitted: (agentId, callId, at) => {
        decided.set(`${agentId}|${callId}`, performance.timeOrigin + at);
        emitLag.push(performance.now() - at);
      },
    },
  });
  reconcile.attach(layer.reconciler);
  const http = createServer();
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const io = new Server(http, { serveClient: false });
  const sockets = trustingSockets(io);
  layer.attachSockets(sockets);
  const baseNsp = sockets.namespace('/baseline', { permission: 'calls:take' });
  baseNsp.on('connection', (s) => void s.join(`agent:${(s.data as { principal: Principal }).principal.username}`));
  // The wallboards' baseline: a plain namespace, no call layer behind it.
  const baseSupNsp = sockets.namespace('/baseline-supervisor', { permission: 'calls:monitor' });
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  conn.start();
  for (let i = 0; conn.state !== 'ready'; i++) {
    if (i > 300) throw new Error('ARI connection not ready');
    await sleep(50);
  }

  const baseLatency: number[] = [];
  const baseSent = new Map<string, number>();
  // Supervisor set: push latency per wallboard, and the bare-emit baseline.
  const pushLatency: number[] = [];
  const pushSeen = new Set<string>();
  const baseSupLatency: number[] = [];
  const baseSupSent = new Map<string, number>();
  let measurePushesFrom = Number.POSITIVE_INFINITY;
  let largestFigures: unknown;
  let largestFiguresBytes = 0;
  const figureBytes: number[] = [];
  layer.figures.onFigures((f) => {
    if (f.at < measurePushesFrom) return;
    const bytes = JSON.stringify(f).length;
    figureBytes.push(bytes);
    if (bytes > largestFiguresBytes) {
      largestFiguresBytes = bytes;
      largestFigures = f;
    }
  });
  const epoch = () => performance.timeOrigin + performance.now();
  let clientsChild: ChildProcess | undefined;
  try {
    for (let i = 0; i < AGENTS; i++) await control('PUT', `/phones/${2000 + i}`, { answerAfterMs: 1000 });
    // The desktops run in their own process, as they do on agents' PCs: their work is not the server's.
    clientsChild = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--bench-clients'], {
      cwd: ROOT,
      env: {
        ...process.env,
        BENCH_URL: url,
        BENCH_CALLS_AGENTS: String(AGENTS),
        BENCH_CALLS_WALLBOARDS: String(WALLBOARDS),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      clientsChild!.on('message', (m: ClientMessage) => {
        if (m.type === 'ready') resolve();
        else if (m.type === 'error') reject(new Error(m.message));
        else if (m.type === 'pops') {
          for (const [ns, name, callId, at] of m.pops) {
            if (ns === '/supervisor') {
              const pushedAt = Number(callId);
              if (pushedAt >= measurePushesFrom) {
                pushLatency.push(at - pushedAt);
                pushSeen.add(callId);
              }
              continue;
            }
            if (ns === '/baseline-supervisor') {
              const t0 = baseSupSent.get(callId);
              if (t0 !== undefined) baseSupLatency.push(at - t0);
              continue;
            }
            const key = `${name}|${callId}`;
            const t0 = ns === '/agent' ? decided.get(key) : baseSent.get(key);
            if (t0 !== undefined) (ns === '/agent' ? popLatency : baseLatency).push(at - t0);
          }
        }
      });
      clientsChild!.once('exit', (code) => reject(new Error(`clients child exited with ${code}`)));
    });
    console.log(
      `setup: ${HISTORY ? `caller history from the SQLite work-order store (${orders ? Math.ceil(CALLS / 3) : 0} callers with 2 orders each)` : 'no caller history'}; ${AGENTS} agents signed in over socket.io (desktops in a child process), simulator in a child process; ${CALLS} calls placed over ${SPREAD_MS} ms, talk ${TALK_MS} ms`,
    );

    // Baseline: the same pop payload, emitted to one agent's room at the calls' pace, no CTI logic.
    const samplePop = {
      callId: 'c-sample',
      callerNumber: '138****1234',
      skill: 'mandarin',
      priority: 0,
      repeatCaller: false,
      ivrPath: ['bench-entry'],
      ivrChoices: [],
      arrivedAt: Date.now(),
      ivrExitAt: Date.now(),
      offeredAt: Date.now(),
      waitedMs: 0,
      history: [],
      openOrders: 0,
      draft: {
        channel: 'phone',
        callId: 'c-sample',
        requesterPhone: '138****1234',
        contactPhone: '138****1234',
        desk: 'mandarin',
        ivrChoices: [],
        repeatOf: null,
      },
    };
    const cpuBase0 = process.cpuUsage();
    const baseStart = performance.now();
    for (let i = 0; i < CALLS; i++) {
      const name = `bench${i % AGENTS}`;
      const callId = `base-${i}`;
      baseSent.set(`${name}|${callId}`, epoch());
      baseNsp.to(`agent:${name}`).emit('screen-pop', { ...samplePop, callId });
      const due = baseStart + ((i + 1) * SPREAD_MS) / CALLS;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
    }
    for (let i = 0; baseLatency.length < CALLS && i < 500; i++) await sleep(10);
    const cpuBase = process.cpuUsage(cpuBase0);

    // The calls.
    const endedCalls = new Set<string>();
    layer.events.on('record', (r) => {
      if (r.endedAt !== undefined) endedCalls.add(r.callId);
    });
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const gcPauses: number[] = [];
    const gcObs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) gcPauses.push(e.duration);
    });
    gcObs.observe({ entryTypes: ['gc'] });
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    // `at` of a push is Date.now() of the server (system clock) when it was computed.
    measurePushesFrom = Date.now();
    for (let i = 0; i < CALLS; i++) {
      await control('POST', '/calls', {
        from: `1380000${String(i).padStart(4, '0')}`,
        to: '12345',
        hangupAfterMs: 2000 + TALK_MS,
      });
      const due = wall0 + ((i + 1) * SPREAD_MS) / CALLS;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
    }
    const deadline = performance.now() + 120_000;
    // Counted from the call layer's own events: polling the database would load the loop being measured.
    const done = () => endedCalls.size >= CALLS && layer.controller.liveCalls().size === 0;
    while (!done() && performance.now() < deadline) await sleep(100);
    for (let i = 0; popLatency.length < CALLS && i < 100; i++) await sleep(20);
    await layer.controller.idle();
    const archivedBy = performance.now() + 60_000;
    while (
      (await layer.recordings.list({ limit: 1000 })).some((r) => r.status !== 'archived') &&
      performance.now() < archivedBy
    )
      await sleep(500);
    await layer.archive.idle();
    const cpu = process.cpuUsage(cpu0);
    const wall = performance.now() - wall0;
    const pushes = pushSeen.size;
    measurePushesFrom = Number.POSITIVE_INFINITY;
    loop.disable();
    gcObs.disconnect();
    console.log(
      `GC during the calls: ${gcPauses.length} pauses, ${gcPauses.reduce((a, b) => a + b, 0).toFixed(0)} ms in total, longest ${Math.max(0, ...gcPauses).toFixed(1)} ms`,
    );
    console.log(
      `event-loop delay during the calls: p50 ${(loop.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms, max ${(loop.max / 1e6).toFixed(1)} ms`,
    );

    const rows = await layer.calls.listCalls({ limit: 1000 });
    const answered = rows.filter((r) => r.outcome === 'answered').length;
    const archived = (await layer.recordings.list({ limit: 1000 })).filter((r) => r.status === 'archived').length;
    const fmt = (x: number) => x.toFixed(2).padStart(8);
    console.log(
      `calls: ${rows.length} placed, ${answered} answered, ${archived} recordings archived, ${popLatency.length} screen-pops received; wall ${(wall / 1000).toFixed(1)} s`,
    );
    console.log('                               p50 ms    p99 ms    max ms   CPU ms per call/emit');
    console.log(
      `screen-pop (offer → desktop) ${fmt(pct(popLatency, 50))}  ${fmt(pct(popLatency, 99))}  ${fmt(Math.max(...popLatency))}  ${fmt((cpu.user + cpu.system) / 1000 / CALLS)}  (server process, whole call: IVR, queue, offer, bridge, record, CDR, archive)`,
    );
    console.log(
      `baseline socket.io emit       ${fmt(pct(baseLatency, 50))}  ${fmt(pct(baseLatency, 99))}  ${fmt(Math.max(...baseLatency))}  ${fmt((cpuBase.user + cpuBase.system) / 1000 / CALLS)}  (server process; same payload, same clients, no CTI logic)`,
    );
    console.log(
      `offer decision → pop handed to socket.io (server side only): p50 ${pct(emitLag, 50).toFixed(2)} ms, p99 ${pct(emitLag, 99).toFixed(2)} ms`,
    );
    console.log(
      `goal: screen-pop p99 < 20 ms → ${pct(popLatency, 99) < 20 ? 'met' : 'NOT met'} (${popLatency.length}/${CALLS} pops measured)`,
    );
    if (callRecords) {
      await callRecords.flushed();
      console.log(
        `call records on PostgreSQL: ${pgCommits.length} commits, ${pgWrites} writes for ${CALLS} calls (${(pgCommits.length / CALLS).toFixed(2)} commits, ${(pgWrites / CALLS).toFixed(1)} writes per call); commit p50 ${pct(pgCommits, 50).toFixed(2)} ms, p99 ${pct(pgCommits, 99).toFixed(2)} ms`,
      );
    }

    // Supervisor set baseline: the largest figures payload, emitted bare to the same number of wallboards, same count and pace.
    const paceMs = pushes > 1 ? wall / pushes : 250;
    const baseSupStart = performance.now();
    for (let i = 0; i < Math.max(1, pushes); i++) {
      baseSupSent.set(String(i), epoch());
      baseSupNsp.emit('figures', { ...(largestFigures as object), seq: i });
      const due = baseSupStart + (i + 1) * Math.min(paceMs, 250);
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
    }
    for (let i = 0; baseSupLatency.length < Math.max(1, pushes) * WALLBOARDS && i < 200; i++) await sleep(10);
    console.log(
      `supervisor set: ${WALLBOARDS} wallboards on /supervisor during the calls; ${pushes} figures pushes, ${pushLatency.length} receptions; payload p50 ${(pct(figureBytes, 50) / 1024).toFixed(1)} KiB, max ${(largestFiguresBytes / 1024).toFixed(1)} KiB`,
    );
    console.log('                               p50 ms    p99 ms    max ms');
    console.log(
      `figures push (computed → board)${fmt(pct(pushLatency, 50))}  ${fmt(pct(pushLatency, 99))}  ${fmt(Math.max(...pushLatency))}  (compute + emit to ${WALLBOARDS} boards, under the call load; \`at\` has 1 ms resolution)`,
    );
    console.log(
      `baseline bare figures emit    ${fmt(pct(baseSupLatency, 50))}  ${fmt(pct(baseSupLatency, 99))}  ${fmt(Math.max(...baseSupLatency))}  (largest payload, ${WALLBOARDS} boards, no call load, no CTI logic)`,
    );
  } finally {
    clientsChild?.kill('SIGTERM');
    await layer.close();
    await conn.stop();
    await sockets.close();
    await new Promise<void>((r) => http.close(() => r()));
    store.close();
    await pgStore?.close();
    await embedded?.stop();
    sim.child.kill('SIGTERM');
    await new Promise((r) => sim.child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

type ClientMessage =
  | { type: 'ready' }
  | { type: 'error'; message: string }
  | { type: 'pops'; pops: Array<[string, string, string, number]> };

/** Child mode: the agent desktops (socket.io clients) on `/agent` and `/baseline`, reporting each pop's arrival time. */
async function clientsMain(): Promise<void> {
  const url = process.env.BENCH_URL!;
  const send = (m: ClientMessage) => process.send!(m);
  let batch: ClientMessage & { type: 'pops' } = { type: 'pops', pops: [] };
  setInterval(() => {
    if (batch.pops.length === 0) return;
    send(batch);
    batch = { type: 'pops', pops: [] };
  }, 50);
  const agents: Socket[] = [];
  for (const ns of ['/agent', '/baseline']) {
    for (let i = 0; i < AGENTS; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, AGENTS - i) }, (_, k) => {
          const name = `bench${i + k}`;
          const s = ioClient(`${url}${ns}`, {
            auth: { username: name },
            transports: ['websocket'],
            forceNew: true,
            reconnection: false,
          });
          s.on('screen-pop', (pop: { callId: string }) =>
            batch.pops.push([ns, name, pop.callId, performance.timeOrigin + performance.now()]),
          );
          if (ns === '/agent') agents.push(s);
          return new Promise<void>((res, rej) => {
            s.once('connect', () => res());
            s.once('connect_error', rej);
          });
        }),
      );
    }
  }
  for (let i = 0; i < AGENTS; i += 50) {
    const acks = await Promise.all(
      agents
        .slice(i, i + 50)
        .map((s, k) =>
          s.timeout(10_000).emitWithAck('sign-in', { extension: String(2000 + i + k), skills: ['mandarin'] }),
        ),
    );
    const bad = acks.find((a: { ok: boolean }) => !a.ok);
    if (bad) {
      send({ type: 'error', message: `sign-in refused: ${JSON.stringify(bad)}` });
      return;
    }
  }
  // The wallboards: /supervisor (the real pushes) and /baseline-supervisor (bare emits).
  for (const ns of ['/supervisor', '/baseline-supervisor']) {
    await Promise.all(
      Array.from({ length: WALLBOARDS }, (_, i) => {
        const name = `wallboard${i}`;
        const s = ioClient(`${url}${ns}`, {
          auth: { username: name, role: 'supervisor' },
          transports: ['websocket'],
          forceNew: true,
          reconnection: false,
        });
        s.on('figures', (f: { at: number; seq?: number }) =>
          batch.pops.push([
            ns,
            name,
            ns === '/supervisor' ? String(f.at) : String(f.seq),
            performance.timeOrigin + performance.now(),
          ]),
        );
        return new Promise<void>((res, rej) => {
          s.once('connect', () => res());
          s.once('connect_error', rej);
        });
      }),
    );
  }
  send({ type: 'ready' });
}

if (process.argv.includes('--bench-clients')) {
  await clientsMain();
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await run();
  process.exit(0);
}
