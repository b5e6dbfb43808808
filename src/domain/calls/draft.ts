import type { AgentState, AgentStatus } from '../acd/agent.ts';
import type { RotaSpan } from '../acd/rota.ts';
import type { CallCenterState, CallState, TimerOwner } from './call-center-state.ts';
import type { CallOutcome, CallRecord } from './call-record.ts';
import type { Effect } from './effects.ts';

/**
 * A refused input: `unknown-*` → 404, `invalid-transition` and `extension-in-use` → 409, `invalid-input`
 * and `invalid-extension` (the site's extension pattern, checked before the domain) → 400.
 */
export interface Rejection {
  code:
    | 'unknown-agent'
    | 'unknown-call'
    | 'invalid-transition'
    | 'invalid-input'
    | 'invalid-extension'
    | 'extension-in-use';
  message: string;
  /** With `extension-in-use`: the agent signed in on that phone. */
  holder?: string;
  /**
   * A finer reason code shown to the desktop instead of `code` (e.g. `no-call`, `conflict`,
   * `agent-not-ready`, `desk-unstaffed`); the HTTP status still follows `code`.
   */
  reason?: string;
}

/** A map copied on its first write, so an input that touches nothing leaves it shared. */
export class CowMap<V> {
  private map: ReadonlyMap<string, V>;
  private owned = false;

  constructor(map: ReadonlyMap<string, V>) {
    this.map = map;
  }
  get(key: string): V | undefined {
    return this.map.get(key);
  }
  values(): IterableIterator<V> {
    return this.map.values();
  }
  entries(): IterableIterator<[string, V]> {
    return this.map.entries();
  }
  set(key: string, value: V): void {
    this.own().set(key, value);
  }
  delete(key: string): void {
    if (this.map.has(key)) this.own().delete(key);
  }
  result(): ReadonlyMap<string, V> {
    return this.map;
  }
  private own(): Map<string, V> {
    if (!this.owned) {
      this.map = new Map(this.map);
      this.owned = true;
    }
    return this.map as Map<string, V>;
  }
}

/**
 * One decision in progress: copy-on-write views of the state, the effects decided so far, and the
 * small helpers every part of the domain (ivr, queue, watchdog, talk, agents) shares.
 */
export class Draft {
  readonly calls: CowMap<CallState>;
  readonly agents: CowMap<AgentState>;
  readonly timers: CowMap<TimerOwner>;
  seq: number;
  rota: readonly RotaSpan[];
  readonly effects: Effect[] = [];
  private readonly copiedCalls = new Set<string>();
  private readonly copiedAgents = new Set<string>();
  private readonly changedRecords = new Map<string, CallRecord>();

  constructor(
    readonly state: CallCenterState,
    readonly now: number,
  ) {
    this.calls = new CowMap(state.calls);
    this.agents = new CowMap(state.agents);
    this.timers = new CowMap(state.timers);
    this.seq = state.seq;
    this.rota = state.rota;
  }

  get ivrConfig() {
    return this.state.config.ivr;
  }
  get acd() {
    return this.state.config.acd;
  }

  finish(): { state: CallCenterState; effects: Effect[] } {
    for (const record of this.changedRecords.values()) this.effects.push({ type: 'call-record', record });
    return {
      state: {
        config: this.state.config,
        calls: this.calls.result(),
        agents: this.agents.result(),
        timers: this.timers.result(),
        rota: this.rota,
        seq: this.seq,
      },
      effects: this.effects,
    };
  }

  emit(e: Effect): void {
    this.effects.push(e);
  }

  // ---- copy-on-write access -------------------------------------------------------------------

  /** The call, copied for writing on first access in this decision. */
  call(id: string): CallState | undefined {
    const c = this.calls.get(id);
    if (!c) return undefined;
    if (!this.copiedCalls.has(id)) {
      const copy: CallState = {
        ...c,
        record: { ...c.record },
        timers: { ...c.timers },
        ...(c.queue ? { queue: { ...c.queue } } : {}),
        ...(c.talk ? { talk: { ...c.talk, parties: c.talk.parties.map((p) => ({ ...p })) } } : {}),
      };
      this.calls.set(id, copy);
      this.copiedCalls.add(id);
      return copy;
    }
    return c;
  }

  /** Ids of the calls copied (so possibly changed or ended) in this decision. */
  touchedCallIds(): Iterable<string> {
    return this.copiedCalls;
  }

  /** A call created in this decision. */
  addCall(call: CallState): void {
    this.calls.set(call.callId, call);
    this.copiedCalls.add(call.callId);
  }

  agent(id: string): AgentState | undefined {
    const a = this.agents.get(id);
    if (!a) return undefined;
    if (!this.copiedAgents.has(id)) {
      const copy = { ...a };
      this.agents.set(id, copy);
      this.copiedAgents.add(id);
      return copy;
    }
    return a;
  }

  addAgent(agent: AgentState): void {
    this.agents.set(agent.agentId, agent);
    this.copiedAgents.add(agent.agentId);
  }

  touched(call: CallState): void {
    this.changedRecords.set(call.callId, call.record);
  }

  setTimer(prefix: string, at: number, owner: TimerOwner): string {
    this.seq += 1;
    const key = `${prefix}:${this.seq}`;
    this.timers.set(key, owner);
    this.effects.push({ type: 'set-timer', key, at });
    return key;
  }

  cancelTimer(key: string | undefined): void {
    if (key === undefined) return;
    this.timers.delete(key);
    this.effects.push({ type: 'cancel-timer', key });
  }

  /** Cancels the queue timers of a call (ring-no-answer, watchdog, announcements). */
  cancelCallTimers(call: CallState): void {
    this.cancelTimer(call.timers.rona);
    this.cancelTimer(call.timers.prewarn);
    this.cancelTimer(call.timers.breach);
    this.cancelTimer(call.timers.announce);
    call.timers = {};
  }

  setAgentStatus(agent: AgentState, status: AgentStatus, extra: { reason?: string; callId?: string } = {}): void {
    agent.status = status;
    agent.since = this.now;
    if (status === 'paused') agent.pauseReason = extra.reason;
    else delete agent.pauseReason;
    if (extra.callId !== undefined) agent.callId = extra.callId;
    else if (status !== 'on-call' && status !== 'reserved') {
      delete agent.callId;
      delete agent.agentChannelId;
    }
    const e: Effect = { type: 'agent-state', agentId: agent.agentId, status, at: this.now };
    if (agent.pauseReason !== undefined) e.reason = agent.pauseReason;
    if (agent.callId !== undefined) e.callId = agent.callId;
    this.effects.push(e);
  }

  /** The call leaves the domain with its final record. */
  endCall(call: CallState, outcome: CallOutcome): void {
    call.record.outcome = outcome;
    call.record.endedAt = this.now;
    this.cancelCallTimers(call);
    if (call.ivr?.timerKey) this.cancelTimer(call.ivr.timerKey);
    this.touched(call);
    this.calls.delete(call.callId);
  }
}
