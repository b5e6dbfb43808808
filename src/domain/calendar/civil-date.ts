/**
 * Calendar dates and instants in Asia/Shanghai, computed with a fixed +08:00 offset whatever the server's
 * time zone: China has had no daylight saving time since 1991, so the offset is constant.
 */

/** A calendar date in Asia/Shanghai, written `YYYY-MM-DD`. */
export type CivilDate = string;

export const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;
export const DAY_MS = 24 * 60 * 60 * 1000;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 (a Thursday) of a date in Asia/Shanghai. */
export type DayNumber = number;

export function isCivilDate(value: unknown): value is CivilDate {
  if (typeof value !== 'string') return false;
  const m = DATE_RE.exec(value);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1) return false;
  return d <= daysInMonth(y, mo);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function dayNumberOf(date: CivilDate): DayNumber {
  const m = DATE_RE.exec(date);
  if (!m || !isCivilDate(date)) throw new RangeError(`not a calendar date (YYYY-MM-DD): ${JSON.stringify(date)}`);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / DAY_MS;
}

export function civilDateOf(day: DayNumber): CivilDate {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The Asia/Shanghai date on which the instant `ms` falls. */
export function shanghaiDayOf(ms: number): DayNumber {
  return Math.floor((ms + SHANGHAI_OFFSET_MS) / DAY_MS);
}

export function shanghaiDateOf(ms: number): CivilDate {
  return civilDateOf(shanghaiDayOf(ms));
}

/** The instant 00:00 Asia/Shanghai of the day. */
export function startOfShanghaiDay(day: DayNumber): number {
  return day * DAY_MS - SHANGHAI_OFFSET_MS;
}

/** The last millisecond (23:59:59.999 Asia/Shanghai) of the day: a deadline "by the end of" that day. */
export function endOfShanghaiDay(day: DayNumber): number {
  return startOfShanghaiDay(day + 1) - 1;
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(day: DayNumber): number {
  return (((day + 4) % 7) + 7) % 7;
}

export function isWeekend(day: DayNumber): boolean {
  const w = weekdayOf(day);
  return w === 0 || w === 6;
}

export function yearOf(day: DayNumber): number {
  // Civil-from-days (proleptic Gregorian), avoiding a Date object in the counting loops.
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  return yoe + era * 400 + (month <= 2 ? 1 : 0);
}

/** The instant of a Shanghai wall-clock time, e.g. shanghaiInstant('2026-02-13', 16, 30). */
export function shanghaiInstant(date: CivilDate, hour = 0, minute = 0, second = 0): number {
  return startOfShanghaiDay(dayNumberOf(date)) + ((hour * 60 + minute) * 60 + second) * 1000;
}
