import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { permissionsOf } from '../../src/auth/permissions.ts';
import { workOrderHistory } from '../../src/calls/work-order-history.ts';
import { FakeClock } from '../../src/shared/clock.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { CallsRepo } from '../../src/store/calls-repo.ts';
import type { Store } from '../../src/store/db.ts';
import { createWorkOrderModule, type WorkOrderModule } from '../../src/work-orders/module.ts';
import type { Caller, IntakeInput } from '../../src/work-orders/work-order-service.ts';
import { bearer, startTestServer, tokenFor, type TestServer } from '../platform/helpers.ts';
import { Harness } from './harness.ts';

const intakeAgent: Caller = { id: '1', role: 'agent', unitId: null, permissions: permissionsOf('agent') };
const plainInput: IntakeInput = {
  channel: 'website',
  type: 'complaint',
  requesterPhone: '13812341234',
  content: '小区门口夜间施工噪音扰民',
  category: 'environment.noise',
};
const secretInput: IntakeInput = {
  channel: 'website',
  type: 'report',
  requesterPhone: '13600000002',
  content: '举报某单位违规',
  category: 'other',
  confidential: true,
};

/** Issue 7 item 6: links name a real call and a real order the linking principal may see; a repeated link is idempotent. */
describe('POST /calls/:id/work-orders and POST /work-orders with a callId', () => {
  let s: TestServer;
  let agent: { authorization: string };
  let supervisor: { authorization: string };
  let plain = '';
  let secret = '';
  let calls: CallsRepo;
  const link = (callId: string, workOrderId: string, who: { authorization: string }) =>
    s.app.inject({ method: 'POST', url: `/calls/${callId}/work-orders`, headers: who, payload: { workOrderId } });

  beforeAll(async () => {
    s = await startTestServer();
    agent = bearer(await tokenFor(s, 'agent'));
    supervisor = bearer(await tokenFor(s, 'supervisor'));
    calls = new CallsRepo(s.store.db);
    const now = s.clock.now();
    for (const id of ['c1', 'c2'])
      calls.insertCall({
        id,
        callerChannelId: `ch-${id}`,
        callerNumber: '13812341234',
        status: 'ended',
        phase: 'ended',
        arrivedAt: now - 60_000,
        endedAt: now,
      });
    plain = String((await s.workOrders.orders.intake(plainInput, intakeAgent)).order.id);
    secret = String((await s.workOrders.orders.intake(secretInput, intakeAgent)).order.id);
  });
  afterAll(async () => s?.cleanup());

  it('given no such order, when an agent links it, then 404 work-order-not-found and no link', async () => {
    for (const id of ['99999', 'abc', '007']) {
      const r = await link('c1', id, agent);
      expect(r.statusCode).toBe(404);
      expect(r.json().code).toBe('work-order-not-found');
    }
    expect(calls.workOrdersOf('c1')).toEqual([]);
  });

  it('given no such call, when an agent links an order to it, then 404 call-not-found', async () => {
    const r = await link('no-such-call', plain, agent);
    expect(r.statusCode).toBe(404);
    expect(r.json().code).toBe('call-not-found');
  });

  it('given a confidential order, when an agent links it, then 403 confidential and no link; a supervisor links it', async () => {
    const r = await link('c2', secret, agent);
    expect(r.statusCode).toBe(403);
    expect(r.json().code).toBe('confidential');
    expect(calls.workOrdersOf('c2')).toEqual([]);
    expect((await link('c2', secret, supervisor)).statusCode).toBe(204);
    // Already linked, but still not the agent's to see: the refusal comes first.
    expect((await link('c2', secret, agent)).statusCode).toBe(403);
    expect(calls.workOrdersOf('c2')).toEqual([secret]);
  });

  it('given a visible order, when it is linked twice, then 204 then 200 with alreadyLinked, and one link', async () => {
    expect((await link('c1', plain, agent)).statusCode).toBe(204);
    const again = await link('c1', plain, agent);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ callId: 'c1', workOrderId: plain, alreadyLinked: true });
    expect(calls.workOrdersOf('c1')).toEqual([plain]);
  });

  it('given a phone order naming no call, when it is taken, then 404 call-not-found; naming a recorded call, 201', async () => {
    const body = {
      channel: 'phone',
      type: 'complaint',
      requesterPhone: '13700000001',
      content: '路灯不亮',
      category: 'other',
    };
    const missing = await s.app.inject({
      method: 'POST',
      url: '/work-orders',
      headers: agent,
      payload: { ...body, callId: 'no-such-call' },
    });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().code).toBe('call-not-found');
    const ok = await s.app.inject({
      method: 'POST',
      url: '/work-orders',
      headers: agent,
      payload: { ...body, callId: 'c1' },
    });
    expect(ok.statusCode).toBe(201);
  });
});

describe('link-work-order on the /agent namespace', () => {
  let h: Harness | undefined;
  let orders: WorkOrderModule | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('given the same cases, when a desktop links, then the acks carry the same status codes and error codes as HTTP', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 5, 2, 0, 0));
    h = await Harness.start({
      clock,
      history: (store: Store) => {
        orders = createWorkOrderModule({
          store,
          clock,
          logger: createLogger({ level: 'silent', pretty: false }),
          dataDir: ':memory:',
          startScanner: false,
        });
        return workOrderHistory(orders.repo);
      },
    });
    const plain = String((await orders!.orders.intake(plainInput, intakeAgent)).order.id);
    const secret = String((await orders!.orders.intake(secretInput, intakeAgent)).order.id);
    h.records.insertCall({
      id: 'c1',
      callerChannelId: 'ch-c1',
      callerNumber: '13812341234',
      status: 'ended',
      phase: 'ended',
      arrivedAt: clock.now() - 60_000,
      endedAt: clock.now(),
    });
    const desk = await h.desktop('a1');
    const lead = await h.desktop('leader', 'supervisor');

    expect(await desk.call('link-work-order', { callId: 'c1', workOrderId: '99999' })).toMatchObject({
      ok: false,
      error: { statusCode: 404, code: 'work-order-not-found' },
    });
    expect(await desk.call('link-work-order', { callId: 'nope', workOrderId: plain })).toMatchObject({
      ok: false,
      error: { statusCode: 404, code: 'call-not-found' },
    });
    expect(await desk.call('link-work-order', { callId: 'c1', workOrderId: secret })).toMatchObject({
      ok: false,
      error: { statusCode: 403, code: 'confidential' },
    });
    expect(await desk.call('link-work-order', { callId: 'c1', workOrderId: plain })).toEqual({
      ok: true,
      statusCode: 204,
    });
    expect(await desk.call('link-work-order', { callId: 'c1', workOrderId: plain })).toEqual({
      ok: true,
      statusCode: 200,
      alreadyLinked: true,
    });
    expect(await lead.call('link-work-order', { callId: 'c1', workOrderId: secret })).toEqual({
      ok: true,
      statusCode: 204,
    });
    expect(h.records.workOrdersOf('c1').sort()).toEqual([plain, secret].sort());
  });
});
