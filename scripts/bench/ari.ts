/**
 * ARI benchmark: the PBX simulator runs in a CHILD process (its own core on this 2-core machine, as
 * Asterisk would be its own process), the production ARI client (AriConnection + AriRestClient) runs
 * here. Every figure is printed beside a bare-ws baseline measured in the same run against a server
 * in the same kind of child process. See scripts/bench/README.md for what each figure means.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket, { WebSocketServer } from 'ws';
import { systemClock } from '../../src/shared/clock.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { AriConnection } from '../../src/telephony/ari/connection.ts';
import type { AriEvent } from '../../src/telephony/ari/events.ts';
import { AriRestClient } from '../../src/telephony/ari/rest-client.ts';
import { fetchTransport, httpTransport } from '../../src/telephony/ari/transport.ts';

const USER = 'bench';
const PASSWORD = 'bench-secret';
const APP = 'bench';
const AGENT_EXTEN = '7001';
const DURATION_MS = Number(process.env.BENCH_ARI_SECONDS ?? 10) * 1000;
const CONCURRENCY = Number(process.env.BENCH_ARI_CONCURRENCY ?? 50);
const IDLE_CALLS = 300;
/** Open-loop paced phase (node:http transport only): a new set-up is started by the schedule, not by the previous one finishing. */
const PACED_RATE = Number(process.env.BENCH_ARI_PACED_RATE ?? 200);
const PACED_MS = Number(process.env.BENCH_ARI_PACED_SECONDS ?? 10) * 1000;
/**
 * "50 in flight" without saturating the machine: each set-up holds its bridged call for HELD_HOLD_MS (as a
 * real call holds while the phone rings and the parties talk), started open-loop at HELD_RATE, so about
 * HELD_RATE × HELD_HOLD_MS / 1000 set-ups are live at once while the CPU still keeps up. The closed loop
 * above measures the same concurrency at saturation, where both cores are busy by construction.
 */
const HELD_RATE = Number(process.env.BENCH_ARI_HELD_RATE ?? 250);
const HELD_HOLD_MS = Number(process.env.BENCH_ARI_HOLD_MS ?? 200);
const HELD_MS = Number(process.env.BENCH_ARI_HELD_SECONDS ?? 10) * 1000;
/** The same-load baseline: the child sends one stamped ARI-sized frame on a plain WebSocket this often. */
const TICK_MS = 2;
/** Beyond this many set-ups in flight a scheduled start is skipped (and counted), so a machine that cannot keep up does not queue minutes of work. */
const PACED_MAX_IN_FLIGHT = Number(process.env.BENCH_ARI_PACED_MAX_IN_FLIGHT ?? 400);
/** "Sustained" needs the backlog after the last scheduled start to be gone within this time (a queue that keeps growing fails it). */
const PACED_MAX_DRAIN_MS = 1000;
/** A frame about the size of a real StasisStart (the reference's is ~700 bytes). */
const ARI_SIZED_PAYLOAD = 'x'.repeat(680);

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes on one host. */
function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

function pct(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function fmtMs(v: number): string {
  return `${v.toFixed(3)} ms`;
}

// ---------------------------------------------------------------------------------------------
// Child side
// ---------------------------------------------------------------------------------------------

type ToChild =
  | { id: number; cmd: 'echo' }
  | { id: number; cmd: 'sim' }
  | { id: number; cmd: 'stamps' }
  | { id: number; cmd: 'leaks' }
  | { id: number; cmd: 'cpu' }
  | { id: number; cmd: 'ticker' }
  | { id: number; cmd: 'close' };

async function childMain(): Promise<void> {
  let closeFns: Array<() => Promise<void>> = [];
  let stamps: Array<[string, number]> = [];
  let leaks: () => unknown = () => null;
  const reply = (id: number, body: unknown) => process.send?.({ id, body });

  process.on('message', async (raw: ToChild) => {
    try {
      if (raw.cmd === 'echo') {
        const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
        await new Promise<void>((r) => wss.once('listening', () => r()));
        wss.on('connection', (ws) => {
          ws.on('message', (data) => {
            const text = data.toString();
            if (text.startsWith('burst:')) {
              const n = Number(text.slice(6));
              for (let i = 0; i < n; i++) ws.send(`{"seq":${i},"p":"${ARI_SIZED_PAYLOAD}"}`);
            } else if (text === 'oneway') {
              ws.send(`{"t":${wallNow()},"p":"${ARI_SIZED_PAYLOAD}"}`);
            } else {
              ws.send(data);
            }
          });
        });
        closeFns.push(() => new Promise<void>((r) => wss.close(() => r())));
        reply(raw.id, { port: (wss.address() as { port: number }).port });
      } else if (raw.cmd === 'sim') {
        const { startSimulator } = await import('../../src/simulator/index.ts');
        const dir = await mkdtemp(path.join(tmpdir(), 'bench-ari-'));
        const sim = await startSimulator({
          ariUser: USER,
          ariPassword: PASSWORD,
          recordingsDir: dir,
          port: 0,
          logger: createLogger({ level: 'warn', pretty: false }),
        });
        sim.control.setPhone(AGENT_EXTEN, { answerAfterMs: 0 });
        // The instant the simulated PBX publishes the state change that becomes the ARI event.
        sim.engine.events.on('stasisStart', (e) => stamps.push([`StasisStart:${e.channel.id}`, wallNow()]));
        sim.engine.events.on('stasisEnd', (e) => stamps.push([`StasisEnd:${e.channel.id}`, wallNow()]));
        sim.engine.events.on('bridgeEnter', (e) => stamps.push([`ChannelEnteredBridge:${e.channel.id}`, wallNow()]));
        leaks = () => sim.leaks();
        closeFns.push(async () => {
          await sim.close();
          await rm(dir, { recursive: true, force: true });
        });
        reply(raw.id, { ariUrl: sim.ariUrl });
      } else if (raw.cmd === 'ticker') {
        // The same-load baseline: a plain WebSocket from this process sending a stamped frame every TICK_MS.
        const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
        await new Promise<void>((r) => wss.once('listening', () => r()));
        wss.on('connection', (ws) => {
          const timer = setInterval(() => ws.send(`{"t":${wallNow()},"p":"${ARI_SIZED_PAYLOAD}"}`), TICK_MS);
          ws.on('close', () => clearInterval(timer));
        });
        closeFns.push(() => new Promise<void>((r) => wss.close(() => r())));
        reply(raw.id, { port: (wss.address() as { port: number }).port });
      } else if (raw.cmd === 'stamps') {
        reply(raw.id, stamps);
        stamps = [];
      } else if (raw.cmd === 'cpu') {
        const u = process.cpuUsage();
        reply(raw.id, (u.user + u.system) / 1000);
      } else if (raw.cmd === 'leaks') {
        reply(raw.id, leaks());
      } else if (raw.cmd === 'close') {
        for (const f of closeFns) await f();
        closeFns = [];
        reply(raw.id, null);
        process.exit(0);
      }
    } catch (err) {
      process.send?.({ id: raw.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  });
  process.send?.({ ready: true });
}

// ---------------------------------------------------------------------------------------------
// Parent side
// ---------------------------------------------------------------------------------------------

class Child {
  private seq = 0;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private constructor(private readonly proc: ChildProcess) {
    proc.on('message', (m: { id?: number; body?: unknown; error?: string }) => {
      if (m.id === undefined) return;
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.error) p?.reject(new Error(`bench child: ${m.error}`));
      else p?.resolve(m.body);
    });
  }

  static async spawn(): Promise<Child> {
    const file = fileURLToPath(import.meta.url);
    const proc = fork(file, ['--bench-child'], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise<void>((resolve, reject) => {
      proc.once('error', reject);
      proc.once('exit', (code) => reject(new Error(`bench child exited early (${code})`)));
      proc.on('message', function ready(m: { ready?: boolean }) {
        if (m.ready) {
          proc.off('message', ready);
          resolve();
        }
      });
    });
    proc.removeAllListeners('exit');
    return new Child(proc);
  }

  call<T>(cmd: ToChild['cmd']): Promise<T> {
    const id = ++this.seq;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.proc.send({ id, cmd });
    });
  }

  async close(): Promise<void> {
    const exited = new Promise<void>((r) => this.proc.once('exit', () => r()));
    await this.call('close').catch(() => undefined);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    if (this.proc.exitCode === null) this.proc.kill();
  }
}

interface Baseline {
  echoP50: number;
  echoP99: number;
  onewayP50: number;
  onewayP99: number;
  msgsPerSec: number;
}

async function measureBaseline(): Promise<Baseline> {
  const child = await Child.spawn();
  try {
    const { port } = await child.call<{ port: number }>('echo');
    const ws = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
    await new Promise<void>((r, j) => {
      ws.once('open', () => r());
      ws.once('error', j);
    });
    const next = () => new Promise<string>((r) => ws.once('message', (d) => r(d.toString())));

    // 1. echo round trip, one message in flight, ARI-sized payload
    const rtts: number[] = [];
    const payload = `{"p":"${ARI_SIZED_PAYLOAD}"}`;
    for (let i = 0; i < 6000; i++) {
      const t0 = performance.now();
      const got = next();
      ws.send(payload);
      await got;
      if (i >= 1000) rtts.push(performance.now() - t0);
    }
    rtts.sort((a, b) => a - b);

    // 2. one-way: child stamps the send time, we parse the frame and take the difference
    const oneway: number[] = [];
    for (let i = 0; i < 6000; i++) {
      const got = next();
      ws.send('oneway');
      const msg = JSON.parse(await got) as { t: number };
      if (i >= 1000) oneway.push(wallNow() - msg.t);
    }
    oneway.sort((a, b) => a - b);

    // 3. server → client burst: bare ws messages per second
    const n = 200_000;
    let count = 0;
    const done = new Promise<void>((r) => {
      const onMsg = () => {
        if (++count === n) {
          ws.off('message', onMsg);
          r();
        }
      };
      ws.on('message', onMsg);
    });
    const t0 = performance.now();
    ws.send(`burst:${n}`);
    await done;
    const msgsPerSec = n / ((performance.now() - t0) / 1000);
    ws.close();
    return {
      echoP50: pct(rtts, 0.5),
      echoP99: pct(rtts, 0.99),
      onewayP50: pct(oneway, 0.5),
      onewayP99: pct(oneway, 0.99),
      msgsPerSec,
    };
  } finally {
    await child.close();
  }
}

interface AriResult {
  setups: number;
  failures: number;
  firstError?: string;
  elapsedMs: number;
  setupLatency: number[];
  eventLatency: number[];
  unmatchedEvents: number;
  received: number;
  leaksOk: boolean;
  leakSummary: string;
  clientCpuMs: number;
  simCpuMs: number;
  /** Event latency with one call at a time (no queueing behind other calls). */
  idleEventLatency: number[];
  idleSetupLatency: number[];
  paced?: PacedResult;
  held?: PacedResult;
  /** Bare WebSocket frames from the simulator's process during the closed-loop phase. */
  loadedTicker: number[];
}

interface PacedResult {
  rate: number;
  holdMs: number;
  /** Set-ups in flight, sampled at every scheduled start. */
  meanInFlight: number;
  /** Bare WebSocket frames from the simulator's process during this phase. */
  ticker: number[];
  scheduled: number;
  started: number;
  completed: number;
  failures: number;
  firstError?: string;
  /** Starts not made because PACED_MAX_IN_FLIGHT set-ups were already running. */
  skipped: number;
  /** First scheduled start → last set-up settled. */
  elapsedMs: number;
  /** Last scheduled start time relative to the first (what the schedule alone takes). */
  scheduleMs: number;
  /** How late each start was against its scheduled time, sorted. */
  lag: number[];
  maxInFlight: number;
  setupLatency: number[];
  eventLatency: number[];
  unmatchedEvents: number;
  clientCpuMs: number;
  simCpuMs: number;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Receives the child's stamped frames while a phase runs: what a bare WebSocket sees under the same load. */
async function listenToTicker(port: number): Promise<{ stop: () => number[] }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
  await new Promise<void>((r, j) => {
    ws.once('open', () => r());
    ws.once('error', j);
  });
  const latency: number[] = [];
  ws.on('message', (d) => {
    const msg = JSON.parse(d.toString()) as { t: number };
    latency.push(wallNow() - msg.t);
  });
  return {
    stop: () => {
      ws.close();
      return latency.sort((a, b) => a - b);
    },
  };
}

type TransportName = 'http' | 'fetch';

async function measureAri(transport: TransportName): Promise<AriResult> {
  const child = await Child.spawn();
  const logger = createLogger({ level: 'warn', pretty: false });
  try {
    const { ariUrl } = await child.call<{ ariUrl: string }>('sim');
    const handledAt = new Map<string, number>();
    const waiters = new Map<string, () => void>();
    const rest = new AriRestClient({
      url: ariUrl,
      user: USER,
      password: PASSWORD,
      clock: systemClock,
      timeoutMs: 10_000,
      transport: transport === 'http' ? httpTransport() : fetchTransport(),
    });
    const conn = new AriConnection({
      url: ariUrl,
      user: USER,
      password: PASSWORD,
      app: APP,
      clock: systemClock,
      logger,
      reconcile: { reconcile: () => undefined },
      rest,
    });
    const onEvent = (e: AriEvent & { channel?: { id: string } }) => {
      const t = wallNow();
      const key = `${e.type}:${e.channel?.id ?? ''}`;
      handledAt.set(key, t);
      const w = waiters.get(key);
      if (w) {
        waiters.delete(key);
        w();
      }
    };
    conn.on('StasisStart', onEvent);
    conn.on('StasisEnd', onEvent);
    conn.on('ChannelEnteredBridge', onEvent);
    conn.start();
    while (conn.state !== 'ready') await new Promise((r) => setTimeout(r, 5));

    const waitEvent = (key: string) =>
      handledAt.has(key) ? Promise.resolve() : new Promise<void>((r) => waiters.set(key, r));

    let seq = 0;
    let setups = 0;
    let failures = 0;
    let firstError: string | undefined;
    const setupLatency: number[] = [];

    const oneCall = async (holdMs = 0): Promise<void> => {
      const n = ++seq;
      const id = `bench-${n}`;
      const bridgeId = `bench-br-${n}`;
      const t0 = performance.now();
      // Register before the request: ARI may deliver StasisStart before the originate response.
      const started = waitEvent(`StasisStart:${id}`);
      const ended = waitEvent(`StasisEnd:${id}`);
      await rest.channels.originate({
        endpoint: `Local/${AGENT_EXTEN}@agents`,
        app: APP,
        appArgs: 'bench',
        channelId: id,
      });
      await started;
      await rest.channels.answer(id);
      await rest.bridges.create({ type: 'mixing', bridgeId });
      await rest.bridges.addChannel(bridgeId, { channel: id });
      if (holdMs > 0) await new Promise((r) => setTimeout(r, holdMs));
      await rest.channels.hangup(id);
      await ended;
      await rest.bridges.destroy(bridgeId);
      setupLatency.push(performance.now() - t0);
      setups++;
    };

    // warm-up (JIT, keep-alive sockets), not counted
    await Promise.all(Array.from({ length: 20 }, () => oneCall()));
    setups = 0;
    setupLatency.length = 0;
    handledAt.clear();
    await child.call('stamps');

    const { port: tickerPort } = await child.call<{ port: number }>('ticker');
    const loadedTicker = await listenToTicker(tickerPort);
    const simCpu0 = await child.call<number>('cpu');
    const clientCpu0 = cpuMs();
    const received0 = conn.counters.received;
    const t0 = performance.now();
    const deadline = t0 + DURATION_MS;
    const worker = async () => {
      while (performance.now() < deadline) {
        try {
          await oneCall();
        } catch (err) {
          failures++;
          firstError ??= err instanceof Error ? err.message : String(err);
          if (failures > 1000) return;
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));
    const elapsedMs = performance.now() - t0;
    const loadedTickerLatency = loadedTicker.stop();
    const received = conn.counters.received - received0;
    const clientCpuMs = cpuMs() - clientCpu0;
    const simCpuMs = (await child.call<number>('cpu')) - simCpu0;

    const matchStamps = async (): Promise<{ latency: number[]; unmatched: number }> => {
      const stamps = await child.call<Array<[string, number]>>('stamps');
      const latency: number[] = [];
      let unmatched = 0;
      for (const [key, sentAt] of stamps) {
        const at = handledAt.get(key);
        if (at === undefined) unmatched++;
        else latency.push(at - sentAt);
      }
      latency.sort((a, b) => a - b);
      if (process.env.BENCH_ARI_DEBUG) {
        const byType = new Map<string, number>();
        for (const [key] of stamps) byType.set(key.split(':')[0]!, (byType.get(key.split(':')[0]!) ?? 0) + 1);
        console.log(
          '  debug stamps by type',
          Object.fromEntries(byType),
          'handled',
          handledAt.size,
          'unmatched',
          unmatched,
        );
      }
      return { latency, unmatched };
    };
    const { latency: eventLatency, unmatched } = await matchStamps();
    setupLatency.sort((a, b) => a - b);

    const loadedSetups = setups;
    const loadedSetupLatency = setupLatency.splice(0);

    // Open-loop phases (node:http only, to keep the module's run time bounded): a new set-up is started by
    // the schedule, not by the previous one finishing.
    const runPaced = async (rate: number, durationMs: number, holdMs: number): Promise<PacedResult> => {
      handledAt.clear();
      await child.call('stamps');
      const ticker = await listenToTicker(tickerPort);
      const period = 1000 / rate;
      const total = Math.round((rate * durationMs) / 1000);
      const lag: number[] = [];
      const running: Array<Promise<void>> = [];
      let k = 0;
      let inFlight = 0;
      let maxInFlight = 0;
      let inFlightSum = 0;
      let skipped = 0;
      let pacedFailures = 0;
      let pacedFirstError: string | undefined;
      let lastSettled = 0;
      const pacedSimCpu0 = await child.call<number>('cpu');
      const pacedClientCpu0 = cpuMs();
      const start = performance.now();
      await new Promise<void>((resolve) => {
        const tick = () => {
          const now = performance.now();
          // Catch up on every start that is due: an open-loop load does not wait for the previous set-up.
          while (k < total && start + k * period <= now) {
            lag.push(now - (start + k * period));
            k++;
            inFlightSum += inFlight;
            if (inFlight >= PACED_MAX_IN_FLIGHT) {
              skipped++;
              continue;
            }
            inFlight++;
            maxInFlight = Math.max(maxInFlight, inFlight);
            running.push(
              oneCall(holdMs)
                .catch((err: unknown) => {
                  pacedFailures++;
                  pacedFirstError ??= err instanceof Error ? err.message : String(err);
                })
                .finally(() => {
                  inFlight--;
                  lastSettled = performance.now();
                }),
            );
          }
          if (k >= total) resolve();
          else setTimeout(tick, Math.max(0, start + k * period - performance.now()));
        };
        tick();
      });
      await Promise.all(running);
      const pacedClientCpuMs = cpuMs() - pacedClientCpu0;
      const pacedSimCpuMs = (await child.call<number>('cpu')) - pacedSimCpu0;
      const tickerLatency = ticker.stop();
      const ev = await matchStamps();
      lag.sort((a, b) => a - b);
      return {
        rate,
        holdMs,
        meanInFlight: inFlightSum / Math.max(1, total),
        ticker: tickerLatency,
        scheduled: total,
        started: running.length,
        completed: setupLatency.length,
        failures: pacedFailures,
        firstError: pacedFirstError,
        skipped,
        elapsedMs: lastSettled - start,
        scheduleMs: (total - 1) * period,
        lag,
        maxInFlight,
        setupLatency: setupLatency.splice(0).sort((a, b) => a - b),
        eventLatency: ev.latency,
        unmatchedEvents: ev.unmatched,
        clientCpuMs: pacedClientCpuMs,
        simCpuMs: pacedSimCpuMs,
      };
    };
    const paced =
      transport === 'http' && PACED_RATE > 0 && PACED_MS > 0 ? await runPaced(PACED_RATE, PACED_MS, 0) : undefined;
    const held =
      transport === 'http' && HELD_RATE > 0 && HELD_MS > 0
        ? await runPaced(HELD_RATE, HELD_MS, HELD_HOLD_MS)
        : undefined;

    // Idle phase: one call at a time, so the event latency has no queueing behind other calls.
    handledAt.clear();
    await child.call('stamps');
    for (let i = 0; i < IDLE_CALLS; i++) await oneCall();
    const idle = await matchStamps();
    const idleSetupLatency = setupLatency.splice(0).sort((a, b) => a - b);
    setupLatency.push(...loadedSetupLatency);
    await conn.stop();
    const leaks = await child.call<{
      ok: boolean;
      channels: unknown[];
      bridges: unknown[];
      playbacks: unknown[];
      recordings: unknown[];
    }>('leaks');
    return {
      setups: loadedSetups,
      failures,
      firstError,
      elapsedMs,
      setupLatency,
      eventLatency,
      unmatchedEvents: unmatched,
      received,
      leaksOk: leaks.ok,
      clientCpuMs,
      simCpuMs,
      idleEventLatency: idle.latency,
      idleSetupLatency,
      paced,
      held,
      loadedTicker: loadedTickerLatency,
      leakSummary: `${leaks.channels.length} channels, ${leaks.bridges.length} bridges, ${leaks.playbacks.length} playbacks, ${leaks.recordings.length} recordings`,
    };
  } finally {
    await child.close();
  }
}

export async function run(): Promise<void> {
  console.log(
    `ARI client vs PBX simulator; simulator and baseline servers each run in a child process (node ${process.version}).`,
  );
  const base = await measureBaseline();
  console.log('baseline (bare ws on loopback, same child-process layout, ~700-byte frames):');
  console.log(
    `  ws echo round trip             p50 ${fmtMs(base.echoP50)}   p99 ${fmtMs(base.echoP99)}   (5000 sequential)`,
  );
  console.log(
    `  ws one-way send→receive+parse  p50 ${fmtMs(base.onewayP50)}   p99 ${fmtMs(base.onewayP99)}   (5000 sequential)`,
  );
  console.log(
    `  ws server→client burst         ${Math.round(base.msgsPerSec).toLocaleString('en')} messages/s   (200,000 messages)`,
  );

  const transports = (process.env.BENCH_ARI_TRANSPORTS ?? 'http,fetch').split(',') as TransportName[];
  for (const transport of transports) {
    const r = await measureAri(transport);
    printAri(r, transport, base);
  }
}

function printAri(r: AriResult, transport: TransportName, base: Baseline): void {
  const rate = r.setups / (r.elapsedMs / 1000);
  const label = transport === 'http' ? 'node:http keep-alive transport (default)' : 'global fetch transport';
  console.log(
    `ARI, production client, REST over ${label}, ${CONCURRENCY} calls in flight for ${(r.elapsedMs / 1000).toFixed(1)} s:`,
  );
  console.log(
    `  call set-ups                   ${rate.toFixed(1)} /s   (${r.setups} complete, ${r.failures} failed${r.firstError ? `; first error: ${r.firstError}` : ''})   goal >= 200 /s: ${rate >= 200 ? 'MET' : 'NOT MET'}`,
  );
  console.log(
    `  one set-up end to end          p50 ${fmtMs(pct(r.setupLatency, 0.5))}   p99 ${fmtMs(pct(r.setupLatency, 0.99))}   (originate … bridge destroy, 6 REST calls, under load)`,
  );
  const p99 = pct(r.eventLatency, 0.99);
  console.log(
    `  event handling latency         p50 ${fmtMs(pct(r.eventLatency, 0.5))}   p99 ${fmtMs(p99)}   (${r.eventLatency.length} events, engine publish → listener, closed loop: both cores saturated)`,
  );
  console.log(
    `    baseline, same run           bare ws frame from the simulator's process p50 ${fmtMs(pct(r.loadedTicker, 0.5))}   p99 ${fmtMs(pct(r.loadedTicker, 0.99))}   (${r.loadedTicker.length} frames, one every ${TICK_MS} ms during the closed loop)`,
  );
  console.log(
    `    compare: bare ws one-way p50 ${fmtMs(base.onewayP50)} p99 ${fmtMs(base.onewayP99)} (idle), echo RTT p50 ${fmtMs(base.echoP50)} p99 ${fmtMs(base.echoP99)}`,
  );
  console.log(
    `  event handling latency, idle   p50 ${fmtMs(pct(r.idleEventLatency, 0.5))}   p99 ${fmtMs(pct(r.idleEventLatency, 0.99))}   (${r.idleEventLatency.length} events, ${IDLE_CALLS} calls one at a time; compare bare ws one-way above)`,
  );
  console.log(
    `  one set-up, idle               p50 ${fmtMs(pct(r.idleSetupLatency, 0.5))}   p99 ${fmtMs(pct(r.idleSetupLatency, 0.99))}   (same cycle, one call at a time)`,
  );
  console.log(
    `  events received by the client  ${r.received} (${Math.round(r.received / (r.elapsedMs / 1000))} /s; bare ws burst ${Math.round(base.msgsPerSec)} /s)`,
  );
  if (r.unmatchedEvents) console.log(`  note: ${r.unmatchedEvents} stamped events had no handler record (not counted)`);
  if (r.setups > 0) {
    const c = r.clientCpuMs / r.setups;
    const sm = r.simCpuMs / r.setups;
    console.log(
      `  CPU per set-up                 client ${c.toFixed(2)} ms, simulator ${sm.toFixed(2)} ms   (process CPU time over the window / set-ups; ` +
        `with one free core each: ~${Math.floor(1000 / Math.max(c, sm))} set-ups/s)`,
    );
  }
  if (r.paced) printPaced(r.paced, base);
  if (r.held) printPaced(r.held, base);
  console.log(
    `  machine load                   loadavg(1 min) ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores at the end of the run`,
  );
  console.log(`  leak check after the run       ${r.leaksOk ? 'clean' : `LEAKS: ${r.leakSummary}`}`);
}

function printPaced(p: PacedResult, base: Baseline): void {
  // Completions per second of the offered window (scheduled starts × period); all scheduled set-ups must complete,
  // none fail or be skipped, and the backlog after the last scheduled start must drain within the hold time
  // plus PACED_MAX_DRAIN_MS.
  const windowMs = p.scheduled * (1000 / p.rate);
  const achieved = p.completed / (windowMs / 1000);
  const drainMs = p.elapsedMs - p.scheduleMs;
  const overall = p.elapsedMs > 0 ? p.completed / (p.elapsedMs / 1000) : 0;
  const rateMet =
    p.completed === p.scheduled && p.failures === 0 && p.skipped === 0 && drainMs <= p.holdMs + PACED_MAX_DRAIN_MS;
  const p99 = pct(p.eventLatency, 0.99);
  const held = p.holdMs > 0;
  console.log(
    held
      ? `  ${Math.round(p.meanInFlight)} set-ups in flight, open loop: ${p.rate} set-ups/s scheduled, each holding its bridged call ${p.holdMs} ms before hang-up, for ${(p.scheduleMs / 1000).toFixed(1)} s:`
      : `  paced open-loop load           ${p.rate} set-ups/s scheduled (one start every ${(1000 / p.rate).toFixed(1)} ms, not waiting for the previous) for ${(p.scheduleMs / 1000).toFixed(1)} s:`,
  );
  console.log(
    `    achieved                     ${achieved.toFixed(1)} set-ups/s over the ${(windowMs / 1000).toFixed(1)} s window   (${p.completed} complete of ${p.scheduled} scheduled, ${p.failures} failed${p.firstError ? `; first error: ${p.firstError}` : ''}, ` +
      `${p.skipped} skipped at ${PACED_MAX_IN_FLIGHT} in flight; last set-up settled ${fmtMs(drainMs)} after the last scheduled start; ${overall.toFixed(1)} /s first start → last settled)` +
      (held ? '' : `   goal >= 200 /s sustained: ${rateMet && p.rate >= 200 ? 'MET' : 'NOT MET'}`),
  );
  console.log(
    `    set-ups in flight            mean ${p.meanInFlight.toFixed(1)}   max ${p.maxInFlight}   (sampled at each scheduled start)`,
  );
  console.log(
    `    schedule lag                 p50 ${fmtMs(pct(p.lag, 0.5))}   p99 ${fmtMs(pct(p.lag, 0.99))}   max ${fmtMs(p.lag[p.lag.length - 1] ?? Number.NaN)}   (start time − scheduled time)`,
  );
  console.log(
    `    event handling latency       p50 ${fmtMs(pct(p.eventLatency, 0.5))}   p99 ${fmtMs(p99)}   (${p.eventLatency.length} events, engine publish → listener)` +
      (held ? `   goal p99 < 5 ms at 50 in flight: ${p99 < 5 && p.meanInFlight >= 50 ? 'MET' : 'NOT MET'}` : ''),
  );
  console.log(
    `      baseline, same run         bare ws frame from the simulator's process p50 ${fmtMs(pct(p.ticker, 0.5))}   p99 ${fmtMs(pct(p.ticker, 0.99))}   (${p.ticker.length} frames, one every ${TICK_MS} ms during this phase)`,
  );
  console.log(
    `      compare, idle              bare ws one-way p50 ${fmtMs(base.onewayP50)} p99 ${fmtMs(base.onewayP99)}, echo RTT p50 ${fmtMs(base.echoP50)} p99 ${fmtMs(base.echoP99)}`,
  );
  console.log(
    `    one set-up end to end        p50 ${fmtMs(pct(p.setupLatency, 0.5))}   p99 ${fmtMs(pct(p.setupLatency, 0.99))}` +
      (held ? `   (includes the ${p.holdMs} ms hold)` : ''),
  );
  if (p.completed > 0) {
    console.log(
      `    CPU per set-up               client ${(p.clientCpuMs / p.completed).toFixed(2)} ms, simulator ${(p.simCpuMs / p.completed).toFixed(2)} ms   (over the window incl. drain)`,
    );
  }
  if (p.unmatchedEvents)
    console.log(`    note: ${p.unmatchedEvents} stamped events had no handler record (not counted)`);
}

if (process.argv.includes('--bench-child')) {
  void childMain();
}
