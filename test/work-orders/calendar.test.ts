import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shanghaiInstant } from '../../src/domain/calendar/civil-date.ts';
import { intakeBody, seedOrganisation, startHarness, type Harness } from './helpers.ts';

describe('calendar admin API and provisional deadlines', () => {
  let h: Harness;
  beforeAll(async () => {
    // Wednesday 2026-12-23: a complaint's 10 working days run into 2027, which has no shipped data.
    h = await startHarness(shanghaiInstant('2026-12-23', 10, 0));
    await seedOrganisation(h);
  });
  afterAll(async () => h?.cleanup());

  it('the shipped 2026 data moves the Spring Festival deadline: dispatched Fri 2026-02-13 → due Tue 2026-02-24', async () => {
    const cal = await h.req('GET', '/calendar', await h.as('agent'));
    expect(cal.body.coveredYears).toEqual(expect.arrayContaining([2025, 2026]));
    expect((await h.req('GET', '/calendar/days/2026-02-14', await h.as('agent'))).body).toMatchObject({
      working: true,
      kind: 'make-up-workday',
    });
    expect((await h.req('GET', '/calendar/days/2026-02-17', await h.as('agent'))).body).toMatchObject({
      working: false,
      kind: 'holiday',
    });
  });

  it('a deadline in a year without data is provisional and raises an alert; adding the year via the admin API makes it firm', async () => {
    const agent = await h.as('agent');
    const id = (await h.req('POST', '/work-orders', agent, intakeBody())).body.order.id;
    const d = await h.req('POST', `/work-orders/${id}/dispatch`, agent, { leadUnitId: 'u1' });
    expect(d.body.assignments[0].completionDue.provisional).toBe(true);
    const cal = await h.req('GET', '/calendar', agent);
    expect(cal.body.alerts, JSON.stringify(cal.body.alerts)).toEqual([
      expect.objectContaining({ year: 2027, subject: `order ${id}` }),
    ]);
    const audit = h.server.store.sqlite
      .prepare(
        "select count(*) as n from audit_log where entity = 'calendar' and action = 'provisional-deadline-alert' and entity_id = '2027'",
      )
      .get() as { n: number };
    expect(audit.n).toBe(1);

    const admin = await h.as('admin');
    const year2027 = {
      year: 2027,
      source: 'test data',
      holidays: [
        { name: '元旦', from: '2027-01-01', to: '2027-01-03' },
        { name: '春节', from: '2027-02-05', to: '2027-02-13' },
      ],
      makeUpWorkdays: ['2027-01-30'],
    };
    expect((await h.req('POST', '/calendar/years', agent, year2027)).status).toBe(403);
    const added = await h.req('POST', '/calendar/years', admin, year2027);
    expect(added.status).toBe(201);
    expect(added.body.coveredYears).toContain(2027);
    expect((await h.req('POST', '/calendar/years', admin, year2027)).status).toBe(409);
    const bad = await h.req('POST', '/calendar/years', admin, {
      ...year2027,
      year: 2028,
      makeUpWorkdays: ['2028-01-05'],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('makeUpWorkdays');
    expect((await h.req('GET', '/calendar/days/2027-01-01', agent)).body).toMatchObject({
      working: false,
      kind: 'holiday',
      provisional: false,
    });

    const id2 = (
      await h.req('POST', '/work-orders', agent, intakeBody({ requesterPhone: '13500000099', content: '另一件投诉' }))
    ).body.order.id;
    const d2 = await h.req('POST', `/work-orders/${id2}/dispatch`, agent, { leadUnitId: 'u1' });
    expect(d2.body.assignments[0].completionDue.provisional).toBe(false);
    // Dispatched Wed 2026-12-23: working days 24, 25, 28, 29, 30, 31 Dec, then (1–3 Jan off) 4, 5, 6, 7 Jan → Thu 2027-01-07.
    expect(new Date(d2.body.assignments[0].completionDue.at).toISOString()).toBe('2027-01-07T15:59:59.999Z');
  });

  it('the added year survives a restart of the module (stored in the database)', async () => {
    const rows = h.server.store.sqlite.prepare('select year, scope from calendar_years').all();
    expect(rows).toEqual([{ year: 2027, scope: 'national' }]);
  });
});
