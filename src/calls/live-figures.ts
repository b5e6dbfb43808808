import type { CallRecord, CallOutcome, BreachCause } from '../domain/calls/call-record.ts';
import type { CallCenterState } from '../domain/calls/call-center-state.ts';
import { supervisorFigures, type SupervisorFigures } from '../domain/stats/figures.ts';
import type { Clock, TimerId } from '../shared/clock.ts';
import type { CallsRepo } from '../store/calls-repo.ts';
import type { CallRow } from '../store/schema/calls.ts';
import type { CallController } from './call-controller.ts';
import type { CallEventHub } from './call-events.ts';

/** What `/supervisor` receives as `figures`: the domain's figures plus the agents one by one. */
export interface LiveFigures extends SupervisorFigures {
  /** When the longest-waiting call left the IVR, so a client can keep the figure ticking without asking. */
  longestWaitSince: number | null;
  /** Calls adopted after a restart or handed to a third party: talking, outside the domain's state. */
  adoptedOrTransferred: number;
  agentList: Array<{
    agentId: string;
    status: string;
    reason?: string;
    since: number;
    callId?: string;
    skills: string[];
  }>;
  /** The exchange with the regional platform (art. 5): records not yet acknowledged, failing, and the lag. */
  exchange?: { pending: number; failed: number; lagMs: number; acknowledged: number } | null;
}

const WINDOW_MS = 33 * 3_600_000; // the rolling 24 h and today (at most 24 h) with room to spare

/** A stored CDR row as the domain's CallRecord (for records loaded at start). */
export function recordFromRow(row: CallRow): CallRecord {
  let choices: CallRecord['ivrChoices'] = [];
  try {
    const parsed = JSON.parse(row.ivrPath) as unknown;
    if (Array.isArray(parsed))
      choices = parsed.filter((c) => typeof c === 'object' && c !== null) as CallRecord['ivrChoices'];
  } catch {
    choices = [];
  }
  const outcome = (row.status === 'active' ? 'in-progress' : (row.outcome ?? 'in-progress')) as CallOutcome;
  const r: CallRecord = {
    callId: row.id,
    callerNumber: row.callerNumber,
    arrivedAt: row.arrivedAt,
    ivrPath: choices.map((c) => c.node),
    ivrChoices: choices,
    ivrInvalidInputs: row.ivrInvalidInputs,
    ivrTimeouts: row.ivrTimeouts,
    priority: row.priority,
    repeatCaller: row.repeatCaller,
    offers: row.offers,
    failedOffers: [],
    outcome,
  };
  if (row.ivrExitAt !== null) r.ivrExitAt = row.ivrExitAt;
  if (row.queuedAt !== null) r.queuedAt = row.queuedAt;
  if (row.skill !== null) r.skill = row.skill;
  if (row.firstOfferedAt !== null) r.firstOfferedAt = row.firstOfferedAt;
  if (row.prewarnedAt !== null) r.prewarnedAt = row.prewarnedAt;
  if (row.breachAt !== null) r.breach = { at: row.breachAt, cause: (row.breachCause ?? 'all-busy') as BreachCause };
  if (row.escalatedAt !== null) r.escalatedAt = row.escalatedAt;
  if (row.answeredAt !== null) r.answeredAt = row.answeredAt;
  if (row.answerMs !== null) r.answerMs = row.answerMs;
  if (row.agentId !== null) r.agentId = row.agentId;
  if (row.endedAt !== null) r.endedAt = row.endedAt;
  if (row.transferNumber !== null) r.transferNumber = row.transferNumber;
  return r;
}

/**
 * Pushes the supervisor figures when something changed, at most once per `minIntervalMs` of clock
 * time (a burst of changes becomes one push). Supervisors never poll. The records of the last 33 h
 * are kept in memory (loaded once at start, then updated from every CDR write), so a push costs
 * no database read.
 */
export class FiguresPublisher {
  private timer: TimerId | undefined;
  private lastPush = -Infinity;
  private readonly records = new Map<string, CallRecord>();
  private readonly offs: Array<() => void>;
  private readonly sinks = new Set<(f: LiveFigures) => void>();
  private exchangeFigures: (() => LiveFigures['exchange']) | undefined;

  constructor(
    private readonly o: {
      controller: CallController;
      state: () => CallCenterState;
      repo: CallsRepo;
      clock: Clock;
      events: CallEventHub;
      minIntervalMs?: number;
    },
  ) {
    const since = o.clock.now() - WINDOW_MS;
    for (const row of o.repo.callsSince(since)) this.records.set(row.id, recordFromRow(row));
    this.offs = [
      o.events.on('changed', () => this.schedule()),
      o.events.on('record', (r) => this.records.set(r.callId, r)),
    ];
  }

  onFigures(fn: (f: LiveFigures) => void): () => void {
    this.sinks.add(fn);
    return () => this.sinks.delete(fn);
  }

  /** Adds the regional exchange's outbox figures to every push (set by the server when the exchange is on). */
  setExchangeFigures(fn: () => LiveFigures['exchange']): void {
    this.exchangeFigures = fn;
  }

  /** Something outside the call layer changed the figures (the exchange outbox): push them (coalesced). */
  refresh(): void {
    this.schedule();
  }

  /** The figures as of now (for a newly connected supervisor and GET /calls/live). */
  current(): LiveFigures {
    const now = this.o.clock.now();
    const cutoff = now - WINDOW_MS;
    for (const [id, r] of this.records)
      if ((r.queuedAt ?? r.arrivedAt) < cutoff && r.outcome !== 'in-progress') this.records.delete(id);
    const state = this.o.state();
    const f = supervisorFigures(state, this.records.values(), now);
    let since: number | null = null;
    for (const c of state.calls.values()) {
      if ((c.phase === 'queued' || c.phase === 'ringing') && c.queue && (since === null || c.queue.enqueuedAt < since))
        since = c.queue.enqueuedAt;
    }
    let outside = 0;
    for (const call of this.o.controller.liveCalls().values())
      if (call.adopted || state.calls.get(call.callId)?.phase === 'handed-off') outside += 1;
    const agentList: LiveFigures['agentList'] = [];
    for (const a of state.agents.values()) {
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
      ...f,
      longestWaitSince: since,
      adoptedOrTransferred: outside,
      agentList,
      ...(this.exchangeFigures ? { exchange: this.exchangeFigures() } : {}),
    };
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
    for (const off of this.offs) off();
    this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
