import { describe, expect, it } from 'vitest';
import { shanghaiInstant } from '../../../src/domain/calendar/index.ts';
import {
  DEFAULT_SUPERVISION_POLICY,
  newSupervisionNotices,
  satisfactionTimeoutsDue,
  superviseOrder,
  superviseOrders,
  type SupervisionFinding,
} from '../../../src/domain/work-orders/index.ts';
import { HOUR, MIN, T0, env, lead, ok, orderIn } from './fixtures.ts';

const senv = { calendar: env.calendar };
const at = (date: string, h = 10) => shanghaiInstant(date, h);
const levels = (f: SupervisionFinding[]) => f.map((x) => [x.deadline, x.level]);

describe('completion clock of a signed consultation due at the end of 24 Feb 2026', () => {
  const s = orderIn('signed');
  it.each([
    ['2026-02-13', []],
    ['2026-02-14', [['completion', 'sms-warning']]], // make-up Saturday; one working day left
    ['2026-02-20', [['completion', 'sms-warning']]], // holiday; still one working day left
    ['2026-02-24', [['completion', 'sms-warning']]],
    ['2026-02-25', [['completion', 'yellow-card']]],
    ['2026-02-26', [['completion', 'yellow-card']]],
    ['2026-02-27', [['completion', 'red-card']]], // 3 working days late
  ])('on %s', (date, want) => {
    expect(levels(superviseOrder(s, at(date), senv))).toEqual(want);
  });

  it('an overdue unit owes a reason until it gives one (art. 27(1))', () => {
    const [f] = superviseOrder(s, at('2026-02-25'), senv);
    expect(f).toMatchObject({
      orderId: 101,
      unitId: 'housing',
      overdue: true,
      explanationRequired: true,
      explained: false,
      provisional: false,
    });
    expect(f?.overdueMs).toBe(at('2026-02-25') - (shanghaiInstant('2026-02-25') - 1));
    const explained = ok(s, { action: 'explain-overdue', actor: lead, reason: '节后人手不足' }, at('2026-02-25')).state;
    expect(superviseOrder(explained, at('2026-02-26'), senv)[0]?.explained).toBe(true);
  });

  it('the thresholds are configuration', () => {
    const strict = {
      ...senv,
      policy: { ...DEFAULT_SUPERVISION_POLICY, redAfterOverdueWorkingDays: 1, warnWorkingDaysBefore: 0 },
    };
    expect(levels(superviseOrder(s, at('2026-02-14'), strict))).toEqual([]);
    expect(levels(superviseOrder(s, at('2026-02-25'), strict))).toEqual([['completion', 'red-card']]);
  });
});

describe('sign, emergency and dispatch clocks', () => {
  it('an unsigned order is carded for signing as well as warned for completion', () => {
    const s = orderIn('dispatched'); // sign due end of 14 Feb
    expect(levels(superviseOrder(s, at('2026-02-14'), senv))).toEqual([['completion', 'sms-warning']]);
    expect(levels(superviseOrder(s, at('2026-02-16'), senv))).toEqual([
      ['sign', 'yellow-card'],
      ['completion', 'sms-warning'],
    ]);
    expect(levels(superviseOrder(s, at('2026-02-26'), senv))).toEqual([
      ['sign', 'red-card'],
      ['completion', 'yellow-card'],
    ]);
  });

  it('emergency: warning with a quarter of the 30 minutes left, yellow when late, red when late by another 30 minutes', () => {
    const s = orderIn('dispatched', { emergency: true }); // dispatched T0 + 10 min, sign due T0 + 40 min
    const sign = (t: number) =>
      superviseOrder(s, t, senv)
        .filter((f) => f.deadline === 'sign')
        .map((f) => f.level);
    expect(sign(T0 + 32 * MIN)).toEqual([]);
    expect(sign(T0 + 33 * MIN)).toEqual(['sms-warning']);
    expect(sign(T0 + 41 * MIN)).toEqual(['yellow-card']);
    expect(sign(T0 + 70 * MIN)).toEqual(['red-card']);
    const signed = orderIn('signed', { emergency: true });
    expect(levels(superviseOrder(signed, T0 + 10 * MIN + 17 * HOUR, senv))).toEqual([]);
    expect(levels(superviseOrder(signed, T0 + 10 * MIN + 18 * HOUR, senv))).toEqual([['completion', 'sms-warning']]);
  });

  it('the 24-hour dispatch clock is the hotline’s own (no unit, no reason owed)', () => {
    const s = orderIn('registered'); // received T0
    expect(superviseOrder(s, T0 + 17 * HOUR, senv)).toEqual([]);
    expect(levels(superviseOrder(s, T0 + 18 * HOUR, senv))).toEqual([['dispatch', 'sms-warning']]);
    expect(superviseOrder(s, T0 + 24 * HOUR + 1, senv)[0]).toMatchObject({
      level: 'yellow-card',
      unitId: null,
      explanationRequired: false,
    });
    expect(levels(superviseOrder(s, T0 + 48 * HOUR, senv))).toEqual([['dispatch', 'red-card']]);
    expect(levels(superviseOrder(orderIn('disputed'), T0 + 25 * HOUR, senv))).toEqual([['dispatch', 'yellow-card']]);
    expect(levels(superviseOrder(orderIn('returned'), T0 + 30 * MIN + 25 * HOUR, senv))).toEqual([
      ['dispatch', 'yellow-card'],
    ]);
  });

  it('replied, closed and final orders are not supervised', () => {
    for (const st of ['replied', 'closed', 'not-accepted', 'merged', 'under-review'] as const) {
      expect(superviseOrder(orderIn(st), at('2026-03-30'), senv)).toEqual([]);
    }
  });

  it('a deadline in a year without calendar data is reported provisional', () => {
    const s = ok(
      orderIn('registered', { type: 'complaint' }),
      { action: 'dispatch', actor: { kind: 'agent', id: 'a' }, leadUnitId: 'housing' },
      at('2026-12-28'),
    ).state;
    const f = superviseOrder(s, at('2027-01-20'), senv).find((x) => x.deadline === 'completion');
    expect(f?.provisional).toBe(true);
  });

  it('superviseOrders lists the earliest deadline first', () => {
    const a = orderIn('signed', { id: 1 });
    const b = orderIn('dispatched', { id: 2, emergency: true });
    const found = superviseOrders([a, b], at('2026-02-25'), senv);
    expect(found.map((f) => [f.orderId, f.deadline])).toEqual([
      [2, 'sign'],
      [2, 'completion'],
      [1, 'completion'],
    ]);
  });
});

describe('newSupervisionNotices', () => {
  const f = (level: SupervisionFinding['level'], over: Partial<SupervisionFinding> = {}): SupervisionFinding => ({
    orderId: 1,
    unitId: 'housing',
    deadline: 'completion',
    dueAt: 1000,
    provisional: false,
    level,
    overdue: level !== 'sms-warning',
    overdueMs: level !== 'sms-warning' ? 5 : 0,
    explanationRequired: level !== 'sms-warning',
    explained: false,
    ...over,
  });

  it('climbs the ladder once per rung and asks for the reason once', () => {
    expect(newSupervisionNotices([f('sms-warning')], [])).toEqual([
      {
        type: 'supervision-notice',
        orderId: 1,
        unitId: 'housing',
        deadline: 'completion',
        dueAt: 1000,
        level: 'sms-warning',
      },
    ]);
    expect(
      newSupervisionNotices(
        [f('sms-warning')],
        [{ orderId: 1, deadline: 'completion', dueAt: 1000, level: 'sms-warning' }],
      ),
    ).toEqual([]);
    expect(
      newSupervisionNotices(
        [f('yellow-card')],
        [{ orderId: 1, deadline: 'completion', dueAt: 1000, level: 'sms-warning' }],
      ),
    ).toEqual([
      expect.objectContaining({ type: 'supervision-notice', level: 'yellow-card' }),
      { type: 'create-task', orderId: 1, task: 'explain-overdue', unitId: 'housing' },
    ]);
    expect(
      newSupervisionNotices(
        [f('red-card')],
        [{ orderId: 1, deadline: 'completion', dueAt: 1000, level: 'yellow-card' }],
      ),
    ).toEqual([expect.objectContaining({ type: 'supervision-notice', level: 'red-card' })]);
    expect(
      newSupervisionNotices([f('red-card')], [{ orderId: 1, deadline: 'completion', dueAt: 1000, level: 'red-card' }]),
    ).toEqual([]);
  });

  it('a moved deadline (extension) starts a new ladder; an explained order is not asked again', () => {
    const issued = [{ orderId: 1, deadline: 'completion' as const, dueAt: 1000, level: 'red-card' as const }];
    expect(newSupervisionNotices([f('sms-warning', { dueAt: 2000 })], issued)).toHaveLength(1);
    expect(newSupervisionNotices([f('yellow-card', { explained: true })], [])).toEqual([
      expect.objectContaining({ level: 'yellow-card' }),
    ]);
  });

  it('the hotline’s own dispatch deadline gets notices but no reason task', () => {
    expect(
      newSupervisionNotices([f('yellow-card', { unitId: null, deadline: 'dispatch', explanationRequired: false })], []),
    ).toEqual([expect.objectContaining({ type: 'supervision-notice', unitId: null, deadline: 'dispatch' })]);
  });
});

describe('satisfactionTimeoutsDue', () => {
  it('lists closed orders whose survey went unanswered for 24 hours', () => {
    const closed = orderIn('closed', { id: 1 }); // closed at T0 + 2 h
    const answered = ok(
      orderIn('closed', { id: 2 }),
      { action: 'record-satisfaction', actor: { kind: 'requester', id: 'r' }, replyText: '1' },
      T0 + 3 * HOUR,
    ).state;
    expect(satisfactionTimeoutsDue([closed, answered, orderIn('signed', { id: 3 })], T0 + 26 * HOUR)).toEqual([1]);
    expect(satisfactionTimeoutsDue([closed], T0 + 26 * HOUR - 1)).toEqual([]);
  });
});
