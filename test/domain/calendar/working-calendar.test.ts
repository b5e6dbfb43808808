import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CalendarDataError,
  WorkingCalendar,
  addWorkingDays,
  endOfWorkingDay,
  isWorkingDay,
  nextWorkingDay,
  parseYearSchedule,
  shanghaiInstant,
  shippedCalendar,
  shippedSchedules,
  workingDaysBetween,
  workingDaysDeadline,
  type YearSchedule,
} from '../../../src/domain/calendar/index.ts';

const fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/china-holidays-2025-2026.json', import.meta.url), 'utf8'),
) as Record<string, { holidays: { from: string; to: string }[]; makeUpWorkdays: string[] }>;

const national = shippedCalendar();
const guangxi = shippedCalendar(['guangxi']);

describe('shipped data', () => {
  it('transcribes the State Council schedules of the shared holiday file exactly', () => {
    for (const year of ['2025', '2026']) {
      const s = (shippedSchedules as YearSchedule[]).find((x) => x.region === 'national' && String(x.year) === year);
      expect(s, year).toBeDefined();
      const want = fixture[year];
      expect(s?.holidays.map((h) => [h.from, h.to])).toEqual(want?.holidays.map((h) => [h.from, h.to]));
      expect(s?.makeUpWorkdays).toEqual(want?.makeUpWorkdays);
    }
  });

  it('keeps Guangxi 三月三 as separate, derived regional data', () => {
    const gx = (shippedSchedules as YearSchedule[]).filter((x) => x.region === 'guangxi');
    expect(gx.map((g) => g.year).sort()).toEqual([2025, 2026]);
    expect(gx.every((g) => g.derived === true)).toBe(true);
    expect(national.dayInfo('2025-03-31').working).toBe(true);
    expect(guangxi.dayInfo('2025-03-31')).toMatchObject({ working: false, kind: 'holiday' });
    expect(guangxi.dayInfo('2026-04-20')).toMatchObject({ working: false, kind: 'holiday' });
  });

  it('covers 2025 and 2026 and nothing else', () => {
    expect(national.coveredYears()).toEqual([2025, 2026]);
    expect(guangxi.coveredYears()).toEqual([2025, 2026]);
  });
});

describe('day classification', () => {
  it.each([
    ['2026-02-13', true, 'workday'],
    ['2026-02-14', true, 'make-up-workday'], // Saturday worked before the Spring Festival
    ['2026-02-15', false, 'holiday'],
    ['2026-02-23', false, 'holiday'],
    ['2026-02-24', true, 'workday'],
    ['2026-02-28', true, 'make-up-workday'],
    ['2025-01-26', true, 'make-up-workday'], // Sunday
    ['2025-01-28', false, 'holiday'],
    ['2025-02-04', false, 'holiday'],
    ['2025-02-08', true, 'make-up-workday'],
    ['2025-10-08', false, 'holiday'],
    ['2025-10-11', true, 'make-up-workday'],
    ['2026-01-03', false, 'holiday'], // a Saturday inside the New Year holiday
    ['2026-01-04', true, 'make-up-workday'],
    ['2026-03-07', false, 'weekend'],
    ['2026-03-09', true, 'workday'],
  ])('%s working=%s (%s)', (date, working, kind) => {
    const info = national.dayInfo(date);
    expect(info.working).toBe(working);
    expect(info.kind).toBe(kind);
    expect(info.provisional).toBe(false);
    expect(isWorkingDay(national, date)).toEqual({ working, provisional: false });
  });

  it('marks a date in a year without data provisional, with Monday–Friday as working days', () => {
    expect(isWorkingDay(national, '2027-01-01')).toEqual({ working: true, provisional: true });
    expect(isWorkingDay(national, '2027-01-02')).toEqual({ working: false, provisional: true });
    expect(isWorkingDay(national, '2024-12-31')).toEqual({ working: true, provisional: true });
  });
});

describe('counting working days', () => {
  it.each([
    // from, n, expected, calendar
    ['2026-02-13', 2, '2026-02-24', national], // the issue's example
    ['2026-02-13', 1, '2026-02-14', national],
    ['2026-02-14', 1, '2026-02-24', national],
    ['2026-02-16', 2, '2026-02-25', national], // counted from a holiday
    ['2025-01-24', 2, '2025-01-27', national], // 25 Jan Saturday off, 26 Jan Sunday worked
    ['2025-01-27', 1, '2025-02-05', national], // Spring Festival 2025
    ['2025-02-07', 1, '2025-02-08', national], // make-up Saturday
    ['2025-09-26', 1, '2025-09-28', national], // make-up Sunday before National Day
    ['2025-09-30', 1, '2025-10-09', national],
    ['2025-10-10', 1, '2025-10-11', national],
    ['2026-09-30', 1, '2026-10-08', national],
    ['2026-10-09', 1, '2026-10-10', national],
    ['2026-09-24', 1, '2026-09-28', national], // Mid-Autumn 2026 (25–27 Sep)
    ['2025-12-31', 1, '2026-01-04', national], // year boundary into a make-up Sunday
    ['2025-12-31', 2, '2026-01-05', national],
    ['2025-03-28', 1, '2025-03-31', national],
    ['2025-03-28', 1, '2025-04-02', guangxi], // 三月三 (derived) 31 Mar – 1 Apr 2025
    ['2026-04-17', 1, '2026-04-21', guangxi], // 三月三 (derived) 19–20 Apr 2026
    ['2026-04-17', 1, '2026-04-20', national],
  ] as const)('%s + %i working days = %s', (from, n, want, cal) => {
    expect(addWorkingDays(cal, from, n)).toEqual({ date: want, provisional: false });
  });

  it('n = 0 keeps a working day and moves a day off to the next working day', () => {
    expect(addWorkingDays(national, '2026-02-13', 0).date).toBe('2026-02-13');
    expect(addWorkingDays(national, '2026-02-15', 0).date).toBe('2026-02-24');
  });

  it('nextWorkingDay is the first working day strictly after', () => {
    expect(nextWorkingDay(national, '2026-02-13').date).toBe('2026-02-14');
    expect(nextWorkingDay(national, '2025-10-01').date).toBe('2025-10-09');
  });

  it('marks counting that reaches a year without data provisional', () => {
    expect(addWorkingDays(national, '2026-12-31', 1)).toEqual({ date: '2027-01-01', provisional: true });
    expect(addWorkingDays(national, '2026-12-30', 1)).toEqual({ date: '2026-12-31', provisional: false });
    // only the days counted matter, not the start day
    expect(addWorkingDays(national, '2024-12-31', 1)).toEqual({ date: '2025-01-02', provisional: false });
  });

  it('refuses a negative or fractional count', () => {
    expect(() => addWorkingDays(national, '2026-02-13', -1)).toThrow(RangeError);
    expect(() => addWorkingDays(national, '2026-02-13', 1.5)).toThrow(RangeError);
  });

  it.each([
    ['2026-02-13', '2026-02-24', 2],
    ['2025-09-30', '2025-10-08', 0],
    ['2025-09-30', '2025-10-09', 1],
    ['2026-02-24', '2026-02-13', 0],
    ['2025-12-01', '2025-12-31', 22],
  ])('working days in (%s, %s] = %i', (from, to, days) => {
    expect(workingDaysBetween(national, from, to)).toEqual({ days, provisional: false });
  });

  it('endOfWorkingDay is 23:59:59.999 Asia/Shanghai', () => {
    expect(new Date(endOfWorkingDay(national, '2026-02-24').at).toISOString()).toBe('2026-02-24T15:59:59.999Z');
  });
});

describe('time zone', () => {
  const saved = process.env['TZ'];
  afterEach(() => {
    if (saved === undefined) delete process.env['TZ'];
    else process.env['TZ'] = saved;
  });

  it.each(['America/New_York', 'Pacific/Kiritimati', 'UTC', 'Asia/Shanghai'])(
    'gives the same deadline with TZ=%s',
    (tz) => {
      process.env['TZ'] = tz;
      // 00:30 on 13 Feb in Shanghai is still 12 Feb in New York and UTC.
      const dispatched = shanghaiInstant('2026-02-13', 0, 30);
      expect(new Date(dispatched).toISOString()).toBe('2026-02-12T16:30:00.000Z');
      // proves the process really runs in that zone for this test
      if (tz === 'America/New_York') expect(new Date(dispatched).getHours()).toBe(11);
      if (tz === 'Pacific/Kiritimati') expect(new Date(dispatched).getDate()).toBe(13);
      const d = workingDaysDeadline(national, dispatched, 2);
      expect(d.date).toBe('2026-02-24');
      expect(new Date(d.at).toISOString()).toBe('2026-02-24T15:59:59.999Z');
      // 23:30 on 12 Feb in Shanghai counts from the 12th.
      expect(workingDaysDeadline(national, shanghaiInstant('2026-02-12', 23, 30), 2).date).toBe('2026-02-14');
    },
  );
});

describe('calendar data validation and adding a year', () => {
  const y2027 = {
    year: 2027,
    region: 'national',
    holidays: [{ name: '元旦', from: '2027-01-01', to: '2027-01-03' }],
    makeUpWorkdays: ['2027-01-09'],
  };

  it('adds a year at run time without touching the old calendar', () => {
    const next = national.withSchedule(y2027);
    expect(next.hasYear(2027)).toBe(true);
    expect(national.hasYear(2027)).toBe(false);
    expect(addWorkingDays(next, '2026-12-31', 1)).toEqual({ date: '2027-01-04', provisional: false });
    expect(next.dayInfo('2027-01-09')).toMatchObject({ working: true, kind: 'make-up-workday', provisional: false });
  });

  it('a year stays provisional until every applied region has its schedule', () => {
    const next = guangxi.withSchedule(y2027);
    expect(next.hasYear(2027)).toBe(false);
    const full = next.withSchedule({
      year: 2027,
      region: 'guangxi',
      holidays: [{ name: '三月三', from: '2027-04-09', to: '2027-04-10' }],
      makeUpWorkdays: [],
    });
    expect(full.hasYear(2027)).toBe(true);
  });

  it('refuses a year already loaded unless told to replace it', () => {
    expect(() => national.withSchedule({ ...y2027, year: 2026, holidays: [], makeUpWorkdays: [] })).toThrow(
      /already loaded/,
    );
    const replaced = national.withSchedule(
      { year: 2026, region: 'national', holidays: [], makeUpWorkdays: [] },
      { replace: true },
    );
    expect(replaced.dayInfo('2026-02-16').working).toBe(true);
  });

  it('refuses a date that is both a holiday and a working day, in one schedule', () => {
    const r = parseYearSchedule({ ...y2027, makeUpWorkdays: ['2027-01-02'] });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.issues[0]).toMatchObject({
        path: 'makeUpWorkdays[0]',
        message: expect.stringMatching(/both a holiday/),
      });
  });

  it('refuses a regional holiday on a national make-up working day', () => {
    const clash = {
      year: 2026,
      region: 'guangxi',
      holidays: [{ name: 'x', from: '2026-02-14', to: '2026-02-14' }],
      makeUpWorkdays: [],
    };
    expect(() => WorkingCalendar.create([...shippedSchedules.slice(0, 2), clash], { regions: ['guangxi'] })).toThrow(
      CalendarDataError,
    );
    try {
      WorkingCalendar.create([...shippedSchedules.slice(0, 2), clash], { regions: ['guangxi'] });
    } catch (e) {
      expect((e as CalendarDataError).issues[0]?.path).toBe('2026-02-14');
    }
  });

  it.each([
    [{ ...y2027, year: '2027' }, 'year'],
    [{ ...y2027, region: 'Guang Xi' }, 'region'],
    [{ ...y2027, holidays: 'none' }, 'holidays'],
    [{ ...y2027, holidays: [{ name: 'x', from: '2027-02-30', to: '2027-03-01' }] }, 'holidays[0].from'],
    [{ ...y2027, holidays: [{ name: 'x', from: '2027-02-03', to: '2027-02-01' }] }, 'holidays[0]'],
    [{ ...y2027, holidays: [{ name: '', from: '2027-02-01', to: '2027-02-01' }] }, 'holidays[0].name'],
    [{ ...y2027, holidays: [{ name: 'x', from: '2029-02-01', to: '2029-02-01' }] }, 'holidays[0].from'],
    [{ ...y2027, holidays: [...y2027.holidays, { name: 'y', from: '2027-01-03', to: '2027-01-04' }] }, 'holidays[1]'],
    [{ ...y2027, makeUpWorkdays: ['2027-01-08'] }, 'makeUpWorkdays[0]'], // a Friday
    [{ ...y2027, makeUpWorkdays: ['2027-01-09', '2027-01-09'] }, 'makeUpWorkdays[1]'],
    [{ ...y2027, makeUpWorkdays: 'x' }, 'makeUpWorkdays'],
    [null, '$'],
  ])('rejects bad data %#, naming %s', (input, path) => {
    const r = parseYearSchedule(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.path)).toContain(path);
    expect(() => national.withSchedule(input)).toThrow(CalendarDataError);
  });

  it('accepts a New Year holiday that starts in late December of the year before', () => {
    const r = parseYearSchedule({
      year: 2028,
      holidays: [{ name: '元旦', from: '2027-12-31', to: '2028-01-01' }],
      makeUpWorkdays: [],
    });
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.value.region).toBe('national');
  });
});
