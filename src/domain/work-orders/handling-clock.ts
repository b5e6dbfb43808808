import { shanghaiDateOf } from '../calendar/civil-date.ts';
import {
  addWorkingDays,
  endOfWorkingDay,
  workingDaysDeadline,
  type WorkingCalendar,
} from '../calendar/working-calendar.ts';
import type { Channel, Deadline, HandlingLimit, OrderType } from './types.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * The clocks of the hotline rules. Defaults are the values of the Guangxi measures (art. 25, 26, 27, 29); the
 * ones the measures leave open (how soon a non-emergency order must be signed) are marked as the site's choice.
 */
export interface ClockPolicy {
  /** Art. 26(2)1–5: completion limits by type in working days; null = no clock (praise). */
  workingDaysByType: Record<OrderType, number | null>;
  /**
   * Art. 26(2)8: where a law, regulation or normative document sets its own limit for a kind of matter, it
   * applies. Working days by category code; empty by default (the site fills it in).
   */
  workingDaysByCategory: Readonly<Record<string, number>>;
  /** Art. 26(2)6: orders from the chairman's mailbox (主席信箱). */
  chairmanMailboxWorkingDays: number;
  /** Art. 26(2)7: an emergency order is signed within 30 minutes … */
  emergencySignMs: number;
  /** … and answered within 24 hours of clock time. */
  emergencyCompletionMs: number;
  /** Not set by the measures (site's choice): a non-emergency order is signed by the end of this many working days after dispatch. */
  signWorkingDays: number;
  /** Art. 26(3): return within 1 working day of signing … */
  returnWorkingDays: number;
  /** … emergency orders within 30 minutes. */
  emergencyReturnMs: number;
  /** Art. 25(2): dispatch within 24 hours of intake. */
  dispatchMs: number;
  /** Art. 27(2): no satisfaction reply within 24 hours counts as satisfied. */
  satisfactionReplyMs: number;
  /** Art. 29(2): a knowledge question to a unit is answered within 3 working days. */
  knowledgeQuestionWorkingDays: number;
  /** Art. 26(2)9: extensions may total at most this multiple of the original limit. */
  maxExtensionFactor: number;
}

export const DEFAULT_CLOCK_POLICY: ClockPolicy = Object.freeze({
  workingDaysByType: Object.freeze({
    consultation: 2,
    help: 3,
    suggestion: 5,
    complaint: 10,
    report: 10,
    praise: null,
  }),
  workingDaysByCategory: Object.freeze({}),
  chairmanMailboxWorkingDays: 3,
  emergencySignMs: 30 * MINUTE,
  emergencyCompletionMs: 24 * HOUR,
  signWorkingDays: 1,
  returnWorkingDays: 1,
  emergencyReturnMs: 30 * MINUTE,
  dispatchMs: 24 * HOUR,
  satisfactionReplyMs: 24 * HOUR,
  knowledgeQuestionWorkingDays: 3,
  maxExtensionFactor: 1,
}) as ClockPolicy;

export interface ClockSubject {
  type: OrderType;
  channel: Channel;
  emergency: boolean;
  category?: { code: string };
}

/**
 * The completion limit of an order (art. 26(2)): emergency first, then a limit set by law for the category,
 * then the chairman's mailbox, then the type.
 */
export function handlingLimit(order: ClockSubject, policy: ClockPolicy = DEFAULT_CLOCK_POLICY): HandlingLimit | null {
  if (order.emergency) return { unit: 'ms', amount: policy.emergencyCompletionMs };
  const code = order.category?.code;
  const byLaw =
    code !== undefined && Object.hasOwn(policy.workingDaysByCategory, code)
      ? policy.workingDaysByCategory[code]
      : undefined;
  if (byLaw !== undefined) return { unit: 'working-days', amount: byLaw };
  if (order.channel === 'chairman-mailbox') return { unit: 'working-days', amount: policy.chairmanMailboxWorkingDays };
  const days = policy.workingDaysByType[order.type];
  return days === null ? null : { unit: 'working-days', amount: days };
}

/** End of the n-th working day after the day of `from` (counting starts the next working day, art. 26(2)). */
export function workingDayDeadline(cal: WorkingCalendar, from: number, days: number): Deadline {
  const d = workingDaysDeadline(cal, from, days);
  return { at: d.at, provisional: d.provisional };
}

/** The deadline of a limit started at `from`. */
export function deadlineAfter(cal: WorkingCalendar, from: number, limit: HandlingLimit): Deadline {
  if (limit.unit === 'ms') return { at: from + limit.amount, provisional: false };
  return workingDayDeadline(cal, from, limit.amount);
}

/** When the order must be completed and answered, for a dispatch at `dispatchedAt`; null when no clock runs. */
export function completionDeadline(
  cal: WorkingCalendar,
  order: ClockSubject,
  dispatchedAt: number,
  policy: ClockPolicy = DEFAULT_CLOCK_POLICY,
): Deadline | null {
  const limit = handlingLimit(order, policy);
  return limit === null ? null : deadlineAfter(cal, dispatchedAt, limit);
}

/** When the lead unit must sign (签收). */
export function signDeadline(
  cal: WorkingCalendar,
  order: Pick<ClockSubject, 'emergency'>,
  dispatchedAt: number,
  policy: ClockPolicy = DEFAULT_CLOCK_POLICY,
): Deadline {
  if (order.emergency) return { at: dispatchedAt + policy.emergencySignMs, provisional: false };
  return workingDayDeadline(cal, dispatchedAt, policy.signWorkingDays);
}

/** Until when the unit may hand the order back (退单), art. 26(3). */
export function returnDeadline(
  cal: WorkingCalendar,
  order: Pick<ClockSubject, 'emergency'>,
  signedAt: number,
  policy: ClockPolicy = DEFAULT_CLOCK_POLICY,
): Deadline {
  if (order.emergency) return { at: signedAt + policy.emergencyReturnMs, provisional: false };
  return workingDayDeadline(cal, signedAt, policy.returnWorkingDays);
}

/** Art. 25(2): dispatch due 24 h after intake (clock time). */
export function dispatchDeadline(receivedAt: number, policy: ClockPolicy = DEFAULT_CLOCK_POLICY): Deadline {
  return { at: receivedAt + policy.dispatchMs, provisional: false };
}

/** Art. 29(2): a knowledge question asked at `askedAt` is answered by the end of the 3rd working day after. */
export function knowledgeQuestionDeadline(
  cal: WorkingCalendar,
  askedAt: number,
  policy: ClockPolicy = DEFAULT_CLOCK_POLICY,
): Deadline {
  return workingDayDeadline(cal, askedAt, policy.knowledgeQuestionWorkingDays);
}

/** Art. 27(2): silence until this instant counts as satisfied. */
export function satisfactionReplyDeadline(surveySentAt: number, policy: ClockPolicy = DEFAULT_CLOCK_POLICY): number {
  return surveySentAt + policy.satisfactionReplyMs;
}

/**
 * The deadline after an extension of `extra` (in the limit's unit) on top of `current`: working days are added
 * after the current deadline's day, clock time is added to the instant.
 */
export function extendDeadline(cal: WorkingCalendar, current: Deadline, limit: HandlingLimit, extra: number): Deadline {
  if (limit.unit === 'ms') return { at: current.at + extra, provisional: current.provisional };
  const d = addWorkingDays(cal, shanghaiDateOf(current.at), extra);
  const end = endOfWorkingDay(cal, d.date);
  return { at: end.at, provisional: current.provisional || d.provisional || end.provisional };
}
