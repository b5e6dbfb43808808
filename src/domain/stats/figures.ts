import { agentStatuses, type AgentStatus } from '../acd/agent.ts';
import type { CallCenterState } from '../calls/call-center-state.ts';
import type { BreachCause, CallRecord } from '../calls/call-record.ts';
import { shanghaiDayStart } from './shanghai-day.ts';

/** What is happening now. */
export interface LiveFigures {
  inIvr: number;
  /** Calls waiting for an answer (queued or ringing at an agent), per skill. */
  waiting: Record<string, number>;
  waitingTotal: number;
  /** The longest current wait since IVR exit, 0 when nobody waits. */
  longestWaitMs: number;
  longestWaitBySkill: Record<string, number>;
  agents: Record<AgentStatus, number>;
  pausedByReason: Record<string, number>;
}

/** One period's figures; see src/domain/stats/README.md for the definitions. */
export interface PeriodFigures {
  from: number;
  to: number;
  thresholdMs: number;
  offered: number;
  answered: number;
  answeredWithinThreshold: number;
  abandoned: number;
  /** Still waiting and under the threshold: their result is not known yet, so they are not in `offered`. */
  pending: number;
  /** answeredWithinThreshold / offered: the regulator's rate (art. 25); null with no offered calls. */
  regulatorRate: number | null;
  /** answeredWithinThreshold / answered; null with no answered calls. */
  serviceLevel: number | null;
  averageSpeedOfAnswerMs: number | null;
  breaches: number;
  breachCauses: Partial<Record<BreachCause, number>>;
  ivr: {
    arrived: number;
    abandoned: number;
    invalidInputs: number;
    timeouts: number;
    transferred: number;
    callbackRequested: number;
    completed: number;
  };
}

export interface SupervisorFigures {
  at: number;
  live: LiveFigures;
  /** Since 00:00 Asia/Shanghai. */
  today: PeriodFigures;
  /** The last 24 hours up to now. */
  rolling24h: PeriodFigures;
}

export function liveFigures(state: CallCenterState, now: number): LiveFigures {
  const waiting: Record<string, number> = {};
  const longestWaitBySkill: Record<string, number> = {};
  for (const s of state.config.ivr.skills) {
    waiting[s] = 0;
    longestWaitBySkill[s] = 0;
  }
  let inIvr = 0;
  let waitingTotal = 0;
  let longestWaitMs = 0;
  for (const c of state.calls.values()) {
    if (c.phase === 'ivr') inIvr += 1;
    else if ((c.phase === 'queued' || c.phase === 'ringing') && c.queue) {
      const skill = c.queue.skill;
      const wait = Math.max(0, now - c.queue.enqueuedAt);
      waiting[skill] = (waiting[skill] ?? 0) + 1;
      waitingTotal += 1;
      longestWaitBySkill[skill] = Math.max(longestWaitBySkill[skill] ?? 0, wait);
      longestWaitMs = Math.max(longestWaitMs, wait);
    }
  }
  const agents = Object.fromEntries(agentStatuses.map((s) => [s, 0])) as Record<AgentStatus, number>;
  const pausedByReason: Record<string, number> = {};
  for (const a of state.agents.values()) {
    agents[a.status] += 1;
    if (a.status === 'paused') {
      const r = a.pauseReason ?? 'unspecified';
      pausedByReason[r] = (pausedByReason[r] ?? 0) + 1;
    }
  }
  return { inIvr, waiting, waitingTotal, longestWaitMs, longestWaitBySkill, agents, pausedByReason };
}

/**
 * Figures for calls that left the IVR for the queue in [from, to] (answer-side figures) and calls
 * that arrived in [from, to] (IVR figures). Pure: records plus `now`.
 */
export function periodFigures(
  records: Iterable<CallRecord>,
  from: number,
  to: number,
  now: number,
  thresholdMs: number,
): PeriodFigures {
  const f: PeriodFigures = {
    from,
    to,
    thresholdMs,
    offered: 0,
    answered: 0,
    answeredWithinThreshold: 0,
    abandoned: 0,
    pending: 0,
    regulatorRate: null,
    serviceLevel: null,
    averageSpeedOfAnswerMs: null,
    breaches: 0,
    breachCauses: {},
    ivr: {
      arrived: 0,
      abandoned: 0,
      invalidInputs: 0,
      timeouts: 0,
      transferred: 0,
      callbackRequested: 0,
      completed: 0,
    },
  };
  let answerMsSum = 0;
  for (const r of records) {
    if (r.arrivedAt >= from && r.arrivedAt <= to) {
      f.ivr.arrived += 1;
      f.ivr.invalidInputs += r.ivrInvalidInputs;
      f.ivr.timeouts += r.ivrTimeouts;
      if (r.outcome === 'abandoned-in-ivr') f.ivr.abandoned += 1;
      else if (r.outcome === 'transferred') f.ivr.transferred += 1;
      else if (r.outcome === 'callback-requested') f.ivr.callbackRequested += 1;
      else if (r.outcome === 'completed-in-ivr') f.ivr.completed += 1;
    }
    const q = r.queuedAt;
    if (q === undefined || q < from || q > to) continue;
    if (r.breach) {
      f.breaches += 1;
      f.breachCauses[r.breach.cause] = (f.breachCauses[r.breach.cause] ?? 0) + 1;
    }
    if (r.answeredAt !== undefined && r.answerMs !== undefined) {
      f.offered += 1;
      f.answered += 1;
      answerMsSum += r.answerMs;
      if (r.answerMs <= thresholdMs) f.answeredWithinThreshold += 1;
    } else if (r.outcome === 'abandoned') {
      f.offered += 1;
      f.abandoned += 1;
    } else if (r.outcome === 'in-progress') {
      // Still waiting: past the threshold it has already missed the target and counts as offered.
      if (now - q > thresholdMs) f.offered += 1;
      else f.pending += 1;
    }
  }
  if (f.offered > 0) f.regulatorRate = f.answeredWithinThreshold / f.offered;
  if (f.answered > 0) {
    f.serviceLevel = f.answeredWithinThreshold / f.answered;
    f.averageSpeedOfAnswerMs = answerMsSum / f.answered;
  }
  return f;
}

/**
 * Live figures plus today (Asia/Shanghai) and the rolling 24 hours. `records` are the stored call
 * records; the records of calls still in `state` replace stored copies with the same call id.
 */
export function supervisorFigures(
  state: CallCenterState,
  records: Iterable<CallRecord>,
  now: number,
  thresholdMs: number = state.config.acd.breachMs,
): SupervisorFigures {
  const byId = new Map<string, CallRecord>();
  for (const r of records) byId.set(r.callId, r);
  for (const c of state.calls.values()) byId.set(c.callId, c.record);
  const all = [...byId.values()];
  return {
    at: now,
    live: liveFigures(state, now),
    today: periodFigures(all, shanghaiDayStart(now), now, now, thresholdMs),
    rolling24h: periodFigures(all, now - 86_400_000, now, now, thresholdMs),
  };
}
