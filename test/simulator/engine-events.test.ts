import { afterEach, beforeEach, expect, test } from 'vitest';
import type { EngineEvent } from '../../src/simulator/index.ts';
import { startHarness, type Harness } from './sim-harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

test('the engine publishes plain-data events for an inbound call bridged to an agent', async () => {
  const seen: EngineEvent[] = [];
  const off = h.sim.engine.events.onAny((e) => seen.push(e));
  const dials: string[] = [];
  h.sim.engine.events.on('dialEnd', (e) => dials.push(`${e.peer.name}:${e.dialstatus}`));
  await h.connect();
  const placed = h.sim.control.placeCall({ from: '13800000000', to: '12345' });
  await h.settle();
  await h.rest('POST', `/channels/${placed.pbxChannelId}/answer`);
  await h.rest('POST', '/bridges', { bridgeId: 'b' });
  await h.rest('POST', '/bridges/b/addChannel', { channel: placed.pbxChannelId });
  await h.rest('POST', '/channels', { endpoint: 'Local/1001@agents', app: 'cti-test', channelId: 'ag' });
  await h.advance(2600);
  await h.rest('POST', '/bridges/b/addChannel', { channel: 'ag' });
  await h.rest('DELETE', `/channels/${placed.pbxChannelId}`);
  await h.rest('DELETE', '/channels/ag');
  await h.rest('DELETE', '/bridges/b');
  await h.settle();
  off();

  const types = seen.map((e) => e.type);
  for (const t of [
    'channelCreated',
    'localBridge',
    'stasisStart',
    'channelStateChanged',
    'dialBegin',
    'dialState',
    'dialEnd',
    'bridgeCreated',
    'bridgeEnter',
    'bridgeLeave',
    'channelHangupRequest',
    'channelDestroyed',
    'bridgeDestroyed',
    'varSet',
    'channelDialplan',
  ]) {
    expect(types, t).toContain(t);
  }
  // Every channel created is destroyed exactly once.
  const created = seen
    .filter((e) => e.type === 'channelCreated')
    .map((e) => (e.type === 'channelCreated' ? e.channel.id : ''));
  const destroyed = seen
    .filter((e) => e.type === 'channelDestroyed')
    .map((e) => (e.type === 'channelDestroyed' ? e.channel.id : ''));
  expect([...destroyed].sort()).toEqual([...created].sort());
  expect(dials).toEqual(['Local/12345@cti-inbound-00000000;1:ANSWER', 'Local/1001@agents-00000001;1:ANSWER']);
  const c = seen.find((e) => e.type === 'channelCreated');
  expect(c && c.type === 'channelCreated' && c.channel).toMatchObject({
    stateCode: 0,
    state: 'Down',
    tech: 'Local',
    linkedid: expect.any(String),
  });
  // Payloads are plain data: JSON round-trips unchanged.
  expect(JSON.parse(JSON.stringify(seen))).toEqual(seen);
  expect(seen.every((e) => /\+0000$/.test(e.timestamp))).toBe(true);
});

test('a throwing listener does not stop the engine', async () => {
  h.sim.engine.events.on('channelCreated', () => {
    throw new Error('listener bug');
  });
  await h.connect();
  const r = await h.rest('POST', '/channels', { endpoint: 'Local/1@test', app: 'cti-test' });
  expect(r.status).toBe(200);
});
