import { afterEach, beforeEach, expect, test } from 'vitest';
import { startHarness, type Harness } from './sim-harness.ts';
let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});
test('PJSIP/<ext> reaches the phone table like production dial strings: one visible channel', async () => {
  const ws = await h.connect();
  h.sim.control.setPhone('1001', { answerAfterMs: 1500 });
  const r = await h.rest('POST', '/channels', { endpoint: 'PJSIP/1001', app: 'cti-test', channelId: 'pj' });
  expect(r.body.name).toMatch(/^PJSIP\/1001-[0-9a-f]{8}$/);
  await h.advance(1000);
  expect((await h.rest('GET', '/channels')).body.map((c: { id: string }) => c.id)).toEqual(['pj']);
  expect((await h.rest('GET', '/channels/pj')).body.state).toBe('Ringing');
  await h.advance(1000);
  expect((await ws.waitFor((e) => e.type === 'StasisStart')).channel.id).toBe('pj');
  expect(new Set(ws.events.map((e) => e.channel?.id ?? e.peer?.id))).toEqual(new Set(['pj']));
  await h.rest('DELETE', '/channels/pj');
  await h.settle();
  expect(h.sim.leaks().ok).toBe(true);
});
