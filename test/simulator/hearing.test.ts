import { afterEach, beforeEach, expect, test } from 'vitest';
import { startHarness, type Harness } from './sim-harness.ts';

/** The media model (src/simulator/hearing.ts): who hears whom through bridges, mute and snoop directions. */

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

/** A customer calling in: returns the customer's label (the `;1` id) and the Stasis half. */
async function customer(ext: string): Promise<{ label: string; ch: string }> {
  const r = await h.rest('POST', '/channels', {
    endpoint: `Local/${ext}@cti-inbound`,
    context: 'test',
    extension: ext,
  });
  await h.settle();
  const ch = h.sim.engine.localPeer(r.body.id) ?? '';
  await h.rest('POST', `/channels/${ch}/answer`);
  return { label: r.body.id, ch };
}

/** A phone (Local/<ext>@agents) rung into the app and answered. */
async function phone(ext: string, channelId: string): Promise<string> {
  h.sim.control.setPhone(ext, { answerAfterMs: 100 });
  await h.rest('POST', '/channels', { endpoint: `Local/${ext}@agents`, app: 'cti-test', channelId });
  await h.advance(200);
  return channelId;
}

test('given caller and agent bridged, when a supervisor listens through a spy=both snoop, then the supervisor hears both and nobody hears the supervisor', async () => {
  await h.connect();
  const caller = await customer('12345');
  const agent = await phone('1001', 'ag');
  await h.rest('POST', '/bridges', { bridgeId: 'main' });
  await h.rest('POST', '/bridges/main/addChannel', { channel: `${caller.ch},${agent}` });
  expect(h.sim.engine.hears('1001')).toEqual([caller.label]);
  expect(h.sim.engine.hears(caller.label)).toEqual(['1001']);

  const sup = await phone('2001', 'sup');
  await h.rest('POST', `/channels/${agent}/snoop`, { app: 'cti-test', spy: 'both', whisper: 'none', snoopId: 'sn' });
  await h.rest('POST', '/bridges', { bridgeId: 'spy' });
  await h.rest('POST', '/bridges/spy/addChannel', { channel: `sn,${sup}` });
  await h.settle();

  expect(h.sim.engine.hears('2001')).toEqual(['1001', caller.label].sort());
  expect(h.sim.engine.hears('1001')).toEqual([caller.label]);
  expect(h.sim.engine.hears(caller.label)).toEqual(['1001']);

  for (const id of [caller.ch, agent, sup]) await h.rest('DELETE', `/channels/${id}`);
  for (const b of ['main', 'spy']) await h.rest('DELETE', `/bridges/${b}`);
  await h.advance(100);
  expect(h.sim.leaks().ok).toBe(true);
});

test('given a whisper=out snoop on the agent, then only the agent hears the supervisor; whisper=in reaches the caller instead', async () => {
  await h.connect();
  const caller = await customer('12345');
  const agent = await phone('1001', 'ag');
  await h.rest('POST', '/bridges', { bridgeId: 'main' });
  await h.rest('POST', '/bridges/main/addChannel', { channel: `${caller.ch},${agent}` });
  const sup = await phone('2001', 'sup');
  await h.rest('POST', `/channels/${agent}/snoop`, { app: 'cti-test', spy: 'both', whisper: 'out', snoopId: 'sn' });
  await h.rest('POST', '/bridges', { bridgeId: 'spy' });
  await h.rest('POST', '/bridges/spy/addChannel', { channel: `sn,${sup}` });
  await h.settle();

  expect(h.sim.engine.hears('1001')).toEqual(['2001', caller.label].sort());
  expect(h.sim.engine.hears(caller.label)).toEqual(['1001']);
  expect(h.sim.engine.hears('2001')).toEqual(['1001', caller.label].sort());

  // The other direction, to show the model tells them apart: whisper=in is heard by the agent's peers.
  await h.rest('POST', `/channels/${agent}/snoop`, { app: 'cti-test', spy: 'none', whisper: 'in', snoopId: 'sn2' });
  await h.rest('POST', '/bridges/spy/addChannel', { channel: 'sn2' });
  await h.rest('DELETE', '/channels/sn');
  await h.settle();
  expect(h.sim.engine.hears(caller.label)).toEqual(['1001', '2001'].sort());
  expect(h.sim.engine.hears('1001')).toEqual([caller.label]);

  // Muting the agent's voice (in) silences it for the caller; the supervisor still reaches the caller.
  await h.rest('POST', `/channels/${agent}/mute`, { direction: 'in' });
  expect(h.sim.engine.hears(caller.label)).toEqual(['2001']);

  await h.rest('DELETE', `/channels/${agent}`);
  await h.settle();
  // The snoop died with its target (Asterisk: the snoop channel hangs up when the spied-on one goes).
  expect(h.sim.engine.getChannel('sn2')).toBeUndefined();
  for (const id of [caller.ch, sup]) await h.rest('DELETE', `/channels/${id}`);
  for (const b of ['main', 'spy']) await h.rest('DELETE', `/bridges/${b}`);
  await h.advance(100);
  expect(h.sim.leaks().ok).toBe(true);
});

test('the control API answers the same, and an unknown label hears nobody', async () => {
  const auth = `Basic ${Buffer.from('cti:cti').toString('base64')}`;
  const res = await fetch(`${h.sim.controlUrl}/hearing/9999`, { headers: { authorization: auth } });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ label: '9999', hears: [] });
  expect(h.sim.leaks().ok).toBe(true);
});
