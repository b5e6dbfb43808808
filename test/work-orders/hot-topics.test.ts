import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { areaOf } from '../../src/work-orders/hot-topics.ts';
import { seedOrganisation, startHarness, type Harness } from './helpers.ts';
import { STORE_KINDS, storeFactory } from '../support/stores.ts';

// Runs on both stores (issue 12): the repositories must behave the same on SQLite and PostgreSQL.
describe.each(STORE_KINDS)('on %s', (kind) => {
  const stores = storeFactory(kind);

  /** Art. 17: hot topics — intakes per category or area over a period of Asia/Shanghai days. */
  describe('GET /statistics/hot-topics', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(Date.UTC(2026, 0, 5, 1, 0, 0), { databaseUrl: await stores.freshUrl() }); // Monday 2026-01-05 09:00 Shanghai
      await seedOrganisation(h);
    });
    afterAll(async () => h?.cleanup());

    const take = async (category: string, location: string | undefined, content: string) => {
      const r = await h.req('POST', '/work-orders', await h.as('agent'), {
        channel: 'website',
        type: 'complaint',
        content,
        category,
        ...(location ? { location } : {}),
      });
      expect(r.status).toBe(201);
    };

    it('counts intakes per category and per area inside the period, largest first, with the boundaries in Shanghai time', async () => {
      await take('environment.noise', '青秀区民族大道100号', '夜间施工噪音 A');
      await take('environment.noise', '广西壮族自治区南宁市青秀区金湖路8号', '广场舞噪音 B');
      await take('environment.noise', '兴宁区朝阳路1号', '酒吧噪音 C');
      await take('utilities.water-outage', undefined, '小区停水 D');
      // 2026-01-06 23:59 Shanghai: still inside a period ending 2026-01-06.
      h.clock.advance(Date.UTC(2026, 0, 6, 15, 59, 0) - h.clock.now());
      await take('traffic.congestion', '南宁市', '路口拥堵 E');
      // 2026-01-07 00:00 Shanghai: outside it.
      h.clock.advance(60_000);
      await take('traffic.congestion', '兴宁区朝阳路2号', '路口拥堵 F');

      const auditor = await h.as('auditor');
      const byCategory = await h.req(
        'GET',
        '/statistics/hot-topics?from=2026-01-05&to=2026-01-06&groupBy=category',
        auditor,
      );
      expect(byCategory.status).toBe(200);
      expect(byCategory.body).toEqual({
        from: '2026-01-05',
        to: '2026-01-06',
        groupBy: 'category',
        total: 5,
        topics: [
          { key: 'environment.noise', name: '噪声扰民', count: 3, share: 0.6 },
          { key: 'traffic.congestion', name: '交通拥堵', count: 1, share: 0.2 },
          { key: 'utilities.water-outage', name: '停水', count: 1, share: 0.2 },
        ],
      });

      const byArea = await h.req(
        'GET',
        '/statistics/hot-topics?from=2026-01-05&to=2026-01-07&groupBy=area&limit=2',
        await h.as('supervisor'),
      );
      expect(byArea.status).toBe(200);
      expect(byArea.body.total).toBe(6);
      expect(byArea.body.topics).toEqual([
        // Orders without an area code are read from their location; a name the area tree knows counts under its code.
        { key: '450102', name: '兴宁区', count: 2, share: 0.3333 },
        { key: '450103', name: '青秀区', count: 2, share: 0.3333 },
      ]);

      const later = await h.req(
        'GET',
        '/statistics/hot-topics?from=2026-01-07&to=2026-01-07&groupBy=category',
        auditor,
      );
      expect(later.body.total).toBe(1);
      expect(later.body.topics).toEqual([{ key: 'traffic.congestion', name: '交通拥堵', count: 1, share: 1 }]);
    });

    it('given orders with an area code, when grouped by area, then the code counts and the location text is not parsed (issue 9)', async () => {
      h.clock.advance(Date.UTC(2026, 1, 2, 2, 0, 0) - h.clock.now());
      const agent = await h.as('agent');
      const take = (area: string | undefined, location: string, content: string) =>
        h.req('POST', '/work-orders', agent, {
          channel: 'website',
          type: 'complaint',
          content,
          category: 'environment.noise',
          location,
          ...(area ? { area } : {}),
        });
      // The location names 兴宁区, but the agent picked 青秀区 from the tree: the pick counts.
      expect((await take('450103', '兴宁区朝阳路3号', '装修噪音 G')).status).toBe(201);
      expect((await take('450103', '民族大道5号', '装修噪音 H')).status).toBe(201);
      expect((await take('450100', '不知道哪条路', '噪音 I')).status).toBe(201);
      const unknown = await take('999999', '某地', '噪音 J');
      expect(unknown.status).toBe(400);
      expect(unknown.body.code).toBe('unknown-area');
      const byArea = await h.req(
        'GET',
        '/statistics/hot-topics?from=2026-02-02&to=2026-02-02&groupBy=area',
        await h.as('supervisor'),
      );
      expect(byArea.body.total).toBe(3);
      expect(byArea.body.topics).toEqual([
        { key: '450103', name: '青秀区', count: 2, share: 0.6667 },
        { key: '450100', name: '南宁市', count: 1, share: 0.3333 },
      ]);
      const tree = await h.req('GET', '/work-orders/areas', agent);
      expect(tree.status).toBe(200);
      expect(tree.body[0]).toMatchObject({ code: '450000', name: '广西壮族自治区' });
      expect(tree.body[0].children[0].children.map((c: { name: string }) => c.name)).toContain('青秀区');
    });

    it('is for supervisors and auditors, and refuses a bad period naming the field', async () => {
      expect(
        (
          await h.req(
            'GET',
            '/statistics/hot-topics?from=2026-01-05&to=2026-01-06&groupBy=category',
            await h.as('agent'),
          )
        ).status,
      ).toBe(403);
      expect(
        (
          await h.req(
            'GET',
            '/statistics/hot-topics?from=2026-01-05&to=2026-01-06&groupBy=category',
            await h.as('unit_handler', 'u1'),
          )
        ).status,
      ).toBe(403);
      const reversed = await h.req(
        'GET',
        '/statistics/hot-topics?from=2026-01-06&to=2026-01-05&groupBy=area',
        await h.as('auditor'),
      );
      expect(reversed.status).toBe(400);
      expect(reversed.body.message).toContain('querystring.to');
      const badDate = await h.req(
        'GET',
        '/statistics/hot-topics?from=2026-02-30&to=2026-03-01&groupBy=area',
        await h.as('auditor'),
      );
      expect(badDate.status).toBe(400);
      expect(badDate.body.message).toContain('querystring.from');
      const noGroup = await h.req('GET', '/statistics/hot-topics?from=2026-01-05&to=2026-01-06', await h.as('auditor'));
      expect(noGroup.status).toBe(400);
      expect(noGroup.body.message).toContain('groupBy');
    });

    it('reads the area from the leading place names of a location', () => {
      expect(areaOf('广西壮族自治区南宁市青秀区民族大道100号')).toBe('青秀区');
      expect(areaOf('南宁市')).toBe('南宁市');
      expect(areaOf('武鸣区灵源路')).toBe('武鸣区');
      expect(areaOf('民族大道100号')).toBe('(unknown)');
      expect(areaOf(null)).toBe('(unknown)');
    });
  });
});
