import type { AgentStatus } from '../domain/acd/agent.ts';
import { agentStatuses } from '../domain/acd/agent.ts';
import type { Clock, TimerId } from '../shared/clock.ts';
import type { CallsRepo, WindowFigures } from '../store/calls-repo.ts';
import type { CallController } from './call-controller.ts';
import type { CallEventHub } from './call-events.ts';

export interface PeriodFigures extends WindowFigures {
  from: number;
  to: number;
  /** The regulator's rate: answered within 20 s ÷ offered (art. 25). Null when nothing was offered. */
  answeredWithin20sRate: number | null;
  /** Service level over answered calls: answered within 20 s ÷ answered. Null when nothing was answered. */
  serviceLevel: number | null;
}

export interface LiveFigures {
  at: number;
  inIvr: number;
  /** Calls waiting for an agent (queued or ringing), per queue. */
  waiting: Record<string, number>;
  /** Longest wait among waiting calls, measured from the IVR exit (art. 25). */
  longestWaitMs: number | null;
  /** When the longest-waiting call left the IVR: clients can keep the figure ticking without asking. */
  longestWaitSince: number | null;
  talking: number;
  agents: Record<AgentStatus, number>;
  agentList: Array<{ agentId: string; status: AgentStatus; reason?: string; since: number; callId?: string; skills: string[] }>;
  today: PeriodFigures;
  rolling24h: PeriodFigures;
}

const DAY = 86_400_000;

/** Start of the local day (China: UTC+8, no DST) that contains `now`. */
export function startOfLocalDay(now: number, utcOffsetMinutes = 480): number {
  const off = utcOffsetMinutes * 60_000;
  return Math.floor((now + off) / DAY) * DAY - off;
}

function period(repo: CallsRepo, from: number, to: number): PeriodFigures {
  const w = repo.windowFigures(from, to);
  return {
    ...w,
    from,
    to,
    answeredWithin20sRate: w.offered > 0 ? w.answeredWithin20s / w.offered : null,
    serviceLevel: w.answered > 0 ? w.answeredWithin20s / w.answered : null,
  };
}

export function computeLiveFigures(controller: CallController, repo: CallsRepo, now: number, utcOffsetMinutes = 480): LiveFigures {
  let inIvr = 0;
  let talking = 0;
  const waiting: Record<string, number> = {};
  let oldest: number | null = null;
  for (const call of controller.liveCalls().values()) {
    const r = call.record;
    if (call.adopted || (r && r.answeredAt !== undefined) || call.transferredOut) {
      talking += 1;
      continue;
    }
    if (!r || r.ivrExitAt === undefined) {
      inIvr += 1;
      continue;
    }
    const skill = r.skill ?? 'unknown';
    waiting[skill] = (waiting[skill] ?? 0) + 1;
    if (oldest === null || r.ivrExitAt < oldest) oldest = r.ivrExitAt;
  }
  const agents = Object.fromEntries(agentStatuses.map((s) => [s, 0])) as Record<AgentStatus, number>;
  const agentList: LiveFigures['agentList'] = [];
  for (const a of controller.agents()) {
    agents[a.status] += 1;
    if (a.status === 'signed-out') continue;
    agentList.push({
      agentId: a.agentId,
      status: a.status,
      since: a.since,
      skills: [...a.skills],
      ...(a.pauseReason !== undefined ? { reason: a.pauseReason } : {}),
      ...(a.callId !== undefined ? { callId: a.callId } : {}),
    });
  }
  return {
    at: now,
    inIvr,
    waiting,
    longestWaitMs: oldest === null ? null : now - oldest,
    longestWaitSince: oldest,
    talking,
    agents,
    agentList,
    today: period(repo, startOfLocalDay(now, utcOffsetMinutes), now + 1),
    rolling24h: period(repo, now - DAY, now + 1),
  };
}

/**
 * Pushes the live figures when something changed, at most once per `minIntervalMs` of clock time
 * (several changes in a burst become one push). Supervisors never poll.
 */
export class FiguresPublisher {
  private timer: TimerId | undefined;
  private lastPush = -Infinity;
  private latest: LiveFigures | undefined;
  private readonly off: () => void;
  private readonly sinks = new Set<(f: LiveFigures) => void>();

  constructor(
    private readonly o: {
      controller: CallController;
      repo: CallsRepo;
      clock: Clock;
      events: CallEventHub;
      minIntervalMs?: number;
      utcOffsetMinutes?: number;
    },
  ) {
    this.off = o.events.on('changed', () => this.schedule());
  }

  onFigures(fn: (f: LiveFigures) => void): () => void {
    this.sinks.add(fn);
    return () => this.sinks.delete(fn);
  }

  /** The figures as of now (computed fresh; for a newly connected supervisor). */
  current(): LiveFigures {
    this.latest = computeLiveFigures(this.o.controller, this.o.repo, this.o.clock.now(), this.o.utcOffsetMinutes);
    return this.latest;
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    const min = this.o.minIntervalMs ?? 250;
    const wait = Math.max(0, this.lastPush + min - this.o.clock.now());
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = undefined;
      this.lastPush = this.o.clock.now();
      if (this.sinks.size === 0) return;
      const f = this.current();
      for (const s of this.sinks) s(f);
    }, wait);
  }

  close(): void {
    this.off();
    this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
