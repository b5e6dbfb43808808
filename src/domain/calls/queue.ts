import { RONA, UNREACHABLE, type AgentState } from '../acd/agent.ts';
import { compareQueueEntries } from '../acd/queue-entry.ts';
import { leaderOnDuty } from '../acd/rota.ts';
import { compareIdle, isEligible } from '../acd/routing.ts';
import { callerLanguage, promptPlayback } from '../ivr/ivr-config.ts';
import { numberPrompts } from '../ivr/number-prompts.ts';
import type { CallCenterState, CallState, TransferNote } from './call-center-state.ts';
import type { Draft, Rejection } from './draft.ts';
import type { Effect } from './effects.ts';
import type { ScreenPop } from './screen-pop.ts';

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

/** Leaving the menu: the answer clock (art. 25) starts, music on hold, the watchdog is armed. */
export function enqueue(d: Draft, call: CallState, skill: string, priority: number): void {
  const p = Math.max(priority, call.record.priority);
  d.seq += 1;
  call.phase = 'queued';
  call.queue = { skill, priority: p, enqueuedAt: d.now, seq: d.seq, escalated: false };
  call.record.queuedAt = d.now;
  call.record.skill = skill;
  call.record.priority = p;
  armWatchdog(d, call, d.now);
  scheduleAnnouncement(d, call);
  d.emit({ type: 'start-moh', callId: call.callId, channelId: call.channelId });
  call.mohOn = true;
  dispatch(d);
}

/**
 * A talking call handed back to a queue by its agent (内部转接). It keeps its priority and its
 * place: the queue order starts at its original IVR exit, the answer clock of art. 25 (its
 * `answeredAt` stays that of the first answer). The watchdog runs again from now, so a transferred
 * caller is never left waiting unseen.
 */
export function requeue(d: Draft, call: CallState, skill: string, note: TransferNote): void {
  const r = call.record;
  d.seq += 1;
  call.phase = 'queued';
  call.queue = {
    skill,
    priority: r.priority,
    enqueuedAt: r.ivrExitAt ?? r.arrivedAt,
    seq: d.seq,
    escalated: r.breach !== undefined,
  };
  call.transferNote = note;
  r.skill = skill;
  delete call.agentId;
  delete call.agentChannelId;
  delete call.talk;
  d.touched(call);
  armWatchdog(d, call, d.now);
  scheduleAnnouncement(d, call);
  if (!call.mohOn) {
    d.emit({ type: 'start-moh', callId: call.callId, channelId: call.channelId });
    call.mohOn = true;
  }
}

function armWatchdog(d: Draft, call: CallState, from: number): void {
  call.timers.prewarn = d.setTimer(`prewarn:${call.callId}`, from + d.acd.prewarnMs, {
    kind: 'prewarn',
    callId: call.callId,
  });
  call.timers.breach = d.setTimer(`breach:${call.callId}`, from + d.acd.breachMs, {
    kind: 'breach',
    callId: call.callId,
  });
}

export function scheduleAnnouncement(d: Draft, call: CallState): void {
  if (d.acd.announceEveryMs <= 0) return;
  call.timers.announce = d.setTimer(`announce:${call.callId}`, d.now + d.acd.announceEveryMs, {
    kind: 'announce',
    callId: call.callId,
  });
}

/** A queue announcement finished: music on hold again. */
export function announcementFinished(d: Draft, callId: string, playbackId: string): Rejection | undefined {
  const c = d.calls.get(callId);
  if (!c) return { code: 'unknown-call', message: `no call ${callId}` };
  if (c.announcePlaybackId !== playbackId) return undefined;
  const call = d.call(callId) as CallState;
  delete call.announcePlaybackId;
  if ((call.phase === 'queued' || call.phase === 'ringing') && !call.mohOn) {
    d.emit({ type: 'start-moh', callId, channelId: call.channelId });
    call.mohOn = true;
  }
  return undefined;
}

/** Position (and, when honest, the expected wait) told to a waiting caller. */
export function announce(d: Draft, callId: string): void {
  const call = d.call(callId);
  if (!call) return;
  delete call.timers.announce;
  if (call.phase !== 'queued' && call.phase !== 'ringing') return;
  scheduleAnnouncement(d, call);
  // Never talk over the ring-back of an agent about to answer.
  if (call.phase === 'ringing' || call.announcePlaybackId) return;
  const position = positionOf(d, call);
  const p = d.ivrConfig.prompts;
  const prompts =
    position <= 1 ? [p.queueNext] : [p.queueAheadBefore, ...numberPrompts(p, position - 1), p.queueAheadAfter];
  const waitMinutes = estimatedWaitMinutes(d, call, position);
  if (p.queueWaitBefore && p.queueWaitMinutes && waitMinutes !== undefined) {
    prompts.push(p.queueWaitBefore, ...numberPrompts(p, waitMinutes), p.queueWaitMinutes);
  }
  if (call.mohOn) {
    d.emit({ type: 'stop-moh', callId, channelId: call.channelId });
    call.mohOn = false;
  }
  d.seq += 1;
  const playbackId = `${callId}:announce:${d.seq}`;
  call.announcePlaybackId = playbackId;
  d.emit({
    type: 'play',
    callId,
    channelId: call.channelId,
    playbackId,
    // Queue announcements in the language of the desk the caller chose.
    ...promptPlayback(prompts, callerLanguage(d.ivrConfig, call.queue?.skill)),
  });
}

/**
 * Estimated wait in whole minutes (rounded up): the calls ahead, and this one, shared among the
 * agents staffing the skill, each taking an average handle time. Undefined under a minute or
 * when nobody staffs the skill (no honest estimate then).
 */
function estimatedWaitMinutes(d: Draft, call: CallState, position: number): number | undefined {
  const skill = call.queue?.skill;
  if (!skill) return undefined;
  let staffed = 0;
  for (const a of d.agents.values()) {
    if (a.skills.includes(skill) && a.status !== 'signed-out' && a.status !== 'paused') staffed += 1;
  }
  if (staffed === 0) return undefined;
  const ms = (position * d.acd.averageHandleMs) / staffed;
  if (ms < 60_000) return undefined;
  return Math.ceil(ms / 60_000);
}

function positionOf(d: Draft, call: CallState): number {
  const q = call.queue;
  if (!q) return 0;
  let ahead = 0;
  for (const other of [...d.calls.values()]) {
    if (other.callId === call.callId || !other.queue || other.queue.skill !== q.skill) continue;
    if (other.phase !== 'queued' && other.phase !== 'ringing') continue;
    if (compareQueueEntries(other.queue, q) < 0) ahead += 1;
  }
  return ahead + 1;
}

/** Offers waiting calls, in queue order, to the longest-idle eligible ready agents. */
export function dispatch(d: Draft): void {
  const ready = [...d.agents.values()].filter((a) => a.status === 'ready').sort(compareIdle);
  if (ready.length === 0) return;
  const waiting = [...d.calls.values()]
    .filter((c) => c.phase === 'queued' && c.queue)
    .sort((a, b) => compareQueueEntries(a.queue!, b.queue!));
  for (const c of waiting) {
    const q = c.queue!;
    const idx = ready.findIndex((a) => isEligible(a, q, d.acd, leaderOnDuty(d.rota, a.agentId, q.skill, d.now)));
    if (idx < 0) continue;
    const agent = ready[idx] as AgentState;
    ready.splice(idx, 1);
    offer(d, d.call(c.callId) as CallState, d.agent(agent.agentId) as AgentState);
    if (ready.length === 0) return;
  }
}

/** Rings one agent for a waiting call, with the screen-pop, and arms ring-no-answer. */
export function offer(d: Draft, call: CallState, agent: AgentState): void {
  const q = call.queue!;
  call.phase = 'ringing';
  q.offeredTo = agent.agentId;
  q.offeredAt = d.now;
  call.record.firstOfferedAt ??= d.now;
  call.record.offers += 1;
  d.touched(call);
  d.setAgentStatus(agent, 'reserved', { callId: call.callId });
  call.timers.rona = d.setTimer(`rona:${call.callId}`, d.now + d.acd.ringTimeoutMs, {
    kind: 'rona',
    callId: call.callId,
    agentId: agent.agentId,
  });
  const originate: Effect = {
    type: 'originate-agent',
    callId: call.callId,
    agentId: agent.agentId,
    timeoutMs: d.acd.ringTimeoutMs,
  };
  if (agent.endpoint !== undefined) originate.endpoint = agent.endpoint;
  d.emit(originate);
  d.emit({ type: 'screen-pop', agentId: agent.agentId, pop: screenPopOf(d, call, q.skill, q.priority, q.enqueuedAt) });
}

/** What the ringing agent's desktop shows (the adapter adds the caller's history). */
export function screenPopOf(d: Draft, call: CallState, skill: string, priority: number, ivrExitAt: number): ScreenPop {
  const r = call.record;
  return {
    callId: call.callId,
    callerNumber: r.callerNumber,
    skill,
    priority,
    repeatCaller: r.repeatCaller,
    ivrPath: [...r.ivrPath],
    ivrChoices: r.ivrChoices.map((c) => ({ ...c })),
    arrivedAt: r.arrivedAt,
    ivrExitAt,
    offeredAt: d.now,
    waitedMs: d.now - ivrExitAt,
    ...(call.transferNote ? { transfer: { ...call.transferNote } } : {}),
  };
}

/** Ring-no-answer or a failed agent leg: pause the agent, re-offer the call keeping its place. */
export function failOffer(d: Draft, call: CallState, agentId: string, cause: 'rona' | 'unreachable'): void {
  const q = call.queue!;
  d.cancelTimer(call.timers.rona);
  delete call.timers.rona;
  delete q.offeredTo;
  delete q.offeredAt;
  call.phase = 'queued';
  call.record.failedOffers = [...call.record.failedOffers, { agentId, at: d.now, cause }];
  d.touched(call);
  if (cause === 'rona') d.emit({ type: 'cancel-agent-leg', callId: call.callId, agentId });
  // The desk says why the offer went away (issue 9): no answer in time, or the phone could not be reached.
  d.emit({
    type: 'call-update',
    agentId,
    callId: call.callId,
    state: 'withdrawn',
    at: d.now,
    detail: cause === 'rona' ? 'no-answer' : 'unreachable',
  });
  d.emit({
    type: 'alert',
    level: 'info',
    kind: 'ring-no-answer',
    callId: call.callId,
    agentId,
    skill: q.skill,
    at: d.now,
    message: `agent ${agentId} did not answer (${cause}); paused and the call re-offered`,
  });
  const agent = d.agent(agentId);
  if (agent && agent.callId === call.callId)
    d.setAgentStatus(agent, 'paused', { reason: cause === 'rona' ? RONA : UNREACHABLE });
  dispatch(d);
}

/** The caller hung up while waiting or while an agent rang: a missed call, to be called back (national guidance). */
export function abandonWaiting(d: Draft, call: CallState): void {
  const callId = call.callId;
  if (call.phase === 'ringing' && call.queue?.offeredTo) {
    const agent = d.agent(call.queue.offeredTo);
    d.emit({ type: 'cancel-agent-leg', callId, agentId: call.queue.offeredTo });
    d.emit({
      type: 'call-update',
      agentId: call.queue.offeredTo,
      callId,
      state: 'withdrawn',
      at: d.now,
      detail: 'caller-hung-up',
    });
    // The agent keeps the idle time it had: it was not their fault.
    if (agent && agent.status === 'reserved' && agent.callId === callId) d.setAgentStatus(agent, 'ready');
  }
  // A call already answered once (then handed back by its agent) is not a missed call.
  if (call.record.answeredAt === undefined) {
    d.emit({ type: 'add-callback', callId, callerNumber: call.record.callerNumber, reason: 'abandoned', at: d.now });
    d.endCall(call, 'abandoned');
  } else {
    d.endCall(call, 'answered');
  }
  dispatch(d);
}
