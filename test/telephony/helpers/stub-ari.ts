import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { createLogger, type Logger } from '../../../src/shared/logger.ts';
import type { FakeClock } from '../../../src/shared/clock.ts';
import type { AriConnection } from '../../../src/telephony/ari/connection.ts';

export interface StubRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type StubRoute = (req: StubRequest, res: http.ServerResponse) => unknown;

/**
 * A tiny ARI look-alike for unit tests: REST routes are functions, the events socket is a ws server
 * whose clients the test drives by hand. Listens on 127.0.0.1 only, port chosen by the OS.
 */
export class StubAri {
  readonly requests: StubRequest[] = [];
  readonly sockets: WebSocket[] = [];
  routes = new Map<string, StubRoute>();
  user = 'cti';
  password = 'secret';
  /** When false the events socket never answers pings. */
  autoPong = true;
  onSocket: ((ws: WebSocket, url: URL) => void) | undefined;
  private server: http.Server;
  private wss: WebSocketServer;
  private wssNoPong: WebSocketServer;
  port = 0;
  upgradeAttempts = 0;

  constructor() {
    this.wss = new WebSocketServer({ noServer: true, autoPong: true });
    this.wssNoPong = new WebSocketServer({ noServer: true, autoPong: false });
    this.server = this.makeServer();
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async listen(port = 0): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Stops listening and drops every socket: the PBX becomes unreachable. */
  async goDown(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    this.sockets.length = 0;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server = this.makeServer();
  }

  async comeBack(): Promise<void> {
    await this.listen(this.port);
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    this.wss.close();
    this.wssNoPong.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  route(method: string, path: string, handler: StubRoute): void {
    this.routes.set(`${method} ${path}`, handler);
  }

  json(method: string, path: string, status: number, body: unknown): void {
    this.route(method, path, (_req, res) => sendJson(res, status, body));
  }

  /** The routes the connection's reconcile step needs, answering with the given ids. */
  appRoutes(app: string, channels: unknown[] = [], bridges: unknown[] = []): void {
    this.route('GET', `/ari/applications/${app}`, (_req, res) =>
      sendJson(res, 200, {
        name: app,
        channel_ids: channels.map((c) => (c as { id: string }).id),
        bridge_ids: bridges.map((b) => (b as { id: string }).id),
        endpoint_ids: [],
        device_names: [],
        events_allowed: [],
        events_disallowed: [],
      }),
    );
    this.json('GET', '/ari/channels', 200, channels);
    this.json('GET', '/ari/bridges', 200, bridges);
  }

  get openSockets(): WebSocket[] {
    return this.sockets.filter((s) => s.readyState === s.OPEN);
  }

  broadcast(event: unknown): void {
    const text = typeof event === 'string' ? event : JSON.stringify(event);
    for (const ws of this.openSockets) ws.send(text);
  }

  private makeServer(): http.Server {
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://stub');
        const entry: StubRequest = {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
        };
        this.requests.push(entry);
        if (!this.authorised(req.headers.authorization)) {
          res.setHeader('www-authenticate', 'Basic realm="Asterisk REST Interface"');
          sendJson(res, 401, { message: 'Authentication required' });
          return;
        }
        const handler = this.routes.get(`${entry.method} ${entry.path}`);
        if (!handler) {
          sendJson(res, 404, { message: 'Resource not found' });
          return;
        }
        void handler(entry, res);
      });
    });
    server.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://stub');
      this.upgradeAttempts++;
      if (url.pathname !== '/ari/events' || !this.authorised(req.headers.authorization)) {
        socket.end(
          'HTTP/1.1 401 Unauthorized\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{"message":"Authentication required"}',
        );
        return;
      }
      (this.autoPong ? this.wss : this.wssNoPong).handleUpgrade(req, socket, head, (ws) => {
        this.sockets.push(ws);
        this.onSocket?.(ws, url);
      });
    });
    return server;
  }

  private authorised(header: string | undefined): boolean {
    const expected = `Basic ${Buffer.from(`${this.user}:${this.password}`).toString('base64')}`;
    return header === expected;
  }
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  if (status === 204) {
    res.writeHead(204).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

/** A pino logger writing JSON lines into an array, so tests can count and inspect log lines. */
export function captureLogger(level = 'info'): {
  logger: Logger;
  lines: Array<Record<string, unknown>>;
  raw: string[];
} {
  const lines: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        raw.push(line);
        lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      cb();
    },
  });
  return { logger: createLogger({ level, destination }), lines, raw };
}

/** pino level numbers */
export const ERROR = 50;
export const WARN = 40;

/** Waits (in real time, for real socket I/O) until the predicate holds. */
export async function waitFor(predicate: () => boolean, what: string, realMs = 5000): Promise<void> {
  const deadline = Date.now() + realMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/**
 * Runs the connection until the predicate holds: real socket I/O runs in real time, while every
 * backoff wait is skipped by moving the fake clock straight to the scheduled retry.
 */
export async function driveUntil(
  clock: FakeClock,
  conn: AriConnection,
  predicate: () => boolean,
  what: string,
  opts: { realMs?: number; maxFakeMs?: number } = {},
): Promise<void> {
  const realDeadline = Date.now() + (opts.realMs ?? 10_000);
  const fakeLimit = clock.now() + (opts.maxFakeMs ?? Number.POSITIVE_INFINITY);
  while (!predicate()) {
    if (Date.now() > realDeadline)
      throw new Error(`timed out driving the connection until ${what} (state ${conn.state})`);
    const retryAt = conn.nextRetryAt;
    if (conn.state === 'waiting' && retryAt !== undefined) {
      if (retryAt > fakeLimit) throw new Error(`fake time limit reached before ${what}`);
      await clock.advanceAsync(Math.max(0, retryAt - clock.now()));
    } else {
      await new Promise((r) => setTimeout(r, 1));
    }
  }
}

export function channel(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    name: `Local/100@cti-inbound-00000000;2`,
    state: 'Ring',
    protocol_id: '',
    caller: { name: 'Customer', number: '13812341234' },
    connected: { name: '', number: '' },
    accountcode: '',
    dialplan: {
      context: 'cti-inbound',
      exten: '12345',
      priority: 2,
      app_name: 'Stasis',
      app_data: 'cti-test,inbound,12345',
    },
    creationtime: '2026-11-25T22:26:52.388+0000',
    language: 'en',
    ...extra,
  };
}

let tick = 0;
/** A distinct ARI-style timestamp for each call. */
export function ts(): string {
  tick++;
  const d = new Date(Date.UTC(2026, 10, 25, 22, 0, 0) + tick);
  return d.toISOString().replace('Z', '+0000');
}

export function event(type: string, fields: Record<string, unknown>): Record<string, unknown> {
  return { type, timestamp: ts(), asterisk_id: '02:fc:00:00:00:01', application: 'cti-test', ...fields };
}
