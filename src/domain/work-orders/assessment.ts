import { dayNumberOf, startOfShanghaiDay } from '../calendar/civil-date.ts';
import { workingDaysDeadline, type WorkingCalendar } from '../calendar/working-calendar.ts';
import type { Assignment, Deadline, WorkOrder } from './types.ts';

/** A half-open span [start, end) of epoch ms, on Asia/Shanghai day boundaries. */
export interface AssessmentPeriod {
  label: string;
  start: number;
  end: number;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function dayStart(year: number, month: number, day = 1): number {
  // Normalise month overflow (month 13 → January of the next year).
  const y = year + Math.floor((month - 1) / 12);
  const m = ((((month - 1) % 12) + 12) % 12) + 1;
  return startOfShanghaiDay(dayNumberOf(`${y}-${pad(m)}-${pad(day)}`));
}

/** Art. 30: the assessment cycle named by `year` runs from 1 December of the year before to 30 November. */
export function assessmentCycle(year: number): AssessmentPeriod {
  return { label: String(year), start: dayStart(year - 1, 12), end: dayStart(year, 12) };
}

/** One calendar month (Asia/Shanghai), e.g. assessmentMonth(2026, 3) = March 2026. */
export function assessmentMonth(year: number, month: number): AssessmentPeriod {
  if (!Number.isInteger(month) || month < 1 || month > 12) throw new RangeError(`month must be 1–12, got ${month}`);
  return { label: `${year}-${pad(month)}`, start: dayStart(year, month), end: dayStart(year, month + 1) };
}

/** The twelve months of a cycle, December of the year before first. */
export function cycleMonths(year: number): AssessmentPeriod[] {
  return [assessmentMonth(year - 1, 12), ...Array.from({ length: 11 }, (_, i) => assessmentMonth(year, i + 1))];
}

/** The cycle an instant belongs to (December counts towards the next year's cycle). */
export function cycleYearOf(ms: number): number {
  const d = new Date(ms + 8 * 3600_000);
  return d.getUTCMonth() === 11 ? d.getUTCFullYear() + 1 : d.getUTCFullYear();
}

/**
 * Art. 32: appeals against a cycle's figures are accepted until the end of the 7th working day after the cycle
 * (after 30 November).
 */
export function appealDeadline(cal: WorkingCalendar, cycleYear: number, workingDays = 7): Deadline {
  const lastDay = assessmentCycle(cycleYear).end - 1;
  const d = workingDaysDeadline(cal, lastDay, workingDays);
  return { at: d.at, provisional: d.provisional };
}

export function appealAllowed(
  cal: WorkingCalendar,
  cycleYear: number,
  now: number,
): { allowed: boolean; deadline: Deadline } {
  const deadline = appealDeadline(cal, cycleYear);
  return { allowed: now <= deadline.at, deadline };
}

/** One unit's figures for a period. Rates are 0–1, or null when nothing was counted. */
export interface UnitFigures {
  unitId: string;
  /** Assignments counted in the period (the unit as lead unit). */
  counted: number;
  signCounted: number;
  signedOnTime: number;
  signOnTimeRate: number | null;
  completionCounted: number;
  completedOnTime: number;
  completionOnTimeRate: number | null;
  returned: number;
  returnRate: number | null;
  extended: number;
  extensionRate: number | null;
  rated: number;
  satisfied: number;
  /** Of `satisfied`, how many by 24 hours of silence (art. 27(2)). */
  satisfiedByDefault: number;
  basicallySatisfied: number;
  dissatisfied: number;
  /** (satisfied + basically satisfied) / rated. */
  satisfactionRate: number | null;
}

/**
 * The instant an assignment enters the figures (art. 30): when it was handed back or answered, or, if it is
 * still unanswered or answered late, when its deadline passed. An assignment neither finished nor due yet has
 * none and waits for a later period.
 */
export function countingInstant(a: Assignment): number | null {
  if (a.returned) return a.returned.at;
  if (a.forwarded) return a.forwarded.at;
  const finished = a.reply?.at ?? Infinity;
  const due = a.completionDue?.at ?? Infinity;
  const t = Math.min(finished, due);
  return Number.isFinite(t) ? t : null;
}

function rate(n: number, d: number): number | null {
  return d === 0 ? null : n / d;
}

/**
 * What one assignment brings to its lead unit's figures in a period: the audit-level input of the monthly
 * assessment (art. 30), frozen with each publication so a published score can be recomputed and checked.
 */
export interface AssessmentContribution {
  orderId: number;
  unitId: string;
  /** null: signing not counted yet (not signed and not due before the horizon). */
  sign: 'on-time' | 'late' | null;
  /** null: completion not counted (returned, forwarded, or no completion deadline). */
  completion: 'on-time' | 'late' | null;
  returned: boolean;
  extended: boolean;
  satisfaction: 'satisfied' | 'basically-satisfied' | 'dissatisfied' | null;
  satisfiedByDefault: boolean;
}

/** The assignments counted in `period` as known at `now`, one contribution each (see assessUnits). */
export function assessmentContributions(
  orders: Iterable<WorkOrder>,
  period: AssessmentPeriod,
  now: number,
): AssessmentContribution[] {
  const out: AssessmentContribution[] = [];
  const horizon = Math.min(now, period.end);
  for (const order of orders) {
    for (const a of order.assignments) {
      const t = countingInstant(a);
      if (t === null || t < period.start || t >= period.end || t > now) continue;
      let sign: AssessmentContribution['sign'] = null;
      if (a.signedAt !== undefined) sign = a.signedAt <= a.signDue.at ? 'on-time' : 'late';
      else if (a.signDue.at < horizon) sign = 'late';
      let completion: AssessmentContribution['completion'] = null;
      // A workstation that passed the order on (art. 8) is scored on signing only; the unit below answers.
      if (!a.returned && !a.forwarded && a.completionDue)
        completion = a.reply && a.reply.at <= a.completionDue.at ? 'on-time' : 'late';
      const s = a.satisfaction;
      out.push({
        orderId: order.id,
        unitId: a.leadUnitId,
        sign,
        completion,
        returned: a.returned !== undefined,
        extended: a.extensions.some((e) => e.decision?.approved),
        satisfaction: s ? s.result : null,
        satisfiedByDefault: s?.result === 'satisfied' && s.byDefault === true,
      });
    }
  }
  return out;
}

/** Per-unit figures from contributions, sorted by unit id. */
export function figuresFromContributions(contributions: Iterable<AssessmentContribution>): UnitFigures[] {
  const byUnit = new Map<string, UnitFigures>();
  for (const c of contributions) {
    let f = byUnit.get(c.unitId);
    if (!f) {
      f = {
        unitId: c.unitId,
        counted: 0,
        signCounted: 0,
        signedOnTime: 0,
        signOnTimeRate: null,
        completionCounted: 0,
        completedOnTime: 0,
        completionOnTimeRate: null,
        returned: 0,
        returnRate: null,
        extended: 0,
        extensionRate: null,
        rated: 0,
        satisfied: 0,
        satisfiedByDefault: 0,
        basicallySatisfied: 0,
        dissatisfied: 0,
        satisfactionRate: null,
      };
      byUnit.set(c.unitId, f);
    }
    f.counted++;
    if (c.sign !== null) {
      f.signCounted++;
      if (c.sign === 'on-time') f.signedOnTime++;
    }
    if (c.returned) f.returned++;
    if (c.completion !== null) {
      f.completionCounted++;
      if (c.completion === 'on-time') f.completedOnTime++;
    }
    if (c.extended) f.extended++;
    if (c.satisfaction !== null) {
      f.rated++;
      if (c.satisfaction === 'satisfied') {
        f.satisfied++;
        if (c.satisfiedByDefault) f.satisfiedByDefault++;
      } else if (c.satisfaction === 'basically-satisfied') f.basicallySatisfied++;
      else f.dissatisfied++;
    }
  }
  const out = [...byUnit.values()].sort((x, y) => x.unitId.localeCompare(y.unitId));
  for (const f of out) {
    f.signOnTimeRate = rate(f.signedOnTime, f.signCounted);
    f.completionOnTimeRate = rate(f.completedOnTime, f.completionCounted);
    f.returnRate = rate(f.returned, f.counted);
    f.extensionRate = rate(f.extended, f.counted);
    f.satisfactionRate = rate(f.satisfied + f.basicallySatisfied, f.rated);
  }
  return out;
}

/**
 * Monthly or yearly figures per lead unit over plain order records, as known at `now` (an assignment whose
 * counting instant is after `now` is not counted yet). Satisfaction is the requester's verdict on each
 * assignment's answer (so a unit keeps a dissatisfied verdict even if the order is later re-dispatched). Orders
 * closed by the agent without dispatch have no unit and are not counted; assisting units are not scored here.
 */
export function assessUnits(orders: Iterable<WorkOrder>, period: AssessmentPeriod, now: number): UnitFigures[] {
  return figuresFromContributions(assessmentContributions(orders, period, now));
}
