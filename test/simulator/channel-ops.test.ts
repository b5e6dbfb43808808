import { afterEach, beforeEach, expect, test } from 'vitest';
import { startHarness, type Harness } from './sim-harness.ts';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

async function inbound(ext: string): Promise<string> {
  const r = await h.rest('POST', '/channels', {
    endpoint: `Local/${ext}@cti-inbound`,
    context: 'test',
    extension: ext,
  });
  await h.settle();
  const id = h.sim.engine.localPeer(r.body.id) ?? '';
  await h.rest('POST', `/channels/${id}/answer`);
  return id;
}

test('bridge: MOH Announcer joins channels without an event, softmix from three members, back to simple_bridge', async () => {
  const ws = await h.connect();
  const a = await inbound('501');
  const b = await inbound('502');
  const c = await inbound('503');
  await h.rest('POST', '/bridges', { bridgeId: 'conf' });
  await h.rest('POST', '/bridges/conf/addChannel', { channel: a });
  await h.rest('POST', '/bridges/conf/moh');
  const withMoh = (await h.rest('GET', '/bridges/conf')).body;
  expect(withMoh.channels).toHaveLength(2);
  expect(withMoh.channels[0]).toBe(a);
  expect(ws.events.filter((e) => e.type === 'ChannelEnteredBridge')).toHaveLength(1);
  await h.rest('DELETE', '/bridges/conf/moh');
  expect((await h.rest('DELETE', '/bridges/conf/moh')).status).toBe(409);
  await h.rest('POST', '/bridges/conf/addChannel', { channel: `${b},${c}` });
  expect((await h.rest('GET', '/bridges/conf')).body.technology).toBe('softmix');
  await h.rest('POST', '/bridges/conf/removeChannel', { channel: c });
  expect((await h.rest('GET', '/bridges/conf')).body).toMatchObject({ technology: 'simple_bridge', channels: [a, b] });
  expect(ws.events.some((e) => e.type === 'BridgeCreated')).toBe(false);
  for (const id of [a, b, c]) await h.rest('DELETE', `/channels/${id}`);
  await h.rest('DELETE', '/bridges/conf');
  await h.settle();
  expect(ws.events.filter((e) => e.type === 'BridgeDestroyed')).toHaveLength(1);
  expect(h.sim.leaks().ok).toBe(true);
});

test('snoop: a Snoop channel enters the app and dies with its target', async () => {
  const ws = await h.connect();
  const a = await inbound('600');
  const snoop = await h.rest('POST', `/channels/${a}/snoop`, {
    app: 'cti-test',
    spy: 'both',
    snoopId: 'sn-1',
    appArgs: 'qa',
  });
  expect(snoop.status).toBe(200);
  expect(snoop.body.name).toMatch(new RegExp(`^Snoop/${a.replace('.', '\\.')}-[0-9a-f]{8}$`));
  const start = await ws.waitFor((e) => e.type === 'StasisStart' && e.channel.id === 'sn-1');
  expect(start.args).toEqual(['qa']);
  expect((await h.rest('POST', `/channels/${a}/snoop`, { app: 'cti-test', spy: 'sideways' })).status).toBe(400);
  await h.rest('DELETE', `/channels/${a}`);
  await h.settle();
  expect(ws.events.some((e) => e.type === 'ChannelDestroyed' && e.channel.id === 'sn-1')).toBe(true);
  expect(h.sim.leaks().ok).toBe(true);
});

test('variables, continue, hangup reasons', async () => {
  const ws = await h.connect();
  const a = await inbound('700');
  await h.rest('POST', `/channels/${a}/variable`, { variable: 'CASE_ID', value: 'WO-1' });
  expect((await h.rest('GET', `/channels/${a}/variable`, { variable: 'CASE_ID' })).body).toEqual({ value: 'WO-1' });
  expect((await h.rest('GET', `/channels/${a}/variable`, { variable: 'CALLERID(num)' })).body).toEqual({ value: '' });
  expect((await h.rest('GET', `/channels/${a}/variable`, { variable: 'CHANNEL(state)' })).body).toEqual({
    value: 'Up',
  });
  await h.rest('POST', `/channels/${a}/continue`, { context: 'test', extension: 'hello', priority: 1 });
  await h.settle();
  expect(ws.events.at(-1).type).toBe('StasisEnd');
  expect((await h.rest('GET', `/channels/${a}`)).status).toBe(200);
  await h.advance(1500);
  expect((await h.rest('GET', `/channels/${a}`)).status).toBe(404);
  const b = await inbound('701');
  expect((await h.rest('DELETE', `/channels/${b}`, { reason: 'bogus' })).status).toBe(400);
  expect((await h.rest('DELETE', `/channels/${b}`, { reason: 'busy' })).status).toBe(204);
  await h.settle();
  expect(h.sim.leaks().ok).toBe(true);
});

test('a created channel dialled with a timeout nobody answers: NOANSWER, then it is hung up (cause 19)', async () => {
  const ws = await h.connect();
  const caller = await inbound('800');
  await h.rest('POST', '/channels/create', {
    endpoint: 'Local/1009@agents-noanswer',
    app: 'cti-test',
    channelId: 'ag-9',
  });
  await h.rest('POST', '/channels/ag-9/dial', { caller, timeout: 15 });
  await h.advance(14_000);
  expect((await h.rest('GET', '/channels/ag-9')).body.state).toBe('Ringing');
  await h.advance(1_100);
  expect(ws.events.some((e) => e.type === 'Dial' && e.peer.id === 'ag-9' && e.dialstatus === 'NOANSWER')).toBe(true);
  expect(ws.events.find((e) => e.type === 'ChannelDestroyed' && e.channel.id === 'ag-9')).toMatchObject({ cause: 19 });
  expect((await h.rest('POST', '/channels/ag-9/dial')).status).toBe(404);
  await h.rest('DELETE', `/channels/${caller}`);
  await h.settle();
  expect(h.sim.leaks().ok).toBe(true);
});
