import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedOrganisation, startHarness, type Harness } from './helpers.ts';
import { STORE_KINDS, storeFactory } from '../support/stores.ts';

// Runs on both stores (issue 12): the repositories must behave the same on SQLite and PostgreSQL.
describe.each(STORE_KINDS)('on %s', (kind) => {
  const stores = storeFactory(kind);

  describe('knowledge base (art. 29)', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(undefined, { databaseUrl: await stores.freshUrl() });
      await seedOrganisation(h);
    });
    afterAll(async () => h?.cleanup());

    const titles = (r: { body: { title: string }[] }) => r.body.map((e) => e.title);

    it('finds Chinese text with the trigram index, and short terms by substring', async () => {
      const u1 = await h.as('unit_handler', 'u1');
      const entries = [
        {
          title: '居住证办理流程',
          body: '办理居住证需要携带身份证原件、租房合同或房产证明，到社区警务室申请，十五个工作日内领取。',
        },
        { title: '夜间施工噪音投诉', body: '晚上十点后至次日六点禁止产生噪音的建筑施工，可向城管部门投诉。' },
        { title: '占道经营处理规定', body: '流动摊贩占用人行道经营的，由城管执法人员劝离并依法处理。' },
      ];
      for (const e of entries) expect((await h.req('POST', '/knowledge/entries', u1, e)).status).toBe(201);
      const agent = await h.as('agent');
      expect(titles(await h.req('GET', `/knowledge/search?q=${encodeURIComponent('居住证')}`, agent))).toEqual([
        '居住证办理流程',
      ]);
      expect(titles(await h.req('GET', `/knowledge/search?q=${encodeURIComponent('租房合同')}`, agent))).toEqual([
        '居住证办理流程',
      ]);
      expect(titles(await h.req('GET', `/knowledge/search?q=${encodeURIComponent('建筑施工')}`, agent))).toEqual([
        '夜间施工噪音投诉',
      ]);
      // Two-character words are below the trigram length; they are matched by substring.
      expect(titles(await h.req('GET', `/knowledge/search?q=${encodeURIComponent('噪音')}`, agent))).toEqual([
        '夜间施工噪音投诉',
      ]);
      expect(titles(await h.req('GET', `/knowledge/search?q=${encodeURIComponent('城管 摊贩')}`, agent))).toEqual([
        '占道经营处理规定',
      ]);
      expect((await h.req('GET', `/knowledge/search?q=${encodeURIComponent('养老保险')}`, agent)).body).toEqual([]);
      // FTS5 syntax in the query is taken as text, not as an operator.
      expect((await h.req('GET', `/knowledge/search?q=${encodeURIComponent('"居住证" OR NEAR(')}`, agent)).status).toBe(
        200,
      );
    });

    it('versions entries: a revision replaces the searchable text; old versions are kept', async () => {
      const u1 = await h.as('unit_handler', 'u1');
      const created = await h.req('POST', '/knowledge/entries', u1, {
        title: '停车收费标准',
        body: '路边停车每小时三元。',
      });
      const key = created.body.entryKey;
      const revised = await h.req('PUT', `/knowledge/entries/${key}`, u1, {
        title: '停车收费标准',
        body: '路边停车每小时五元，夜间免费。',
      });
      expect(revised.status).toBe(200);
      expect(revised.body.version).toBe(2);
      const agent = await h.as('agent');
      expect(titles(await h.req('GET', `/knowledge/search?q=${encodeURIComponent('每小时五元')}`, agent))).toEqual([
        '停车收费标准',
      ]);
      expect((await h.req('GET', `/knowledge/search?q=${encodeURIComponent('每小时三元')}`, agent)).body).toEqual([]);
      const versions = await h.req('GET', `/knowledge/entries/${key}/versions`, agent);
      expect(versions.body.map((v: { version: number; current: boolean }) => [v.version, v.current])).toEqual([
        [1, false],
        [2, true],
      ]);
      // Only the owning unit revises its entries.
      const other = await h.req('PUT', `/knowledge/entries/${key}`, await h.as('unit_handler', 'u2'), {
        title: '改',
        body: '改',
      });
      expect(other.status).toBe(403);
      const forOther = await h.req('POST', '/knowledge/entries', u1, { unitId: 'u2', title: '代写', body: '代写' });
      expect(forOther.status).toBe(403);
    });

    it('honours validity dates', async () => {
      const u1 = await h.as('unit_handler', 'u1');
      await h.req('POST', '/knowledge/entries', u1, {
        title: '旧版暂住证政策',
        body: '暂住证政策已经废止的旧规定',
        validFrom: '2020-01-01',
        validTo: '2025-12-31',
      });
      await h.req('POST', '/knowledge/entries', u1, {
        title: '未来的暂住证政策',
        body: '暂住证政策明年施行的新规定',
        validFrom: '2027-01-01',
      });
      const agent = await h.as('agent');
      expect((await h.req('GET', `/knowledge/search?q=${encodeURIComponent('暂住证政策')}`, agent)).body).toEqual([]);
      const all = await h.req(
        'GET',
        `/knowledge/search?q=${encodeURIComponent('暂住证政策')}&includeExpired=true`,
        agent,
      );
      expect(titles(all).sort()).toEqual(['旧版暂住证政策', '未来的暂住证政策'].sort());
      const bad = await h.req('POST', '/knowledge/entries', u1, {
        title: 't',
        body: 'b',
        validFrom: '2026-02-01',
        validTo: '2026-01-01',
      });
      expect(bad.status).toBe(400);
      expect(bad.body.message).toContain('validTo');
    });

    it('puts a question to a unit with a 3-working-day clock and lets only that unit answer', async () => {
      const agent = await h.as('agent');
      // Asked Monday 2026-01-05: due at the end of Thursday 2026-01-08 (Shanghai).
      const q = await h.req('POST', '/knowledge/questions', agent, {
        unitId: 'u1',
        question: '外地车辆限行时段是什么？',
      });
      expect(q.status).toBe(201);
      expect(new Date(q.body.dueAt).toISOString()).toBe('2026-01-08T15:59:59.999Z');
      expect(
        (
          await h.req('POST', `/knowledge/questions/${q.body.id}/answer`, await h.as('unit_handler', 'u2'), {
            answer: 'x',
          })
        ).status,
      ).toBe(403);
      h.clock.advance(4 * 24 * 3600_000);
      const overdue = await h.req('GET', '/knowledge/questions?overdue=true', await h.as('supervisor'));
      expect(overdue.body.map((x: { id: number }) => x.id)).toContain(q.body.id);
      const a = await h.req('POST', `/knowledge/questions/${q.body.id}/answer`, await h.as('unit_handler', 'u1'), {
        answer: '工作日7-9点、17-19点',
      });
      expect(a.status).toBe(200);
      expect(a.body.answer).toBe('工作日7-9点、17-19点');
      expect(
        (
          await h.req('POST', `/knowledge/questions/${q.body.id}/answer`, await h.as('unit_handler', 'u1'), {
            answer: 'again',
          })
        ).status,
      ).toBe(409);
    });
  });
});
