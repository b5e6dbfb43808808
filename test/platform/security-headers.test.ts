import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallsRepo } from '../../src/store/calls-repo.ts';
import { RecordingsRepo } from '../../src/store/recordings-repo.ts';
import { intakeBody, seedOrganisation, startHarness, type Harness } from '../work-orders/helpers.ts';

/** One request over real HTTP (the whole stack, socket.io included), without following redirects. */
type Probe = {
  kind: string;
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  status: number;
};

describe('security headers on every kind of response', () => {
  let h: Harness;
  const probes: Probe[] = [];

  beforeAll(async () => {
    // Given a server with an archived recording and a work order with an attachment
    h = await startHarness();
    await seedOrganisation(h);
    const agent = await h.as('agent');
    const auditor = await h.as('auditor');
    const handler = await h.as('unit_handler', 'u1');
    const agentAuth = agent.authorization;
    const order = await h.req('POST', '/work-orders', agent, intakeBody({ channel: 'website', callId: undefined }));
    expect(order.status).toBe(201);
    const id = order.body.order.id as number;
    expect((await h.req('POST', `/work-orders/${id}/dispatch`, agent, { leadUnitId: 'u1' })).status).toBe(200);
    expect((await h.req('POST', `/work-orders/${id}/sign`, handler, {})).status).toBe(200);
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex').toString('base64');
    const att = await h.req('POST', `/work-orders/${id}/attachments`, handler, {
      fileName: 'photo.png',
      mimeType: 'image/png',
      contentBase64: png,
    });
    expect(att.status).toBe(201);

    const now = h.clock.now();
    new CallsRepo(h.server.store.db).insertCall({
      id: 'h1',
      callerChannelId: 'ch-h1',
      callerNumber: '13812341234',
      status: 'ended',
      phase: 'ended',
      arrivedAt: now - 60_000,
      endedAt: now - 30_000,
      outcome: 'answered',
    });
    const recs = new RecordingsRepo(h.server.store.db);
    const bytes = Buffer.from('RIFF....WAVEfmt fake archived bytes');
    mkdirSync(join(h.server.config.server.dataDir, 'recordings', '2026/01/05'), { recursive: true });
    writeFileSync(join(h.server.config.server.dataDir, 'recordings', '2026/01/05/call-h1.wav'), bytes);
    recs.insertRecording({ name: 'call-h1', callId: 'h1', startedAt: h.clock.now() });
    recs.markArchived('call-h1', {
      path: '2026/01/05/call-h1.wav',
      sha256: createHash('sha256').update(bytes).digest('hex'),
      bytes: bytes.length,
      durationMs: 5000,
      durationCheck: 'ok',
      archivedAt: h.clock.now(),
      retainUntil: h.clock.now() + 86_400_000,
    });

    const json = { 'content-type': 'application/json' };
    probes.push(
      { kind: 'API public', path: '/health', status: 200 },
      { kind: 'API HEAD', method: 'HEAD', path: '/health', status: 200 },
      { kind: 'API signed in', path: '/auth/me', headers: { authorization: agentAuth }, status: 200 },
      {
        kind: 'API sign-in',
        method: 'POST',
        path: '/auth/login',
        headers: json,
        body: JSON.stringify({ username: 'nobody', password: 'wrong-password' }),
        status: 401,
      },
      { kind: 'API list', path: `/work-orders/${id}`, headers: { authorization: agentAuth }, status: 200 },
      { kind: 'docs page', path: '/docs', status: 200 },
      { kind: 'docs OpenAPI', path: '/docs/json', status: 200 },
      {
        kind: 'download recording',
        path: '/recordings/call-h1/file',
        headers: { authorization: auditor.authorization },
        status: 200,
      },
      {
        kind: 'download attachment',
        path: `/work-orders/${id}/attachments/${att.body.id}`,
        headers: { authorization: agentAuth },
        status: 200,
      },
      { kind: 'page agent', path: '/ui/agent', status: 200 },
      { kind: 'page supervisor', path: '/ui/supervisor', status: 200 },
      { kind: 'page script', path: '/ui/assets/common.js', status: 200 },
      { kind: 'page vendor script', path: '/ui/vendor/socket.io.esm.min.js', status: 200 },
      { kind: 'page config', path: '/ui/config.json', status: 200 },
      { kind: 'page redirect', path: '/ui', status: 302 },
      { kind: 'error 400', method: 'POST', path: '/auth/login', headers: json, body: '{}', status: 400 },
      {
        kind: 'error 400 bad JSON',
        method: 'POST',
        path: '/auth/login',
        headers: json,
        body: '{"username":',
        status: 400,
      },
      { kind: 'error 400 bad URL', path: '/work-orders/%zz', headers: { authorization: agentAuth }, status: 400 },
      { kind: 'error 401', path: '/users', status: 401 },
      { kind: 'error 403', path: '/users', headers: { authorization: agentAuth }, status: 403 },
      {
        kind: 'error 404 entity',
        path: '/recordings/none/file',
        headers: { authorization: auditor.authorization },
        status: 404,
      },
      { kind: 'error 404 route', path: '/no-such-route', status: 404 },
      { kind: 'error 404 page', path: '/ui/assets/no-such-file.js', status: 404 },
      {
        kind: 'error 415',
        method: 'POST',
        path: '/auth/login',
        headers: { 'content-type': 'text/plain' },
        body: 'x',
        status: 415,
      },
      { kind: 'socket.io polling', path: '/socket.io/?EIO=4&transport=polling', status: 200 },
      { kind: 'socket.io error', path: '/socket.io/?EIO=9&transport=polling', status: 400 },
    );
  });
  afterAll(async () => h?.cleanup());

  it('sends X-Content-Type-Options: nosniff on API, docs, downloads, pages, errors and 404s', async () => {
    // When each representative route is requested over HTTP
    const missing: string[] = [];
    for (const p of probes) {
      const res = await fetch(`${h.server.url}${p.path}`, {
        method: p.method ?? 'GET',
        headers: p.headers,
        body: p.body,
        redirect: 'manual',
      });
      await res.arrayBuffer();
      // Then it answers as expected, with the header
      expect(res.status, `${p.kind} ${p.path}`).toBe(p.status);
      if (res.headers.get('x-content-type-options') !== 'nosniff')
        missing.push(`${p.kind} (${p.method ?? 'GET'} ${p.path} → ${res.status})`);
    }
    expect(missing).toEqual([]);
    // And the app sets it itself, without the HTTP server in front (inject)
    for (const url of ['/health', '/no-such-route', '/users', '/ui/agent']) {
      expect((await h.server.app.inject({ method: 'GET', url })).headers['x-content-type-options'], url).toBe(
        'nosniff',
      );
    }
  });

  it("limits the pages' connections to their own origin: CSP connect-src 'self', no ws:/wss: to any host", async () => {
    for (const path of ['/ui/agent', '/ui/supervisor']) {
      // When a page is loaded
      const res = await fetch(`${h.server.url}${path}`);
      await res.arrayBuffer();
      const csp = res.headers.get('content-security-policy') ?? '';
      const directives = Object.fromEntries(
        csp
          .split(';')
          .map((d) => d.trim().split(/\s+/))
          .map(([name, ...values]) => [name, values]),
      );
      // Then it may connect (fetch, socket.io's WebSocket) only to its own origin
      expect(directives['connect-src'], path).toEqual(["'self'"]);
      expect(directives['default-src'], path).toEqual(["'self'"]);
      expect(directives['frame-ancestors'], path).toEqual(["'none'"]);
    }
  });
});
