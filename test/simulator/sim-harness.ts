/** Test harness: a simulator on a random port, a raw ARI WebSocket collecting events, and a REST helper. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { FakeClock } from '../../src/shared/clock.ts';
import { startSimulator, type SimulatorHandle, type SimulatorOptions } from '../../src/simulator/index.ts';

export const USER = 'cti';
export const PASS = 'cti';

export interface Harness {
  sim: SimulatorHandle;
  clock: FakeClock;
  recordingsDir: string;
  rest(method: string, path: string, query?: Record<string, unknown>, body?: unknown): Promise<{ status: number; reason: string; body: any; headers: Headers }>;
  connect(app?: string): Promise<EventSocket>;
  /** Lets deferred engine steps, sockets and promises run (no clock movement). */
  settle(): Promise<void>;
  /** Moves the fake clock, settling between timers. */
  advance(ms: number): Promise<void>;
  close(): Promise<void>;
}

export interface EventSocket {
  ws: WebSocket;
  events: any[];
  waitFor(pred: (e: any) => boolean, what?: string): Promise<any>;
  close(): Promise<void>;
}

export async function startHarness(extra: Partial<SimulatorOptions> = {}): Promise<Harness> {
  const clock = new FakeClock(Date.UTC(2026, 10, 25, 22, 26, 50, 0));
  const recordingsDir = mkdtempSync(join(tmpdir(), 'sim-rec-'));
  const sim = await startSimulator({ ariUser: USER, ariPassword: PASS, clock, recordingsDir, ...extra });
  const sockets: EventSocket[] = [];
  const auth = 'Basic ' + Buffer.from(`${USER}:${PASS}`).toString('base64');

  async function settle(): Promise<void> {
    for (let i = 0; i < 6; i++) {
      await new Promise<void>((r) => setImmediate(r));
      for (let k = 0; k < 200 && !sim.engine['idle' as never]; k++) await new Promise<void>((r) => setImmediate(r));
      await new Promise<void>((r) => setTimeout(r, 1));
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
        for (const w of [...waiters]) if (w.pred(e)) {
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
            const t = setTimeout(() => reject(new Error(`timed out waiting for ${what}; got ${events.map((e) => e.type).join(',')}`)), 3000);
            waiters.push({ pred, resolve: (e) => { clearTimeout(t); resolve(e); } });
          });
        },
        async close() {
          if (ws.readyState === ws.CLOSED) return;
          await new Promise<void>((r) => { ws.once('close', () => r()); ws.close(); });
        },
      };
      sockets.push(s);
      return s;
    },
    settle,
    async advance(ms) {
      const step = 50;
      let left = ms;
      await settle();
      while (left > 0) {
        const d = Math.min(step, left);
        clock.advance(d);
        left -= d;
        await settle();
      }
    },
    async close() {
      for (const s of sockets) s.ws.terminate();
      await sim.close();
      rmSync(recordingsDir, { recursive: true, force: true });
    },
  };
  return h;
}
