import type { CallState } from './call-center-state.ts';
import type { CallRecord } from './call-record.ts';
import type { Draft, Rejection } from './draft.ts';
import type { Input } from './inputs.ts';
import { enqueue, scheduleAnnouncement, dispatch } from './queue.ts';

/**
 * A call this process did not see arrive (restart): rebuilt from its stored record. Waiting calls
 * keep their place and answer clock; talking calls come back connected (with their parties, hold
 * and consultation) or handed off, so the rest of their life is decided here like any other call.
 */
export function callRestored(d: Draft, input: Extract<Input, { type: 'call-restored' }>): Rejection | undefined {
  if (d.calls.get(input.callId)) return { code: 'invalid-input', message: `call ${input.callId} already exists` };
  const r = input.record;
  if (r.callId !== input.callId)
    return { code: 'invalid-input', message: `record of call ${r.callId} given for call ${input.callId}` };
  if (r.endedAt !== undefined) return { code: 'invalid-transition', message: `call ${input.callId} has already ended` };
  const talkParties = input.talk?.parties ?? [];
  const handedOff = !input.agentChannelId && talkParties.some((p) => p.answered);
  if (r.answeredAt !== undefined && !handedOff && (!r.agentId || !input.agentChannelId)) {
    return { code: 'invalid-input', message: `answered call ${input.callId} needs its agent and agent channel` };
  }
  const record: CallRecord = {
    ...r,
    ivrPath: [...r.ivrPath],
    ivrChoices: [...r.ivrChoices],
    failedOffers: [...r.failedOffers],
  };
  const call: CallState = {
    callId: input.callId,
    channelId: input.channelId,
    phase: 'queued',
    record,
    mohOn: false,
    timers: {},
  };
  d.addCall(call);
  d.touched(call);
  if (handedOff || (r.answeredAt !== undefined && r.agentId && input.agentChannelId)) {
    const held = input.talk?.held === true;
    call.talk = {
      held,
      parties: talkParties.map((p) => ({ ...p })),
      ...(input.talk?.consultPartyId !== undefined ? { consultPartyId: input.talk.consultPartyId } : {}),
    };
    call.mohOn = held;
    if (held) call.holdMarked = true;
    if (handedOff) {
      call.phase = 'handed-off';
      return undefined;
    }
    call.phase = 'connected';
    call.agentId = r.agentId!;
    call.agentChannelId = input.agentChannelId!;
    const agent = d.agent(r.agentId!);
    if (agent && agent.status !== 'signed-out' && agent.status !== 'on-call' && agent.status !== 'reserved') {
      agent.agentChannelId = input.agentChannelId;
      d.setAgentStatus(agent, 'on-call', { callId: call.callId });
    }
    return undefined;
  }
  const skill = r.skill !== undefined && d.ivrConfig.skills.includes(r.skill) ? r.skill : d.ivrConfig.defaultSkill;
  if (r.queuedAt === undefined) {
    // Its place in the menu died with the old process: it goes on to an agent, the clock starting now.
    record.ivrExitAt = d.now;
    enqueue(d, call, skill, record.priority);
    return undefined;
  }
  d.seq += 1;
  call.queue = {
    skill,
    priority: record.priority,
    enqueuedAt: r.queuedAt,
    seq: d.seq,
    escalated: r.breach !== undefined,
  };
  record.skill = skill;
  // Deadlines already past fire at once: the adapter runs a timer whose time has come immediately.
  if (r.prewarnedAt === undefined) {
    call.timers.prewarn = d.setTimer(`prewarn:${call.callId}`, r.queuedAt + d.acd.prewarnMs, {
      kind: 'prewarn',
      callId: call.callId,
    });
  }
  if (r.breach === undefined) {
    call.timers.breach = d.setTimer(`breach:${call.callId}`, r.queuedAt + d.acd.breachMs, {
      kind: 'breach',
      callId: call.callId,
    });
  }
  scheduleAnnouncement(d, call);
  d.emit({ type: 'start-moh', callId: call.callId, channelId: call.channelId });
  call.mohOn = true;
  dispatch(d);
  return undefined;
}

/** Late result of the caller's history lookup. */
export function callerFlags(d: Draft, callId: string, repeat: boolean): Rejection | undefined {
  const call = d.call(callId);
  if (!call) return { code: 'unknown-call', message: `no call ${callId}` };
  call.record.repeatCaller = repeat;
  if (repeat) {
    call.record.priority = Math.max(call.record.priority, d.acd.repeatCallerPriority);
    if (call.queue) call.queue.priority = Math.max(call.queue.priority, d.acd.repeatCallerPriority);
  }
  d.touched(call);
  return undefined;
}
