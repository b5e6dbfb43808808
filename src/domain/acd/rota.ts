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

/** The spans running at `now`. */
export function spansOnDuty(rota: readonly RotaSpan[], now: number): RotaSpan[] {
  return rota.filter((s) => s.from <= now && now < s.to);
}
