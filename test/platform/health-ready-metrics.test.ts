import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers.ts';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.cleanup();
  server = undefined;
});

describe('health for load balancers and Prometheus metrics (issue 12 items 5 and 6)', () => {
  it('live answers 200; ready is 503 naming why while the single instance owns the calls without ARI; /health says owner', async () => {
    // Given a single instance whose telephony is off (so ARI is not connected)
    server = await startTestServer();
    // When a load balancer asks
    const live = await server.app.inject({ method: 'GET', url: '/health/live' });
    const ready = await server.app.inject({ method: 'GET', url: '/health/ready' });
    const health = await server.app.inject({ method: 'GET', url: '/health' });
    // Then it is live, not ready (the owner of the calls has no ARI), and /health says it owns the calls
    expect(live.statusCode).toBe(200);
    expect(live.json()).toEqual({ status: 'live' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({
      ready: false,
      store: 'ok',
      owner: true,
      ariConnected: false,
      reasons: ['owner of the calls without an ARI connection'],
    });
    expect(health.json().telephony).toMatchObject({ owner: true, connected: false });
  });

  it('GET /metrics: Prometheus text with the documented names, to loopback without a token', async () => {
    server = await startTestServer();
    const res = await server.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    for (const name of [
      'hotline_calls_owner',
      'hotline_ari_connected',
      'hotline_recordings_pending_archive',
      'nodejs_eventloop_lag_p99_seconds',
      'hotline_calls_offered_total',
      'hotline_calls_answered_within_20s_total',
      'hotline_call_answer_seconds',
      'hotline_store_commit_seconds',
      'hotline_ari_rest_seconds',
    ]) {
      expect(res.body).toContain(`# TYPE ${name} `);
    }
    expect(res.body).toMatch(/^hotline_calls_owner\{instance_id="single"\} 1$/m);
    expect(res.body).toMatch(/^hotline_ari_connected\{instance_id="single"\} 0$/m);
  });

  it('GET /metrics from another machine without METRICS_TOKEN: 403 with a Chinese message', async () => {
    server = await startTestServer();
    const res = await server.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.1.2.3' });
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'metrics-loopback-only', messageZh: expect.stringContaining('本机') });
  });

  it('with METRICS_TOKEN: the right bearer token from anywhere gets the metrics, a wrong one 401', async () => {
    server = await startTestServer({ env: { METRICS_TOKEN: 'scrape-token-0123456789' } });
    const ok = await server.app.inject({
      method: 'GET',
      url: '/metrics',
      remoteAddress: '10.1.2.3',
      headers: { authorization: 'Bearer scrape-token-0123456789' },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toContain('hotline_calls_owner');
    const bad = await server.app.inject({
      method: 'GET',
      url: '/metrics',
      remoteAddress: '127.0.0.1',
      headers: { authorization: 'Bearer wrong-token-0123456789' },
    });
    expect(bad.statusCode).toBe(401);
    expect(bad.json()).toMatchObject({ code: 'metrics-token', messageZh: expect.any(String) });
  });
});
