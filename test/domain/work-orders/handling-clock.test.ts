import { describe, expect, it } from 'vitest';
import { shanghaiInstant, shippedCalendar } from '../../../src/domain/calendar/index.ts';
import {
  DEFAULT_CLOCK_POLICY,
  completionDeadline,
  dispatchDeadline,
  extendDeadline,
  handlingLimit,
  knowledgeQuestionDeadline,
  returnDeadline,
  satisfactionReplyDeadline,
  signDeadline,
  type Channel,
  type OrderType,
} from '../../../src/domain/work-orders/index.ts';
import { appealDeadline } from '../../../src/domain/work-orders/assessment.ts';

const cal = shippedCalendar(['guangxi']);
const MIN = 60_000;
const HOUR = 60 * MIN;

/** The end of a Shanghai date, as an ISO instant: what a working-day deadline must be. */
const endOf = (date: string): string => new Date(shanghaiInstant(date) + 24 * HOUR - 1).toISOString();

describe('completion limits (art. 26(2))', () => {
  it.each([
    ['consultation', 'phone', 2],
    ['help', 'phone', 3],
    ['suggestion', 'wechat', 5],
    ['complaint', 'website', 10],
    ['report', 'mobile-app', 10],
    ['complaint', 'chairman-mailbox', 3],
    ['consultation', 'chairman-mailbox', 3],
  ] as const)('%s via %s: %i working days', (type, channel, days) => {
    expect(handlingLimit({ type, channel, emergency: false })).toEqual({ unit: 'working-days', amount: days });
  });

  it('a limit set by law for a category wins over the type and the mailbox (art. 26(2)8), not over an emergency', () => {
    const policy = { ...DEFAULT_CLOCK_POLICY, workingDaysByCategory: { 'market.food-safety': 7 } };
    const sub = {
      type: 'complaint' as const,
      channel: 'chairman-mailbox' as const,
      emergency: false,
      category: { code: 'market.food-safety' },
    };
    expect(handlingLimit(sub, policy)).toEqual({ unit: 'working-days', amount: 7 });
    expect(handlingLimit({ ...sub, category: { code: 'other' } }, policy)).toEqual({ unit: 'working-days', amount: 3 });
    expect(handlingLimit({ ...sub, category: { code: 'toString' } }, policy)).toEqual({
      unit: 'working-days',
      amount: 3,
    });
    expect(handlingLimit({ ...sub, emergency: true }, policy)).toEqual({ unit: 'ms', amount: 24 * HOUR });
  });

  it('praise has no clock; an emergency has 24 hours of clock time whatever its type or channel', () => {
    expect(handlingLimit({ type: 'praise', channel: 'phone', emergency: false })).toBeNull();
    expect(handlingLimit({ type: 'complaint', channel: 'chairman-mailbox', emergency: true })).toEqual({
      unit: 'ms',
      amount: 24 * HOUR,
    });
  });
});

describe('completion deadlines on the calendar', () => {
  const cases: [string, OrderType, Channel, string, string][] = [
    // dispatched (Shanghai wall clock), type, channel, due date
    ['the issue example', 'consultation', 'phone', '2026-02-13T16:00', '2026-02-24'],
    ['help over Spring Festival 2026', 'help', 'phone', '2026-02-13T16:00', '2026-02-25'],
    ['suggestion over Spring Festival 2026', 'suggestion', 'phone', '2026-02-13T16:00', '2026-02-27'],
    [
      'complaint over Spring Festival 2026 and make-up Saturday 28 Feb',
      'complaint',
      'phone',
      '2026-02-13T16:00',
      '2026-03-05',
    ],
    ['report', 'report', 'phone', '2026-02-13T16:00', '2026-03-05'],
    ['chairman mailbox', 'complaint', 'chairman-mailbox', '2026-02-13T16:00', '2026-02-25'],
    ['dispatched on a holiday', 'consultation', 'phone', '2026-02-16T10:00', '2026-02-25'],
    ['dispatched on the make-up Saturday', 'consultation', 'phone', '2026-02-14T10:00', '2026-02-25'],
    ['dispatched late on Thursday', 'consultation', 'phone', '2026-02-12T23:30', '2026-02-14'],
    ['dispatched just after midnight Friday', 'consultation', 'phone', '2026-02-13T00:30', '2026-02-24'],
    ['Spring Festival 2025, last day before', 'consultation', 'phone', '2025-01-27T09:00', '2025-02-06'],
    ['Spring Festival 2025, make-up Sunday 26 Jan', 'consultation', 'phone', '2025-01-24T09:00', '2025-01-27'],
    ['make-up Saturday 8 Feb 2025', 'help', 'phone', '2025-02-06T09:00', '2025-02-10'],
    ['National Day 2025', 'consultation', 'phone', '2025-09-30T09:00', '2025-10-10'],
    ['National Day 2025, make-up 28 Sep and 11 Oct', 'complaint', 'phone', '2025-09-26T09:00', '2025-10-16'],
    ['help from the Friday before the make-up Sunday', 'help', 'phone', '2025-09-26T09:00', '2025-09-30'],
    ['National Day 2026', 'help', 'phone', '2026-09-30T09:00', '2026-10-10'],
    ['year boundary into New Year 2026', 'consultation', 'phone', '2025-12-31T09:00', '2026-01-05'],
    ['Guangxi 三月三 2025 (derived)', 'consultation', 'phone', '2025-03-28T09:00', '2025-04-03'],
  ];

  it.each(cases)('%s', (_label, type, channel, at, due) => {
    const [date, time] = at.split('T') as [string, string];
    const [h, m] = time.split(':').map(Number) as [number, number];
    const d = completionDeadline(cal, { type, channel, emergency: false }, shanghaiInstant(date, h, m));
    expect(d).not.toBeNull();
    expect(new Date(d?.at ?? 0).toISOString()).toBe(endOf(due));
    expect(d?.provisional).toBe(false);
  });

  it('without the Guangxi addition 三月三 2025 is an ordinary working day', () => {
    const d = completionDeadline(
      shippedCalendar(),
      { type: 'consultation', channel: 'phone', emergency: false },
      shanghaiInstant('2025-03-28', 9),
    );
    expect(new Date(d?.at ?? 0).toISOString()).toBe(endOf('2025-04-01'));
  });

  it('marks a deadline in a year without data provisional', () => {
    const d = completionDeadline(
      cal,
      { type: 'complaint', channel: 'phone', emergency: false },
      shanghaiInstant('2026-12-28', 9),
    );
    expect(d?.provisional).toBe(true);
    const inside = completionDeadline(
      cal,
      { type: 'consultation', channel: 'phone', emergency: false },
      shanghaiInstant('2026-12-28', 9),
    );
    expect(inside?.provisional).toBe(false);
  });

  it('emergency: answered within 24 h and signed within 30 min of clock time, holidays or not', () => {
    const t = shanghaiInstant('2026-02-16', 3, 15); // a Spring Festival holiday
    expect(completionDeadline(cal, { type: 'help', channel: 'phone', emergency: true }, t)).toEqual({
      at: t + 24 * HOUR,
      provisional: false,
    });
    expect(signDeadline(cal, { emergency: true }, t)).toEqual({ at: t + 30 * MIN, provisional: false });
  });
});

describe('sign, return, dispatch, satisfaction, knowledge and appeal clocks', () => {
  it('a non-emergency order is signed by the end of the next working day (site default)', () => {
    expect(new Date(signDeadline(cal, { emergency: false }, shanghaiInstant('2026-02-13', 16)).at).toISOString()).toBe(
      endOf('2026-02-14'),
    );
    expect(new Date(signDeadline(cal, { emergency: false }, shanghaiInstant('2025-09-30', 16)).at).toISOString()).toBe(
      endOf('2025-10-09'),
    );
  });

  it('return within 1 working day of signing (art. 26(3)); emergency 30 minutes', () => {
    expect(
      new Date(returnDeadline(cal, { emergency: false }, shanghaiInstant('2026-02-13', 10)).at).toISOString(),
    ).toBe(endOf('2026-02-14'));
    expect(
      new Date(returnDeadline(cal, { emergency: false }, shanghaiInstant('2026-02-14', 10)).at).toISOString(),
    ).toBe(endOf('2026-02-24'));
    const t = shanghaiInstant('2026-02-14', 10);
    expect(returnDeadline(cal, { emergency: true }, t).at).toBe(t + 30 * MIN);
  });

  it('dispatch within 24 hours of intake (art. 25)', () => {
    const t = shanghaiInstant('2026-02-14', 10);
    expect(dispatchDeadline(t)).toEqual({ at: t + 24 * HOUR, provisional: false });
  });

  it('no satisfaction reply within 24 hours counts (art. 27)', () => {
    expect(satisfactionReplyDeadline(1000)).toBe(1000 + 24 * HOUR);
  });

  it('a knowledge question is answered within 3 working days (art. 29)', () => {
    expect(new Date(knowledgeQuestionDeadline(cal, shanghaiInstant('2025-09-30', 15)).at).toISOString()).toBe(
      endOf('2025-10-11'),
    );
  });

  it('appeals are accepted until 7 working days after the cycle ends on 30 November (art. 32)', () => {
    expect(new Date(appealDeadline(cal, 2025).at).toISOString()).toBe(endOf('2025-12-09'));
    expect(new Date(appealDeadline(cal, 2026).at).toISOString()).toBe(endOf('2026-12-09'));
    expect(appealDeadline(cal, 2026).provisional).toBe(false);
    expect(appealDeadline(cal, 2027).provisional).toBe(true);
  });

  it('an extension adds working days after the current deadline, or clock time for an emergency', () => {
    const due = { at: shanghaiInstant('2026-02-13', 23, 59, 59) + 999, provisional: false };
    expect(new Date(extendDeadline(cal, due, { unit: 'working-days', amount: 2 }, 2).at).toISOString()).toBe(
      endOf('2026-02-24'),
    );
    expect(extendDeadline(cal, due, { unit: 'ms', amount: 24 * HOUR }, 5 * HOUR).at).toBe(due.at + 5 * HOUR);
  });

  it('the defaults are the measures’ values', () => {
    expect(DEFAULT_CLOCK_POLICY.workingDaysByType).toEqual({
      consultation: 2,
      help: 3,
      suggestion: 5,
      complaint: 10,
      report: 10,
      praise: null,
    });
    expect(DEFAULT_CLOCK_POLICY.chairmanMailboxWorkingDays).toBe(3);
    expect(DEFAULT_CLOCK_POLICY.emergencySignMs).toBe(30 * MIN);
    expect(DEFAULT_CLOCK_POLICY.emergencyCompletionMs).toBe(24 * HOUR);
    expect(DEFAULT_CLOCK_POLICY.returnWorkingDays).toBe(1);
    expect(DEFAULT_CLOCK_POLICY.emergencyReturnMs).toBe(30 * MIN);
    expect(DEFAULT_CLOCK_POLICY.dispatchMs).toBe(24 * HOUR);
    expect(DEFAULT_CLOCK_POLICY.knowledgeQuestionWorkingDays).toBe(3);
  });
});
