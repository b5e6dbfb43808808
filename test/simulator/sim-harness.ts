/** Test harness: a simulator on a random port, a raw ARI WebSocket collecting events, and a REST helper. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { FakeClock, type Clock, type TimerId } from '../../src/shared/clock.ts';
import { startSimulator, type SimulatorHandle, type SimulatorOptions } from '../../src/simulator/index.ts';

export const USER = 'cti';
export const PASS = 'cti';

/** A FakeClock that knows when its next timer is due, so tests can jump from timer to timer. */
export class SteppingClock implements Clock {
  readonly fake: FakeClock;
  private readonly due = new Map<TimerId, number>();
  constructor(start: number) {
    this.fake = new FakeClock(start);
  }
  now(): number {
    return this.fake.now();
  }
  setTimeout(fn: () => void, ms: number): TimerId {
    const id: TimerId = this.fake.setTimeout(() => {
      this.due.delete(id);
      fn();
    }, ms);
    this.due.set(id, this.fake.now() + Math.max(0, ms));
    return id;
  }
  clearTimeout(id: TimerId | undefined): void {
    if (id !== undefined) this.due.delete(id);
    this.fake.clearTimeout(id);
  }
  nextDue(): number | undefined {
    let best: number | undefined;
    for (const at of this.due.values()) if (best === undefined || at < best) best = at;
    return best;
  }
}

export interface Harness {
  sim: SimulatorHandle;
  clock: SteppingClock;
  recordingsDir: string;
  rest(
    method: string,
    path: string,
    query?: Record<string, unknown>,
    body?: unknown,
  ): Promise<{ status: number; reason: string; body: any; headers: Headers }>;
  connect(app?: string): Promise<EventSocket>;
  /** Lets deferred engine steps, sockets and promises run (no clock movement). */
  settle(): Promise<void>;
  /** Moves the fake clock, settling between timers. */
  advance(ms: number): Promise<void>;
  /** Advances to the next pending timer if it is due within `limitMs`; false when none is. */
  step(limitMs: number): Promise<boolean>;
  close(): Promise<void>;
}

export interface EventSocket {
  ws: WebSocket;
  events: any[];
  waitFor(pred: (e: any) => boolean, what?: string): Promise<any>;
  close(): Promise<void>;
}

export async function startHarness(extra: Partial<SimulatorOptions> = {}, startAt?: number): Promise<Harness> {
  const clock = new SteppingClock(startAt ?? Date.UTC(2026, 10, 25, 22, 26, 50, 0));
  const recordingsDir = mkdtempSync(join(tmpdir(), 'sim-rec-'));
  const sim = await startSimulator({ ariUser: USER, ariPassword: PASS, clock, recordingsDir, ...extra });
  const sockets: EventSocket[] = [];
  const auth = 'Basic ' + Buffer.from(`${USER}:${PASS}`).toString('base64');

  async function settle(): Promise<void> {
    const engine = sim.engine as unknown as { idle: boolean };
    for (let round = 0; round < 3; round++) {
      for (let k = 0; k < 1000 && !engine.idle; k++) await new Promise<void>((r) => setImmediate(r));
      for (let k = 0; k < 3; k++) await new Promise<void>((r) => setImmediate(r));
      await new Promise<void>((r) => setTimeout(r, 0));
    }
  }

  const h: Harness = {
    sim,
    clock,
    recordingsDir,
    async rest(method, path, query, body) {
      const url = new URL(sim.ariUrl + path);
      for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
      const res = await fetch(url, {
        method,
        headers: { authorization: auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : '';
      } catch {
        /* raw */
      }
      return { status: res.status, reason: res.statusText, body: parsed, headers: res.headers };
    },
    async connect(app = 'cti-test') {
      const ws = new WebSocket(`${sim.wsUrl}?app=${encodeURIComponent(app)}&api_key=${USER}:${PASS}`);
      const events: any[] = [];
      const waiters: Array<{ pred: (e: any) => boolean; resolve: (e: any) => void }> = [];
      ws.on('message', (data) => {
        const e = JSON.parse(String(data));
        events.push(e);
        for (const w of [...waiters])
          if (w.pred(e)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(e);
          }
      });
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      const s: EventSocket = {
        ws,
        events,
        waitFor(pred, what = 'event') {
          const hit = events.find(pred);
          if (hit) return Promise.resolve(hit);
          return new Promise((resolve, reject) => {
            const t = setTimeout(
              () => reject(new Error(`timed out waiting for ${what}; got ${events.map((e) => e.type).join(',')}`)),
              3000,
            );
            waiters.push({
              pred,
              resolve: (e) => {
                clearTimeout(t);
                resolve(e);
              },
            });
          });
        },
        async close() {
          if (ws.readyState === ws.CLOSED) return;
          await new Promise<void>((r) => {
            ws.once('close', () => r());
            ws.close();
          });
        },
      };
      sockets.push(s);
      return s;
    },
    settle,
    async advance(ms) {
      const target = clock.now() + ms;
      await settle();
      for (;;) {
        const next = clock.nextDue();
        if (next === undefined || next > target) break;
        clock.fake.advance(Math.max(0, next - clock.now()));
        await settle();
      }
      if (target > clock.now()) clock.fake.advance(target - clock.now());
      await settle();
    },
    async step(limitMs) {
      const next = clock.nextDue();
      if (next === undefined || next - clock.now() > limitMs) return false;
      clock.fake.advance(Math.max(0, next - clock.now()));
      await settle();
      return true;
    },
    async close() {
      for (const s of sockets) s.ws.terminate();
      await sim.close();
      rmSync(recordingsDir, { recursive: true, force: true });
    },
  };
  return h;
}
