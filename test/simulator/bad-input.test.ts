import { afterAll, beforeAll, expect, test } from 'vitest';
import { ROUTES } from '../../src/simulator/ari-routes.ts';
import { startHarness, type Harness } from './sim-harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.connect();
});
afterAll(async () => {
  await h.close();
});

/** The 500s a real Asterisk gives to these inputs (error-status-codes.md); any other 5xx is a simulator bug. */
const REFERENCE_500 = [
  'Allocation failed',
  'Failed to queue media for playback',
  'Error parsing request',
  'Unable to create bridge. Possible duplicate bridge id',
];

test('garbage parameters on every route give 4xx (or the reference 500s), never a crash', async () => {
  const inbound = await h.rest('POST', '/channels', {
    endpoint: 'Local/300@cti-inbound',
    context: 'test',
    extension: '300',
  });
  await h.settle();
  const live = h.sim.engine.localPeer(inbound.body.id) ?? '';
  await h.rest('POST', '/bridges', { bridgeId: 'fz' });
  const values = ['', '-1', '99999999999999999999', '../../etc/passwd', 'Bogus/1'];
  const bodies: unknown[] = [
    undefined,
    { variables: 'nope', channel: 5, media: ['sound:beep', 7] },
    { name: '../x', format: 'wav' },
  ];
  // Destructive routes last, so the other routes meet a live channel and bridge.
  const ordered = [...ROUTES].sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
  let calls = 0;
  for (const route of ordered) {
    for (const v of values) {
      for (const body of bodies) {
        let path = route.path;
        for (const p of route.params.filter((x) => x.paramType === 'path')) {
          const real = p.name === 'channelId' ? live : p.name === 'bridgeId' ? 'fz' : v;
          path = path.replace(`{${p.name}}`, encodeURIComponent(real || 'x'));
        }
        const query: Record<string, string> = {};
        for (const p of route.params.filter((x) => x.paramType === 'query')) query[p.name] = v;
        if (route.method === 'GET' && body !== undefined) continue;
        const res = await h.rest(route.method, path, query, body);
        calls++;
        if (res.status >= 500) {
          const msg = String(res.body.message ?? res.body.error).replace(/ '[^']*'$/, '');
          expect(
            REFERENCE_500,
            `${route.method} ${path} ${JSON.stringify(query)} ${JSON.stringify(body)} → ${res.status} ${JSON.stringify(res.body)}`,
          ).toContain(msg);
        }
        expect(typeof res.body === 'object' || res.body === '' || res.status === 200, `${route.method} ${path}`).toBe(
          true,
        );
      }
    }
  }
  expect(calls).toBeGreaterThan(500);
  // The simulator still works afterwards.
  expect((await h.rest('GET', '/asterisk/ping')).status).toBe(200);
}, 60_000);
