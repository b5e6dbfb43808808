import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallsRepo } from '../../src/store/calls-repo.ts';
import { intakeBody, seedOrganisation, startHarness, type Harness } from '../work-orders/helpers.ts';

const S = 1000;
// The harness starts at 5 Jan 2026 09:00 Asia/Shanghai.
const DAY = Date.UTC(2026, 0, 4, 16, 0);

describe('call and order reports over HTTP (issue 13 item 4)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await seedOrganisation(h);
    const repo = new CallsRepo(h.server.store.db);
    // Given two answered calls at 08:00 (one within 20 s) and an abandoned one at 08:30, all on 5 Jan.
    const q = DAY + 8 * 3_600_000;
    const base = { status: 'ended' as const, phase: 'ended', skill: 'mandarin' };
    repo.insertCall({
      ...base,
      id: 'r1',
      callerChannelId: 'c-r1',
      callerNumber: '13800000001',
      arrivedAt: q - 10 * S,
      ivrExitAt: q,
      queuedAt: q,
      answeredAt: q + 5 * S,
      answerMs: 5 * S,
      endedAt: q + 125 * S,
      outcome: 'answered',
      agentId: 'li.na',
    });
    repo.insertCall({
      ...base,
      id: 'r2',
      callerChannelId: 'c-r2',
      callerNumber: '13800000002',
      arrivedAt: q + 50 * S,
      ivrExitAt: q + 60 * S,
      queuedAt: q + 60 * S,
      answeredAt: q + 90 * S,
      answerMs: 30 * S,
      endedAt: q + 150 * S,
      outcome: 'answered',
      agentId: 'zhang.wei',
    });
    repo.insertCall({
      ...base,
      id: 'r3',
      callerChannelId: 'c-r3',
      callerNumber: '13800000003',
      arrivedAt: q + 1790 * S,
      ivrExitAt: q + 1800 * S,
      queuedAt: q + 1800 * S,
      endedAt: q + 1830 * S,
      outcome: 'abandoned',
    });
    // And two orders: a phone complaint in 青秀区 and a website consultation with no location.
    const agent = await h.as('agent');
    expect(
      (await h.req('POST', '/work-orders', agent, intakeBody({ location: '南宁市青秀区民族大道100号' }))).status,
    ).toBe(201);
    expect(
      (
        await h.req('POST', '/work-orders', agent, {
          ...intakeBody({ requesterPhone: '13300000009', content: '咨询社保卡补办需要哪些材料' }),
          channel: 'website',
          callId: undefined,
          location: undefined,
          type: 'consultation',
        })
      ).status,
    ).toBe(201);
  });
  afterAll(async () => h?.cleanup());

  it('gives the day call report with per-hour and per-agent rows', async () => {
    const r = await h.req('GET', '/reports/calls?day=2026-01-05', await h.as('supervisor'));
    expect(r.status).toBe(200);
    expect(r.body.total).toMatchObject({
      offered: 3,
      answered: 2,
      answeredWithinThreshold: 1,
      abandoned: 1,
      averageSpeedOfAnswerMs: 17.5 * S,
      averageHandleTimeMs: 90 * S,
    });
    expect(r.body.total.regulatorRate).toBeCloseTo(1 / 3, 6);
    expect(r.body.hours[8]).toMatchObject({ key: '08', offered: 3 });
    expect(r.body.agents.map((a: { key: string }) => a.key)).toEqual(['li.na', 'zhang.wei']);
    expect(r.body.period).toMatchObject({ kind: 'day', label: '2026-01-05' });
  });

  it('exports a table as CSV in UTF-8 with a BOM, for Excel', async () => {
    const res = await h.server.app.inject({
      method: 'GET',
      url: '/reports/calls.csv?month=2026-01&table=days',
      headers: await h.as('supervisor'),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const bytes = res.rawPayload;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = res.body
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]).toBe(
      '日期,呼入量,接通量,20秒内接通量,20秒接通率(%),放弃量,平均应答时长(秒),平均处理时长(秒),进入语音导航',
    );
    expect(lines).toHaveLength(1 + 31 + 1);
    // Four calls reached the voice menu: the three above and the harness's seeded call-1, which never queued.
    expect(lines[5]).toBe('2026-01-05,3,2,1,33.3,1,17.5,90.0,4');
    expect(lines.at(-1)).toBe('合计,3,2,1,33.3,1,17.5,90.0,4');
  });

  it('counts orders by channel, type and area, with on-time rates', async () => {
    const r = await h.req('GET', '/reports/orders?day=2026-01-05', await h.as('supervisor'));
    expect(r.status).toBe(200);
    expect(r.body.total).toBe(2);
    expect(r.body.byChannel.map((x: { key: string; name: string }) => [x.key, x.name]).sort()).toEqual([
      ['phone', '电话'],
      ['website', '网站'],
    ]);
    expect(r.body.byType.map((x: { name: string }) => x.name).sort()).toEqual(['咨询', '投诉'].sort());
    expect(r.body.byArea.map((x: { name: string; count: number }) => [x.name, x.count]).sort()).toEqual([
      ['未知区域', 1],
      ['青秀区', 1],
    ]);
    expect(r.body.onTime).toMatchObject({ signCounted: 0, signOnTimeRate: null });
    const csv = await h.server.app.inject({
      method: 'GET',
      url: '/reports/orders.csv?day=2026-01-05&table=area',
      headers: await h.as('supervisor'),
    });
    expect(csv.body.startsWith('\uFEFF区域,名称,工单量,占比(%)\r\n')).toBe(true);
  });

  it('refuses bad periods with 400 naming the field, and agents with 403', async () => {
    const sup = await h.as('supervisor');
    const none = await h.req('GET', '/reports/calls', sup);
    expect(none.status).toBe(400);
    expect(none.body.message).toContain('querystring.day');
    const both = await h.req('GET', '/reports/orders?day=2026-01-05&month=2026-01', sup);
    expect(both.status).toBe(400);
    const badDay = await h.req('GET', '/reports/calls?day=2026-02-30', sup);
    expect(badDay.status).toBe(400);
    expect(badDay.body.message).toContain('querystring.day');
    const badTable = await h.req('GET', '/reports/calls.csv?day=2026-01-05&table=x', sup);
    expect(badTable.status).toBe(400);
    expect((await h.req('GET', '/reports/calls?day=2026-01-05', await h.as('agent'))).status).toBe(403);
  });
});
