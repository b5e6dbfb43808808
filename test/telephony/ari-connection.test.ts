import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/shared/clock.ts';
import { CallTracker } from '../../src/telephony/ari/call-tracker.ts';
import { AriConnection, type AriConnectionOptions } from '../../src/telephony/ari/connection.ts';
import type { AriEvent } from '../../src/telephony/ari/events.ts';
import type { ReconcileSnapshot } from '../../src/telephony/ari/reconcile.ts';
import {
  captureLogger,
  channel,
  driveUntil,
  ERROR,
  event,
  sendJson,
  StubAri,
  waitFor,
  WARN,
} from './helpers/stub-ari.ts';

const APP = 'cti-test';

describe('AriConnection against a stub ARI', () => {
  let stub: StubAri;
  let clock: FakeClock;
  let log: ReturnType<typeof captureLogger>;
  let conn: AriConnection | undefined;
  let tracker: CallTracker;

  beforeEach(async () => {
    stub = new StubAri();
    await stub.listen();
    stub.appRoutes(APP);
    clock = new FakeClock();
    log = captureLogger();
    tracker = new CallTracker(APP);
  });
  afterEach(async () => {
    await conn?.stop();
    conn = undefined;
    await stub.close();
  });

  function connect(extra: Partial<AriConnectionOptions> = {}): AriConnection {
    conn = new AriConnection({
      url: stub.url,
      user: 'cti',
      password: 'secret',
      app: APP,
      clock,
      logger: log.logger,
      reconcile: tracker,
      backoff: { random: () => 0.5 },
      ...extra,
    });
    tracker.attach(conn);
    conn.start();
    return conn;
  }

  it('opens /ari/events for the app with Basic auth and reaches ready after reconciling', async () => {
    const c = connect();
    await driveUntil(clock, c, () => c.state === 'ready', 'ready');
    expect(stub.sockets).toHaveLength(1);
    expect(tracker.reconciles).toHaveLength(1);
    expect(tracker.reconciles[0]!.connectionNumber).toBe(1);
    const upgrade = stub.requests.map((r) => `${r.method} ${r.path}`);
    expect(upgrade).toEqual(
      expect.arrayContaining(['GET /ari/applications/cti-test', 'GET /ari/channels', 'GET /ari/bridges']),
    );
    expect(log.lines.filter((l) => l.level === 30 && l.msg === 'ARI connected')).toHaveLength(1);
  });

  it('holds events back until reconcile is done, then delivers them in order', async () => {
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const handler = {
      async reconcile(s: ReconcileSnapshot) {
        order.push(`reconcile:${s.channels.map((c) => c.id).join(',')}`);
        await gate;
        order.push('reconcile-done');
      },
    };
    // The app already holds c-old when we connect; a new call starts while we reconcile.
    stub.appRoutes(APP, [channel('c-old')], []);
    stub.onSocket = (ws) => {
      ws.send(JSON.stringify(event('StasisStart', { args: [], channel: channel('c-new') })));
      ws.send(JSON.stringify(event('ChannelStateChange', { channel: channel('c-new', { state: 'Up' }) })));
    };
    conn = new AriConnection({
      url: stub.url,
      user: 'cti',
      password: 'secret',
      app: APP,
      clock,
      logger: log.logger,
      reconcile: handler,
    });
    conn.on('*', (e) => order.push(e.type));
    conn.start();
    const c = conn;
    await waitFor(() => order.length === 1, 'reconcile call');
    await new Promise((r) => setTimeout(r, 30)); // both events are in by now (loopback), and must be held
    expect(order).toEqual(['reconcile:c-old']);
    expect(c.state).toBe('reconciling');
    release();
    await waitFor(() => c.state === 'ready', 'ready');
    expect(order).toEqual(['reconcile:c-old', 'reconcile-done', 'StasisStart', 'ChannelStateChange']);
  });

  it("only hands the application's own channels and bridges to the handler", async () => {
    stub.route('GET', `/ari/applications/${APP}`, (_q, res) =>
      sendJson(res, 200, {
        name: APP,
        channel_ids: ['mine'],
        bridge_ids: ['br-mine'],
        endpoint_ids: [],
        device_names: [],
        events_allowed: [],
        events_disallowed: [],
      }),
    );
    const fallbackQueueCall = channel('queue-call', {
      dialplan: { context: 'fallback', exten: 's', priority: 3, app_name: 'Queue', app_data: 'agents' },
    });
    stub.json('GET', '/ari/channels', 200, [channel('mine'), fallbackQueueCall]);
    stub.json('GET', '/ari/bridges', 200, [
      { id: 'br-mine', channels: ['mine'] },
      { id: 'br-other', channels: [] },
    ]);
    const c = connect();
    await driveUntil(clock, c, () => c.state === 'ready', 'ready');
    const snap = tracker.reconciles[0]!;
    expect(snap.channels.map((x) => x.id)).toEqual(['mine']);
    expect(snap.bridges.map((x) => x.id)).toEqual(['br-mine']);
    expect([...tracker.active.keys()]).toEqual(['mine']);
    expect(tracker.active.get('mine')!.origin).toBe('reconcile');
  });

  it('wrong password: one clear error line, keeps retrying with backoff, never throws', async () => {
    stub.password = 'the-real-one';
    const c = connect();
    await driveUntil(clock, c, () => stub.upgradeAttempts >= 12, '12 attempts');
    expect(c.counters.reconnects).toBe(0);
    expect(c.state === 'waiting' || c.state === 'connecting').toBe(true);
    const errors = log.lines.filter((l) => l.level === ERROR);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.msg).toBe(
      'ARI rejected the credentials of user "cti" (HTTP 401); check the ARI user and password',
    );
    expect(log.raw.join('\n')).not.toContain('the-real-one');
    // fix the password on the PBX side: the very next retry connects
    stub.password = 'secret';
    await driveUntil(clock, c, () => c.state === 'ready', 'ready after credentials fixed');
    expect(log.lines.filter((l) => l.msg === 'ARI connection restored')).toHaveLength(1);
  });

  it('a healthy socket dropped by the PBX is reopened at once, without waiting for any backoff (issue 12 item 7)', async () => {
    // Given a connection that is up
    const c = connect();
    await driveUntil(clock, c, () => c.state === 'ready', 'ready');
    const delays: number[] = [];
    c.onState((s) => {
      if (s === 'waiting') delays.push(c.nextRetryAt! - clock.now());
    });
    // When the PBX drops the socket
    stub.sockets[0]!.terminate();
    // Then the retry is due at once and the socket is open again without fake time passing
    await waitFor(() => delays.length === 1, 'the drop noticed');
    const droppedAt = clock.now();
    await driveUntil(clock, c, () => c.state === 'ready' && stub.sockets.length === 2, 'ready again', {
      maxFakeMs: 0,
    });
    expect(delays).toEqual([0]);
    expect(clock.now()).toBe(droppedAt);
    expect(tracker.reconciles).toHaveLength(2);
  });

  it('backs off exponentially up to the 30 s cap while the PBX is down', async () => {
    const port = stub.port;
    await stub.close();
    conn = new AriConnection({
      url: `http://127.0.0.1:${port}`,
      user: 'cti',
      password: 'secret',
      app: APP,
      clock,
      logger: log.logger,
      reconcile: tracker,
      backoff: { random: () => 0.999999 },
    });
    const delays: number[] = [];
    conn.onState((s) => {
      if (s === 'waiting') delays.push(conn!.nextRetryAt! - clock.now());
    });
    conn.start();
    const c = conn;
    await driveUntil(clock, c, () => delays.length >= 9, '9 retries');
    // The first retry is immediate (issue 12 item 7), then the exponential backoff.
    expect(delays.slice(0, 9)).toEqual([0, 500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    expect(log.lines.filter((l) => l.level === ERROR)).toHaveLength(1);
    expect(log.lines.find((l) => l.level === ERROR)!.msg).toContain('Asterisk unreachable');
    stub = new StubAri();
    await stub.listen();
  });

  it('a missed pong closes the socket and reconnects', async () => {
    const c = connect({ pingIntervalMs: 10_000, pongTimeoutMs: 5_000 });
    await driveUntil(clock, c, () => c.state === 'ready', 'ready');
    // a healthy peer answers pings: fire a few intervals, waiting for each pong in real time
    for (let i = 0; i < 3; i++) {
      await clock.advanceAsync(10_000);
      await new Promise((r) => setTimeout(r, 20));
    }
    await clock.advanceAsync(4_999);
    expect(c.state).toBe('ready');
    expect(stub.sockets).toHaveLength(1);
    // now the next socket will not answer pings
    stub.autoPong = false;
    stub.sockets[0]!.terminate();
    await driveUntil(clock, c, () => c.state === 'ready' && stub.sockets.length === 2, 'reconnected to a silent peer');
    await clock.advanceAsync(10_000); // ping sent
    await new Promise((r) => setTimeout(r, 20));
    await clock.advanceAsync(5_000); // no pong within 5 s
    await waitFor(() => c.state !== 'ready', 'heartbeat drop');
    expect(log.lines.some((l) => l.level === ERROR && String(l.msg).includes('missed its heartbeat'))).toBe(true);
    stub.autoPong = true;
    await driveUntil(clock, c, () => c.state === 'ready' && stub.sockets.length === 3, 'reconnected');
  });

  it('skips malformed frames with a masked log line and passes unknown event types through', async () => {
    const seen: AriEvent[] = [];
    const c = connect();
    c.on('*', (e) => seen.push(e));
    await driveUntil(clock, c, () => c.state === 'ready', 'ready');
    stub.broadcast('{"type":"StasisStart","channel":{"caller":{"number":"13812341234"}}');
    stub.broadcast('definitely not json 13998765432');
    stub.broadcast({ type: 'ChannelTalkingStarted', timestamp: 't1', application: APP, channel: { id: 'c1' } });
    await waitFor(() => seen.length === 1, 'unknown event');
    expect(seen[0]!.type).toBe('ChannelTalkingStarted');
    const warns = log.lines.filter((l) => l.level === WARN && l.msg === 'malformed ARI event skipped');
    expect(warns).toHaveLength(2);
    expect(log.raw.join('\n')).not.toMatch(/13812341234|13998765432/);
    expect(c.counters.malformed).toBe(2);
    expect(c.state).toBe('ready');
  });

  it('drops duplicate events and survives a throwing listener', async () => {
    const c = connect();
    let calls = 0;
    c.on('StasisStart', () => {
      calls++;
      throw new Error('listener bug');
    });
    await driveUntil(clock, c, () => c.state === 'ready', 'ready');
    const start = event('StasisStart', { args: [], channel: channel('c1') });
    stub.broadcast(start);
    stub.broadcast(start);
    stub.broadcast(event('StasisEnd', { channel: channel('c1') }));
    await waitFor(() => tracker.ended.has('c1'), 'call end');
    expect(calls).toBe(1);
    expect(c.counters.duplicates).toBe(1);
    expect(tracker.ended.get('c1')!.events).toEqual({ StasisStart: 1, StasisEnd: 1 });
    expect(log.lines.some((l) => l.level === ERROR && l.msg === 'ARI event listener failed')).toBe(true);
  });

  it('ApplicationReplaced: surfaces the state and does not fight for the app', async () => {
    const c = connect();
    const types: string[] = [];
    c.on('*', (e) => types.push(e.type));
    await driveUntil(clock, c, () => c.state === 'ready', 'ready');
    stub.broadcast(event('ApplicationReplaced', {}));
    await waitFor(() => c.state === 'replaced', 'replaced');
    expect(types).toEqual(['ApplicationReplaced']);
    await clock.advanceAsync(300_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(c.state).toBe('replaced');
    expect(stub.sockets).toHaveLength(1);
    c.start(); // an operator reclaims it
    await driveUntil(clock, c, () => c.state === 'ready', 'ready again');
    expect(stub.sockets).toHaveLength(2);
  });

  it('a failing reconcile drops the socket and retries instead of processing events blind', async () => {
    let fail = true;
    stub.route('GET', '/ari/channels', (_q, res) =>
      fail ? sendJson(res, 500, { message: 'boom' }) : sendJson(res, 200, []),
    );
    const c = connect();
    await driveUntil(clock, c, () => stub.sockets.length >= 2, 'second socket');
    expect(c.state).not.toBe('ready');
    expect(log.lines.filter((l) => l.level === ERROR)[0]!.msg).toContain('ARI reconcile failed');
    fail = false;
    await driveUntil(clock, c, () => c.state === 'ready', 'ready');
  });

  it('a reconcile that never finishes is abandoned after its deadline and retried', async () => {
    let calls = 0;
    const handler = {
      reconcile: () => {
        calls++;
        return calls === 1 ? new Promise<void>(() => undefined) : undefined;
      },
    };
    conn = new AriConnection({
      url: stub.url,
      user: 'cti',
      password: 'secret',
      app: APP,
      clock,
      logger: log.logger,
      reconcile: handler,
      reconcileTimeoutMs: 30_000,
      pingIntervalMs: 3_600_000,
    });
    conn.start();
    const c = conn;
    await waitFor(() => calls === 1, 'first reconcile');
    await clock.advanceAsync(29_999);
    expect(c.state).toBe('reconciling');
    await clock.advanceAsync(1);
    await driveUntil(clock, c, () => c.state === 'ready', 'ready after retry');
    expect(calls).toBe(2);
    expect(log.lines.filter((l) => l.level === ERROR).map((l) => l.msg)).toEqual([
      'ARI reconcile failed, reconnecting: not finished within 30000 ms',
    ]);
  });

  it('too many events held back during a slow reconcile drop the socket instead of growing without bound', async () => {
    // The reconcile of the first socket never finishes (if it even starts before the drop).
    const handler = {
      reconcile: () => (stub.sockets.length === 1 ? new Promise<void>(() => undefined) : undefined),
    };
    stub.onSocket = (ws) => {
      if (stub.sockets.length > 1) return;
      for (let i = 0; i < 10; i++) ws.send(JSON.stringify(event('ChannelVarset', { variable: 'X', value: String(i) })));
    };
    conn = new AriConnection({
      url: stub.url,
      user: 'cti',
      password: 'secret',
      app: APP,
      clock,
      logger: log.logger,
      reconcile: handler,
      maxBufferedEvents: 5,
    });
    const seen: string[] = [];
    conn.on('*', (e) => seen.push(e.type));
    conn.start();
    const c = conn;
    await driveUntil(clock, c, () => c.state === 'ready', 'ready on the second socket');
    expect(stub.sockets).toHaveLength(2);
    expect(seen).toEqual([]);
    expect(log.lines.filter((l) => l.level === ERROR).map((l) => l.msg)).toEqual([
      'ARI reconcile too slow: more than 5 events held back; reconnecting',
    ]);
  });

  it('stop() closes the socket and leaves no timer behind', async () => {
    const c = connect();
    await driveUntil(clock, c, () => c.state === 'ready', 'ready');
    await c.stop();
    expect(c.state).toBe('stopped');
    expect(clock.pendingCount).toBe(0);
    await waitFor(() => stub.openSockets.length === 0, 'server sees the close');
  });
});
