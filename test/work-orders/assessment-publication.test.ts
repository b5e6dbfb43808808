import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS, storeFactory } from '../support/stores.ts';
import { intakeBody, seedOrganisation, startHarness, type Harness } from './helpers.ts';

const WEIGHTS = {
  signOnTime: 10,
  completionOnTime: 20,
  returnRate: 20,
  extensionRate: 5,
  satisfaction: 20,
  knowledgeUpkeep: 10,
  materialReview: 5,
  ledgers: 5,
  testCalls: 5,
};

// Runs on both stores (issue 12): the publications are frozen by the database itself on either.
describe.each(STORE_KINDS)(
  'on %s: monthly publication of the 100-point assessment (issue 13 item 3, art. 30–33)',
  (kind) => {
    const stores = storeFactory(kind);
    let h: Harness;
    let databaseUrl: string | undefined;
    let returnedOrder: number;
    beforeAll(async () => {
      databaseUrl = await stores.freshUrl();
      h = await startHarness(undefined, { databaseUrl });
      await seedOrganisation(h);
    }, 60_000);
    /** Edits every publication behind the application's back, in the store the server uses. */
    const editPublications = async (): Promise<void> => {
      const sql = "update assessment_publications set results = '[]'";
      if (!databaseUrl) {
        h.server.store.sqlite.prepare(sql).run();
        return;
      }
      const c = new pg.Client({ connectionString: databaseUrl });
      await c.connect();
      try {
        await c.query(sql);
      } finally {
        await c.end();
      }
    };
    afterAll(async () => h?.cleanup());

    it('freezes January at publication, then an accepted appeal republishes it as version 2 with a note', {
      timeout: 60_000,
    }, async () => {
      const agent = await h.as('agent');
      const sup = await h.as('supervisor');
      const u1 = await h.as('unit_handler', 'u1');
      const u2 = await h.as('unit_handler', 'u2');
      // Given the bureau's weights for cycle 2026.
      expect((await h.req('PUT', '/assessment/weights/2026', sup, WEIGHTS)).status).toBe(200);
      // And in January: u1 answers one order on time and returns another; u2 answers one on time.
      const make = async (phone: string, content: string) =>
        (await h.req('POST', '/work-orders', agent, intakeBody({ requesterPhone: phone, content }))).body.order
          .id as number;
      const a = await make('13300000001', '路灯损坏多日无人维修');
      returnedOrder = await make('13300000002', '小区垃圾清运不及时');
      const c = await make('13300000003', '公交站台广告牌松动');
      for (const [id, unit, who] of [
        [a, 'u1', u1],
        [returnedOrder, 'u1', u1],
        [c, 'u2', u2],
      ] as const) {
        expect((await h.req('POST', `/work-orders/${id}/dispatch`, agent, { leadUnitId: unit })).status).toBe(200);
        expect((await h.req('POST', `/work-orders/${id}/sign`, who, {})).status).toBe(200);
      }
      expect((await h.req('POST', `/work-orders/${a}/reply`, u1, { content: '已修复' })).status).toBe(200);
      expect(
        (await h.req('POST', `/work-orders/${returnedOrder}/return`, u1, { reason: '不属本单位职责' })).status,
      ).toBe(200);
      expect((await h.req('POST', `/work-orders/${c}/reply`, u2, { content: '已加固' })).status).toBe(200);
      // And a supervisor's manual score with its evidence.
      const manual = await h.req('PUT', '/assessment/manual-scores', sup, {
        month: '2026-01',
        unitId: 'u2',
        item: 'testCalls',
        points: 2,
        evidence: '1月12日人工拨测两次未接通',
      });
      expect(manual.status).toBe(200);
      const tooMany = await h.req('PUT', '/assessment/manual-scores', sup, {
        month: '2026-01',
        unitId: 'u2',
        item: 'ledgers',
        points: 6,
        evidence: 'x',
      });
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.message).toContain('body.points');

      // When January is not over yet, it cannot be published.
      const early = await h.req('POST', '/assessment/publications', sup, { month: '2026-01' });
      expect(early.status).toBe(409);
      expect(early.body.code).toBe('month-not-over');

      // When February has begun and the supervisor publishes January.
      h.clock.setTime(Date.UTC(2026, 1, 2, 2, 0));
      const pub = await h.req('POST', '/assessment/publications', await h.as('supervisor'), { month: '2026-01' });
      expect(pub.status).toBe(201);
      expect(pub.body).toMatchObject({ month: '2026-01', cycle: 2026, version: 1, weights: WEIGHTS });
      const v1 = pub.body.results as { unitId: string; rank: number; total: number; items: Record<string, number> }[];
      const v1u1 = v1.find((r) => r.unitId === 'u1')!;
      const v1u2 = v1.find((r) => r.unitId === 'u2')!;
      // u1: one of two returned → half the return-rate points; u2 loses 3 manual points.
      expect(v1u1.items.returnRate).toBe(10);
      expect(v1u1.total).toBe(90);
      expect(v1u2.total).toBe(97);
      expect(v1.map((r) => [r.unitId, r.rank])).toEqual([
        ['u2', 1],
        ['u1', 2],
      ]);
      expect(pub.body.inputs.contributions).toHaveLength(3);
      expect(pub.body.inputs.manual[0]).toMatchObject({ unitId: 'u2', evidence: '1月12日人工拨测两次未接通' });
      // A second publication of the same month is refused: corrections go through appeals.
      const again = await h.req('POST', '/assessment/publications', await h.as('supervisor'), { month: '2026-01' });
      expect(again.body.code).toBe('already-published');

      // Then later changes do not move the published month: a new manual entry for u1 …
      await h.req('PUT', '/assessment/manual-scores', await h.as('supervisor'), {
        month: '2026-01',
        unitId: 'u1',
        item: 'ledgers',
        points: 0,
        evidence: '台账缺失',
      });
      const still = await h.req('GET', '/assessment/publications/2026-01', await h.as('auditor'));
      expect(still.body.version).toBe(1);
      expect(still.body.results).toEqual(pub.body.results);
      // … and the store itself refuses to edit a publication.
      await expect(editPublications()).rejects.toThrow(/append-only/);

      // When u1 appeals the returned order and the supervisor accepts the appeal.
      const appeal = await h.req('POST', '/assessment/appeals', await h.as('unit_handler', 'u1'), {
        cycleYear: 2026,
        orderId: returnedOrder,
        reason: '该工单系派单错误，已由热线确认',
      });
      expect(appeal.status).toBe(201);
      const accepted = await h.req('POST', `/assessment/appeals/${appeal.body.id}/decision`, await h.as('supervisor'), {
        status: 'accepted',
        decision: '核实派单错误，不计入',
      });
      expect(accepted.status).toBe(200);
      expect(accepted.body.republished).toEqual([{ month: '2026-01', version: 2 }]);

      // Then January is recomputed from its frozen inputs without that order and republished with a note.
      const v2 = await h.req('GET', '/assessment/publications/2026-01', await h.as('auditor'));
      expect(v2.body.version).toBe(2);
      expect(v2.body.note).toContain(`申诉 #${appeal.body.id}`);
      expect(v2.body.note).toContain('核实派单错误，不计入');
      expect(v2.body.inputs.excluded).toEqual([{ orderId: returnedOrder, unitId: 'u1', appealId: appeal.body.id }]);
      const u1v2 = v2.body.results.find((r: { unitId: string }) => r.unitId === 'u1');
      expect(u1v2.items.returnRate).toBe(20);
      // The ledgers entry made after publication is not taken in: only the appeal's correction changes the month.
      expect(u1v2.items.ledgers).toBe(5);
      expect(u1v2.total).toBe(100);
      expect(v2.body.results.map((r: { unitId: string; rank: number }) => [r.unitId, r.rank])).toEqual([
        ['u1', 1],
        ['u2', 2],
      ]);
      // And version 1 stays readable as it was.
      const old = await h.req('GET', '/assessment/publications/2026-01?version=1', await h.as('auditor'));
      expect(old.body.results).toEqual(pub.body.results);
      // The cycle's list shows the newest version with its history.
      const list = await h.req('GET', '/assessment/publications?cycle=2026', await h.as('unit_handler', 'u2'));
      expect(list.body.months[0]).toMatchObject({ month: '2026-01', version: 2 });
      expect(list.body.months[0].history.map((x: { version: number }) => x.version)).toEqual([1, 2]);
    });

    it('prints the bulletin in Chinese with the correction note, and a unit handler sees only its own inputs', async () => {
      const res = await h.server.app.inject({
        method: 'GET',
        url: '/assessment/publications/2026-01/bulletin',
        headers: await h.as('supervisor'),
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
      expect(res.body).toContain('成员单位考核月度通报（2026年1月）');
      expect(res.body).toContain('市城管局');
      expect(res.body).toContain('更正说明');
      expect(res.body).toContain('第2版');
      const own = await h.req('GET', '/assessment/publications/2026-01', await h.as('unit_handler', 'u2'));
      expect(new Set(own.body.inputs.contributions.map((c: { unitId: string }) => c.unitId))).toEqual(new Set(['u2']));
      expect(own.body.results).toHaveLength(2);
    });

    it('refuses weights that do not add up to 100 and unknown months, naming the field', async () => {
      const sup = await h.as('supervisor');
      const bad = await h.req('PUT', '/assessment/weights/2027', sup, { ...WEIGHTS, satisfaction: 30 });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toContain('add up to 110');
      const missing = await h.req('PUT', '/assessment/weights/2027', sup, { signOnTime: 100 });
      expect(missing.status).toBe(400);
      expect((await h.req('GET', '/assessment/weights/2027', sup)).body).toMatchObject({ configured: false });
      expect((await h.req('POST', '/assessment/publications', sup, { month: '2026-13' })).status).toBe(400);
      const none = await h.req('GET', '/assessment/publications/2025-06', sup);
      expect(none.status).toBe(404);
      expect(none.body.code).toBe('not-published');
      expect(
        (await h.req('POST', '/assessment/publications', await h.as('unit_handler', 'u1'), { month: '2026-01' }))
          .status,
      ).toBe(403);
    });
  },
);
