import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallsRepo } from '../../src/store/calls-repo.ts';
import { MASKED, startHarness, type Harness } from './helpers.ts';

const CALLER = '13912345678';
const CALLER_MASKED = '139****5678';

/** A recorded call from CALLER, answered by `agentId` (or by nobody). */
function recordCall(h: Harness, id: string, agentId: string | null): void {
  const at = h.clock.now();
  new CallsRepo(h.server.store.db).insertCall({
    id,
    callerChannelId: `ch-${id}`,
    callerNumber: CALLER,
    status: 'ended',
    phase: 'ended',
    arrivedAt: at - 60_000,
    endedAt: at,
    ...(agentId ? { agentId, answeredAt: at - 50_000 } : {}),
  });
}

const order = (callId: string, over: Record<string, unknown> = {}) => ({
  channel: 'phone',
  callId,
  type: 'complaint',
  content: '小区门口夜间施工噪音扰民',
  category: 'environment.noise',
  ...over,
});

describe('a phone order takes its requester number from the call (issue 9 item 2)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h?.cleanup());

  it('given a call agent-1 took, when agent-1 saves an order without a number, then the order holds the caller number: in full for a supervisor, masked for the agent, and found by that number', async () => {
    const agent = await h.as('agent'); // user name agent-1
    recordCall(h, 'call-taken-1', 'agent-1');
    const r = await h.req('POST', '/work-orders', agent, order('call-taken-1'));
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect(r.body.order.requester.phone).toBe(CALLER_MASKED);
    const sup = await h.as('supervisor');
    expect((await h.req('GET', `/work-orders/${r.body.order.id}`, sup)).body.requester.phone).toBe(CALLER);
    const byPhone = await h.req('GET', `/work-orders/by-phone?phone=${CALLER}`, sup);
    expect(byPhone.body.map((o: { id: number }) => o.id)).toContain(r.body.order.id);
  });

  it("given the desk's masked draft value or another number in the body, when the order is saved, then the call's number is kept and no error", async () => {
    const agent = await h.as('agent');
    recordCall(h, 'call-taken-2', 'agent-1');
    const masked = await h.req(
      'POST',
      '/work-orders',
      agent,
      order('call-taken-2', { requesterPhone: CALLER_MASKED, content: '路灯不亮' }),
    );
    expect(masked.status, JSON.stringify(masked.body)).toBe(201);
    const sup = await h.as('supervisor');
    expect((await h.req('GET', `/work-orders/${masked.body.order.id}`, sup)).body.requester.phone).toBe(CALLER);
    const other = await h.req(
      'POST',
      '/work-orders',
      sup,
      order('call-taken-2', { requesterPhone: '13000000000', content: '公交站牌损坏' }),
    );
    expect(other.status, JSON.stringify(other.body)).toBe(201);
    expect(other.body.order.requester.phone).toBe(CALLER);
  });

  it('given a call another agent took, when an agent saves an order from it, then 403 call-not-yours; a call nobody took (a callback) is open to any agent', async () => {
    recordCall(h, 'call-of-someone-else', 'somebody-else');
    const agent = await h.as('agent');
    const r = await h.req('POST', '/work-orders', agent, order('call-of-someone-else', { content: '另一件事' }));
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('call-not-yours');
    recordCall(h, 'call-abandoned', null);
    const cb = await h.req('POST', '/work-orders', agent, order('call-abandoned', { content: '回电登记的诉求' }));
    expect(cb.status, JSON.stringify(cb.body)).toBe(201);
  });

  it('given a web order, when the body holds a masked number, then 400 invalid-phone (only a call can fill it)', async () => {
    const agent = await h.as('agent');
    const r = await h.req('POST', '/work-orders', agent, {
      ...order('x'),
      channel: 'website',
      callId: undefined,
      requesterPhone: MASKED,
    });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('invalid-phone');
  });
});
