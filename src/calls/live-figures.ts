import type { CallRecord, CallOutcome, BreachCause } from '../domain/calls/call-record.ts';
import type { CallCenterState } from '../domain/calls/call-center-state.ts';
import { supervisorFigures, type SupervisorFigures } from '../domain/stats/figures.ts';
import { dayFigures, type DayFigures } from '../domain/stats/call-figures.ts';
import { shanghaiDayStart } from '../domain/stats/shanghai-day.ts';
import type { Clock, TimerId } from '../shared/clock.ts';
import type { CallRecords } from '../store/call-records.ts';
import type { CallRow } from '../store/schema/calls.ts';
import type { CallController } from './call-controller.ts';
import type { CallEventHub } from './call-events.ts';
import { wallboardView, type WallboardView } from './wallboard-view.ts';

/** What `/supervisor` receives as `figures`: the domain's figures plus the wallboard's lists. */
export interface LiveFigures extends SupervisorFigures, WallboardView {
  /** When the longest-waiting call left the IVR, so a client can keep the figure ticking without asking. */
  longestWaitSince: number | null;
  /** Calls adopted after a restart or handed to a third party: talking, outside the domain's state. */
  adoptedOrTransferred: number;
  /** By hour and by agent, today and yesterday (Asia/Shanghai), src/domain/stats/call-figures.ts. */
  days: { today: DayFigures; yesterday: DayFigures };
  /** The exchange with the regional platform (art. 5): records not yet acknowledged, failing, and the lag. */
  exchange?: { pending: number; failed: number; lagMs: number; acknowledged: number } | null;
}

const DAY_MS = 86_400_000;
const WINDOW_MS = 49 * 3_600_000; // the rolling 24 h, today and yesterday (at most 48 h back) with room to spare

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
 * no database read. The load is asynchronous (PostgreSQL): `loaded` resolves once it is in; the server
 * awaits it before serving.
 */
export class FiguresPublisher {
  private timer: TimerId | undefined;
  private ageTimer: TimerId | undefined;
  private lastPush = -Infinity;
  private readonly records = new Map<string, CallRecord>();
  private readonly offs: Array<() => void>;
  private readonly sinks = new Set<(f: LiveFigures) => void>();
  private exchangeFigures: (() => LiveFigures['exchange']) | undefined;
  /** Yesterday's figures change only when a call queued yesterday changes: kept between pushes. */
  private yesterday: { dayStart: number; figures: DayFigures } | undefined;
  /** Resolves once the stored records of the window are loaded (a failed load is logged by the caller). */
  readonly loaded: Promise<void>;
  private closed = false;

  constructor(
    private readonly o: {
      controller: CallController;
      state: () => CallCenterState;
      repo: Pick<CallRecords, 'callsSince' | 'unansweredAgentLegsSince'>;
      clock: Clock;
      events: CallEventHub;
      minIntervalMs?: number;
      /** Display names of agent ids (user names); default: the ids themselves. */
      displayNames?: (ids: Iterable<string>) => Map<string, string>;
    },
  ) {
    this.loaded = this.load(o.clock.now() - WINDOW_MS);
    this.offs = [
      o.events.on('changed', () => this.schedule()),
      o.events.on('record', (r) => {
        this.records.set(r.callId, r);
        if (this.yesterday && (r.queuedAt ?? r.arrivedAt) < this.yesterday.dayStart + DAY_MS)
          this.yesterday = undefined;
      }),
    ];
    this.armAgeOut();
  }

  private async load(since: number): Promise<void> {
    const [rows, legs] = await Promise.all([
      this.o.repo.callsSince(since),
      this.o.repo.unansweredAgentLegsSince(since),
    ]);
    const stored = new Map<string, CallRecord>();
    for (const row of rows) stored.set(row.id, recordFromRow(row));
    // Ring-no-answers of stored calls are in their legs (the row only counts them).
    for (const leg of legs) {
      const r = stored.get(leg.callId);
      if (r && leg.agentId !== null)
        r.failedOffers.push({
          agentId: leg.agentId,
          at: leg.endedAt ?? leg.createdAt,
          cause: leg.outcome === 'no_answer' ? 'rona' : 'unreachable',
        });
    }
    // A record the call layer published while the load was under way is newer than its stored row.
    for (const [id, r] of stored) if (!this.records.has(id)) this.records.set(id, r);
    this.yesterday = undefined;
    if (!this.closed) this.armAgeOut();
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
    const names = this.o.displayNames ?? ((ids: Iterable<string>) => new Map([...ids].map((i) => [i, i])));
    const view = wallboardView(state, now, names);
    const all = this.withLive(state);
    const threshold = state.config.acd.breachMs;
    const named = (d: DayFigures): DayFigures => {
      const n = names(d.agents.map((a) => a.agentId));
      return { ...d, agents: d.agents.map((a) => ({ ...a, displayName: n.get(a.agentId) ?? a.agentId })) };
    };
    const yStart = shanghaiDayStart(now) - DAY_MS;
    if (this.yesterday?.dayStart !== yStart)
      this.yesterday = { dayStart: yStart, figures: named(dayFigures(all, yStart, now, threshold)) };
    const days = { today: named(dayFigures(all, now, now, threshold)), yesterday: this.yesterday.figures };
    return {
      ...f,
      longestWaitSince: since,
      adoptedOrTransferred: outside,
      ...view,
      days,
      ...(this.exchangeFigures ? { exchange: this.exchangeFigures() } : {}),
    };
  }

  /** Stored records with the live calls' records over them (the day figures of `current()` and the JSON route). */
  withLive(state: CallCenterState = this.o.state()): CallRecord[] {
    const byId = new Map(this.records);
    for (const c of state.calls.values()) byId.set(c.callId, c.record);
    return [...byId.values()];
  }

  /**
   * The next moment the figures change with nobody doing anything: a call leaves the rolling 24 h
   * (by its IVR exit or its arrival), a new day begins (today and yesterday move on), or a leader's
   * rota span starts or ends (the wallboard shows who is on duty).
   */
  private nextAgeOut(now: number): number {
    let next = shanghaiDayStart(now) + DAY_MS;
    for (const s of this.o.state().rota) {
      for (const t of [s.from, s.to]) if (t > now && t < next) next = t;
    }
    for (const r of this.records.values()) {
      for (const t of [r.queuedAt, r.arrivedAt]) {
        if (t !== undefined && t + DAY_MS > now && t + DAY_MS < next) next = t + DAY_MS;
      }
    }
    return next;
  }

  private armAgeOut(): void {
    this.o.clock.clearTimeout(this.ageTimer);
    const now = this.o.clock.now();
    // Just past the instant, so the call is out of the window when the push is computed.
    this.ageTimer = this.o.clock.setTimeout(
      () => {
        this.ageTimer = undefined;
        this.schedule();
      },
      this.nextAgeOut(now) - now + 1,
    );
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    const min = this.o.minIntervalMs ?? 250;
    const wait = Math.max(0, this.lastPush + min - this.o.clock.now());
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = undefined;
      this.lastPush = this.o.clock.now();
      this.armAgeOut();
      if (this.sinks.size === 0) return;
      const f = this.current();
      for (const s of this.sinks) s(f);
    }, wait);
  }

  close(): void {
    this.closed = true;
    for (const off of this.offs) off();
    this.o.clock.clearTimeout(this.timer);
    this.o.clock.clearTimeout(this.ageTimer);
    this.timer = undefined;
    this.ageTimer = undefined;
  }
}
