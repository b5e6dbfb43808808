// The order report with DATABASE_URL (issue 12): the orders live in PostgreSQL, and so do the report's reads.
import { afterAll, describe, expect, it } from 'vitest';
import { storeFactory } from '../support/stores.ts';
import { intakeBody, seedOrganisation, startHarness, type Harness } from '../work-orders/helpers.ts';

describe('order report on PostgreSQL', () => {
  const stores = storeFactory('postgres');
  let h: Harness | undefined;
  afterAll(async () => h?.cleanup());

  it('given a phone and a website order taken on PostgreSQL, when the day report is read, then both are counted by channel', async () => {
    h = await startHarness(undefined, { databaseUrl: await stores.freshUrl() });
    await seedOrganisation(h);
    const agent = await h.as('agent');
    expect(
      (await h.req('POST', '/work-orders', agent, intakeBody({ location: '南宁市青秀区民族大道100号' }))).status,
    ).toBe(201);
    const website = {
      ...intakeBody({ requesterPhone: '13300000009', content: '咨询社保卡补办需要哪些材料' }),
      channel: 'website',
      callId: undefined,
      location: undefined,
      type: 'consultation',
    };
    expect((await h.req('POST', '/work-orders', agent, website)).status).toBe(201);
    const r = await h.req('GET', '/reports/orders?day=2026-01-05', await h.as('supervisor'));
    expect(r.status).toBe(200);
    expect(r.body.total).toBe(2);
    expect(r.body.byChannel.map((x: { key: string; count: number }) => [x.key, x.count]).sort()).toEqual([
      ['phone', 1],
      ['website', 1],
    ]);
  });
});
