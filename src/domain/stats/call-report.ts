import type { CallRecord } from '../calls/call-record.ts';
import { periodFigures, type PeriodFigures } from './figures.ts';
import { shanghaiDayStart } from './shanghai-day.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const SHANGHAI_OFFSET_MS = 8 * HOUR_MS;

/**
 * One row of a call report: the live wallboard's `periodFigures` (same definitions: offered, answered,
 * answered within the threshold over offered, abandoned, ASA) plus the handle time of the answered calls.
 */
export interface CallReportRow extends PeriodFigures {
  /** Row key: `YYYY-MM-DD` for a day, `00`–`23` for an hour of the day, the agent id for an agent, `total`. */
  key: string;
  /** Answered calls whose talk has ended (their handle time is known). */
  handled: number;
  /**
   * Average handle time: mean of `endedAt − answeredAt` over answered calls that have ended. The CDR keeps no
   * wrap-up time, so this is talk time; a call answered in the period but still talking is left out.
   */
  averageHandleTimeMs: number | null;
}

export interface CallReport {
  from: number;
  /** Exclusive. */
  to: number;
  thresholdMs: number;
  total: CallReportRow;
  /** One row per Asia/Shanghai day of the period, every day present. */
  days: CallReportRow[];
  /** Hours of the day 00–23 (Asia/Shanghai), summed over the days of the period, every hour present. */
  hours: CallReportRow[];
  /** Agents who answered at least one call offered in the period, by agent id. */
  agents: CallReportRow[];
}

/** The row's figures: exactly `periodFigures` over [from, to) plus the handle time. */
export function callReportRow(
  key: string,
  records: readonly CallRecord[],
  from: number,
  to: number,
  now: number,
  thresholdMs: number,
): CallReportRow {
  // periodFigures takes a closed interval; reports use half-open ones so adjacent rows never share a call.
  const f = periodFigures(records, from, to - 1, now, thresholdMs);
  let handled = 0;
  let sum = 0;
  for (const r of records) {
    const q = r.queuedAt;
    if (q === undefined || q < from || q >= to) continue;
    if (r.answeredAt === undefined || r.answerMs === undefined || r.endedAt === undefined) continue;
    handled += 1;
    sum += Math.max(0, r.endedAt - r.answeredAt);
  }
  return { ...f, key, handled, averageHandleTimeMs: handled === 0 ? null : sum / handled };
}

function dayKey(dayStart: number): string {
  return new Date(dayStart + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** Which bucket(s) a record can count in: its arrival (IVR figures) and its queue entry (answer-side figures). */
function instants(r: CallRecord): number[] {
  return r.queuedAt !== undefined && r.queuedAt !== r.arrivedAt ? [r.arrivedAt, r.queuedAt] : [r.arrivedAt];
}

/**
 * The supervisors' daily or monthly call report over [from, to). `from` and `to` are Asia/Shanghai midnights.
 * Records are grouped by bucket first, so the cost is one pass plus one `periodFigures` call per row.
 */
export function callReport(
  records: Iterable<CallRecord>,
  from: number,
  to: number,
  now: number,
  thresholdMs: number,
): CallReport {
  if (shanghaiDayStart(from) !== from || shanghaiDayStart(to) !== to || to <= from)
    throw new RangeError('a call report spans whole Asia/Shanghai days');
  const all: CallRecord[] = [];
  const byDay = new Map<number, CallRecord[]>();
  const byHour: CallRecord[][] = Array.from({ length: 24 }, () => []);
  const byAgent = new Map<string, CallRecord[]>();
  const push = <K>(m: Map<K, CallRecord[]>, k: K, r: CallRecord) => {
    const list = m.get(k);
    if (list) list.push(r);
    else m.set(k, [r]);
  };
  for (const r of records) {
    const inside = instants(r).filter((t) => t >= from && t < to);
    if (inside.length === 0) continue;
    all.push(r);
    const days = new Set(inside.map((t) => shanghaiDayStart(t)));
    for (const d of days) push(byDay, d, r);
    const hours = new Set(inside.map((t) => Math.floor((t - shanghaiDayStart(t)) / HOUR_MS)));
    for (const h of hours) byHour[h]!.push(r);
    if (r.agentId !== undefined && r.answeredAt !== undefined) push(byAgent, r.agentId, r);
  }
  const days: CallReportRow[] = [];
  for (let d = from; d < to; d += DAY_MS)
    days.push(callReportRow(dayKey(d), byDay.get(d) ?? [], d, d + DAY_MS, now, thresholdMs));
  // An hour-of-day row sums that hour over every day: periodFigures over the whole period on that hour's
  // records only, so each record is judged by the same rules as in the daily rows.
  const hours = byHour.map((list, h) => {
    const inHour = list.filter((r) => instants(r).some((t) => t >= from && t < to && hourOf(t) === h));
    return callReportRow(String(h).padStart(2, '0'), onlyHour(inHour, h), from, to, now, thresholdMs);
  });
  const agents = [...byAgent.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([agentId, list]) => callReportRow(agentId, list, from, to, now, thresholdMs));
  return {
    from,
    to,
    thresholdMs,
    total: callReportRow('total', all, from, to, now, thresholdMs),
    days,
    hours,
    agents,
  };
}

function hourOf(t: number): number {
  return Math.floor((t - shanghaiDayStart(t)) / HOUR_MS);
}

/**
 * A record whose arrival and queue entry fall in different hours counts its IVR side in the arrival hour and
 * its answer side in the queue hour: give each hour a copy that carries only the side that belongs to it.
 */
function onlyHour(records: CallRecord[], h: number): CallRecord[] {
  return records.map((r) => {
    const arrivalHere = hourOf(r.arrivedAt) === h;
    const queueHere = r.queuedAt !== undefined && hourOf(r.queuedAt) === h;
    if (arrivalHere && (queueHere || r.queuedAt === undefined)) return r;
    if (queueHere) {
      // Answer side only: move the arrival outside every period so the IVR block skips it.
      return { ...r, arrivedAt: Number.NEGATIVE_INFINITY };
    }
    // IVR side only: drop the queue entry so the answer side skips it.
    const { queuedAt: _q, ...rest } = r;
    return rest;
  });
}
