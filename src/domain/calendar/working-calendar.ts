import {
  civilDateOf,
  dayNumberOf,
  endOfShanghaiDay,
  isWeekend,
  shanghaiDayOf,
  yearOf,
  type CivilDate,
  type DayNumber,
} from './civil-date.ts';
import { CalendarDataError, parseYearSchedule, type CalendarIssue, type YearSchedule } from './year-schedule.ts';

export const NATIONAL = 'national';

export type DayKind = 'workday' | 'weekend' | 'holiday' | 'make-up-workday';

/** What the calendar says about one date. `provisional` is true when the year has no loaded data. */
export interface DayInfo {
  date: CivilDate;
  working: boolean;
  kind: DayKind;
  holidayName?: string;
  provisional: boolean;
}

/** A date found by counting working days. `provisional` if any day looked at lies in a year without data. */
export interface DateAnswer {
  date: CivilDate;
  provisional: boolean;
}

/** An instant (epoch ms) found on the calendar, e.g. the end of a deadline's last working day. */
export interface InstantAnswer {
  at: number;
  date: CivilDate;
  provisional: boolean;
}

export interface CountAnswer {
  days: number;
  provisional: boolean;
}

/** Working days are counted over at most this many calendar days; beyond it the input is nonsense. */
const MAX_SCAN_DAYS = 366 * 20;

/**
 * The working-day calendar of Asia/Shanghai: national schedules plus the regional additions of the regions it
 * applies. Immutable: adding a year returns a new calendar, so a running service swaps one reference.
 * A year counts as covered when the national schedule and the schedule of every applied region are loaded;
 * in an uncovered year Monday–Friday are taken as working days and every answer is marked provisional.
 */
export class WorkingCalendar {
  readonly regions: readonly string[];
  private readonly schedules: ReadonlyMap<string, YearSchedule>;
  private readonly holidays: ReadonlyMap<DayNumber, string>;
  private readonly workdays: ReadonlySet<DayNumber>;
  private readonly covered: ReadonlySet<number>;

  private constructor(schedules: ReadonlyMap<string, YearSchedule>, regions: readonly string[]) {
    this.regions = regions;
    this.schedules = schedules;
    const holidays = new Map<DayNumber, string>();
    const workdays = new Set<DayNumber>();
    const applied = new Set([NATIONAL, ...regions]);
    const issues: CalendarIssue[] = [];
    for (const s of schedules.values()) {
      if (!applied.has(s.region)) continue;
      for (const h of s.holidays) {
        for (let d = dayNumberOf(h.from); d <= dayNumberOf(h.to); d++) holidays.set(d, h.name);
      }
      for (const w of s.makeUpWorkdays) workdays.add(dayNumberOf(w));
    }
    for (const d of workdays) {
      if (holidays.has(d)) {
        issues.push({
          path: civilDateOf(d),
          message: `a date cannot be both a holiday ("${holidays.get(d) ?? ''}") and a make-up working day`,
        });
      }
    }
    if (issues.length > 0) throw new CalendarDataError(issues);
    const years = new Set<number>();
    for (const s of schedules.values()) if (s.region === NATIONAL) years.add(s.year);
    const covered = new Set<number>();
    for (const y of years) {
      if (regions.every((r) => schedules.has(key(r, y)))) covered.add(y);
    }
    this.holidays = holidays;
    this.workdays = workdays;
    this.covered = covered;
  }

  /**
   * Builds a calendar from schedules given as plain data (validated) applying the listed regions' additions.
   * Throws CalendarDataError naming every problem.
   */
  static create(schedules: readonly unknown[], options: { regions?: readonly string[] } = {}): WorkingCalendar {
    const parsed = new Map<string, YearSchedule>();
    const issues: CalendarIssue[] = [];
    schedules.forEach((raw, i) => {
      const r = parseYearSchedule(raw);
      if (!r.ok) {
        for (const is of r.issues) issues.push({ path: `[${i}].${is.path}`, message: is.message });
        return;
      }
      const k = key(r.value.region, r.value.year);
      if (parsed.has(k)) {
        issues.push({ path: `[${i}]`, message: `${r.value.region} ${r.value.year} given twice` });
        return;
      }
      parsed.set(k, r.value);
    });
    if (issues.length > 0) throw new CalendarDataError(issues);
    return new WorkingCalendar(
      parsed,
      [...new Set(options.regions ?? [])].filter((r) => r !== NATIONAL),
    );
  }

  /**
   * A new calendar with one more year's schedule (the admin API). Refuses invalid data, a schedule that clashes
   * with loaded data, and replacing a loaded year unless `replace` is set.
   */
  withSchedule(raw: unknown, options: { replace?: boolean } = {}): WorkingCalendar {
    const r = parseYearSchedule(raw);
    if (!r.ok) throw new CalendarDataError(r.issues);
    const k = key(r.value.region, r.value.year);
    if (this.schedules.has(k) && !options.replace) {
      throw new CalendarDataError([{ path: 'year', message: `${r.value.region} ${r.value.year} is already loaded` }]);
    }
    const next = new Map(this.schedules);
    next.set(k, r.value);
    return new WorkingCalendar(next, this.regions);
  }

  /** The loaded schedules, e.g. for an admin listing or persisting. */
  listSchedules(): YearSchedule[] {
    // Copies: the calendar is immutable, so nobody may change its schedules through this list.
    return [...this.schedules.values()]
      .map((s) => structuredClone(s))
      .sort((a, b) => a.year - b.year || a.region.localeCompare(b.region));
  }

  /** Years whose national and applied regional schedules are all loaded. */
  coveredYears(): number[] {
    return [...this.covered].sort((a, b) => a - b);
  }

  hasYear(year: number): boolean {
    return this.covered.has(year);
  }

  dayInfo(date: CivilDate): DayInfo {
    return this.infoOf(dayNumberOf(date));
  }

  /** @internal the counting functions' fast path: no date string is built. */
  workingOn(day: DayNumber): { working: boolean; provisional: boolean } {
    const provisional = !this.covered.has(yearOf(day));
    if (this.holidays.has(day)) return { working: false, provisional };
    if (this.workdays.has(day)) return { working: true, provisional };
    return { working: !isWeekend(day), provisional };
  }

  /** @internal day-number form of dayInfo. */
  infoOf(day: DayNumber): DayInfo {
    const provisional = !this.covered.has(yearOf(day));
    const date = civilDateOf(day);
    const holiday = this.holidays.get(day);
    if (holiday !== undefined) return { date, working: false, kind: 'holiday', holidayName: holiday, provisional };
    if (this.workdays.has(day)) return { date, working: true, kind: 'make-up-workday', provisional };
    if (isWeekend(day)) return { date, working: false, kind: 'weekend', provisional };
    return { date, working: true, kind: 'workday', provisional };
  }
}

function key(region: string, year: number): string {
  return `${region}:${year}`;
}

export function isWorkingDay(cal: WorkingCalendar, date: CivilDate): { working: boolean; provisional: boolean } {
  const i = cal.dayInfo(date);
  return { working: i.working, provisional: i.provisional };
}

/** The first working day strictly after `date`. */
export function nextWorkingDay(cal: WorkingCalendar, date: CivilDate): DateAnswer {
  return addWorkingDays(cal, date, 1);
}

/**
 * The n-th working day strictly after `date` (n ≥ 1): with n = 2 and date 2026-02-13 this is 2026-02-24.
 * This is how the handling clocks count: "from the next working day after dispatch" (rules art. 26).
 * n = 0 gives `date` itself if it is a working day, else the next one.
 */
export function addWorkingDays(cal: WorkingCalendar, date: CivilDate, n: number): DateAnswer {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`working days must be a whole number ≥ 0, got ${n}`);
  let day = dayNumberOf(date);
  let info = cal.workingOn(day);
  let provisional = false;
  if (n === 0) {
    provisional = info.provisional;
    let guard = 0;
    while (!info.working) {
      if (++guard > MAX_SCAN_DAYS) throw new RangeError('no working day found within 20 years');
      day++;
      info = cal.workingOn(day);
      provisional ||= info.provisional;
    }
    return { date: civilDateOf(day), provisional };
  }
  let left = n;
  let guard = 0;
  while (left > 0) {
    if (++guard > MAX_SCAN_DAYS) throw new RangeError('working-day count reaches more than 20 years ahead');
    day++;
    info = cal.workingOn(day);
    provisional ||= info.provisional;
    if (info.working) left--;
  }
  return { date: civilDateOf(day), provisional };
}

/** The last millisecond (23:59:59.999 Asia/Shanghai) of the date. */
export function endOfWorkingDay(cal: WorkingCalendar, date: CivilDate): InstantAnswer {
  const day = dayNumberOf(date);
  return { at: endOfShanghaiDay(day), date, provisional: cal.workingOn(day).provisional };
}

/** Working days in the half-open span (from, to]: 0 when to ≤ from. */
export function workingDaysBetween(cal: WorkingCalendar, from: CivilDate, to: CivilDate): CountAnswer {
  const a = dayNumberOf(from);
  const b = dayNumberOf(to);
  if (b - a > MAX_SCAN_DAYS) throw new RangeError('span longer than 20 years');
  let days = 0;
  let provisional = false;
  for (let d = a + 1; d <= b; d++) {
    const i = cal.workingOn(d);
    provisional ||= i.provisional;
    if (i.working) days++;
  }
  return { days, provisional };
}

/**
 * The end of the n-th working day after the Asia/Shanghai date of the instant `from`: the deadline of a clock
 * of n working days started at `from`.
 */
export function workingDaysDeadline(cal: WorkingCalendar, from: number, n: number): InstantAnswer {
  const start = civilDateOf(shanghaiDayOf(from));
  const d = addWorkingDays(cal, start, n);
  const end = endOfWorkingDay(cal, d.date);
  // The start day itself does not matter to the count (only the days after it do), so it cannot make it provisional.
  return { at: end.at, date: d.date, provisional: d.provisional || end.provisional };
}
