import type { CallRecord } from '../calls/call-record.ts';
import { shanghaiDayStart } from './shanghai-day.ts';

/**
 * The answer figures of a set of calls, one definition for the wallboard (by hour, by agent, today
 * and yesterday) and for the daily and monthly reports. See src/domain/stats/README.md.
 */
export interface CallFigures {
  /** Left the voice menu for the queue: answered + abandoned + still waiting past the threshold. */
  offered: number;
  answered: number;
  answeredWithinThreshold: number;
  abandoned: number;
  /** answered / offered; null with nothing offered. */
  answerRate: number | null;
  /** answered within the threshold / offered: the regulator's rate (art. 25). */
  regulatorRate: number | null;
  /** abandoned / offered. */
  abandonRate: number | null;
  /** Average speed of answer: mean of answeredAt − ivrExitAt over answered calls (ms). */
  asaMs: number | null;
  /** Average handle time: mean of endedAt − answeredAt over answered calls that have ended (ms). */
  ahtMs: number | null;
  /** Offers not answered in time (ring-no-answer). */
  rona: number;
}

/** Per agent: their offers, answers and ring-no-answers. Abandoned calls are not attributed to agents. */
export interface AgentFigures {
  agentId: string;
  /** Filled in by the adapter (the wallboard shows people by name). */
  displayName?: string;
  /** Times their phone was rung for a call: answered by them + not answered (RONA, unreachable). */
  offered: number;
  answered: number;
  answeredWithinThreshold: number;
  /** answered / offered. */
  answerRate: number | null;
  asaMs: number | null;
  ahtMs: number | null;
  rona: number;
}

export interface HourFigures extends CallFigures {
  /** Epoch ms of the hour's start (Asia/Shanghai wall clock hours). */
  from: number;
  /** 0–23, Asia/Shanghai. */
  hour: number;
}

export interface DayFigures {
  /** 00:00 Asia/Shanghai. */
  from: number;
  to: number;
  total: CallFigures;
  hours: HourFigures[];
  agents: AgentFigures[];
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

const ratio = (n: number, d: number): number | null => (d > 0 ? n / d : null);

/**
 * The figures of the calls that left the voice menu for the queue in [from, to) (by `queuedAt`), as
 * of `now`. A call still waiting counts as offered once it has waited past `thresholdMs` (it has
 * missed the target whatever happens next); under it, it is left out.
 */
export function callFigures(
  records: Iterable<CallRecord>,
  from: number,
  to: number,
  now: number,
  thresholdMs: number,
): CallFigures {
  let offered = 0;
  let answered = 0;
  let within = 0;
  let abandoned = 0;
  let rona = 0;
  let answerSum = 0;
  let handleSum = 0;
  let handled = 0;
  for (const r of records) {
    const q = r.queuedAt;
    if (q === undefined || q < from || q >= to) continue;
    for (const f of r.failedOffers) if (f.cause === 'rona') rona += 1;
    if (r.answeredAt !== undefined && r.answerMs !== undefined) {
      offered += 1;
      answered += 1;
      answerSum += r.answerMs;
      if (r.answerMs <= thresholdMs) within += 1;
      if (r.endedAt !== undefined) {
        handleSum += r.endedAt - r.answeredAt;
        handled += 1;
      }
    } else if (r.outcome === 'abandoned') {
      offered += 1;
      abandoned += 1;
    } else if (r.outcome === 'in-progress' && now - q > thresholdMs) offered += 1;
  }
  return {
    offered,
    answered,
    answeredWithinThreshold: within,
    abandoned,
    answerRate: ratio(answered, offered),
    regulatorRate: ratio(within, offered),
    abandonRate: ratio(abandoned, offered),
    asaMs: answered > 0 ? answerSum / answered : null,
    ahtMs: handled > 0 ? handleSum / handled : null,
    rona,
  };
}

/** Per agent, over the calls queued in [from, to). */
export function agentFigures(
  records: Iterable<CallRecord>,
  from: number,
  to: number,
  thresholdMs: number,
): AgentFigures[] {
  const by = new Map<string, AgentFigures & { answerSum: number; handleSum: number; handled: number }>();
  const of = (agentId: string) => {
    let a = by.get(agentId);
    if (!a) {
      a = {
        agentId,
        offered: 0,
        answered: 0,
        answeredWithinThreshold: 0,
        answerRate: null,
        asaMs: null,
        ahtMs: null,
        rona: 0,
        answerSum: 0,
        handleSum: 0,
        handled: 0,
      };
      by.set(agentId, a);
    }
    return a;
  };
  for (const r of records) {
    const q = r.queuedAt;
    if (q === undefined || q < from || q >= to) continue;
    for (const f of r.failedOffers) {
      const a = of(f.agentId);
      a.offered += 1;
      if (f.cause === 'rona') a.rona += 1;
    }
    if (r.answeredAt !== undefined && r.answerMs !== undefined && r.agentId !== undefined) {
      const a = of(r.agentId);
      a.offered += 1;
      a.answered += 1;
      a.answerSum += r.answerMs;
      if (r.answerMs <= thresholdMs) a.answeredWithinThreshold += 1;
      if (r.endedAt !== undefined) {
        a.handleSum += r.endedAt - r.answeredAt;
        a.handled += 1;
      }
    }
  }
  return [...by.values()]
    .map(({ answerSum, handleSum, handled, ...a }) => ({
      ...a,
      answerRate: ratio(a.answered, a.offered),
      asaMs: a.answered > 0 ? answerSum / a.answered : null,
      ahtMs: handled > 0 ? handleSum / handled : null,
    }))
    .sort((x, y) => (x.agentId < y.agentId ? -1 : x.agentId > y.agentId ? 1 : 0));
}

/**
 * One Asia/Shanghai day (the one containing `day`), by hour and by agent, as of `now`: today's
 * hours after `now` are left out.
 */
export function dayFigures(records: Iterable<CallRecord>, day: number, now: number, thresholdMs: number): DayFigures {
  const all = [...records];
  const from = shanghaiDayStart(day);
  const to = Math.min(from + DAY_MS, now + 1);
  // Each record goes to its hour once, so a day of calls costs one pass, not 24.
  const buckets: CallRecord[][] = Array.from({ length: 24 }, () => []);
  for (const r of all) {
    if (r.queuedAt !== undefined && r.queuedAt >= from && r.queuedAt < to)
      buckets[Math.floor((r.queuedAt - from) / HOUR_MS)]?.push(r);
  }
  const hours: HourFigures[] = [];
  for (let h = 0; h < 24 && from + h * HOUR_MS < to; h++) {
    const start = from + h * HOUR_MS;
    hours.push({ from: start, hour: h, ...callFigures(buckets[h]!, start, start + HOUR_MS, now, thresholdMs) });
  }
  return {
    from,
    to,
    total: callFigures(all, from, to, now, thresholdMs),
    hours,
    agents: agentFigures(all, from, to, thresholdMs),
  };
}
