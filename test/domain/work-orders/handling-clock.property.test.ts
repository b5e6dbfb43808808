import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  endOfShanghaiDay,
  shanghaiDateOf,
  shanghaiDayOf,
  shanghaiInstant,
  shippedCalendar,
  workingDaysBetween,
} from '../../../src/domain/calendar/index.ts';
import {
  CHANNELS,
  DEFAULT_CLOCK_POLICY as defaults,
  ORDER_TYPES,
  completionDeadline,
  handlingLimit,
} from '../../../src/domain/work-orders/index.ts';

const cal = shippedCalendar(['guangxi']);
// Dispatches over 2025–2026 whose longest clock (10 working days) still ends inside 2026.
const FROM = shanghaiInstant('2025-01-01');
const TO = shanghaiInstant('2026-12-10');
const instant = fc.integer({ min: FROM, max: TO });
const subject = fc.record({
  type: fc.constantFrom(...ORDER_TYPES),
  channel: fc.constantFrom(...CHANNELS),
  emergency: fc.boolean(),
});

describe('deadline properties over 2025–2026', () => {
  it('a working-day deadline ends a working day, after the dispatch, at 23:59:59.999 Shanghai, n working days on', () => {
    fc.assert(
      fc.property(instant, subject, (t, s) => {
        const limit = handlingLimit(s);
        const d = completionDeadline(cal, s, t);
        if (limit === null) return d === null;
        if (d === null) return false;
        expect(d.provisional).toBe(false);
        expect(d.at).toBeGreaterThan(t);
        if (limit.unit === 'ms') return d.at === t + limit.amount;
        const date = shanghaiDateOf(d.at);
        expect(cal.dayInfo(date).working).toBe(true);
        expect(d.at).toBe(endOfShanghaiDay(shanghaiDayOf(d.at)));
        expect(workingDaysBetween(cal, shanghaiDateOf(t), date).days).toBe(limit.amount);
        return true;
      }),
      { numRuns: 2000 },
    );
  });

  it('a longer limit never gives an earlier deadline; a later dispatch never gives an earlier deadline', () => {
    const days = fc.integer({ min: 1, max: 15 });
    fc.assert(
      fc.property(instant, instant, days, days, (t1, t2, n1, n2) => {
        const [a, b] = n1 <= n2 ? [n1, n2] : [n2, n1];
        const s = { type: 'consultation' as const, channel: 'phone' as const, emergency: false };
        const policy = (n: number) => ({
          ...defaults,
          workingDaysByType: { ...defaults.workingDaysByType, consultation: n },
        });
        const short = completionDeadline(cal, s, t1, policy(a));
        const long = completionDeadline(cal, s, t1, policy(b));
        expect(long!.at).toBeGreaterThanOrEqual(short!.at);
        if (a < b) expect(long!.at).toBeGreaterThan(short!.at);
        const [early, late] = t1 <= t2 ? [t1, t2] : [t2, t1];
        expect(completionDeadline(cal, s, late, policy(a))!.at).toBeGreaterThanOrEqual(
          completionDeadline(cal, s, early, policy(a))!.at,
        );
      }),
      { numRuns: 1000 },
    );
  });

  it('across types, a longer limit never gives an earlier deadline for the same dispatch', () => {
    fc.assert(
      fc.property(instant, fc.constantFrom(...ORDER_TYPES), fc.constantFrom(...ORDER_TYPES), (t, x, y) => {
        const lx = handlingLimit({ type: x, channel: 'phone', emergency: false });
        const ly = handlingLimit({ type: y, channel: 'phone', emergency: false });
        if (lx === null || ly === null || lx.amount > ly.amount) return true;
        const dx = completionDeadline(cal, { type: x, channel: 'phone', emergency: false }, t)!;
        const dy = completionDeadline(cal, { type: y, channel: 'phone', emergency: false }, t)!;
        return dy.at >= dx.at;
      }),
      { numRuns: 1000 },
    );
  });
});
