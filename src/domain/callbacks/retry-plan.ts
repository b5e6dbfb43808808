/**
 * The callback retry plan (回拨, issue 10 item 3; national guidance that missed calls are called back):
 * how many tries, how far apart, and the quiet hours in which nobody is called (22:00–08:00 local time
 * by default). Pure: every answer is computed from `now` (epoch ms) and the plan.
 */

export const CALLBACK_OUTCOMES = ['reached', 'no_answer', 'busy', 'wrong_number', 'resolved_elsewhere'] as const;
export type CallbackOutcome = (typeof CALLBACK_OUTCOMES)[number];

export interface RetryPlan {
  /** Tries (calls that got an outcome) before an unanswered callback is closed. */
  maxTries: number;
  /** Between two tries. */
  intervalMs: number;
  /** Local "HH:MM" times; null = no quiet hours. The span may cross midnight (22:00–08:00). */
  quietHours: { start: string; end: string } | null;
  /** The hotline's time zone as an offset from UTC (China: +480). */
  utcOffsetMinutes: number;
}

export const DEFAULT_RETRY_PLAN: RetryPlan = {
  maxTries: 3,
  intervalMs: 30 * 60_000,
  quietHours: { start: '22:00', end: '08:00' },
  utcOffsetMinutes: 480,
};

const DAY = 86_400_000;

function minutesOf(hhmm: string): number {
  const m = /^([01][0-9]|2[0-3]):([0-5][0-9])$/.exec(hhmm);
  if (!m) throw new Error(`"${hhmm}" is not a HH:MM time`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Milliseconds since local midnight. */
function localMs(plan: RetryPlan, at: number): number {
  return (((at + plan.utcOffsetMinutes * 60_000) % DAY) + DAY) % DAY;
}

export function inQuietHours(plan: RetryPlan, at: number): boolean {
  if (!plan.quietHours) return false;
  const t = localMs(plan, at);
  const s = minutesOf(plan.quietHours.start) * 60_000;
  const e = minutesOf(plan.quietHours.end) * 60_000;
  if (s === e) return false;
  return s < e ? t >= s && t < e : t >= s || t < e;
}

/** `at`, or the end of the quiet hours it falls in. */
export function firstAllowed(plan: RetryPlan, at: number): number {
  if (!plan.quietHours || !inQuietHours(plan, at)) return at;
  const e = minutesOf(plan.quietHours.end) * 60_000;
  const t = localMs(plan, at);
  return at + ((e - t + DAY) % DAY);
}

/** What an outcome does to a callback: closed, or pending with the next try (after the interval, out of quiet hours). */
export function afterOutcome(
  plan: RetryPlan,
  triesSoFar: number,
  outcome: CallbackOutcome,
  now: number,
): { status: 'pending' | 'done'; tries: number; nextTryAt: number | null } {
  const tries = triesSoFar + 1;
  const again = outcome === 'no_answer' || outcome === 'busy';
  if (!again || tries >= plan.maxTries) return { status: 'done', tries, nextTryAt: null };
  return { status: 'pending', tries, nextTryAt: firstAllowed(plan, now + plan.intervalMs) };
}

export type DialRefusal =
  | { code: 'already-done'; message: string }
  | { code: 'taken'; message: string; by: string }
  | { code: 'quiet-hours'; message: string; until: number }
  | { code: 'too-early'; message: string; until: number };

/** May this callback be dialled now? */
export function checkDial(
  plan: RetryPlan,
  row: { status: string; nextTryAt: number | null; diallingBy: string | null },
  now: number,
): DialRefusal | undefined {
  if (row.status !== 'pending') return { code: 'already-done', message: 'the callback is already closed' };
  if (row.diallingBy)
    return { code: 'taken', message: `the callback is being dialled by ${row.diallingBy}`, by: row.diallingBy };
  if (inQuietHours(plan, now)) {
    const until = firstAllowed(plan, now);
    return {
      code: 'quiet-hours',
      message: `no callbacks in quiet hours (until ${new Date(until).toISOString()})`,
      until,
    };
  }
  if (row.nextTryAt !== null && row.nextTryAt > now)
    return {
      code: 'too-early',
      message: `the next try is due at ${new Date(row.nextTryAt).toISOString()}`,
      until: row.nextTryAt,
    };
  return undefined;
}

/** Reads the plan from the environment; a bad value is an error naming the variable. */
export function retryPlanFromEnv(env: Record<string, string | undefined>): RetryPlan {
  const plan: RetryPlan = { ...DEFAULT_RETRY_PLAN };
  const int = (name: string, min: number, max: number): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`${name}: "${raw}" must be a whole number from ${min} to ${max}`);
    return n;
  };
  const tries = int('CALLBACK_MAX_TRIES', 1, 20);
  if (tries !== undefined) plan.maxTries = tries;
  const minutes = int('CALLBACK_RETRY_MINUTES', 1, 24 * 60);
  if (minutes !== undefined) plan.intervalMs = minutes * 60_000;
  const quiet = env.CALLBACK_QUIET_HOURS;
  if (quiet !== undefined && quiet !== '') {
    if (quiet === 'off') plan.quietHours = null;
    else {
      const m = /^([0-9]{2}:[0-9]{2})-([0-9]{2}:[0-9]{2})$/.exec(quiet);
      if (!m) throw new Error(`CALLBACK_QUIET_HOURS: "${quiet}" must be HH:MM-HH:MM (e.g. 22:00-08:00) or off`);
      try {
        minutesOf(m[1]!);
        minutesOf(m[2]!);
      } catch {
        throw new Error(`CALLBACK_QUIET_HOURS: "${quiet}" holds a time that is not HH:MM`);
      }
      plan.quietHours = { start: m[1]!, end: m[2]! };
    }
  }
  return plan;
}
