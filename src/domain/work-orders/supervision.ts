import { shanghaiDateOf } from '../calendar/civil-date.ts';
import { workingDaysBetween, type WorkingCalendar } from '../calendar/working-calendar.ts';
import { DEFAULT_CLOCK_POLICY, type ClockPolicy } from './handling-clock.ts';
import type { Assignment, WorkOrder } from './types.ts';

/** Art. 34: the escalation ladder, mildest first. */
export const SUPERVISION_LEVELS = ['sms-warning', 'yellow-card', 'red-card'] as const;
export type SupervisionLevel = (typeof SUPERVISION_LEVELS)[number];

/**
 * When each rung is reached. The measures (art. 27, 34) name the ladder but give no thresholds, so these
 * defaults are the site's choice, to be set in configuration:
 * - SMS warning: a working-day deadline is on the next working day or today; a clock-time deadline (emergency,
 *   dispatch) has a quarter or less of its length left.
 * - yellow card: the deadline has passed.
 * - red card: overdue by 3 working days, or by the whole length again for a clock-time deadline.
 */
export interface SupervisionPolicy {
  warnWorkingDaysBefore: number;
  warnFraction: number;
  redAfterOverdueWorkingDays: number;
  redAfterOverdueFraction: number;
}

export const DEFAULT_SUPERVISION_POLICY: SupervisionPolicy = Object.freeze({
  warnWorkingDaysBefore: 1,
  warnFraction: 0.25,
  redAfterOverdueWorkingDays: 3,
  redAfterOverdueFraction: 1,
});

export type SupervisedDeadline = 'dispatch' | 'sign' | 'completion';

export interface SupervisionFinding {
  orderId: number;
  /** The unit that owes the action; null for the dispatch deadline, which is the hotline's own. */
  unitId: string | null;
  deadline: SupervisedDeadline;
  dueAt: number;
  provisional: boolean;
  level: SupervisionLevel;
  overdue: boolean;
  /** How long past the deadline, in ms (0 when not overdue). */
  overdueMs: number;
  /** Art. 27(1): an overdue unit must state why. */
  explanationRequired: boolean;
  explained: boolean;
}

export interface SupervisionEnv {
  calendar: WorkingCalendar;
  clockPolicy?: ClockPolicy;
  policy?: SupervisionPolicy;
}

/** The deadlines of one order that supervision watches now, with the level each has reached (if any). */
export function superviseOrder(order: WorkOrder, now: number, env: SupervisionEnv): SupervisionFinding[] {
  const policy = env.policy ?? DEFAULT_SUPERVISION_POLICY;
  const clocks = env.clockPolicy ?? DEFAULT_CLOCK_POLICY;
  const out: SupervisionFinding[] = [];
  const a: Assignment | undefined = order.assignments[order.assignments.length - 1];
  const explained = (a?.overdueExplanations.length ?? 0) > 0;

  // A disputed order still owes its dispatch: the joint decision (art. 19) does not stop the 24-hour clock.
  if (order.status === 'registered' || order.status === 'returned' || order.status === 'disputed') {
    const start = order.dispatchDue.at - clocks.dispatchMs;
    const level = clockTimeLevel(start, order.dispatchDue.at, now, policy);
    if (level)
      out.push(
        finding(order.id, null, 'dispatch', order.dispatchDue.at, order.dispatchDue.provisional, level, now, false),
      );
  }
  if (a && order.status === 'dispatched') {
    const level = order.emergency
      ? clockTimeLevel(a.dispatchedAt, a.signDue.at, now, policy)
      : workingDayLevel(env.calendar, a.signDue.at, now, policy, false);
    if (level)
      out.push(finding(order.id, a.leadUnitId, 'sign', a.signDue.at, a.signDue.provisional, level, now, explained));
  }
  if (a?.completionDue && (order.status === 'dispatched' || order.status === 'signed')) {
    const due = a.completionDue;
    const level =
      a.limit?.unit === 'ms'
        ? clockTimeLevel(a.dispatchedAt, due.at, now, policy)
        : workingDayLevel(env.calendar, due.at, now, policy, true);
    if (level) out.push(finding(order.id, a.leadUnitId, 'completion', due.at, due.provisional, level, now, explained));
  }
  return out;
}

/** Every finding over a set of orders, the most urgent (earliest deadline) first. */
export function superviseOrders(orders: Iterable<WorkOrder>, now: number, env: SupervisionEnv): SupervisionFinding[] {
  const all: SupervisionFinding[] = [];
  for (const o of orders) all.push(...superviseOrder(o, now, env));
  return all.sort((x, y) => x.dueAt - y.dueAt || x.orderId - y.orderId);
}

function finding(
  orderId: number,
  unitId: string | null,
  deadline: SupervisedDeadline,
  dueAt: number,
  provisional: boolean,
  level: SupervisionLevel,
  now: number,
  explained: boolean,
): SupervisionFinding {
  const overdue = now > dueAt;
  return {
    orderId,
    unitId,
    deadline,
    dueAt,
    provisional,
    level,
    overdue,
    overdueMs: overdue ? now - dueAt : 0,
    explanationRequired: overdue && unitId !== null,
    explained,
  };
}

function clockTimeLevel(start: number, due: number, now: number, p: SupervisionPolicy): SupervisionLevel | null {
  const length = Math.max(1, due - start);
  if (now > due) return now - due >= length * p.redAfterOverdueFraction ? 'red-card' : 'yellow-card';
  return due - now <= length * p.warnFraction ? 'sms-warning' : null;
}

function workingDayLevel(
  cal: WorkingCalendar,
  due: number,
  now: number,
  p: SupervisionPolicy,
  warn: boolean,
): SupervisionLevel | null {
  const today = shanghaiDateOf(now);
  const dueDay = shanghaiDateOf(due);
  if (now > due) {
    const late = workingDaysBetween(cal, dueDay, today).days;
    return late >= p.redAfterOverdueWorkingDays ? 'red-card' : 'yellow-card';
  }
  if (!warn) return null;
  return workingDaysBetween(cal, today, dueDay).days <= p.warnWorkingDaysBefore ? 'sms-warning' : null;
}

/** A notice already sent for one deadline of one order. */
export interface IssuedNotice {
  orderId: number;
  deadline: SupervisedDeadline;
  dueAt: number;
  level: SupervisionLevel;
}

export type SupervisionEffect =
  | {
      type: 'supervision-notice';
      orderId: number;
      unitId: string | null;
      deadline: SupervisedDeadline;
      dueAt: number;
      level: SupervisionLevel;
    }
  /** Art. 27(1): ask the overdue unit for its reason. */
  | { type: 'create-task'; orderId: number; task: 'explain-overdue'; unitId: string };

const RANK: Record<SupervisionLevel, number> = { 'sms-warning': 1, 'yellow-card': 2, 'red-card': 3 };

/**
 * The notices to send now: a finding whose level is above the highest already issued for the same deadline
 * (an extension moves the deadline and so starts a new ladder). A rung skipped over (a scan that finds an order
 * already red) is not sent separately. Entering the overdue rungs asks the unit for its reason once.
 */
export function newSupervisionNotices(
  findings: readonly SupervisionFinding[],
  issued: readonly IssuedNotice[],
): SupervisionEffect[] {
  const highest = new Map<string, number>();
  for (const n of issued) {
    const k = `${n.orderId}|${n.deadline}|${n.dueAt}`;
    highest.set(k, Math.max(highest.get(k) ?? 0, RANK[n.level]));
  }
  const out: SupervisionEffect[] = [];
  for (const f of findings) {
    const before = highest.get(`${f.orderId}|${f.deadline}|${f.dueAt}`) ?? 0;
    if (RANK[f.level] <= before) continue;
    out.push({
      type: 'supervision-notice',
      orderId: f.orderId,
      unitId: f.unitId,
      deadline: f.deadline,
      dueAt: f.dueAt,
      level: f.level,
    });
    if (f.unitId !== null && f.overdue && before < RANK['yellow-card'] && !f.explained) {
      out.push({ type: 'create-task', orderId: f.orderId, task: 'explain-overdue', unitId: f.unitId });
    }
  }
  return out;
}

/** Orders whose satisfaction survey went unanswered for 24 hours: feed each a `satisfaction-timeout` command. */
export function satisfactionTimeoutsDue(orders: Iterable<WorkOrder>, now: number): number[] {
  const ids: number[] = [];
  for (const o of orders) {
    const s = o.satisfaction;
    if (o.status === 'closed' && s && !s.result && now >= s.replyDueAt) ids.push(o.id);
  }
  return ids;
}
