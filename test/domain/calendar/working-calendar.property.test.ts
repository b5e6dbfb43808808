import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DAY_MS,
  addWorkingDays,
  civilDateOf,
  dayNumberOf,
  nextWorkingDay,
  shippedCalendar,
  workingDaysBetween,
  yearOf,
} from '../../../src/domain/calendar/index.ts';

const cal = shippedCalendar(['guangxi']);
const first = dayNumberOf('2025-01-01');
const last = dayNumberOf('2026-12-10');
const date = fc.integer({ min: first, max: last }).map(civilDateOf);

describe('working-day arithmetic over 2025–2026', () => {
  it('the n-th working day after d is a working day after d, with exactly n working days in between', () => {
    fc.assert(
      fc.property(date, fc.integer({ min: 1, max: 10 }), (d, n) => {
        const r = addWorkingDays(cal, d, n);
        expect(r.provisional).toBe(false);
        expect(r.date > d).toBe(true);
        expect(cal.dayInfo(r.date).working).toBe(true);
        expect(workingDaysBetween(cal, d, r.date).days).toBe(n);
        // the day before the result still has only n − 1 working days after d
        expect(workingDaysBetween(cal, d, civilDateOf(dayNumberOf(r.date) - 1)).days).toBe(n - 1);
        expect(nextWorkingDay(cal, r.date).date).toBe(addWorkingDays(cal, d, n + 1).date);
      }),
      { numRuns: 1500 },
    );
  });

  it('counts add up over adjacent spans', () => {
    fc.assert(
      fc.property(date, date, date, (x, y, z) => {
        const [a, b, c] = [x, y, z].sort();
        expect(workingDaysBetween(cal, a!, c!).days).toBe(
          workingDaysBetween(cal, a!, b!).days + workingDaysBetween(cal, b!, c!).days,
        );
      }),
      { numRuns: 500 },
    );
  });
});

describe('yearOf', () => {
  it('agrees with Date for any day from 1500 to 2500', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: dayNumberOf('1500-01-01'), max: dayNumberOf('2500-12-31') }),
        (d) => yearOf(d) === new Date(d * DAY_MS).getUTCFullYear(),
      ),
      { numRuns: 5000 },
    );
    for (const d of ['2024-12-31', '2025-01-01', '2000-02-29', '1900-03-01'])
      expect(yearOf(dayNumberOf(d))).toBe(Number(d.slice(0, 4)));
  });
});
