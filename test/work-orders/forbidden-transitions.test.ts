import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRANSITIONS } from '../../src/domain/work-orders/decide.ts';
import type { WorkOrderAction, WorkOrderStatus } from '../../src/domain/work-orders/types.ts';
import { intakeBody, seedOrganisation, startHarness, type Harness } from './helpers.ts';
import { STORE_KINDS, storeFactory } from '../support/stores.ts';

// Runs on both stores (issue 12): the repositories must behave the same on SQLite and PostgreSQL.
describe.each(STORE_KINDS)('on %s', (kind) => {
  const stores = storeFactory(kind);

  type Who = 'hotline' | 'supervisor' | 'lead' | 'assist';
  const ROUTES: Partial<Record<WorkOrderAction, { path: string; who: Who; body: (ctx: { other: number }) => object }>> =
    {
      'not-accept': { path: 'not-accept', who: 'hotline', body: () => ({ reasonCode: 'outside-jurisdiction' }) },
      'answer-directly': { path: 'answer-directly', who: 'hotline', body: () => ({ answer: '答复' }) },
      dispatch: { path: 'dispatch', who: 'hotline', body: () => ({ leadUnitId: 'u1', assistingUnitIds: ['u2'] }) },
      'raise-dispute': {
        path: 'disputes',
        who: 'hotline',
        body: () => ({ unitIds: ['u1', 'u3'], reason: '职责争议' }),
      },
      'resolve-dispute': {
        path: 'disputes/resolve',
        who: 'supervisor',
        body: () => ({ leadUnitId: 'u1', minutes: '会议纪要' }),
      },
      sign: { path: 'sign', who: 'lead', body: () => ({}) },
      return: { path: 'return', who: 'lead', body: () => ({ reason: '非本单位职责' }) },
      'request-extension': { path: 'extension', who: 'lead', body: () => ({ extra: 1, reason: '需要更多时间' }) },
      'approve-extension': { path: 'extension/approve', who: 'supervisor', body: () => ({}) },
      'refuse-extension': { path: 'extension/refuse', who: 'supervisor', body: () => ({ reason: '理由不足' }) },
      'assist-opinion': { path: 'opinions', who: 'assist', body: () => ({ opinion: '协办意见' }) },
      'explain-overdue': { path: 'overdue-explanation', who: 'lead', body: () => ({ reason: '超期原因' }) },
      reply: { path: 'reply', who: 'lead', body: () => ({ content: '已办理' }) },
      'reject-reply': { path: 'reply/reject', who: 'hotline', body: () => ({ reason: '答复不充分' }) },
      close: { path: 'close', who: 'hotline', body: () => ({}) },
      'record-satisfaction': { path: 'satisfaction', who: 'hotline', body: () => ({ replyText: '1' }) },
      'conclude-review': { path: 'review', who: 'supervisor', body: () => ({ outcome: 'upheld', note: '维持' }) },
      'merge-into': { path: 'merge', who: 'hotline', body: (c) => ({ targetOrderId: c.other }) },
    };

  describe('every forbidden transition is refused with 409 and the reason', () => {
    let h: Harness;
    const orders = new Map<WorkOrderStatus, number>();
    let other = 0;
    let n = 0;

    const who = async (w: Who) =>
      w === 'hotline'
        ? h.as('agent')
        : w === 'supervisor'
          ? h.as('supervisor')
          : w === 'lead'
            ? h.as('unit_handler', 'u1')
            : h.as('unit_handler', 'u2');
    const post = async (id: number, path: string, w: Who, body: object) =>
      h.req('POST', `/work-orders/${id}/${path}`, await who(w), body);
    const fresh = async (): Promise<number> => {
      const r = await h.req(
        'POST',
        '/work-orders',
        await h.as('agent'),
        intakeBody({ requesterPhone: `1390000${String(++n).padStart(4, '0')}`, content: `状态测试工单${n}号` }),
      );
      expect(r.status).toBe(201);
      return r.body.order.id;
    };
    const step = async (id: number, path: string, w: Who, body: object = {}) => {
      const r = await post(id, path, w, body);
      expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(200);
    };

    beforeAll(async () => {
      h = await startHarness(undefined, { databaseUrl: await stores.freshUrl() });
      await seedOrganisation(h);
      other = await fresh();
      orders.set('registered', await fresh());
      const na = await fresh();
      await step(na, 'not-accept', 'hotline', { reasonCode: 'insult-or-public-order' });
      orders.set('not-accepted', na);
      const di = await fresh();
      await step(di, 'disputes', 'hotline', { unitIds: ['u1', 'u3'], reason: '争议' });
      orders.set('disputed', di);
      const dp = await fresh();
      await step(dp, 'dispatch', 'hotline', { leadUnitId: 'u1', assistingUnitIds: ['u2'] });
      orders.set('dispatched', dp);
      const sg = await fresh();
      await step(sg, 'dispatch', 'hotline', { leadUnitId: 'u1', assistingUnitIds: ['u2'] });
      await step(sg, 'sign', 'lead');
      orders.set('signed', sg);
      const rt = await fresh();
      await step(rt, 'dispatch', 'hotline', { leadUnitId: 'u1', assistingUnitIds: ['u2'] });
      await step(rt, 'sign', 'lead');
      await step(rt, 'return', 'lead', { reason: '非本单位职责' });
      orders.set('returned', rt);
      const rp = await fresh();
      await step(rp, 'dispatch', 'hotline', { leadUnitId: 'u1', assistingUnitIds: ['u2'] });
      await step(rp, 'sign', 'lead');
      await step(rp, 'reply', 'lead', { content: '已处理' });
      orders.set('replied', rp);
      const cl = await fresh();
      await step(cl, 'dispatch', 'hotline', { leadUnitId: 'u1', assistingUnitIds: ['u2'] });
      await step(cl, 'sign', 'lead');
      await step(cl, 'reply', 'lead', { content: '已处理' });
      await step(cl, 'close', 'hotline');
      orders.set('closed', cl);
      const ur = await fresh();
      await step(ur, 'dispatch', 'hotline', { leadUnitId: 'u1', assistingUnitIds: ['u2'] });
      await step(ur, 'sign', 'lead');
      await step(ur, 'reply', 'lead', { content: '已处理' });
      await step(ur, 'close', 'hotline');
      await step(ur, 'satisfaction', 'hotline', { replyText: '不满意' });
      orders.set('under-review', ur);
      const mg = await fresh();
      await step(mg, 'merge', 'hotline', { targetOrderId: other });
      orders.set('merged', mg);
    });
    afterAll(async () => h?.cleanup());

    it('builds an order in every status of the state machine', async () => {
      const sup = await h.as('supervisor');
      for (const [status, id] of orders)
        expect((await h.req('GET', `/work-orders/${id}`, sup)).body.status).toBe(status);
      expect(orders.size).toBe(10);
    });

    it('refuses each action from each status the state machine does not allow it from', async () => {
      let checked = 0;
      for (const [action, route] of Object.entries(ROUTES) as [
        WorkOrderAction,
        NonNullable<(typeof ROUTES)[WorkOrderAction]>,
      ][]) {
        for (const [status, id] of orders) {
          if ((TRANSITIONS[action].from as readonly (WorkOrderStatus | null)[]).includes(status)) continue;
          const before = (await h.req('GET', `/work-orders/${id}`, await h.as('supervisor'))).body.version;
          const r = await post(id, route.path, route.who, route.body({ other }));
          const unitWithoutOrder =
            (route.who === 'lead' || route.who === 'assist') &&
            ['registered', 'not-accepted', 'disputed', 'merged'].includes(status);
          if (unitWithoutOrder) {
            // A unit acting on an order never assigned to it: not its order (403) before any rule is consulted.
            expect(r.status, `${action} from ${status}`).toBe(403);
            expect(r.body.code).toBe('not-your-unit');
          } else {
            expect(r.status, `${action} from ${status}: ${JSON.stringify(r.body)}`).toBe(409);
            expect(r.body.code).toBe('invalid-state');
            expect(r.body.message).toContain(action);
            expect(r.body.message).toContain(status);
          }
          const after = (await h.req('GET', `/work-orders/${id}`, await h.as('supervisor'))).body.version;
          expect(after, 'a refused transition changes nothing').toBe(before);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(120);
    });

    it('refuses rule breaches inside an allowed status with their own reason codes', async () => {
      const cases: { id: () => Promise<number>; path: string; who: Who; body: object; code: string }[] = [
        { id: async () => orders.get('dispatched')!, path: 'sign', who: 'assist', body: {}, code: 'not-lead-unit' },
        {
          id: async () => orders.get('signed')!,
          path: 'opinions',
          who: 'lead',
          body: { opinion: 'x' },
          code: 'not-assisting-unit',
        },
        {
          id: async () => orders.get('signed')!,
          path: 'overdue-explanation',
          who: 'lead',
          body: { reason: '没有超期' },
          code: 'not-overdue',
        },
        {
          id: async () => orders.get('signed')!,
          path: 'extension',
          who: 'lead',
          body: { extra: 11, reason: '太长' },
          code: 'extension-too-long',
        },
        {
          id: async () => orders.get('signed')!,
          path: 'extension/approve',
          who: 'supervisor',
          body: {},
          code: 'no-extension-pending',
        },
        {
          id: async () => orders.get('registered')!,
          path: 'dispatch',
          who: 'hotline',
          body: { leadUnitId: 'u1', assistingUnitIds: ['u1'] },
          code: 'unit-conflict',
        },
        {
          id: async () => orders.get('registered')!,
          path: 'merge',
          who: 'hotline',
          body: { targetOrderId: orders.get('registered')! },
          code: 'merge-into-self',
        },
        {
          id: async () => orders.get('under-review')!,
          path: 'satisfaction',
          who: 'hotline',
          body: { replyText: '1' },
          code: 'invalid-state',
        },
      ];
      for (const c of cases) {
        const r = await post(await c.id(), c.path, c.who, c.body);
        expect(r.status, `${c.path}: ${JSON.stringify(r.body)}`).toBe(409);
        expect(r.body.code).toBe(c.code);
        expect(r.body.message.length).toBeGreaterThan(10);
      }
      const closedTwice = await post(orders.get('closed')!, 'satisfaction', 'hotline', { replyText: '满意' });
      expect(closedTwice.status).toBe(200);
      const again = await post(orders.get('closed')!, 'satisfaction', 'hotline', { replyText: '满意' });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('satisfaction-already-recorded');
    });

    it('refuses a return after the return window and an extension after the deadline (art. 26)', async () => {
      const id = await fresh();
      await step(id, 'dispatch', 'hotline', { leadUnitId: 'u1' });
      await step(id, 'sign', 'lead');
      h.clock.advance(3 * 24 * 3600_000);
      const late = await post(id, 'return', 'lead', { reason: '太晚了' });
      expect(late.status).toBe(409);
      expect(late.body.code).toBe('return-window-passed');
      h.clock.advance(30 * 24 * 3600_000);
      const ext = await post(id, 'extension', 'lead', { extra: 1, reason: '超期后申请' });
      expect(ext.status).toBe(409);
      expect(ext.body.code).toBe('deadline-passed');
    });
  });
});
