import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROUTES } from '../../src/simulator/ari-routes.ts';
import { startHarness, type Harness } from './sim-harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const raw = (path: string, init: RequestInit = {}) => fetch(h.sim.ariUrl + path, init);
const auth = { authorization: 'Basic ' + Buffer.from('cti:cti').toString('base64') };

describe('HTTP surface like Asterisk (http-raw-examples.txt)', () => {
  test('200 carries Server and Cache-Control headers and the ping body', async () => {
    const res = await raw('/asterisk/ping', { headers: auth });
    expect(res.status).toBe(200);
    expect(res.headers.get('server')).toBe('Asterisk/22.10.1');
    expect(res.headers.get('cache-control')).toBe('no-cache, no-store');
    const body = (await res.json()) as Record<string, string>;
    expect(body.ping).toBe('pong');
    expect(body.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    expect(body.asterisk_id).toBe('02:fc:00:00:00:01');
  });

  test('401 without credentials, with WWW-Authenticate', async () => {
    const res = await raw('/channels');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="Asterisk REST Interface"');
    expect(await res.json()).toEqual({ message: 'Authentication required' });
  });

  test('api_key query parameter authenticates like Basic auth', async () => {
    expect((await raw('/channels?api_key=cti:cti')).status).toBe(200);
    expect((await raw('/channels?api_key=cti:bad')).status).toBe(401);
  });

  test('405 with Allow, 404 Resource not found, OPTIONS with CORS', async () => {
    const put = await raw('/channels', { method: 'PUT', headers: auth });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('OPTIONS,GET,POST');
    expect(await put.json()).toEqual({ message: 'Invalid method' });
    const nf = await raw('/nonexistent', { headers: auth });
    expect(nf.status).toBe(404);
    expect(await nf.json()).toEqual({ message: 'Resource not found' });
    const opt = await raw('/channels', { method: 'OPTIONS', headers: { ...auth, origin: 'http://localhost:3000' } });
    expect(opt.status).toBe(204);
    expect(opt.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(opt.headers.get('access-control-allow-methods')).toBe('OPTIONS,GET,POST');
  });

  test('204 has an empty body; bridge 404 reason phrase is "Not found" as in the reference', async () => {
    await h.rest('POST', '/bridges', { bridgeId: 'hdr-test' });
    const del = await raw('/bridges/hdr-test', { method: 'DELETE', headers: auth });
    expect(del.status).toBe(204);
    expect(await del.text()).toBe('');
    const again = await raw('/bridges/nope/addChannel', { method: 'POST', headers: auth });
    expect(again.status).toBe(404);
    expect(again.statusText).toBe('Not found');
  });

  test('malformed JSON body is a 400 with the reason, not a 500', async () => {
    const res = await raw('/channels', {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{nope',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ message: 'Error parsing request body' });
  });
});

describe('generated api-docs', () => {
  test('resources.json lists every resource and each file describes the route table', async () => {
    const res = await h.rest('GET', '/api-docs/resources.json');
    expect(res.status).toBe(200);
    const names = (res.body.apis as Array<{ path: string }>).map((a) =>
      a.path.replace('/api-docs/', '').replace('.{format}', ''),
    );
    for (const r of new Set(ROUTES.map((x) => x.resource))) expect(names).toContain(r);
    for (const route of ROUTES) {
      const doc = (await h.rest('GET', `/api-docs/${route.resource}.json`)).body;
      const api = doc.apis.find((a: { path: string }) => a.path === route.path);
      expect(api, `${route.method} ${route.path}`).toBeDefined();
      expect(api.operations.map((o: { nickname: string }) => o.nickname)).toContain(route.nickname);
    }
  });

  test('events.json has a model for every event type the engine sends', async () => {
    const doc = (await h.rest('GET', '/api-docs/events.json')).body;
    const src = ['engine.ts', 'media.ts', 'server.ts']
      .map((f) => readFileSync(join(import.meta.dirname, '../../src/simulator', f), 'utf8'))
      .join('\n');
    const sent = new Set([...src.matchAll(/ariEvent\([^,]+,\s*'([A-Za-z]+)'/g)].map((m) => m[1]!));
    sent.add('ApplicationReplaced');
    expect(sent.size).toBeGreaterThan(15);
    for (const t of sent) expect(doc.models[t], t).toBeDefined();
  });
});
