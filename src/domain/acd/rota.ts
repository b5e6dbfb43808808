/**
 * The leader rota (领导轮值, art. 23): unit leaders take hotline calls in set spans. A leader on duty
 * signs in like an agent; while a span of theirs runs they form the `leaders` overflow group (calls
 * past the 20-s answer target, art. 25) and take the calls a supervisor sends to the leaders.
 */
export interface RotaSpan {
  spanId: string;
  /** The leader's agent id (their user name). */
  agentId: string;
  /** Epoch ms, start inclusive, end exclusive. */
  from: number;
  to: number;
  /** The seat (extension) the leader sits at; shown on the wallboard. */
  seat: string | null;
  /** The desk whose calls the leader covers; null = every desk. */
  skill: string | null;
}

/** Supervisors are warned this long before a span starts when its leader has not signed in. */
export const ROTA_WARNING_MS = 10 * 60_000;

/** Is this agent a leader on duty for calls of `skill` at `now`? */
export function leaderOnDuty(rota: readonly RotaSpan[], agentId: string, skill: string, now: number): boolean {
  for (const s of rota) {
    if (s.agentId === agentId && s.from <= now && now < s.to && (s.skill === null || s.skill === skill)) return true;
  }
  return false;
}

const DAY_MS = 86_400_000;
/** China Standard Time: UTC+8 all year, no daylight saving. */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/** A rota entry as admins keep it: Asia/Shanghai date and wall-clock times. */
export interface RotaEntry {
  id: number;
  /** YYYY-MM-DD */
  date: string;
  /** HH:MM */
  startTime: string;
  /** HH:MM or 24:00; at or before startTime = past midnight, on the next day. */
  endTime: string;
  username: string;
  seat: string;
  skill: string | null;
}

/** Minutes since midnight of `HH:MM` (00:00–24:00), or undefined when malformed. */
export function minutesOf(hhmm: string): number | undefined {
  const m = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(hhmm);
  if (!m) return undefined;
  const v = Number(m[1]) * 60 + Number(m[2]);
  return v > 24 * 60 ? undefined : v;
}

/** Epoch ms of 00:00 Asia/Shanghai on `YYYY-MM-DD`, or undefined when not a real date. */
export function shanghaiMidnight(date: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return undefined;
  const utc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (new Date(utc).toISOString().slice(0, 10) !== date) return undefined;
  return utc - SHANGHAI_OFFSET_MS;
}

/** The Asia/Shanghai date (YYYY-MM-DD) of an instant. */
export function shanghaiDate(at: number): string {
  return new Date(at + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** The span an entry covers (its end past midnight when it does not come after its start). */
export function spanOf(e: RotaEntry): RotaSpan {
  const day = shanghaiMidnight(e.date) ?? 0;
  const start = minutesOf(e.startTime) ?? 0;
  let end = minutesOf(e.endTime) ?? 0;
  if (end <= start) end += 24 * 60;
  return {
    spanId: String(e.id),
    agentId: e.username,
    from: day + start * 60_000,
    to: day + end * 60_000,
    seat: e.seat,
    skill: e.skill,
  };
}

/** Whole days, for the adapter's reload window. */
export const ROTA_DAY_MS = DAY_MS;
