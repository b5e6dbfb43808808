// The SMS gauge of GET /metrics reads the repositories (issue 12): PostgreSQL when DATABASE_URL is set.
import { afterAll, describe, expect, it } from 'vitest';
import { STORE_KINDS, storeFactory } from '../support/stores.ts';
import { startTestServer, type TestServer } from './helpers.ts';

describe.each(STORE_KINDS)('on %s', (kind) => {
  const stores = storeFactory(kind);
  let server: TestServer | undefined;
  afterAll(async () => {
    await server?.cleanup();
  });

  it('given SMS sent and failed through the store, when Prometheus scrapes, then hotline_sms_messages counts them by status', async () => {
    // Given a server on this store, and three texts: two sent, one failed, plus a citizen's reply
    const url = await stores.freshUrl();
    server = await startTestServer(url ? { env: { DATABASE_URL: url } } : {});
    expect(server.repos.kind).toBe(kind);
    const sms = server.repos.sms;
    const text = {
      orderId: null,
      purpose: 'satisfaction',
      phone: '13800000001',
      body: '满意请回复1',
      gatewayId: null,
      error: null,
      createdAt: 1,
    };
    for (const status of ['sent', 'sent', 'failed'] as const) {
      const id = await sms.insert({ ...text, direction: 'out', status: 'queued' });
      if (status === 'sent') await sms.markSent(id, `gw-${id}`);
      else await sms.markFailed(id, 'gateway 500');
    }
    await sms.insert({ ...text, direction: 'in', status: 'received', body: '1' });
    // When Prometheus scrapes
    const res = await server.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' });
    // Then the gauge has the outgoing texts by status
    expect(res.statusCode).toBe(200);
    const lines = res.body.split('\n').filter((l) => l.startsWith('hotline_sms_messages{'));
    expect(lines.sort()).toEqual([
      'hotline_sms_messages{status="failed",instance_id="single"} 1',
      'hotline_sms_messages{status="sent",instance_id="single"} 2',
    ]);
  });
});
