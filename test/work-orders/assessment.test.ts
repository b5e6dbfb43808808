import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { intakeBody, seedOrganisation, startHarness, type Harness } from './helpers.ts';
import { STORE_KINDS, storeFactory } from '../support/stores.ts';

// Runs on both stores (issue 12): the repositories must behave the same on SQLite and PostgreSQL.
describe.each(STORE_KINDS)('on %s', (kind) => {
  const stores = storeFactory(kind);

  describe('assessment figures and appeals (art. 30–33)', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(undefined, { databaseUrl: await stores.freshUrl() });
      await seedOrganisation(h);
    });
    afterAll(async () => h?.cleanup());

    it("counts a unit's on-time signing, completion, returns and satisfaction for the month", async () => {
      const agent = await h.as('agent');
      const u1 = await h.as('unit_handler', 'u1');
      const a = (
        await h.req('POST', '/work-orders', agent, intakeBody({ requesterPhone: '13300000001', content: '第一件' }))
      ).body.order.id;
      const b = (
        await h.req('POST', '/work-orders', agent, intakeBody({ requesterPhone: '13300000002', content: '第二件' }))
      ).body.order.id;
      for (const id of [a, b]) {
        expect((await h.req('POST', `/work-orders/${id}/dispatch`, agent, { leadUnitId: 'u1' })).status).toBe(200);
        expect((await h.req('POST', `/work-orders/${id}/sign`, u1, {})).status).toBe(200);
      }
      expect((await h.req('POST', `/work-orders/${a}/reply`, u1, { content: '已处理' })).status).toBe(200);
      expect((await h.req('POST', `/work-orders/${a}/close`, agent, {})).status).toBe(200);
      expect((await h.req('POST', `/work-orders/${a}/satisfaction`, agent, { replyText: '满意' })).status).toBe(200);
      expect((await h.req('POST', `/work-orders/${b}/return`, u1, { reason: '不属本单位' })).status).toBe(200);

      const f = await h.req('GET', '/assessment/figures?year=2026&month=1', await h.as('supervisor'));
      expect(f.status).toBe(200);
      const u = f.body.units.find((x: { unitId: string }) => x.unitId === 'u1');
      expect(u).toMatchObject({
        counted: 2,
        signedOnTime: 2,
        returned: 1,
        returnRate: 0.5,
        completedOnTime: 1,
        rated: 1,
        satisfied: 1,
        satisfactionRate: 1,
      });
      // A unit handler reads its own unit only.
      expect((await h.req('GET', '/assessment/figures?year=2026&month=1&unitId=u2', u1)).status).toBe(403);
      const own = await h.req('GET', '/assessment/figures?year=2026&month=1', u1);
      expect(own.body.units.map((x: { unitId: string }) => x.unitId)).toEqual(['u1']);
    });

    it('accepts appeals until 7 working days after the cycle and refuses them later', async () => {
      const u1 = await h.as('unit_handler', 'u1');
      // Cycle 2025 ended on 30 Nov 2025; on 5 Jan 2026 its appeal window is long closed.
      const late = await h.req('POST', '/assessment/appeals', u1, { cycleYear: 2025, reason: '数据有误' });
      expect(late.status).toBe(409);
      expect(late.body.code).toBe('appeal-window-closed');
      const ok = await h.req('POST', '/assessment/appeals', u1, {
        cycleYear: 2026,
        reason: '第一件工单系统故障导致超期',
      });
      expect(ok.status).toBe(201);
      expect(ok.body).toMatchObject({ unitId: 'u1', cycle: '2026', status: 'open' });
      const decided = await h.req('POST', `/assessment/appeals/${ok.body.id}/decision`, await h.as('supervisor'), {
        status: 'accepted',
        decision: '核实属实',
      });
      expect(decided.body.status).toBe('accepted');
      expect(
        (
          await h.req('POST', `/assessment/appeals/${ok.body.id}/decision`, await h.as('supervisor'), {
            status: 'rejected',
            decision: 'x',
          })
        ).status,
      ).toBe(409);
    });
  });
});
