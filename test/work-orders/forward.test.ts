import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { intakeBody, seedCall, seedOrganisation, startHarness, type Harness } from './helpers.ts';
import { STORE_KINDS, storeFactory } from '../support/stores.ts';

// Runs on both stores (issue 12): the repositories must behave the same on SQLite and PostgreSQL.
describe.each(STORE_KINDS)('on %s', (kind) => {
  const stores = storeFactory(kind);

  /** Art. 8: a county workstation forwards a signed order to a unit below it; the clock carries over. */
  describe('forwarding by a county workstation over HTTP', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(undefined, { databaseUrl: await stores.freshUrl() });
      await seedOrganisation(h);
      const admin = await h.as('admin');
      for (const u of [
        { id: 'ws-town', kind: 'handling_unit', name: '青秀区南湖街道办', parentId: 'nn-ws-1' },
        { id: 'ws-town-office', kind: 'handling_unit', name: '南湖街道城管办', parentId: 'ws-town' },
        { id: 'nn-ws-2', kind: 'county_workstation', name: '兴宁区工作站', parentId: 'nn' },
        { id: 'ws2-town', kind: 'handling_unit', name: '兴宁区朝阳街道办', parentId: 'nn-ws-2' },
      ]) {
        const r = await h.req('POST', '/organisation/units', admin, u);
        if (r.status !== 201) throw new Error(`seed ${u.id}: ${r.status} ${JSON.stringify(r.body)}`);
      }
    });
    afterAll(async () => h?.cleanup());

    let caller = 0;
    async function signedAt(unitId: string): Promise<number> {
      const agent = await h.as('agent');
      // A caller of their own per order: the requester's number comes from the call (issue 9), and two similar
      // demands from one number would be taken as a repeat and merged.
      caller += 1;
      const taken = await h.req(
        'POST',
        '/work-orders',
        agent,
        intakeBody({
          content: `转派测试 ${unitId} ${caller}`,
          requesterPhone: undefined,
          callId: seedCall(h, `call-${unitId}-${caller}`, `1370000${String(caller).padStart(4, '0')}`),
        }),
      );
      expect(taken.status).toBe(201);
      const id = taken.body.order.id as number;
      expect((await h.req('POST', `/work-orders/${id}/dispatch`, agent, { leadUnitId: unitId })).status).toBe(200);
      const signed = await h.req('POST', `/work-orders/${id}/sign`, await h.as('unit_handler', unitId), {});
      expect(signed.status).toBe(200);
      return id;
    }

    it('forwards to a unit below the workstation; the target signs and replies, the deadline is unchanged, the workstation keeps read access', async () => {
      const id = await signedAt('nn-ws-1');
      const ws = await h.as('unit_handler', 'nn-ws-1');
      const target = await h.as('unit_handler', 'ws-town-office');
      const before = await h.req('GET', `/work-orders/${id}`, ws);
      const due = before.body.assignments[0].completionDue;
      expect(due).toBeTruthy();

      // Before the forward the target unit cannot see the order.
      expect((await h.req('GET', `/work-orders/${id}`, target)).status).toBe(403);

      h.clock.advance(30 * 60_000);
      const fwd = await h.req('POST', `/work-orders/${id}/forward`, ws, {
        unitId: 'ws-town-office',
        reason: '属街道城管办职责',
      });
      expect(fwd.status).toBe(200);
      expect(fwd.body.status).toBe('dispatched');
      expect(fwd.body.assignments).toHaveLength(2);
      expect(fwd.body.assignments[1]).toMatchObject({ leadUnitId: 'ws-town-office', forwardedFrom: 'nn-ws-1' });
      expect(fwd.body.assignments[1].completionDue).toEqual(due);
      expect(fwd.body.assignments[0].forwarded).toMatchObject({ toUnitId: 'ws-town-office', note: '属街道城管办职责' });

      // The target unit sees it in its list and works it; the clock did not restart.
      const listed = await h.req('GET', '/work-orders', target);
      expect(listed.status).toBe(200);
      expect(listed.body.map((o: { id: number }) => o.id)).toContain(id);
      h.clock.advance(10 * 60_000);
      const signed = await h.req('POST', `/work-orders/${id}/sign`, target, {});
      expect(signed.status).toBe(200);
      expect(signed.body.status).toBe('signed');
      expect(signed.body.assignments[1].completionDue).toEqual(due);
      const replied = await h.req('POST', `/work-orders/${id}/reply`, target, { content: '已现场处理' });
      expect(replied.status).toBe(200);
      expect(replied.body.status).toBe('replied');

      // The workstation still reads the order and its list shows it, but can no longer act as lead.
      const read = await h.req('GET', `/work-orders/${id}`, ws);
      expect(read.status).toBe(200);
      expect(read.body.status).toBe('replied');
      expect((await h.req('GET', '/work-orders', ws)).body.map((o: { id: number }) => o.id)).toContain(id);
      const lateAct = await h.req('POST', `/work-orders/${id}/overdue-explanation`, ws, { reason: 'x' });
      expect(lateAct.status).toBe(409);

      // A unit elsewhere still cannot see it.
      expect((await h.req('GET', `/work-orders/${id}`, await h.as('unit_handler', 'u2'))).status).toBe(403);

      // Audit row for the forward, with actor and reason.
      const audit = await h.req('GET', `/work-orders/${id}/audit`, await h.as('supervisor'));
      const row = audit.body.find((a: { action: string }) => a.action === 'forward');
      expect(row).toBeTruthy();
      expect(row.reason).toBe('属街道城管办职责');
      expect(row.data).toMatchObject({ fromUnitId: 'nn-ws-1', toUnitId: 'ws-town-office', unitId: 'nn-ws-1' });
    });

    it('refuses a forward to a unit outside the workstation subtree, naming why', async () => {
      const id = await signedAt('nn-ws-1');
      const ws = await h.as('unit_handler', 'nn-ws-1');
      for (const unitId of ['u1', 'ws2-town', 'nn-ws-2']) {
        const r = await h.req('POST', `/work-orders/${id}/forward`, ws, { unitId, reason: '转派' });
        expect(r.status).toBe(409);
        expect(r.body.code).toBe('forward-not-allowed');
        expect(r.body.message).toContain(`unit ${unitId} is not below the workstation nn-ws-1`);
      }
      const unknown = await h.req('POST', `/work-orders/${id}/forward`, ws, { unitId: 'nope', reason: '转派' });
      expect(unknown.status).toBe(400);
      expect(unknown.body.message).toContain('body.unitId');
      const missing = await h.req('POST', `/work-orders/${id}/forward`, ws, { unitId: 'ws-town' });
      expect(missing.status).toBe(400);
      expect(missing.body.message).toContain('reason');
      const o = await h.req('GET', `/work-orders/${id}`, ws);
      expect(o.body.status).toBe('signed');
      expect(o.body.assignments).toHaveLength(1);
    });

    it('refuses a forward by a unit that is not a county workstation', async () => {
      const id = await signedAt('u1');
      const r = await h.req('POST', `/work-orders/${id}/forward`, await h.as('unit_handler', 'u1'), {
        unitId: 'ws-town',
        reason: '转派',
      });
      expect(r.status).toBe(409);
      expect(r.body.code).toBe('forward-not-allowed');
      expect(r.body.message).toContain('only a county workstation forwards');
      expect(r.body.message).toContain('handling_unit');
    });

    it('refuses a forward by anyone but the lead unit handler, and before signing', async () => {
      const id = await signedAt('nn-ws-1');
      const agentTry = await h.req('POST', `/work-orders/${id}/forward`, await h.as('agent'), {
        unitId: 'ws-town',
        reason: '转派',
      });
      expect(agentTry.status).toBe(403);
      const otherUnit = await h.req('POST', `/work-orders/${id}/forward`, await h.as('unit_handler', 'ws-town'), {
        unitId: 'ws-town-office',
        reason: '转派',
      });
      expect(otherUnit.status).toBe(403);

      const agent = await h.as('agent');
      const taken = await h.req(
        'POST',
        '/work-orders',
        agent,
        intakeBody({ content: '未签收转派', requesterPhone: undefined, callId: seedCall(h, 'call-unsigned') }),
      );
      const id2 = taken.body.order.id as number;
      await h.req('POST', `/work-orders/${id2}/dispatch`, agent, { leadUnitId: 'nn-ws-1' });
      const early = await h.req('POST', `/work-orders/${id2}/forward`, await h.as('unit_handler', 'nn-ws-1'), {
        unitId: 'ws-town',
        reason: '转派',
      });
      expect(early.status).toBe(409);
      expect(early.body.message).toContain('not allowed when the order is dispatched');
    });
  });
});
