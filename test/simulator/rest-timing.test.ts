import { afterEach, describe, expect, test } from 'vitest';
import { ASTERISK_22_TIMING, parseTiming, type SimulatorTiming } from '../../src/simulator/index.ts';
import { TimingPlanner } from '../../src/simulator/timing.ts';
import { startHarness, type Harness, type EventSocket } from './sim-harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function timedRest(hh: Harness, method: string, path: string, query?: Record<string, unknown>) {
  const started = performance.now();
  const r = await hh.rest(method, path, query);
  return { ...r, ms: performance.now() - started };
}

/**
 * Places `n` inbound calls one after the other (originate `Local/<n>@cti-inbound`, as in timing.md) and
 * notes for each whether the StasisStart of the `;2` half had arrived when the originate reply did:
 * B (event before the reply) or A (after). Each call is hung up before the next.
 */
async function originateOrders(hh: Harness, ws: EventSocket, n: number): Promise<string> {
  let pattern = '';
  for (let i = 0; i < n; i++) {
    const ext = String(300 + i);
    const r = await hh.rest('POST', '/channels', {
      endpoint: `Local/${ext}@cti-inbound`,
      context: 'test',
      extension: ext,
    });
    expect(r.status).toBe(200);
    const seen = ws.events.some((e) => e.type === 'StasisStart' && e.args?.[1] === ext);
    pattern += seen ? 'B' : 'A';
    await ws.waitFor((e) => e.type === 'StasisStart' && e.args?.[1] === ext, `StasisStart of ${ext}`);
    expect((await hh.rest('DELETE', `/channels/${r.body.id}`)).status).toBe(204);
    await ws.waitFor(
      (e) => e.type === 'StasisEnd' && e.channel.name.startsWith(`Local/${ext}@`),
      `StasisEnd of ${ext}`,
    );
  }
  await hh.settle();
  return pattern;
}

const orderOnly = (seed: number, before: number): SimulatorTiming => ({
  seed,
  restLatencyMs: { median: 1, p99: 2 },
  eventOrder: { before },
  // A wide gap, so that "before" and "after" are unambiguous for a client on a busy machine.
  gapMs: 15,
});

describe('REST timing off (the default)', () => {
  test('given no timing, when inbound calls are originated, then every reply comes at once and before the StasisStart', async () => {
    h = await startHarness();
    expect(h.sim.timing.get()).toBeUndefined();
    const ws = await h.connect();
    expect(await originateOrders(h, ws, 10)).toBe('AAAAAAAAAA');
    expect(h.sim.leaks()).toEqual({ ok: true, channels: [], bridges: [], playbacks: [], recordings: [] });
  });
});

describe('REST latency', () => {
  test('given a latency distribution, when 80 pings are sent one by one, then each takes at least its planned latency and the spread follows the distribution', async () => {
    const timing: SimulatorTiming = {
      seed: 42,
      restLatencyMs: { median: 8, p99: 30, min: 4, max: 40 },
      eventOrder: { before: 0 },
    };
    h = await startHarness({ timing });
    // The same seed drawn in the same request order gives the plan each request got.
    const planner = new TimingPlanner(timing);
    const planned: number[] = [];
    const measured: number[] = [];
    for (let i = 0; i < 80; i++) {
      planned.push(planner.plan('GET /asterisk/ping').latencyMs);
      const r = await timedRest(h, 'GET', '/asterisk/ping');
      expect(r.status).toBe(200);
      measured.push(r.ms);
    }
    for (let i = 0; i < measured.length; i++) expect(measured[i]).toBeGreaterThanOrEqual((planned[i] ?? 0) - 0.5);
    expect(Math.min(...measured)).toBeGreaterThanOrEqual(4 - 0.5);
    const sorted = [...measured].sort((a, b) => a - b);
    const median = sorted[40] ?? 0;
    expect(median).toBeGreaterThan(6);
    expect(median).toBeLessThan(20);
    // A log-normal with p99 ≈ 4 × median: the slowest tenth is well above the median.
    expect(sorted[72] ?? 0).toBeGreaterThan(median * 1.4);
    expect(h.sim.leaks().ok).toBe(true);
  });

  test('given timing on, when a request waits its latency, then it counts as in flight until it is answered', async () => {
    h = await startHarness({
      timing: { seed: 2, restLatencyMs: { median: 200, p99: 300, min: 150 }, eventOrder: { before: 0 } },
    });
    expect(h.sim.timing.inFlight()).toBe(0);
    let done = false;
    const pending = h.rest('GET', '/channels').finally(() => (done = true));
    while (h.sim.timing.inFlight() === 0 && !done) await new Promise((r) => setTimeout(r, 1));
    expect(done).toBe(false);
    expect(h.sim.timing.inFlight()).toBe(1);
    expect((await pending).status).toBe(200);
    expect(h.sim.timing.inFlight()).toBe(0);
    expect(h.sim.leaks().ok).toBe(true);
  });

  test('the Asterisk 22 preset gives the originate its measured median and a long tail', () => {
    const planner = new TimingPlanner({ ...ASTERISK_22_TIMING, seed: 3 });
    const draws = Array.from({ length: 4000 }, () => planner.plan('POST /channels').latencyMs).sort((a, b) => a - b);
    expect(draws[2000]).toBeGreaterThan(1.46 * 0.85);
    expect(draws[2000]).toBeLessThan(1.46 * 1.15);
    expect(draws[3960]).toBeGreaterThan(33.92 * 0.6);
    expect(draws[3960]).toBeLessThan(33.92 * 1.6);
    const answer = Array.from({ length: 4000 }, () => planner.plan('POST /channels/{channelId}/answer').latencyMs).sort(
      (a, b) => a - b,
    );
    expect(answer[2000]).toBeGreaterThan(0.59 * 0.85);
    expect(answer[2000]).toBeLessThan(0.59 * 1.15);
  });
});

describe('event/reply order', () => {
  test('given before = 0.3, when 30 inbound calls are originated, then the StasisStart overtakes the reply in some of them, the same ones again with the same seed', async () => {
    h = await startHarness({ timing: orderOnly(7, 0.3) });
    const first = await originateOrders(h, await h.connect(), 30);
    expect(h.sim.leaks()).toEqual({ ok: true, channels: [], bridges: [], playbacks: [], recordings: [] });
    await h.close();

    h = await startHarness({ timing: orderOnly(7, 0.3) });
    const again = await originateOrders(h, await h.connect(), 30);
    expect(h.sim.leaks()).toEqual({ ok: true, channels: [], bridges: [], playbacks: [], recordings: [] });
    await h.close();

    h = await startHarness({ timing: orderOnly(8, 0.3) });
    const otherSeed = await originateOrders(h, await h.connect(), 30);
    expect(h.sim.leaks()).toEqual({ ok: true, channels: [], bridges: [], playbacks: [], recordings: [] });

    expect(again).toBe(first);
    expect(otherSeed).not.toBe(first);
    const before = first.split('').filter((c) => c === 'B').length;
    expect(before).toBeGreaterThanOrEqual(3);
    expect(before).toBeLessThanOrEqual(18);
  });

  test('given between = 1 for channel DELETE, when a Stasis channel is hung up, then some of its events come before the reply and the rest after', async () => {
    h = await startHarness({
      timing: {
        ...orderOnly(1, 0),
        routes: { 'DELETE /channels/{channelId}': { eventOrder: { before: 0, between: 1 } } },
      },
    });
    const ws = await h.connect();
    const r = await h.rest('POST', '/channels', {
      endpoint: 'Local/300@cti-inbound',
      context: 'test',
      extension: '300',
    });
    const start = await ws.waitFor((e) => e.type === 'StasisStart', 'StasisStart');
    const id: string = start.channel.id;
    const countFor = () => ws.events.filter((e) => e.channel?.id === id).length;
    const atStart = countFor();
    expect((await h.rest('DELETE', `/channels/${id}`)).status).toBe(204);
    const atReply = countFor() - atStart;
    await ws.waitFor((e) => e.type === 'StasisEnd' && e.channel.id === id, 'StasisEnd');
    await h.settle();
    const total = countFor() - atStart;
    expect(atReply).toBeGreaterThanOrEqual(1);
    expect(total).toBeGreaterThan(atReply);
    expect(r.status).toBe(200);
    expect(h.sim.leaks()).toEqual({ ok: true, channels: [], bridges: [], playbacks: [], recordings: [] });
  });

  test('given after = 1, when the app answers and bridges a channel, then the WebSocket keeps the order Asterisk produced', async () => {
    h = await startHarness({ timing: orderOnly(5, 0) });
    const ws = await h.connect();
    await h.rest('POST', '/channels', { endpoint: 'Local/300@cti-inbound', context: 'test', extension: '300' });
    const id: string = (await ws.waitFor((e) => e.type === 'StasisStart', 'StasisStart')).channel.id;
    await h.rest('POST', `/channels/${id}/answer`);
    await h.rest('POST', '/bridges', { bridgeId: 'b1' });
    await h.rest('POST', '/bridges/b1/addChannel', { channel: id });
    await ws.waitFor((e) => e.type === 'ChannelEnteredBridge', 'ChannelEnteredBridge');
    await h.rest('DELETE', `/channels/${id}`);
    await h.rest('DELETE', '/bridges/b1');
    await ws.waitFor((e) => e.type === 'BridgeDestroyed', 'BridgeDestroyed');
    const types = ws.events
      .map((e) => e.type)
      .filter((t) =>
        [
          'StasisStart',
          'ChannelStateChange',
          'ChannelEnteredBridge',
          'ChannelLeftBridge',
          'StasisEnd',
          'BridgeDestroyed',
        ].includes(t),
      );
    expect(types.indexOf('StasisStart')).toBeLessThan(types.indexOf('ChannelEnteredBridge'));
    expect(types.indexOf('ChannelEnteredBridge')).toBeLessThan(types.indexOf('ChannelLeftBridge'));
    expect(types.indexOf('ChannelLeftBridge')).toBeLessThan(types.indexOf('StasisEnd'));
    await h.settle();
    expect(h.sim.leaks()).toEqual({ ok: true, channels: [], bridges: [], playbacks: [], recordings: [] });
  });
});

describe('timing config', () => {
  const control = async (hh: Harness, method: string, path: string, body?: unknown) => {
    const res = await fetch(hh.sim.controlUrl + path, {
      method,
      headers: {
        authorization: 'Basic ' + Buffer.from('cti:cti').toString('base64'),
        'content-type': 'application/json',
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

  test('the control API switches timing on with the preset and a seed, shows it, refuses bad values with the reason, and switches it off', async () => {
    h = await startHarness();
    expect(await control(h, 'GET', '/timing')).toEqual({ status: 200, body: { off: true } });
    expect((await control(h, 'PUT', '/timing', { preset: 'asterisk22', seed: 9, scale: 2 })).status).toBe(204);
    const shown = await control(h, 'GET', '/timing');
    expect(shown.body).toMatchObject({ seed: 9, scale: 2, restLatencyMs: ASTERISK_22_TIMING.restLatencyMs });
    expect(shown.body.routes['POST /channels'].restLatencyMs).toEqual({ median: 1.46, p99: 33.92 });

    const bad = await control(h, 'PUT', '/timing', { restLatencyMs: { median: 5, p99: 2 }, eventOrder: { before: 0 } });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/restLatencyMs: "p99" must be a number from 5/);
    const badOrder = await control(h, 'PUT', '/timing', {
      preset: 'asterisk22',
      eventOrder: { before: 0.8, between: 0.5 },
    });
    expect(badOrder).toEqual({
      status: 400,
      body: { message: 'timing.eventOrder: "before" + "between" must not exceed 1' },
    });
    const unknown = await control(h, 'PUT', '/timing', { preset: 'asterisk22', latency: 3 });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/unknown field "latency"/);
    // A refused config leaves the one in force.
    expect((await control(h, 'GET', '/timing')).body.seed).toBe(9);

    expect((await control(h, 'DELETE', '/timing')).status).toBe(204);
    expect(h.sim.timing.get()).toBeUndefined();
    expect((await h.rest('GET', '/asterisk/ping')).status).toBe(200);
    expect(h.sim.leaks().ok).toBe(true);
  });

  test('parseTiming: a preset string, overrides, and the fields it requires without a preset', () => {
    expect(parseTiming('asterisk22')).toEqual(ASTERISK_22_TIMING);
    expect(
      parseTiming({ preset: 'asterisk22', routes: { 'POST /bridges': { eventOrder: { before: 1 } } } }).routes?.[
        'POST /bridges'
      ],
    ).toEqual({ eventOrder: { before: 1 } });
    expect(() => parseTiming({ seed: 1 })).toThrow(
      'timing: give "restLatencyMs" and "eventOrder", or "preset": "asterisk22"',
    );
    expect(() => parseTiming({ preset: 'asterisk22', routes: { 'FETCH /x': {} } })).toThrow(/key must look like/);
    expect(() => parseTiming({ preset: 'asterisk22', seed: 1.5 })).toThrow('timing: "seed" must be an integer');
  });
});
