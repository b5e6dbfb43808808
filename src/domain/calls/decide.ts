import { RONA, UNREACHABLE, type AgentState, type AgentStatus } from '../acd/agent.ts';
import { breachCause } from '../acd/breach-cause.ts';
import { compareQueueEntries } from '../acd/queue-entry.ts';
import { compareIdle, isEligible } from '../acd/routing.ts';
import { promptPlayback } from '../ivr/ivr-config.ts';
import type { IvrExit } from '../ivr/ivr-session.ts';
import { startIvr, stepIvr, type IvrInput, type IvrStep } from '../ivr/ivr-walker.ts';
import { numberPrompts } from '../ivr/number-prompts.ts';
import type { CallCenterState, CallState, TimerOwner } from './call-center-state.ts';
import type { CallOutcome, CallRecord } from './call-record.ts';
import type { Effect } from './effects.ts';
import type { Input } from './inputs.ts';

/**
 * A refused input: `unknown-*` → 404, `invalid-transition` and `extension-in-use` → 409, `invalid-input`
 * and `invalid-extension` (the site's extension pattern, checked before the domain) → 400.
 */
export interface Rejection {
  code: 'unknown-agent' | 'unknown-call' | 'invalid-transition' | 'invalid-input' | 'invalid-extension' | 'extension-in-use';
  message: string;
  /** With `extension-in-use`: the agent signed in on that phone. */
  holder?: string;
}

export interface DecideResult {
  state: CallCenterState;
  effects: Effect[];
  rejected?: Rejection;
}

/** The whole call-taking logic: IVR, queue, routing, ring-no-answer, the answer watchdog. Pure. */
export function decide(state: CallCenterState, input: Input, now: number): DecideResult {
  const d = new Draft(state, now);
  const rejected = d.handle(input);
  const result = d.finish();
  return rejected ? { ...result, rejected } : result;
}

/** Where a waiting call stands in its skill's queue (1 = next). */
export function queuePosition(state: CallCenterState, callId: string): number | undefined {
  const call = state.calls.get(callId);
  if (!call?.queue || (call.phase !== 'queued' && call.phase !== 'ringing')) return undefined;
  let ahead = 0;
  for (const other of state.calls.values()) {
    if (other === call || !other.queue || other.queue.skill !== call.queue.skill) continue;
    if (other.phase !== 'queued' && other.phase !== 'ringing') continue;
    if (compareQueueEntries(other.queue, call.queue) < 0) ahead += 1;
  }
  return ahead + 1;
}

/** A map copied on its first write, so an input that touches nothing leaves it shared. */
class CowMap<V> {
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

class Draft {
  private readonly calls: CowMap<CallState>;
  private readonly agents: CowMap<AgentState>;
  private readonly timers: CowMap<TimerOwner>;
  private seq: number;
  private readonly effects: Effect[] = [];
  private readonly copiedCalls = new Set<string>();
  private readonly copiedAgents = new Set<string>();
  private readonly changedRecords = new Map<string, CallRecord>();

  constructor(
    private readonly state: CallCenterState,
    private readonly now: number,
  ) {
    this.calls = new CowMap(state.calls);
    this.agents = new CowMap(state.agents);
    this.timers = new CowMap(state.timers);
    this.seq = state.seq;
  }

  private get ivrConfig() {
    return this.state.config.ivr;
  }
  private get acd() {
    return this.state.config.acd;
  }

  finish(): { state: CallCenterState; effects: Effect[] } {
    for (const record of this.changedRecords.values()) this.effects.push({ type: 'call-record', record });
    return {
      state: { config: this.state.config, calls: this.calls.result(), agents: this.agents.result(), timers: this.timers.result(), seq: this.seq },
      effects: this.effects,
    };
  }

  // ---- copy-on-write access -------------------------------------------------------------------

  private call(id: string): CallState | undefined {
    const c = this.calls.get(id);
    if (!c) return undefined;
    if (!this.copiedCalls.has(id)) {
      const copy: CallState = {
        ...c,
        record: { ...c.record },
        timers: { ...c.timers },
        ...(c.queue ? { queue: { ...c.queue } } : {}),
      };
      this.calls.set(id, copy);
      this.copiedCalls.add(id);
      return copy;
    }
    return c;
  }

  private agent(id: string): AgentState | undefined {
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

  private touched(call: CallState): void {
    this.changedRecords.set(call.callId, call.record);
  }

  private setTimer(prefix: string, at: number, owner: TimerOwner): string {
    this.seq += 1;
    const key = `${prefix}:${this.seq}`;
    this.timers.set(key, owner);
    this.effects.push({ type: 'set-timer', key, at });
    return key;
  }

  private cancelTimer(key: string | undefined): void {
    if (key === undefined) return;
    this.timers.delete(key);
    this.effects.push({ type: 'cancel-timer', key });
  }

  private setAgentStatus(agent: AgentState, status: AgentStatus, extra: { reason?: string; callId?: string } = {}): void {
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

  // ---- dispatch on input ----------------------------------------------------------------------

  handle(input: Input): Rejection | undefined {
    switch (input.type) {
      case 'call-arrived':
        return this.callArrived(input);
      case 'call-restored':
        return this.callRestored(input);
      case 'caller-flags':
        return this.callerFlags(input.callId, input.repeatCallerWithOpenOrder);
      case 'dtmf':
        return this.toIvr(input.callId, { type: 'dtmf', digit: input.digit }, true);
      case 'ticket-status-result':
        return this.toIvr(input.callId, { type: 'ticket-status-result', ticketNumber: input.ticketNumber, status: input.status }, false);
      case 'playback-finished':
        return this.playbackFinished(input.callId, input.playbackId);
      case 'timer-fired':
        this.timerFired(input.key);
        return undefined;
      case 'caller-hangup':
        return this.callerHangup(input.callId);
      case 'agent-sign-in':
        return this.signIn(input);
      case 'agent-sign-out':
        return this.signOut(input.agentId);
      case 'agent-ready':
        return this.ready(input.agentId);
      case 'agent-pause':
        return this.pause(input.agentId, input.reason);
      case 'agent-answered':
        return this.agentAnswered(input.agentId, input.callId, input.agentChannelId);
      case 'agent-leg-failed':
        return this.agentLegFailed(input.agentId, input.callId);
      case 'agent-hangup':
        return this.agentHangup(input.agentId, input.callId);
    }
  }

  // ---- calls ----------------------------------------------------------------------------------

  private callArrived(input: Extract<Input, { type: 'call-arrived' }>): Rejection | undefined {
    if (this.calls.get(input.callId)) return { code: 'invalid-input', message: `call ${input.callId} already exists` };
    const repeat = input.repeatCallerWithOpenOrder === true;
    const record: CallRecord = {
      callId: input.callId,
      callerNumber: input.callerNumber,
      arrivedAt: this.now,
      ivrPath: [],
      ivrChoices: [],
      ivrInvalidInputs: 0,
      ivrTimeouts: 0,
      priority: Math.max(input.priority ?? 0, repeat ? this.acd.repeatCallerPriority : 0),
      repeatCaller: repeat,
      offers: 0,
      failedOffers: [],
      outcome: 'in-progress',
    };
    const call: CallState = { callId: input.callId, channelId: input.channelId, phase: 'ivr', record, mohOn: false, timers: {} };
    this.calls.set(call.callId, call);
    this.copiedCalls.add(call.callId);
    this.touched(call);
    this.effects.push({ type: 'answer', callId: call.callId, channelId: call.channelId });
    const step = startIvr(this.ivrConfig, { callId: call.callId, channelId: call.channelId, callerNumber: input.callerNumber }, this.now);
    this.applyIvrStep(call, step);
    return undefined;
  }

  private callRestored(input: Extract<Input, { type: 'call-restored' }>): Rejection | undefined {
    if (this.calls.get(input.callId)) return { code: 'invalid-input', message: `call ${input.callId} already exists` };
    const r = input.record;
    if (r.callId !== input.callId) return { code: 'invalid-input', message: `record of call ${r.callId} given for call ${input.callId}` };
    if (r.endedAt !== undefined) return { code: 'invalid-transition', message: `call ${input.callId} has already ended` };
    if (r.answeredAt !== undefined && (!r.agentId || !input.agentChannelId)) {
      return { code: 'invalid-input', message: `answered call ${input.callId} needs its agent and agent channel` };
    }
    const record: CallRecord = { ...r, ivrPath: [...r.ivrPath], ivrChoices: [...r.ivrChoices], failedOffers: [...r.failedOffers] };
    const call: CallState = { callId: input.callId, channelId: input.channelId, phase: 'queued', record, mohOn: false, timers: {} };
    this.calls.set(call.callId, call);
    this.copiedCalls.add(call.callId);
    this.touched(call);
    if (r.answeredAt !== undefined && r.agentId && input.agentChannelId) {
      call.phase = 'connected';
      call.agentId = r.agentId;
      call.agentChannelId = input.agentChannelId;
      const agent = this.agent(r.agentId);
      if (agent && agent.status !== 'signed-out' && agent.status !== 'on-call' && agent.status !== 'reserved') {
        agent.agentChannelId = input.agentChannelId;
        this.setAgentStatus(agent, 'on-call', { callId: call.callId });
      }
      return undefined;
    }
    const skill = r.skill !== undefined && this.ivrConfig.skills.includes(r.skill) ? r.skill : this.ivrConfig.defaultSkill;
    if (r.queuedAt === undefined) {
      // Its place in the menu died with the old process: it goes on to an agent, the clock starting now.
      record.ivrExitAt = this.now;
      this.enqueue(call, skill, record.priority);
      return undefined;
    }
    this.seq += 1;
    call.queue = { skill, priority: record.priority, enqueuedAt: r.queuedAt, seq: this.seq, escalated: r.breach !== undefined };
    record.skill = skill;
    // Deadlines already past fire at once: the adapter runs a timer whose time has come immediately.
    if (r.prewarnedAt === undefined) {
      call.timers.prewarn = this.setTimer(`prewarn:${call.callId}`, r.queuedAt + this.acd.prewarnMs, { kind: 'prewarn', callId: call.callId });
    }
    if (r.breach === undefined) {
      call.timers.breach = this.setTimer(`breach:${call.callId}`, r.queuedAt + this.acd.breachMs, { kind: 'breach', callId: call.callId });
    }
    this.scheduleAnnouncement(call);
    this.effects.push({ type: 'start-moh', callId: call.callId, channelId: call.channelId });
    call.mohOn = true;
    this.dispatch();
    return undefined;
  }

  private callerFlags(callId: string, repeat: boolean): Rejection | undefined {
    const call = this.call(callId);
    if (!call) return { code: 'unknown-call', message: `no call ${callId}` };
    call.record.repeatCaller = repeat;
    if (repeat) {
      call.record.priority = Math.max(call.record.priority, this.acd.repeatCallerPriority);
      if (call.queue) call.queue.priority = Math.max(call.queue.priority, this.acd.repeatCallerPriority);
    }
    this.touched(call);
    return undefined;
  }

  private toIvr(callId: string, input: IvrInput, ignoreOutsideIvr: boolean): Rejection | undefined {
    const call = this.calls.get(callId);
    if (!call) return { code: 'unknown-call', message: `no call ${callId}` };
    if (call.phase !== 'ivr' || !call.ivr) {
      return ignoreOutsideIvr ? undefined : { code: 'invalid-transition', message: `call ${callId} is no longer in the voice menu` };
    }
    const mutable = this.call(callId) as CallState;
    this.applyIvrStep(mutable, stepIvr(this.ivrConfig, call.ivr, input, this.now));
    return undefined;
  }

  private applyIvrStep(call: CallState, step: IvrStep): void {
    call.ivr = step.session;
    for (const e of step.effects) {
      if (e.type === 'set-timer') this.timers.set(e.key, { kind: 'ivr', callId: call.callId });
      else if (e.type === 'cancel-timer') this.timers.delete(e.key);
      this.effects.push(e);
    }
    if (step.exit) this.ivrExit(call, step.exit);
  }

  private ivrExit(call: CallState, exit: IvrExit): void {
    const s = call.ivr;
    if (s) {
      call.record.ivrPath = [...s.path];
      call.record.ivrChoices = [...s.choices];
      call.record.ivrInvalidInputs = s.invalidInputs;
      call.record.ivrTimeouts = s.timeouts;
      if (s.timerKey) this.cancelTimer(s.timerKey);
    }
    delete call.ivr;
    if (exit.kind !== 'caller-hangup') call.record.ivrExitAt = this.now;
    this.touched(call);
    switch (exit.kind) {
      case 'queue':
        this.enqueue(call, exit.skill, exit.priority);
        return;
      case 'transfer':
        call.record.transferNumber = exit.number;
        this.effects.push({ type: 'transfer', callId: call.callId, channelId: call.channelId, number: exit.number });
        this.endCall(call, 'transferred');
        return;
      case 'callback':
        this.effects.push({ type: 'hangup', callId: call.callId, channelId: call.channelId, reason: 'callback-requested' });
        this.endCall(call, 'callback-requested');
        return;
      case 'hangup':
        this.effects.push({ type: 'hangup', callId: call.callId, channelId: call.channelId, reason: 'ivr-finished' });
        this.endCall(call, 'completed-in-ivr');
        return;
      case 'caller-hangup':
        // Hanging up during the closing prompt of a callback request or a goodbye still counts as done.
        if (s?.pendingExit?.kind === 'callback') this.endCall(call, 'callback-requested');
        else if (s?.pendingExit?.kind === 'hangup') this.endCall(call, 'completed-in-ivr');
        else this.endCall(call, 'abandoned-in-ivr');
        return;
    }
  }

  private enqueue(call: CallState, skill: string, priority: number): void {
    const p = Math.max(priority, call.record.priority);
    this.seq += 1;
    call.phase = 'queued';
    call.queue = { skill, priority: p, enqueuedAt: this.now, seq: this.seq, escalated: false };
    call.record.queuedAt = this.now;
    call.record.skill = skill;
    call.record.priority = p;
    call.timers.prewarn = this.setTimer(`prewarn:${call.callId}`, this.now + this.acd.prewarnMs, { kind: 'prewarn', callId: call.callId });
    call.timers.breach = this.setTimer(`breach:${call.callId}`, this.now + this.acd.breachMs, { kind: 'breach', callId: call.callId });
    this.scheduleAnnouncement(call);
    this.effects.push({ type: 'start-moh', callId: call.callId, channelId: call.channelId });
    call.mohOn = true;
    this.dispatch();
  }

  private scheduleAnnouncement(call: CallState): void {
    if (this.acd.announceEveryMs <= 0) return;
    call.timers.announce = this.setTimer(`announce:${call.callId}`, this.now + this.acd.announceEveryMs, {
      kind: 'announce',
      callId: call.callId,
    });
  }

  private endCall(call: CallState, outcome: CallOutcome): void {
    call.record.outcome = outcome;
    call.record.endedAt = this.now;
    this.cancelTimer(call.timers.rona);
    this.cancelTimer(call.timers.prewarn);
    this.cancelTimer(call.timers.breach);
    this.cancelTimer(call.timers.announce);
    call.timers = {};
    if (call.ivr?.timerKey) this.cancelTimer(call.ivr.timerKey);
    this.touched(call);
    this.calls.delete(call.callId);
  }

  private playbackFinished(callId: string, playbackId: string): Rejection | undefined {
    const c = this.calls.get(callId);
    if (!c) return { code: 'unknown-call', message: `no call ${callId}` };
    if (c.phase === 'ivr') return this.toIvr(callId, { type: 'playback-finished', playbackId }, true);
    if (c.announcePlaybackId !== playbackId) return undefined;
    const call = this.call(callId) as CallState;
    delete call.announcePlaybackId;
    if ((call.phase === 'queued' || call.phase === 'ringing') && !call.mohOn) {
      this.effects.push({ type: 'start-moh', callId, channelId: call.channelId });
      call.mohOn = true;
    }
    return undefined;
  }

  private callerHangup(callId: string): Rejection | undefined {
    const c = this.calls.get(callId);
    if (!c) return { code: 'unknown-call', message: `no call ${callId}` };
    if (c.phase === 'ivr') return this.toIvr(callId, { type: 'hangup' }, true);
    const call = this.call(callId) as CallState;
    if (call.phase === 'connected') {
      this.effects.push({ type: 'hangup-agent', callId, agentId: call.agentId as string, reason: 'caller-hung-up' });
      this.afterTalk(call);
      return undefined;
    }
    // queued or ringing: a missed call, to be called back (national guidance).
    if (call.phase === 'ringing' && call.queue?.offeredTo) {
      const agent = this.agent(call.queue.offeredTo);
      this.effects.push({ type: 'cancel-agent-leg', callId, agentId: call.queue.offeredTo });
      this.effects.push({ type: 'call-update', agentId: call.queue.offeredTo, callId, state: 'withdrawn', at: this.now });
      // The agent keeps the idle time it had: it was not their fault.
      if (agent && agent.status === 'reserved' && agent.callId === callId) this.setAgentStatus(agent, 'ready');
    }
    this.effects.push({ type: 'add-callback', callId, callerNumber: call.record.callerNumber, reason: 'abandoned', at: this.now });
    this.endCall(call, 'abandoned');
    this.dispatch();
    return undefined;
  }

  /** The talk has ended from either side: the agent goes to wrap-up and the call is closed. */
  private afterTalk(call: CallState): void {
    const agentId = call.agentId as string;
    this.effects.push({ type: 'call-update', agentId, callId: call.callId, state: 'ended', at: this.now });
    this.endCall(call, 'answered');
    const agent = this.agent(agentId);
    if (agent && agent.callId === call.callId) this.startWrapUp(agent);
  }

  private startWrapUp(agent: AgentState): void {
    if (this.acd.wrapUpMs <= 0) {
      this.makeReady(agent);
      return;
    }
    this.setAgentStatus(agent, 'wrap-up');
    this.setTimer(`wrap-up:${agent.agentId}`, this.now + this.acd.wrapUpMs, { kind: 'wrap-up', agentId: agent.agentId });
  }

  private makeReady(agent: AgentState): void {
    this.cancelWrapUpTimer(agent.agentId);
    agent.idleSince = this.now;
    this.setAgentStatus(agent, 'ready');
    this.dispatch();
  }

  private cancelWrapUpTimer(agentId: string): void {
    if (this.agents.get(agentId)?.status !== 'wrap-up') return; // only then is a wrap-up timer pending
    for (const [key, owner] of this.timers.entries()) {
      if (owner.kind === 'wrap-up' && owner.agentId === agentId) this.cancelTimer(key);
    }
  }

  // ---- timers ---------------------------------------------------------------------------------

  private timerFired(key: string): void {
    const owner = this.timers.get(key);
    if (!owner) return; // cancelled or from before a restart: nothing to do
    this.timers.delete(key);
    switch (owner.kind) {
      case 'ivr':
        this.toIvr(owner.callId, { type: 'timer-fired', key }, true);
        return;
      case 'rona': {
        const call = this.call(owner.callId);
        if (!call) return;
        delete call.timers.rona;
        if (call.phase === 'ringing' && call.queue?.offeredTo === owner.agentId) this.failOffer(call, owner.agentId, 'rona');
        return;
      }
      case 'prewarn':
        this.prewarn(owner.callId);
        return;
      case 'breach':
        this.breach(owner.callId);
        return;
      case 'announce':
        this.announce(owner.callId);
        return;
      case 'wrap-up': {
        const agent = this.agent(owner.agentId);
        if (agent && agent.status === 'wrap-up') this.makeReady(agent);
        return;
      }
    }
  }

  private prewarn(callId: string): void {
    const call = this.call(callId);
    if (!call?.queue) return;
    delete call.timers.prewarn;
    if (call.phase !== 'queued' && call.phase !== 'ringing') return;
    call.record.prewarnedAt = this.now;
    this.touched(call);
    const waitedMs = this.now - call.queue.enqueuedAt;
    this.effects.push({
      type: 'alert',
      level: 'warning',
      kind: 'answer-prewarning',
      callId,
      skill: call.queue.skill,
      waitedMs,
      at: this.now,
      message: `call waiting ${Math.round(waitedMs / 1000)} s in queue ${call.queue.skill}, answer target ${Math.round(this.acd.breachMs / 1000)} s`,
    });
  }

  private breach(callId: string): void {
    const call = this.call(callId);
    if (!call?.queue) return;
    delete call.timers.breach;
    if (call.phase !== 'queued' && call.phase !== 'ringing') return;
    const cause = breachCause(call.queue, call.record.failedOffers, [...this.agents.values()]);
    call.record.breach = { at: this.now, cause };
    call.record.escalatedAt = this.now;
    call.queue.escalated = true;
    this.touched(call);
    const waitedMs = this.now - call.queue.enqueuedAt;
    this.effects.push({
      type: 'alert',
      level: 'critical',
      kind: 'answer-breach',
      callId,
      skill: call.queue.skill,
      waitedMs,
      cause,
      at: this.now,
      message: `call not answered within ${Math.round(this.acd.breachMs / 1000)} s in queue ${call.queue.skill} (${cause}); escalated to ${this.acd.overflow.join(', ') || 'no overflow group'}`,
    });
    this.dispatch();
  }

  private announce(callId: string): void {
    const call = this.call(callId);
    if (!call) return;
    delete call.timers.announce;
    if (call.phase !== 'queued' && call.phase !== 'ringing') return;
    this.scheduleAnnouncement(call);
    // Never talk over the ring-back of an agent about to answer.
    if (call.phase === 'ringing' || call.announcePlaybackId) return;
    const position = this.positionOf(call);
    const p = this.ivrConfig.prompts;
    const prompts = position <= 1 ? [p.queueNext] : [p.queueAheadBefore, ...numberPrompts(p, position - 1), p.queueAheadAfter];
    const waitMinutes = this.estimatedWaitMinutes(call, position);
    if (p.queueWaitBefore && p.queueWaitMinutes && waitMinutes !== undefined) {
      prompts.push(p.queueWaitBefore, ...numberPrompts(p, waitMinutes), p.queueWaitMinutes);
    }
    if (call.mohOn) {
      this.effects.push({ type: 'stop-moh', callId, channelId: call.channelId });
      call.mohOn = false;
    }
    this.seq += 1;
    const playbackId = `${callId}:announce:${this.seq}`;
    call.announcePlaybackId = playbackId;
    this.effects.push({ type: 'play', callId, channelId: call.channelId, playbackId, ...promptPlayback(prompts) });
  }

  /**
   * Estimated wait in whole minutes (rounded up): the calls ahead, and this one, shared among the
   * agents staffing the skill, each taking an average handle time. Undefined under a minute or
   * when nobody staffs the skill (no honest estimate then).
   */
  private estimatedWaitMinutes(call: CallState, position: number): number | undefined {
    const skill = call.queue?.skill;
    if (!skill) return undefined;
    let staffed = 0;
    for (const a of this.agents.values()) {
      if (a.skills.includes(skill) && a.status !== 'signed-out' && a.status !== 'paused') staffed += 1;
    }
    if (staffed === 0) return undefined;
    const ms = (position * this.acd.averageHandleMs) / staffed;
    if (ms < 60_000) return undefined;
    return Math.ceil(ms / 60_000);
  }

  private positionOf(call: CallState): number {
    const q = call.queue;
    if (!q) return 0;
    let ahead = 0;
    for (const other of [...this.calls.values()]) {
      if (other.callId === call.callId || !other.queue || other.queue.skill !== q.skill) continue;
      if (other.phase !== 'queued' && other.phase !== 'ringing') continue;
      if (compareQueueEntries(other.queue, q) < 0) ahead += 1;
    }
    return ahead + 1;
  }

  // ---- routing --------------------------------------------------------------------------------

  /** Offers waiting calls, in queue order, to the longest-idle eligible ready agents. */
  private dispatch(): void {
    const ready = [...this.agents.values()]
      .filter((a) => a.status === 'ready')
      .sort(compareIdle);
    if (ready.length === 0) return;
    const waiting = [...this.calls.values()]
      .filter((c) => c.phase === 'queued' && c.queue)
      .sort((a, b) => compareQueueEntries(a.queue!, b.queue!));
    for (const c of waiting) {
      const idx = ready.findIndex((a) => isEligible(a, c.queue!, this.acd));
      if (idx < 0) continue;
      const agent = ready[idx] as AgentState;
      ready.splice(idx, 1);
      this.offer(this.call(c.callId) as CallState, this.agent(agent.agentId) as AgentState);
      if (ready.length === 0) return;
    }
  }

  private offer(call: CallState, agent: AgentState): void {
    const q = call.queue!;
    call.phase = 'ringing';
    q.offeredTo = agent.agentId;
    q.offeredAt = this.now;
    call.record.firstOfferedAt ??= this.now;
    call.record.offers += 1;
    this.touched(call);
    this.setAgentStatus(agent, 'reserved', { callId: call.callId });
    call.timers.rona = this.setTimer(`rona:${call.callId}`, this.now + this.acd.ringTimeoutMs, {
      kind: 'rona',
      callId: call.callId,
      agentId: agent.agentId,
    });
    const originate: Effect = { type: 'originate-agent', callId: call.callId, agentId: agent.agentId, timeoutMs: this.acd.ringTimeoutMs };
    if (agent.endpoint !== undefined) originate.endpoint = agent.endpoint;
    this.effects.push(originate);
    const r = call.record;
    this.effects.push({
      type: 'screen-pop',
      agentId: agent.agentId,
      pop: {
        callId: call.callId,
        callerNumber: r.callerNumber,
        skill: q.skill,
        priority: q.priority,
        repeatCaller: r.repeatCaller,
        ivrPath: [...r.ivrPath],
        ivrChoices: r.ivrChoices.map((c) => ({ ...c })),
        arrivedAt: r.arrivedAt,
        ivrExitAt: q.enqueuedAt,
        offeredAt: this.now,
        waitedMs: this.now - q.enqueuedAt,
      },
    });
  }

  /** Ring-no-answer or a failed agent leg: pause the agent, re-offer the call keeping its place. */
  private failOffer(call: CallState, agentId: string, cause: 'rona' | 'unreachable'): void {
    const q = call.queue!;
    this.cancelTimer(call.timers.rona);
    delete call.timers.rona;
    delete q.offeredTo;
    delete q.offeredAt;
    call.phase = 'queued';
    call.record.failedOffers = [...call.record.failedOffers, { agentId, at: this.now, cause }];
    this.touched(call);
    if (cause === 'rona') this.effects.push({ type: 'cancel-agent-leg', callId: call.callId, agentId });
    this.effects.push({ type: 'call-update', agentId, callId: call.callId, state: 'withdrawn', at: this.now });
    this.effects.push({
      type: 'alert',
      level: 'info',
      kind: 'ring-no-answer',
      callId: call.callId,
      agentId,
      skill: q.skill,
      at: this.now,
      message: `agent ${agentId} did not answer (${cause}); paused and the call re-offered`,
    });
    const agent = this.agent(agentId);
    if (agent && agent.callId === call.callId) this.setAgentStatus(agent, 'paused', { reason: cause === 'rona' ? RONA : UNREACHABLE });
    this.dispatch();
  }

  private agentAnswered(agentId: string, callId: string, agentChannelId: string): Rejection | undefined {
    const a = this.agents.get(agentId);
    const c = this.calls.get(callId);
    if (!a || !c || c.phase !== 'ringing' || c.queue?.offeredTo !== agentId || a.callId !== callId) {
      // The leg answered after the offer was withdrawn (caller gone, RONA): drop it.
      this.effects.push({ type: 'hangup-agent', callId, agentId, reason: 'offer-withdrawn' });
      return { code: 'invalid-transition', message: `call ${callId} is not ringing at agent ${agentId}` };
    }
    const call = this.call(callId) as CallState;
    const agent = this.agent(agentId) as AgentState;
    this.cancelTimer(call.timers.rona);
    this.cancelTimer(call.timers.prewarn);
    this.cancelTimer(call.timers.breach);
    this.cancelTimer(call.timers.announce);
    call.timers = {};
    if (call.announcePlaybackId) {
      this.effects.push({ type: 'stop-playback', callId, playbackId: call.announcePlaybackId });
      delete call.announcePlaybackId;
    }
    if (call.mohOn) {
      this.effects.push({ type: 'stop-moh', callId, channelId: call.channelId });
      call.mohOn = false;
    }
    call.phase = 'connected';
    call.agentId = agentId;
    call.agentChannelId = agentChannelId;
    const r = call.record;
    r.answeredAt = this.now;
    r.answerMs = this.now - (r.ivrExitAt ?? r.arrivedAt);
    r.agentId = agentId;
    this.touched(call);
    agent.agentChannelId = agentChannelId;
    this.setAgentStatus(agent, 'on-call', { callId });
    this.effects.push({ type: 'bridge', callId, channelId: call.channelId, agentId, agentChannelId });
    this.effects.push({ type: 'start-recording', callId, agentId });
    this.effects.push({ type: 'call-update', agentId, callId, state: 'answered', at: this.now });
    return undefined;
  }

  private agentLegFailed(agentId: string, callId: string): Rejection | undefined {
    const c = this.calls.get(callId);
    if (!c || c.phase !== 'ringing' || c.queue?.offeredTo !== agentId) {
      return { code: 'invalid-transition', message: `call ${callId} is not ringing at agent ${agentId}` };
    }
    this.failOffer(this.call(callId) as CallState, agentId, 'unreachable');
    return undefined;
  }

  private agentHangup(agentId: string, callId: string): Rejection | undefined {
    const c = this.calls.get(callId);
    if (!c || c.phase !== 'connected' || c.agentId !== agentId) {
      return { code: 'invalid-transition', message: `agent ${agentId} is not talking on call ${callId}` };
    }
    const call = this.call(callId) as CallState;
    this.effects.push({ type: 'hangup', callId, channelId: call.channelId, reason: 'agent-hung-up' });
    this.afterTalk(call);
    return undefined;
  }

  // ---- agents ---------------------------------------------------------------------------------

  private signIn(input: Extract<Input, { type: 'agent-sign-in' }>): Rejection | undefined {
    const skills = [...new Set(input.skills)];
    if (skills.length === 0) return { code: 'invalid-input', message: `agent ${input.agentId}: at least one skill is needed` };
    const unknown = skills.filter((s) => !this.ivrConfig.skills.includes(s));
    if (unknown.length > 0) {
      return {
        code: 'invalid-input',
        message: `agent ${input.agentId}: unknown skill ${unknown.map((s) => `"${s}"`).join(', ')} (known: ${this.ivrConfig.skills.join(', ')})`,
      };
    }
    const existing = this.agents.get(input.agentId);
    if (existing && existing.status !== 'signed-out') {
      return { code: 'invalid-transition', message: `agent ${input.agentId} is already signed in (${existing.status})` };
    }
    // One phone, one agent: a second agent on the same phone would be offered calls that ring at the
    // first one's desk, and both desktops would pop for one call.
    if (input.endpoint !== undefined) {
      for (const other of this.agents.values()) {
        if (other.agentId !== input.agentId && other.status !== 'signed-out' && other.endpoint === input.endpoint) {
          return { code: 'extension-in-use', message: `${input.endpoint} is in use by agent ${other.agentId}`, holder: other.agentId };
        }
      }
    }
    const agent: AgentState = {
      agentId: input.agentId,
      skills,
      leader: input.leader === true,
      status: 'signed-out',
      since: this.now,
      idleSince: this.now,
    };
    if (input.endpoint !== undefined) agent.endpoint = input.endpoint;
    this.agents.set(agent.agentId, agent);
    this.copiedAgents.add(agent.agentId);
    const talking = [...this.calls.values()].find((c) => c.phase === 'connected' && c.agentId === agent.agentId);
    if (talking) {
      // A call restored after a restart, still in progress with this agent.
      agent.agentChannelId = talking.agentChannelId;
      this.setAgentStatus(agent, 'on-call', { callId: talking.callId });
      return undefined;
    }
    this.setAgentStatus(agent, 'ready');
    this.dispatch();
    return undefined;
  }

  private signOut(agentId: string): Rejection | undefined {
    const agent = this.agent(agentId);
    if (!agent) return { code: 'unknown-agent', message: `no agent ${agentId}` };
    if (agent.status === 'reserved' || agent.status === 'on-call' || agent.status === 'signed-out') {
      return { code: 'invalid-transition', message: `agent ${agentId} cannot sign out while ${agent.status}` };
    }
    this.cancelWrapUpTimer(agentId);
    this.setAgentStatus(agent, 'signed-out');
    return undefined;
  }

  private ready(agentId: string): Rejection | undefined {
    const agent = this.agent(agentId);
    if (!agent) return { code: 'unknown-agent', message: `no agent ${agentId}` };
    if (agent.status === 'ready') return undefined;
    if (agent.status !== 'paused' && agent.status !== 'wrap-up') {
      return { code: 'invalid-transition', message: `agent ${agentId} cannot become ready while ${agent.status}` };
    }
    this.makeReady(agent);
    return undefined;
  }

  private pause(agentId: string, reason: string): Rejection | undefined {
    const agent = this.agent(agentId);
    if (!agent) return { code: 'unknown-agent', message: `no agent ${agentId}` };
    if (typeof reason !== 'string' || reason.trim() === '') return { code: 'invalid-input', message: 'a pause needs a reason code' };
    if (agent.status !== 'ready' && agent.status !== 'wrap-up' && agent.status !== 'paused') {
      return { code: 'invalid-transition', message: `agent ${agentId} cannot pause while ${agent.status}` };
    }
    this.cancelWrapUpTimer(agentId);
    this.setAgentStatus(agent, 'paused', { reason: reason.trim() });
    return undefined;
  }
}
