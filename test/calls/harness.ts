import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Server } from 'socket.io';
import { io as ioClient, type Socket as ClientSocket } from 'socket.io-client';
import { expect } from 'vitest';
import { permissionsOf } from '../../src/auth/permissions.ts';
import type { Principal } from '../../src/auth/principal.ts';
import type { Role } from '../../src/auth/roles.ts';
import type { ExtensionPolicy } from '../../src/calls/agent-extension.ts';
import { createCallLayer, DeferredReconcile, type CallLayer } from '../../src/calls/call-layer.ts';
import type { CallerHistorySource } from '../../src/calls/caller-history.ts';
import type { CallCenterConfig } from '../../src/domain/calls/call-center-state.ts';
import { loadIvrConfig } from '../../src/ivr-config/load-ivr-config.ts';
import type { SocketServer } from '../../src/realtime/socket-server.ts';
import { FakeClock } from '../../src/shared/clock.ts';
import { createLogger, type Logger } from '../../src/shared/logger.ts';
import {
  ASTERISK_22_TIMING,
  parseTiming,
  projectSoundsDir,
  startSimulator,
  type SimulatorHandle,
  type SimulatorTiming,
} from '../../src/simulator/index.ts';
import { SqliteAuditRepo } from '../../src/store/audit-repo.ts';
import type { CallRecords } from '../../src/store/call-records.ts';
import { CallsRepo } from '../../src/store/calls-repo.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { RecordingsRepo } from '../../src/store/recordings-repo.ts';
import { AriConnection } from '../../src/telephony/ari/connection.ts';
import type { SignInsRepo } from '../../src/store/sign-ins-repo.ts';

export const APP = 'hotline';
const USER = 'cti';
const PASS = 'cti-secret';

/**
 * The REST timing of a real Asterisk 22 (latencies, events overtaking replies) with a fixed seed, so a failure
 * replays. The call-layer tests run under it by default: an instant simulator hid the answer→command race
 * (issue 8). `SIM_TIMING_SEED=n` tries another seed, `SIM_TIMING_SCALE=k` multiplies the latencies (a loaded
 * PBX), `SIM_TIMING=off` runs them without, `SIM_TIMING=<json>` under another config (parseTiming()).
 */
export function callTestTiming(): SimulatorTiming | undefined {
  const env = process.env.SIM_TIMING;
  if (env === 'off') return undefined;
  const base = env ? parseTiming(env === 'asterisk22' ? env : JSON.parse(env)) : ASTERISK_22_TIMING;
  const seed = process.env.SIM_TIMING_SEED ? Number(process.env.SIM_TIMING_SEED) : 12345;
  const scale = process.env.SIM_TIMING_SCALE ? Number(process.env.SIM_TIMING_SCALE) : (base.scale ?? 1);
  return { ...base, seed, scale };
}

/** A socket.io server whose namespaces trust `auth: { username, role }` (the platform's token check is tested on its own). */
function trustingSockets(http: HttpServer): SocketServer {
  const io = new Server(http, { serveClient: false });
  return {
    io,
    namespace(name, { permission }) {
      const nsp = io.of(name);
      nsp.use((socket, next) => {
        const a = socket.handshake.auth as { username?: string; role?: Role };
        const role = a.role ?? 'agent';
        const permissions = permissionsOf(role);
        if (!permissions.has(permission)) return next(new Error(`role ${role} lacks ${permission}`));
        const principal: Principal = {
          userId: 1,
          username: a.username ?? 'x',
          displayName: a.username ?? 'x',
          role,
          unitId: null,
          permissions,
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

export interface HarnessOptions {
  clock?: FakeClock;
  dataDir?: string;
  /** Reuse a running simulator (restart tests). */
  sim?: SimulatorHandle;
  /** The caller history the call layer reads; a function gets the harness's store (to use the real work-order store). */
  history?: CallerHistorySource | ((store: Store) => CallerHistorySource);
  callCenter?: (c: CallCenterConfig) => CallCenterConfig;
  extensions?: ExtensionPolicy;
  /**
   * The call records (default: the SQLite store's). Given (PostgreSQL), the harness's SQLite file keeps only the
   * recordings, whose reference to their call it can no longer check (as the server does with DATABASE_URL).
   */
  calls?: CallRecords;
  /** Where the call layer and the simulator log (default: silent unless TEST_LOG is set). */
  logger?: Logger;
  /** REST timing of the simulator this harness starts (not of one passed in `sim`); default callTestTiming(), false = instant. */
  timing?: SimulatorTiming | false;
  /** Tell agents when a supervisor is on their call (issue 10). */
  notifyAgentOfMonitoring?: boolean;
  externalDialTemplate?: string;
  /** Where agents' sign-ins are kept (default: the SQLite file of the data dir); a PostgreSQL one in store tests. */
  signIns?: SignInsRepo;
  /** Declare /agent and /supervisor only once ARI is connected and reconciled, as src/server.ts may. */
  socketsAfterAri?: boolean;
}

export class Harness {
  clients: ClientSocket[] = [];
  /**
   * The call records read synchronously from the harness's SQLite file (the call layer's own CallRecords are
   * asynchronous; on SQLite they commit before returning, so this sees every write the layer made).
   */
  readonly records: CallsRepo;
  private constructor(
    readonly clock: FakeClock,
    readonly sim: SimulatorHandle,
    readonly store: Store,
    readonly conn: AriConnection,
    readonly layer: CallLayer,
    readonly http: HttpServer,
    readonly sockets: SocketServer,
    readonly dataDir: string,
    readonly url: string,
    private readonly ownsSim: boolean,
    private readonly ownsDir: boolean,
  ) {
    this.records = new CallsRepo(store.db);
  }

  /** The recording rows, read synchronously from the harness's SQLite file (the layer's store is asynchronous). */
  get recordings(): RecordingsRepo {
    return new RecordingsRepo(this.store.db);
  }

  static async start(opts: HarnessOptions = {}): Promise<Harness> {
    const clock = opts.clock ?? new FakeClock(Date.UTC(2026, 0, 5, 2, 0, 0));
    const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'calls-it-'));
    const logger = opts.logger ?? createLogger({ level: process.env.TEST_LOG ?? 'silent', pretty: false });
    const sim =
      opts.sim ??
      (await startSimulator({
        ariUser: USER,
        ariPassword: PASS,
        recordingsDir: join(dataDir, 'pbx-recordings'),
        clock,
        port: 0,
        inboundApp: APP,
        logger,
        soundsDirs: [projectSoundsDir(new URL('../../sounds', import.meta.url).pathname)],
        timing: opts.timing === false ? undefined : (opts.timing ?? callTestTiming()),
      }));
    const store = openStore({ dataDir });
    if (opts.calls) store.sqlite.pragma('foreign_keys = OFF');
    let config = loadIvrConfig();
    if (opts.callCenter) config = opts.callCenter(config);
    const deferred = new DeferredReconcile();
    const conn = new AriConnection({
      url: sim.ariUrl,
      user: USER,
      password: PASS,
      app: APP,
      clock,
      logger,
      reconcile: deferred,
    });
    const layer = createCallLayer({
      app: APP,
      ari: conn,
      clock,
      logger,
      store,
      ...(opts.calls ? { calls: opts.calls } : {}),
      dataDir,
      callCenter: config,
      agentDialTemplate: 'Local/{ext}@agents',
      history: typeof opts.history === 'function' ? opts.history(store) : opts.history,
      archiveRetryBaseMs: 500,
      extensions: opts.extensions,
      audit: new SqliteAuditRepo(store.db),
      notifyAgentOfMonitoring: opts.notifyAgentOfMonitoring,
      ...(opts.externalDialTemplate ? { externalDialTemplate: opts.externalDialTemplate } : {}),
      ...(opts.signIns ? { signIns: opts.signIns } : {}),
    });
    deferred.attach(layer.reconciler);
    const http = createServer();
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const sockets = trustingSockets(http);
    if (!opts.socketsAfterAri) layer.attachSockets(sockets);
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const h = new Harness(clock, sim, store, conn, layer, http, sockets, dataDir, url, !opts.sim, !opts.dataDir);
    conn.start();
    await h.until(() => conn.state === 'ready', 'ARI connection ready');
    if (opts.socketsAfterAri) layer.attachSockets(sockets);
    return h;
  }

  /** Lets real I/O happen while fake time moves in small steps, until `cond` holds. */
  async until(cond: () => boolean, what: string, opts: { stepMs?: number; maxMs?: number } = {}): Promise<void> {
    const step = opts.stepMs ?? 50;
    const max = opts.maxMs ?? 120_000;
    let moved = 0;
    // CDR rows are written behind (batched); tests read them back right away.
    const check = () => {
      this.layer.controller.cdr.flush();
      return cond();
    };
    for (let _i = 0; ; _i++) {
      if (check()) return;
      if (moved >= max) throw new Error(`timed out waiting for: ${what} (${moved} ms of fake time)`);
      await realTick();
      if (check()) return;
      await this.clock.advanceAsync(step);
      moved += step;
    }
  }

  /** Moves fake time forward by `ms` in small steps, letting real I/O happen in between. */
  async run(ms: number, stepMs = 50): Promise<void> {
    for (let t = 0; t < ms; t += stepMs) {
      await realTick();
      await this.clock.advanceAsync(Math.min(stepMs, ms - t));
    }
    await realTick();
    this.layer.controller.cdr.flush();
  }

  /** An agent desktop on `/agent`, collecting what it receives. */
  async desktop(username: string, role: Role = 'agent'): Promise<Desktop> {
    const socket = ioClient(`${this.url}/agent`, {
      auth: { username, role },
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
    });
    const d = new Desktop(socket);
    this.clients.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    await d.until(() => d.received('current-call').length > 0);
    return d;
  }

  async supervisor(username = 'sup', role: Role = 'supervisor'): Promise<Desktop> {
    const socket = ioClient(`${this.url}/supervisor`, {
      auth: { username, role },
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
    });
    const d = new Desktop(socket);
    this.clients.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    await d.until(() => d.received('figures').length > 0);
    return d;
  }

  /** Signs an agent in at extension `ext` and lets the phone answer after `answerAfterMs` (absent: never). */
  async agent(
    username: string,
    ext: string,
    behaviour: { answerAfterMs?: number; busy?: boolean },
    skills = ['mandarin'],
  ): Promise<Desktop> {
    this.sim.control.setPhone(ext, behaviour);
    const d = await this.desktop(username);
    const ack = await d.call('sign-in', { extension: ext, skills });
    expect(ack).toEqual({ ok: true });
    return d;
  }

  /** Stops this server's side only (the simulator keeps its calls), as if the process died. */
  async crash(): Promise<void> {
    for (const c of this.clients) c.disconnect();
    this.layer.controller.stop();
    await this.conn.stop();
    await this.sockets.close();
    await new Promise<void>((r) => this.http.close(() => r()));
    this.store.close();
  }

  /**
   * Waits (real time only) until the simulator has answered every REST request it took in. Under REST timing a
   * fire-and-forget request can still be on its way when a test ends; closing the PBX under it would reset it.
   */
  async drainPbx(maxMs = 5000): Promise<void> {
    const end = Date.now() + maxMs;
    while (this.sim.timing.inFlight() > 0) {
      if (Date.now() > end)
        throw new Error(
          `the simulator still has ${this.sim.timing.inFlight()} REST requests in flight after ${maxMs} ms`,
        );
      await realTick();
    }
  }

  async close(opts: { leakCheck?: boolean } = {}): Promise<void> {
    for (const c of this.clients) c.disconnect();
    await this.layer.close();
    await this.drainPbx();
    await this.conn.stop();
    await this.sockets.close();
    await new Promise<void>((r) => this.http.close(() => r()));
    const leaks = this.sim.leaks();
    this.store.close();
    if (this.ownsSim) await this.sim.close();
    if (this.ownsDir) rmSync(this.dataDir, { recursive: true, force: true });
    if (opts.leakCheck !== false)
      expect(leaks).toEqual({ ok: true, channels: [], bridges: [], playbacks: [], recordings: [] });
  }
}

export class Desktop {
  readonly events: Array<{ name: string; payload: unknown; at: number }> = [];
  constructor(readonly socket: ClientSocket) {
    socket.onAny((name: string, payload: unknown) => this.events.push({ name, payload, at: Date.now() }));
  }
  received<T = any>(name: string): T[] {
    return this.events.filter((e) => e.name === name).map((e) => e.payload as T);
  }
  last<T = any>(name: string): T | undefined {
    return this.received<T>(name).at(-1);
  }
  async call(event: string, payload: unknown = {}): Promise<any> {
    return await this.socket.timeout(5000).emitWithAck(event, payload);
  }
  async until(cond: () => boolean, maxMs = 5000): Promise<void> {
    const end = Date.now() + maxMs;
    while (!cond()) {
      if (Date.now() > end) throw new Error('desktop: timed out');
      await new Promise((r) => setTimeout(r, 2));
    }
  }
}

export async function realTick(): Promise<void> {
  await new Promise((r) => setTimeout(r, 1));
  await new Promise((r) => setImmediate(r));
}
