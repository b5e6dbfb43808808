import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shanghaiInstant } from '../../src/domain/calendar/civil-date.ts';
import { intakeBody, seedOrganisation, startHarness, type Harness } from './helpers.ts';
import { STORE_KINDS, storeFactory } from '../support/stores.ts';

// Runs on both stores (issue 12): the repositories must behave the same on SQLite and PostgreSQL.
describe.each(STORE_KINDS)('on %s', (kind) => {
  const stores = storeFactory(kind);

  const MIN = 60_000;

  describe('supervision scanner and satisfaction timeout on a fake clock', () => {
    let h: Harness;
    beforeAll(async () => {
      // Monday 2026-01-05 09:00 Asia/Shanghai.
      h = await startHarness(shanghaiInstant('2026-01-05', 9, 0), { databaseUrl: await stores.freshUrl() });
      await seedOrganisation(h);
    });
    afterAll(async () => {
      h.module.scanner.stop();
      await h?.cleanup();
    });

    const notices = async (id: number) =>
      (await h.req('GET', `/supervision/orders/${id}/notices`, await h.as('supervisor'))).body.map(
        (n: { deadlineKind: string; level: string }) => `${n.deadlineKind}:${n.level}`,
      );

    it('escalates a working-day order: SMS warning the working day before, yellow card when overdue, red card 3 working days later', async () => {
      const agent = await h.as('agent');
      const id = (
        await h.req(
          'POST',
          '/work-orders',
          agent,
          intakeBody({ type: 'consultation', content: '咨询公积金提取条件', category: 'government.policy' }),
        )
      ).body.order.id;
      await h.req('POST', `/work-orders/${id}/dispatch`, agent, { leadUnitId: 'u1' });
      // Sign due end of Tue 01-06; completion (2 working days) due end of Wed 01-07.
      const scan = () => h.module.scanner.scanOnce();

      await scan();
      expect(await notices(id)).toEqual([]);

      h.clock.setTime(shanghaiInstant('2026-01-06', 0, 5));
      await scan();
      expect(await notices(id)).toEqual(['completion:sms-warning']);
      const sms = h.gateway.sent.filter((s) => s.to === '13900000001');
      expect(sms.at(-1)!.body).toContain('短信预警');

      h.clock.setTime(shanghaiInstant('2026-01-06', 12, 0));
      await scan();
      expect(await notices(id)).toEqual(['completion:sms-warning']); // nothing new: no repeated notices

      h.clock.setTime(shanghaiInstant('2026-01-07', 0, 5));
      await scan();
      expect(await notices(id)).toEqual(['completion:sms-warning', 'sign:yellow-card']);
      const tasks = await h.req(
        'GET',
        `/work-order-tasks?orderId=${id}&kind=explain-overdue`,
        await h.as('supervisor'),
      );
      expect(tasks.body).toEqual([expect.objectContaining({ unitId: 'u1', status: 'open' })]);

      h.clock.setTime(shanghaiInstant('2026-01-08', 0, 5));
      await scan();
      expect(await notices(id)).toEqual(['completion:sms-warning', 'sign:yellow-card', 'completion:yellow-card']);

      // Three working days after the sign deadline (Wed, Thu, Fri) → red card on Friday.
      h.clock.setTime(shanghaiInstant('2026-01-09', 0, 5));
      await scan();
      expect((await notices(id)).at(-1)).toBe('sign:red-card');
      expect(h.gateway.sent.filter((s) => s.to === '13900000001').at(-1)!.body).toContain('红牌督办');

      const overdue = await h.req('GET', '/supervision/overdue', await h.as('supervisor'));
      expect(overdue.body.map((o: { id: number }) => o.id)).toContain(id);

      // The overdue unit states its reason (art. 27(1)).
      const u1 = await h.as('unit_handler', 'u1');
      const explained = await h.req('POST', `/work-orders/${id}/overdue-explanation`, u1, { reason: '经办人病假' });
      expect(explained.status).toBe(200);
      expect(explained.body.assignments[0].overdueExplanations[0].reason).toBe('经办人病假');
    });

    it('the timer-driven scanner warns an emergency order at a quarter of its 30 minutes left and cards it on time', async () => {
      const agent = await h.as('agent');
      const id = (
        await h.req(
          'POST',
          '/work-orders',
          agent,
          intakeBody({
            emergency: true,
            type: 'help',
            requesterPhone: '13500000001',
            content: '燃气泄漏味道很重',
            category: 'safety',
          }),
        )
      ).body.order.id;
      const dispatchedAt = h.clock.now();
      await h.req('POST', `/work-orders/${id}/dispatch`, agent, { leadUnitId: 'u2' });
      h.module.scanner.start();
      const seen: { at: number; list: string[] }[] = [];
      for (let t = 0; t < 70; t++) {
        await h.clock.advanceAsync(MIN);
        await h.module.scanner.idle();
        const list = await notices(id);
        if (seen.length === 0 || list.length !== seen.at(-1)!.list.length)
          seen.push({ at: h.clock.now() - dispatchedAt, list });
      }
      h.module.scanner.stop();
      const firstAt = (label: string) => seen.find((s) => s.list.includes(label))?.at;
      // Warning when 7.5 of 30 minutes are left; yellow once the 30 minutes pass; red after 30 more (scanner every minute).
      expect(firstAt('sign:sms-warning')).toBeGreaterThanOrEqual(22.5 * MIN);
      expect(firstAt('sign:sms-warning')).toBeLessThanOrEqual(24 * MIN);
      expect(firstAt('sign:yellow-card')).toBeGreaterThan(30 * MIN);
      expect(firstAt('sign:yellow-card')).toBeLessThanOrEqual(32 * MIN);
      expect(firstAt('sign:red-card')).toBeGreaterThanOrEqual(60 * MIN);
      expect(firstAt('sign:red-card')).toBeLessThanOrEqual(62 * MIN);
    });

    it('no satisfaction reply within 24 hours counts as satisfied; a reply in time is kept', async () => {
      const agent = await h.as('agent');
      const silent = (
        await h.req(
          'POST',
          '/work-orders',
          agent,
          intakeBody({
            channel: 'website',
            callId: undefined,
            requesterPhone: '13500000002',
            content: '问题一',
            category: 'other',
          }),
        )
      ).body.order.id;
      const answering = (
        await h.req(
          'POST',
          '/work-orders',
          agent,
          intakeBody({
            channel: 'website',
            callId: undefined,
            requesterPhone: '13500000003',
            content: '问题二',
            category: 'other',
          }),
        )
      ).body.order.id;
      await h.req('POST', `/work-orders/${silent}/answer-directly`, agent, { answer: '答复一' });
      await h.req('POST', `/work-orders/${answering}/answer-directly`, agent, { answer: '答复二' });
      h.clock.advance(23 * 3600_000);
      await h.module.scanner.scanOnce();
      const sup = await h.as('supervisor');
      expect((await h.req('GET', `/work-orders/${silent}`, sup)).body.satisfaction.result).toBeUndefined();
      expect(
        (await h.req('POST', `/work-orders/${answering}/satisfaction`, await h.as('agent'), { replyText: '基本满意' }))
          .status,
      ).toBe(200);
      h.clock.advance(1 * 3600_000 + 1);
      const r = await h.module.scanner.scanOnce();
      expect(r.satisfactionTimeouts).toBe(1);
      const sup2 = await h.as('supervisor');
      const s = (await h.req('GET', `/work-orders/${silent}`, sup2)).body.satisfaction;
      expect(s).toMatchObject({ result: 'satisfied', byDefault: true });
      expect((await h.req('GET', `/work-orders/${answering}`, sup2)).body.satisfaction).toMatchObject({
        result: 'basically-satisfied',
        byDefault: false,
      });
      const audit = await h.req('GET', `/work-orders/${silent}/audit`, sup2);
      expect(audit.body.at(-1)).toMatchObject({ action: 'satisfaction-timeout', actorRole: 'system' });
      expect((await h.module.scanner.scanOnce()).satisfactionTimeouts).toBe(0);
    });
  });
});
