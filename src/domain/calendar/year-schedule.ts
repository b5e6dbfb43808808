import { dayNumberOf, isCivilDate, isWeekend, yearOf, type CivilDate } from './civil-date.ts';

/** A run of consecutive days off, e.g. 春节 2026-02-15 … 2026-02-23 (both ends included). */
export interface HolidayRange {
  name: string;
  from: CivilDate;
  to: CivilDate;
}

/**
 * One year's published schedule for one region: `national` (the State Council notice) or a regional addition
 * such as `guangxi` (壮族三月三). Weekends not listed as make-up working days are days off; weekdays not listed
 * as holidays are working days.
 */
export interface YearSchedule {
  year: number;
  region: string;
  source?: string;
  /** True when the dates were derived from a rule rather than transcribed from the published notice. */
  derived?: boolean;
  holidays: HolidayRange[];
  makeUpWorkdays: CivilDate[];
}

/** One problem in calendar data, with the JSON path of the offending value. */
export interface CalendarIssue {
  path: string;
  message: string;
}

export class CalendarDataError extends Error {
  readonly issues: readonly CalendarIssue[];
  constructor(issues: readonly CalendarIssue[]) {
    super('Invalid calendar data:\n' + issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n'));
    this.name = 'CalendarDataError';
    this.issues = issues;
  }
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: CalendarIssue[] };

const REGION_RE = /^[a-z][a-z0-9-]{0,39}$/;

/**
 * Validates a year's schedule given as plain data (an admin's JSON, a shipped file). Dates must be real
 * calendar dates near the year (a New Year holiday may start in late December of the year before), ranges
 * ordered, make-up working days on a Saturday or Sunday, and no date both a holiday and a working day.
 */
export function parseYearSchedule(input: unknown): ParseResult<YearSchedule> {
  const issues: CalendarIssue[] = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return {
      ok: false,
      issues: [{ path: '$', message: 'must be an object with year, region, holidays, makeUpWorkdays' }],
    };
  }
  const o = input as Record<string, unknown>;
  const year = o['year'];
  if (typeof year !== 'number' || !Number.isInteger(year) || year < 2000 || year > 2200) {
    issues.push({ path: 'year', message: 'must be an integer year between 2000 and 2200' });
  }
  const region = o['region'] ?? 'national';
  if (typeof region !== 'string' || !REGION_RE.test(region)) {
    issues.push({ path: 'region', message: 'must be "national" or a lower-case region id such as "guangxi"' });
  }
  if (o['source'] !== undefined && typeof o['source'] !== 'string')
    issues.push({ path: 'source', message: 'must be a string' });
  if (o['derived'] !== undefined && typeof o['derived'] !== 'boolean')
    issues.push({ path: 'derived', message: 'must be a boolean' });

  const validYear = typeof year === 'number' && Number.isInteger(year) && year >= 2000 && year <= 2200;
  const inWindow = (date: CivilDate): boolean => {
    if (!validYear) return true;
    const y = yearOf(dayNumberOf(date));
    if (y === year) return true;
    // Holiday blocks can straddle the turn of the year (元旦 has started on 30 December before).
    const month = Number(date.slice(5, 7));
    return (y === year - 1 && month === 12) || (y === year + 1 && month === 1);
  };

  const holidays: HolidayRange[] = [];
  const holidayDays = new Map<number, string>();
  if (!Array.isArray(o['holidays'])) {
    issues.push({ path: 'holidays', message: 'must be an array of { name, from, to }' });
  } else {
    o['holidays'].forEach((h: unknown, i) => {
      const p = `holidays[${i}]`;
      if (typeof h !== 'object' || h === null) {
        issues.push({ path: p, message: 'must be an object { name, from, to }' });
        return;
      }
      const r = h as Record<string, unknown>;
      const name = r['name'];
      const from = r['from'];
      const to = r['to'];
      let bad = false;
      if (typeof name !== 'string' || name.trim() === '') {
        issues.push({ path: `${p}.name`, message: 'must be a non-empty string' });
        bad = true;
      }
      for (const [key, v] of [
        ['from', from],
        ['to', to],
      ] as const) {
        if (!isCivilDate(v)) {
          issues.push({ path: `${p}.${key}`, message: `must be a calendar date YYYY-MM-DD, got ${JSON.stringify(v)}` });
          bad = true;
        } else if (!inWindow(v)) {
          issues.push({ path: `${p}.${key}`, message: `${v} is outside year ${String(year)}` });
          bad = true;
        }
      }
      if (bad) return;
      const a = dayNumberOf(from as string);
      const b = dayNumberOf(to as string);
      if (b < a) {
        issues.push({ path: p, message: `to (${String(to)}) is before from (${String(from)})` });
        return;
      }
      if (b - a > 31) {
        issues.push({ path: p, message: 'a holiday block longer than 32 days is not plausible' });
        return;
      }
      for (let d = a; d <= b; d++) {
        if (holidayDays.has(d)) {
          issues.push({ path: p, message: `overlaps holiday "${holidayDays.get(d) ?? ''}"` });
          return;
        }
      }
      for (let d = a; d <= b; d++) holidayDays.set(d, name as string);
      holidays.push({ name: name as string, from: from as string, to: to as string });
    });
  }

  const makeUpWorkdays: CivilDate[] = [];
  if (!Array.isArray(o['makeUpWorkdays'])) {
    issues.push({ path: 'makeUpWorkdays', message: 'must be an array of dates YYYY-MM-DD (may be empty)' });
  } else {
    const seen = new Set<string>();
    o['makeUpWorkdays'].forEach((v: unknown, i) => {
      const p = `makeUpWorkdays[${i}]`;
      if (!isCivilDate(v)) {
        issues.push({ path: p, message: `must be a calendar date YYYY-MM-DD, got ${JSON.stringify(v)}` });
        return;
      }
      if (!inWindow(v)) {
        issues.push({ path: p, message: `${v} is outside year ${String(year)}` });
        return;
      }
      const d = dayNumberOf(v);
      if (!isWeekend(d)) {
        issues.push({
          path: p,
          message: `${v} is a weekday; a make-up working day (调休上班) is a Saturday or Sunday`,
        });
        return;
      }
      if (holidayDays.has(d)) {
        issues.push({
          path: p,
          message: `${v} cannot be both a holiday ("${holidayDays.get(d) ?? ''}") and a working day`,
        });
        return;
      }
      if (seen.has(v)) {
        issues.push({ path: p, message: `${v} is listed twice` });
        return;
      }
      seen.add(v);
      makeUpWorkdays.push(v);
    });
  }

  if (issues.length > 0) return { ok: false, issues };
  const schedule: YearSchedule = {
    year: year as number,
    region: region as string,
    holidays,
    makeUpWorkdays,
  };
  if (typeof o['source'] === 'string') schedule.source = o['source'];
  if (o['derived'] === true) schedule.derived = true;
  return { ok: true, value: schedule };
}
