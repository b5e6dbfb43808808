/**
 * Fault tests of the production ARI connection against the project's PBX simulator. The simulator
 * and the client share one FakeClock: outages, backoff waits and deadlines pass in fake time, while
 * the sockets are real (127.0.0.1, port 0).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/shared/clock.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { startSimulator, type SimulatorHandle } from '../../src/simulator/index.ts';
import { CallTracker } from '../../src/telephony/ari/call-tracker.ts';
import { AriConnection, type AriConnectionOptions } from '../../src/telephony/ari/connection.ts';
import { AriHttpError, AriTimeoutError } from '../../src/telephony/ari/errors.ts';
import { captureLogger, driveUntil, ERROR, waitFor, WARN } from './helpers/stub-ari.ts';

const APP = 'cti-test';
const USER = 'cti';
const PASSWORD = 'right-password';

describe('ARI connection faults on the PBX simulator', () => {
  let sim: SimulatorHandle;
  let clock: FakeClock;
  let dir: string;
  let log: ReturnType<typeof captureLogger>;
  let tracker: CallTracker;
  let conn: AriConnection | undefined;

  beforeEach(async () => {
    clock = new FakeClock();
    dir = await mkdtemp(path.join(tmpdir(), 'ari-faults-'));
    sim = await startSimulator({
      ariUser: USER,
      ariPassword: PASSWORD,
      recordingsDir: dir,
      clock,
      port: 0,
      logger: createLogger({ level: 'silent', pretty: false }),
      inboundApp: APP,
    });
    log = captureLogger();
    tracker = new CallTracker(APP);
  });

  afterEach(async () => {
    await conn?.stop();
    conn = undefined;
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  function connect(extra: Partial<AriConnectionOptions> = {}): AriConnection {
    conn = new AriConnection({
      url: sim.ariUrl,
      user: USER,
      password: PASSWORD,
      app: APP,
      clock,
      logger: log.logger,
      reconcile: tracker,
      // Heartbeats are covered by the stub tests; here fake time jumps by minutes.
      pingIntervalMs: 3_600_000,
      ...extra,
    });
    tracker.attach(conn);
    conn.start();
    return conn;
  }

  async function ready(c: AriConnection): Promise<void> {
    await driveUntil(clock, c, () => c.state === 'ready', 'ready');
  }

  /** An inbound call whose PBX half is in Stasis(APP) and tracked. */
  async function inboundCall(from: string): Promise<{ callerChannelId: string; pbxChannelId: string }> {
    const placed = sim.control.placeCall({ from, to: '12345' });
    await waitFor(() => tracker.active.has(placed.pbxChannelId), `StasisStart of ${placed.pbxChannelId}`);
    return placed;
  }

  it('wrong ARI password: one clear error line, keeps retrying, no crash', async () => {
    const connecting: number[] = [];
    const c = connect({ password: 'wrong-password' });
    c.onState((s) => s === 'connecting' && connecting.push(clock.now()));
    await driveUntil(clock, c, () => connecting.length >= 15, '15 attempts', { maxFakeMs: 10 * 60_000 });
    const errors = log.lines.filter((l) => (l.level as number) >= ERROR);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.msg).toMatch(/rejected the credentials of user "cti" \(HTTP 401\)/);
    expect(log.raw.join('\n')).not.toContain('wrong-password');
    expect(c.state).not.toBe('ready');
    expect(tracker.reconciles).toHaveLength(0);
    // still retrying, at most every 30 s once the backoff is capped
    const gaps = connecting.slice(1).map((t, i) => t - connecting[i]!);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(30_000);
    expect(gaps.at(-1)).toBeGreaterThanOrEqual(15_000);
  });

  it.each(['reset', 'http503'] as const)(
    'PBX unreachable (%s) for 5 minutes of fake time, then back: reconnects and reconciles without a restart',
    async (mode) => {
      const c = connect();
      await ready(c);
      const call = await inboundCall('13812341234');
      const outageStart = clock.now();
      sim.faults.refuseConnections(5 * 60_000, mode);
      sim.faults.dropWebSockets({ app: APP });
      await waitFor(() => c.state !== 'ready', 'drop noticed');
      await driveUntil(clock, c, () => c.state === 'ready', 'ready after the outage', { realMs: 15_000 });
      expect(clock.now() - outageStart).toBeGreaterThanOrEqual(5 * 60_000);
      expect(clock.now() - outageStart).toBeLessThanOrEqual(5 * 60_000 + 30_000);
      expect(tracker.reconciles).toHaveLength(2);
      expect(tracker.reconciles[1]!.channels.map((ch) => ch.id)).toContain(call.pbxChannelId);
      // the call survived the outage as the same call, handled once
      expect(tracker.active.get(call.pbxChannelId)).toMatchObject({ origin: 'event', events: { StasisStart: 1 } });
      // a warning for the drop, one error line for the whole outage (not one per retry), then the restore line
      expect(log.lines.filter((l) => l.level === WARN).map((l) => l.msg)).toEqual([
        'ARI WebSocket closed with code 1006; reconnecting',
      ]);
      expect(log.lines.filter((l) => (l.level as number) >= ERROR)).toHaveLength(1);
      expect(log.lines.filter((l) => l.msg === 'ARI connection restored')).toHaveLength(1);
      expect(log.raw.join('\n')).not.toContain('13812341234');
      // the call still works over REST
      await c.rest.channels.answer(call.pbxChannelId);
    },
  );

  it('a REST call that never answers fails with a typed timeout; a failed one keeps its status', async () => {
    const c = connect();
    await ready(c);
    sim.faults.delayNextRest(Number.POSITIVE_INFINITY, { method: 'GET', pathPrefix: '/channels' });
    const pending = c.rest.channels.list({ timeoutMs: 2_000 }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 20));
    await clock.advanceAsync(2_000);
    const err = await pending;
    expect(err).toBeInstanceOf(AriTimeoutError);
    expect(err).toMatchObject({ method: 'GET', path: '/channels', timeoutMs: 2_000 });

    sim.faults.failNextRest(503, { method: 'GET', pathPrefix: '/bridges', body: { message: 'Service Unavailable' } });
    const failed = await c.rest.bridges.list().catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(AriHttpError);
    expect(failed).toMatchObject({ status: 503, ariMessage: 'Service Unavailable' });
    expect(c.state).toBe('ready');
  });

  it('WebSocket dropped mid-call 100 times: no call state lost, nothing handled twice', async () => {
    const c = connect();
    await ready(c);
    const a = await inboundCall('13900000001');
    const b = await inboundCall('13900000002');
    await c.rest.channels.answer(a.pbxChannelId);
    const bridge = await c.rest.bridges.create({ type: 'mixing', bridgeId: 'br-faults' });
    await waitFor(() => tracker.active.get(a.pbxChannelId)!.events.ChannelStateChange === 1, 'answer event');

    const eventsOfA = () => tracker.active.get(a.pbxChannelId)?.events ?? {};
    const dropAndReconnect = async (i: number) => {
      const before = c.counters.reconnects;
      expect(sim.faults.dropWebSockets({ app: APP })).toBe(1);
      await driveUntil(clock, c, () => c.state === 'ready' && c.counters.reconnects === before + 1, `reconnect #${i}`);
    };
    for (let i = 1; i <= 100; i++) {
      // Time passes between rounds as it does on a real PBX (ARI timestamps have millisecond resolution,
      // and an identical event with an identical timestamp is treated as a duplicate).
      await clock.advanceAsync(1_000);
      if (i % 10 === 0) sim.faults.duplicateEvents(4);
      await c.rest.bridges.addChannel(bridge.id, { channel: a.pbxChannelId });
      await waitFor(() => eventsOfA().ChannelEnteredBridge === i, `entered #${i}`);
      // odd rounds drop while the caller sits in the bridge, even rounds after it left
      if (i % 2 === 1) await dropAndReconnect(i);
      await c.rest.bridges.removeChannel(bridge.id, { channel: a.pbxChannelId });
      await waitFor(() => eventsOfA().ChannelLeftBridge === i, `left #${i}`);
      if (i % 2 === 0) await dropAndReconnect(i);
    }

    expect(tracker.reconciles).toHaveLength(101);
    expect([...tracker.active.keys()].sort()).toEqual([a.pbxChannelId, b.pbxChannelId].sort());
    expect(tracker.active.get(a.pbxChannelId)).toMatchObject({
      origin: 'event',
      events: { StasisStart: 1, ChannelStateChange: 1, ChannelEnteredBridge: 100, ChannelLeftBridge: 100 },
    });
    expect(tracker.active.get(b.pbxChannelId)!.events).toEqual({ StasisStart: 1 });
    expect(tracker.ended.size).toBe(0);

    // the calls are intact on the PBX: hang both up and see them end exactly once
    await c.rest.bridges.destroy(bridge.id);
    await c.rest.channels.hangup(a.pbxChannelId);
    sim.control.hangupCall(b.callerChannelId);
    await waitFor(() => tracker.active.size === 0, 'both calls ended');
    // every frame the simulator sent twice (10 rounds × 4 frames) was dropped exactly once
    expect(c.counters.duplicates).toBe(40);
    expect(tracker.ended.get(a.pbxChannelId)!.events.StasisEnd).toBe(1);
    expect(tracker.ended.get(b.pbxChannelId)!.events.StasisEnd).toBe(1);
    await clock.advanceAsync(1_000);
    await waitFor(() => sim.leaks().ok, 'no leaks');
  });

  it('a call ended while the socket was down is ended by the next reconcile', async () => {
    const c = connect();
    await ready(c);
    const a = await inboundCall('13900000003');
    sim.faults.refuseConnections(10_000);
    sim.faults.dropWebSockets({ app: APP });
    await waitFor(() => c.state === 'waiting', 'disconnected');
    sim.control.hangupCall(a.callerChannelId); // its StasisEnd goes nowhere
    await driveUntil(clock, c, () => c.state === 'ready', 'ready');
    expect(tracker.ended.get(a.pbxChannelId)).toMatchObject({ endedBy: 'vanished' });
    expect(tracker.ended.get(a.pbxChannelId)!.events.StasisEnd).toBeUndefined();
  });

  it('simulator restart (channels vanish without StasisEnd): reconcile ends those calls', async () => {
    const c = connect();
    await ready(c);
    const a = await inboundCall('13900000004');
    const b = await inboundCall('13900000005');
    const reconcilesBefore = tracker.reconciles.length;
    sim.faults.restart({ downMs: 20_000 });
    await driveUntil(
      clock,
      c,
      () => c.state === 'ready' && tracker.reconciles.length > reconcilesBefore,
      'ready after restart',
    );
    expect(tracker.active.size).toBe(0);
    for (const id of [a.pbxChannelId, b.pbxChannelId]) {
      expect(tracker.ended.get(id)).toMatchObject({ endedBy: 'vanished' });
      expect(tracker.ended.get(id)!.events.StasisEnd).toBeUndefined();
    }
    // and new calls after the restart are handled normally
    const fresh = await inboundCall('13900000006');
    expect(tracker.active.get(fresh.pbxChannelId)!.events).toEqual({ StasisStart: 1 });
    sim.control.hangupCall(fresh.callerChannelId);
    await waitFor(() => tracker.active.size === 0, 'fresh call ended');
  });
  it('a second server taking the app: the first goes to replaced and stays away, the second gets the calls', async () => {
    const first = connect();
    await ready(first);
    const otherTracker = new CallTracker(APP);
    const second = new AriConnection({
      url: sim.ariUrl,
      user: USER,
      password: PASSWORD,
      app: APP,
      clock,
      logger: log.logger,
      reconcile: otherTracker,
      pingIntervalMs: 3_600_000,
    });
    otherTracker.attach(second);
    second.start();
    try {
      await driveUntil(clock, second, () => second.state === 'ready' && first.state === 'replaced', 'takeover');
      expect(log.lines.some((l) => (l.level as number) >= ERROR && String(l.msg).includes('ApplicationReplaced'))).toBe(
        true,
      );
      await clock.advanceAsync(120_000);
      expect(first.state).toBe('replaced');
      const placed = sim.control.placeCall({ from: '13900000007', to: '12345' });
      await waitFor(() => otherTracker.active.has(placed.pbxChannelId), 'call reaches the second server');
      expect(tracker.active.size).toBe(0);
      sim.control.hangupCall(placed.callerChannelId);
      await waitFor(() => otherTracker.active.size === 0, 'call ended');
    } finally {
      await second.stop();
    }
  });
});
