// Several server instances as real processes (`node --import tsx src/main.ts`, killed with SIGKILL), one PBX
// simulator in this process, the cluster layer on a real PostgreSQL (test/support/postgres.ts). Two layouts:
// - `shared` (default): the store on one shared SQLite file (WAL) in one DATA_DIR, `CLUSTER_DATABASE_URL` for the
//   cluster layer — what works while call records live in SQLite;
// - `per-instance`: each instance its own DATA_DIR, `DATABASE_URL` on the PostgreSQL (store and cluster layer on
//   one database, CLUSTER_DATABASE_URL unset) and one shared RECORDINGS_DIR — the production layout of
//   docs/scale-out.md, which needs every area the call layer reads after a takeover to be in PostgreSQL.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, connect, createServer as createNetServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { io as ioClient } from 'socket.io-client';
import { projectSoundsDir, startSimulator, type SimulatorHandle } from '../../src/simulator/index.ts';
import { startTestPostgres, type TestPostgres } from '../support/postgres.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
// tsx's loader by path: the instances run from a temp directory, where `--import tsx` would not resolve.
const tsxLoader = pathToFileURL(join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const ARI_USER = 'cti';
const ARI_PASS = 'cti-secret';
export const ADMIN = { username: 'cluster-admin', password: 'cluster-admin-pw-1' };
const AGENT_PASSWORD = 'agent-password-1';

export interface Instance {
  readonly id: string;
  readonly child: ChildProcess;
  readonly url: string;
  /** Log lines (JSON) so far. */
  lines(): Array<Record<string, unknown>>;
  /** The end of its stderr (why it died, when it did). */
  stderr(): string;
  exited: Promise<number | null>;
}

/** Where the instances keep their data (see the top of this file). */
export type DataLayout = 'shared' | 'per-instance';

/** An active call as the store holds it: enough to tell that a call kept its place and its answer clock. */
export interface ActiveCallRow {
  id: string;
  phase: string;
  ivr_exit_at: number | null;
  queued_at: number | null;
}

export interface Health {
  status: string;
  telephony: { connected: boolean; owner: boolean };
}

export class Cluster {
  readonly instances = new Map<string, Instance>();
  private readonly desktops: Desktop[] = [];
  private adminToken: string | undefined;

  private constructor(
    readonly pg: TestPostgres,
    readonly dbUrl: string,
    readonly sim: SimulatorHandle,
    readonly dataDir: string,
    readonly leaseTtlMs: number,
    readonly layout: DataLayout,
  ) {}

  static async start(opts: { leaseTtlMs?: number; layout?: DataLayout } = {}): Promise<Cluster> {
    const pg = await startTestPostgres();
    const dbUrl = await pg.createDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'cluster-'));
    const sim = await startSimulator({
      ariUser: ARI_USER,
      ariPassword: ARI_PASS,
      recordingsDir: join(dataDir, 'pbx-recordings'),
      port: 0,
      inboundApp: 'hotline',
      soundsDirs: [projectSoundsDir(join(root, 'sounds'))],
    });
    return new Cluster(pg, dbUrl, sim, dataDir, opts.leaseTtlMs ?? 2000, opts.layout ?? 'shared');
  }

  /** DATA_DIR of an instance: one for all in the shared layout, `<id>/` of its own otherwise (kept over restarts). */
  dataDirOf(id: string): string {
    return this.layout === 'shared' ? join(this.dataDir, 'data') : join(this.dataDir, 'instances', id);
  }

  /** The archive directory every instance shares in the per-instance layout. */
  get recordingsDir(): string {
    return join(this.dataDir, 'shared-recordings');
  }

  /** The environment that places an instance's data (see DataLayout). */
  private dataEnv(id: string, dbUrl: string): Record<string, string> {
    if (this.layout === 'shared') return { DATA_DIR: this.dataDirOf(id), CLUSTER_DATABASE_URL: dbUrl };
    return { DATA_DIR: this.dataDirOf(id), DATABASE_URL: dbUrl, RECORDINGS_DIR: this.recordingsDir };
  }

  /** The calls the store holds as active, read beside the instances (the shared SQLite file, or PostgreSQL). */
  async activeCalls(): Promise<Map<string, ActiveCallRow>> {
    const sql = "SELECT id, phase, ivr_exit_at, queued_at FROM calls WHERE status = 'active'";
    let rows: ActiveCallRow[];
    if (this.layout === 'shared') {
      const db = new Database(join(this.dataDirOf(''), 'hotline.db'), { readonly: true, fileMustExist: true });
      try {
        rows = db.prepare(sql).all() as ActiveCallRow[];
      } finally {
        db.close();
      }
    } else {
      const client = new pg.Client({ connectionString: this.dbUrl });
      await client.connect();
      try {
        const num = (v: unknown) => (v === null ? null : Number(v)); // bigint columns arrive as strings
        rows = (await client.query(sql)).rows.map((r) => ({
          id: String(r.id),
          phase: String(r.phase),
          ivr_exit_at: num(r.ivr_exit_at),
          queued_at: num(r.queued_at),
        }));
      } finally {
        await client.end();
      }
    }
    return new Map(rows.map((r) => [r.id, r]));
  }

  /** Starts one instance and waits until it listens. `dbUrl` overrides the cluster database (a proxy). */
  async spawn(id: string, opts: { dbUrl?: string } = {}): Promise<Instance> {
    const child = spawn(process.execPath, ['--import', tsxLoader, join(root, 'src', 'main.ts')], {
      cwd: this.dataDir,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        ...this.dataEnv(id, opts.dbUrl ?? this.dbUrl),
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'info',
        ASTERISK_ARI_URL: this.sim.ariUrl,
        ASTERISK_ARI_USER: ARI_USER,
        ASTERISK_ARI_PASSWORD: ARI_PASS,
        AGENT_DIAL_TEMPLATE: 'Local/{ext}@agents',
        CLUSTER_LEASE_TTL_MS: String(this.leaseTtlMs),
        INSTANCE_ID: id,
        // One token secret for all: a desktop signed in on one instance may reconnect to another.
        TOKEN_SECRET: 'cluster-test-token-secret-0123456789abcdef',
        ADMIN_USERNAME: ADMIN.username,
        ADMIN_PASSWORD: ADMIN.password,
        RECORDING_ARCHIVE_FORMAT: 'wav',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    const parsed: Array<Record<string, unknown>> = [];
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      let nl = out.indexOf('\n');
      while (nl >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        try {
          parsed.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // not a log line
        }
        nl = out.indexOf('\n');
      }
    });
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code, signal) => {
        if (this.instances.get(id)?.child === child)
          console.log(`instance ${id} exited by itself (code ${code}, signal ${signal}): ${err.slice(-1500)}`);
        resolve(code);
      }),
    );
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const line = parsed.find((l) => typeof l.url === 'string' && String(l.msg).includes('listening'));
        if (line) {
          clearInterval(timer);
          resolve(line.url as string);
        }
      }, 20);
      void exited.then((code) => {
        clearInterval(timer);
        reject(new Error(`instance ${id} exited ${code} before listening: ${err.slice(-2000)}`));
      });
    });
    const inst: Instance = { id, child, url, lines: () => parsed, stderr: () => err.slice(-4000), exited };
    this.instances.set(id, inst);
    return inst;
  }

  kill9(id: string): Promise<number | null> {
    const inst = this.instances.get(id)!;
    inst.child.kill('SIGKILL');
    this.instances.delete(id);
    return inst.exited;
  }

  async health(inst: Instance): Promise<Health> {
    return (await (await fetch(`${inst.url}/health`)).json()) as Health;
  }

  /** Polls until `pred` holds (real time). */
  async until(pred: () => boolean | Promise<boolean>, what: string, maxMs = 30_000, stepMs = 20): Promise<void> {
    const end = Date.now() + maxMs;
    while (!(await pred())) {
      if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
      await new Promise((r) => setTimeout(r, stepMs));
    }
  }

  async owner(): Promise<Instance | undefined> {
    for (const inst of this.instances.values()) {
      try {
        const h = await this.health(inst);
        if (h.telephony.owner && h.telephony.connected) return inst;
      } catch {
        // not answering (being killed)
      }
    }
    return undefined;
  }

  private async admin(inst: Instance): Promise<string> {
    if (this.adminToken) return this.adminToken;
    this.adminToken = await login(inst.url, ADMIN.username, ADMIN.password);
    return this.adminToken;
  }

  /** Creates agent accounts through the HTTP API of `inst`. */
  async createAgents(inst: Instance, names: string[]): Promise<void> {
    const token = await this.admin(inst);
    for (const username of names) {
      const res = await fetch(`${inst.url}/users`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: AGENT_PASSWORD, role: 'agent', displayName: username }),
      });
      if (res.status !== 201) throw new Error(`creating ${username}: ${res.status} ${await res.text()}`);
    }
  }

  /** An agent desktop on `/agent` of `inst`, signed in with the real token. */
  async desktop(inst: Instance, username: string): Promise<Desktop> {
    const token = await login(inst.url, username, AGENT_PASSWORD);
    const socket = ioClient(`${inst.url}/agent`, {
      auth: { token },
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
    });
    const d = new Desktop(socket);
    this.desktops.push(d);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    await d.until(() => d.received('current-call').length > 0, 10_000);
    return d;
  }

  /** Prints every instance's log (CLUSTER_DEBUG=1, when a test fails). */
  dump(): void {
    for (const inst of this.instances.values()) {
      for (const l of inst.lines()) console.log(inst.id, JSON.stringify(l).slice(0, 400));
    }
  }

  async stop(): Promise<void> {
    for (const d of this.desktops) d.socket.disconnect();
    for (const id of [...this.instances.keys()]) await this.kill9(id);
    await this.sim.close();
    await this.pg.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

async function login(url: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** A caller who picks the mandarin desk and then a human agent at once (instead of waiting out the menus). */
export const STRAIGHT_TO_QUEUE = [
  { kind: 'awaitPrompt' as const, media: 'sound:hotline/desk-choice', timeoutMs: 30_000 },
  { kind: 'dtmf' as const, digits: '1' },
  { kind: 'awaitPrompt' as const, media: 'sound:hotline/emergency-advice', timeoutMs: 30_000 },
  { kind: 'dtmf' as const, digits: '0' },
];

/** Prints how far a long test got (real seconds since `start`), so a timeout says where it stood. */
export function stepper(): (what: string) => void {
  const start = Date.now();
  return (what) => console.log(`[${((Date.now() - start) / 1000).toFixed(1)} s] ${what}`);
}

/** One sample of `/metrics` of an instance: `metric(name, labels)` sums the matching series. */
export async function scrape(inst: Instance): Promise<(name: string, labels?: Record<string, string>) => number> {
  const text = await (await fetch(`${inst.url}/metrics`)).text();
  return (name, labels = {}) => {
    let sum = 0;
    for (const line of text.split('\n')) {
      if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
      if (Object.entries(labels).some(([k, v]) => !line.includes(`${k}="${v}"`))) continue;
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
    return sum;
  };
}

/**
 * A TCP proxy in front of PostgreSQL whose `cut()` stops forwarding without closing anything: to the instance
 * behind it the database goes silent, as with a network partition (no reset, no FIN).
 */
export async function partitionableProxy(targetUrl: string): Promise<{ url: string; cut(): void; close(): void }> {
  const target = new URL(targetUrl);
  const sockets: Socket[] = [];
  let cut = false;
  const server = createNetServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    sockets.push(client, upstream);
    client.on('data', (d) => {
      if (!cut) upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (!cut) client.write(d);
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const url = new URL(targetUrl);
  url.port = String(port);
  return {
    url: url.toString(),
    cut() {
      cut = true;
    },
    close() {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

/**
 * An agent desktop collecting what it receives (like test/calls/harness.ts's, which imports vitest: the bench
 * uses this harness outside vitest, and importing that one lazily inside a test stalled the worker).
 */
export class Desktop {
  readonly events: Array<{ name: string; payload: unknown }> = [];
  constructor(readonly socket: ReturnType<typeof ioClient>) {
    socket.onAny((name: string, payload: unknown) => this.events.push({ name, payload }));
  }
  received<T = any>(name: string): T[] {
    return this.events.filter((e) => e.name === name).map((e) => e.payload as T);
  }
  last<T = any>(name: string): T | undefined {
    return this.received<T>(name).at(-1);
  }
  async call(event: string, payload: unknown = {}): Promise<any> {
    return await this.socket.timeout(10_000).emitWithAck(event, payload);
  }
  async until(cond: () => boolean, maxMs = 5000): Promise<void> {
    const end = Date.now() + maxMs;
    while (!cond()) {
      if (Date.now() > end) throw new Error('desktop: timed out');
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}
