import type { AgentState } from '../acd/agent.ts';
import { makeReady, startWrapUp } from './agents.ts';
import type { CallState } from './call-center-state.ts';
import type { Draft, Rejection } from './draft.ts';
import { update, validNumber } from './talk-helpers.ts';

/**
 * The callback call (回拨, issue 10 item 3): an agent takes a pending callback from the list; the agent's
 * phone is rung first, and once the agent answers the citizen is dialled (the adapter uses
 * EXTERNAL_DIAL_TEMPLATE with the hotline's caller id), then the two are bridged and recorded like any
 * call (art. 28). From the citizen's answer on it is an ordinary talking call (hold, three-way, end).
 * If the citizen is not reached the call ends and the agent goes to wrap-up: the outcome (no answer,
 * busy, ...) is chosen by the agent afterwards, never decided here.
 */

export function callbackDial(
  d: Draft,
  i: { callId: string; channelId: string; callbackId: number; originalCallId: string; agentId: string; number: string },
): Rejection | undefined {
  const bad = validNumber(i.number);
  if (bad) return bad;
  const a = d.agents.get(i.agentId);
  if (!a || a.status === 'signed-out')
    return { code: 'unknown-agent', reason: 'agent-not-signed-in', message: `agent ${i.agentId} is not signed in` };
  if (a.status !== 'ready' && a.status !== 'paused')
    return {
      code: 'invalid-transition',
      reason: 'agent-not-ready',
      message: `agent ${i.agentId} is ${a.status}, not free to call back`,
    };
  if (d.calls.get(i.callId)) return { code: 'invalid-input', message: `call id ${i.callId} is already in use` };
  const agent = d.agent(i.agentId) as AgentState;
  const call: CallState = {
    callId: i.callId,
    channelId: i.channelId,
    phase: 'ringing',
    record: {
      callId: i.callId,
      callerNumber: i.number,
      arrivedAt: d.now,
      ivrPath: [],
      ivrChoices: [],
      ivrInvalidInputs: 0,
      ivrTimeouts: 0,
      priority: 0,
      repeatCaller: false,
      firstOfferedAt: d.now,
      offers: 1,
      failedOffers: [],
      agentId: i.agentId,
      outcome: 'in-progress',
    },
    agentId: i.agentId,
    mohOn: false,
    timers: {},
    outbound: {
      callbackId: i.callbackId,
      originalCallId: i.originalCallId,
      number: i.number,
      citizenAnswered: false,
      agentWas: a.status === 'paused' ? { status: 'paused', reason: a.pauseReason } : { status: 'ready' },
    },
  };
  d.addCall(call);
  d.touched(call);
  d.setAgentStatus(agent, 'reserved', { callId: i.callId });
  // The desk sees the original call's data while its phone rings (the adapter adds the callback's history).
  d.emit({
    type: 'screen-pop',
    agentId: i.agentId,
    pop: {
      callId: i.callId,
      callerNumber: i.number,
      skill: 'callback',
      priority: 0,
      repeatCaller: false,
      ivrPath: [],
      ivrChoices: [],
      arrivedAt: d.now,
      ivrExitAt: d.now,
      offeredAt: d.now,
      waitedMs: 0,
      callback: { callbackId: i.callbackId, originalCallId: i.originalCallId },
    },
  });
  d.emit({ type: 'originate-agent', callId: i.callId, agentId: i.agentId, timeoutMs: d.acd.ringTimeoutMs });
  return undefined;
}

type Outbound = CallState & { outbound: NonNullable<CallState['outbound']> };

function outboundCall(d: Draft, callId: string): Outbound | undefined {
  const c = d.calls.get(callId);
  return c?.outbound ? (d.call(callId) as Outbound) : undefined;
}

/** The agent's phone answered: now the citizen is dialled. */
export function agentAnswered(
  d: Draft,
  call: Outbound,
  agentId: string,
  agentChannelId: string,
): Rejection | undefined {
  const agent = d.agent(agentId);
  if (call.phase !== 'ringing' || call.agentId !== agentId || !agent || agent.callId !== call.callId) {
    d.emit({ type: 'hangup-agent', callId: call.callId, agentId, reason: 'offer-withdrawn' });
    return { code: 'invalid-transition', message: `callback ${call.callId} is not ringing at agent ${agentId}` };
  }
  call.phase = 'connected';
  call.agentChannelId = agentChannelId;
  call.talk = { held: false, parties: [] };
  agent.agentChannelId = agentChannelId;
  d.setAgentStatus(agent, 'on-call', { callId: call.callId });
  d.emit({ type: 'dial-citizen', callId: call.callId, channelId: call.channelId, number: call.outbound.number });
  update(d, agentId, call.callId, 'dialling', call.outbound.number);
  return undefined;
}

/** The citizen answered: bridged with the agent and recorded. */
export function citizenAnswered(d: Draft, callId: string): Rejection | undefined {
  const call = outboundCall(d, callId);
  if (call?.phase !== 'connected' || call.outbound.citizenAnswered || !call.agentId || !call.agentChannelId) {
    return { code: 'invalid-transition', message: `callback ${callId} is not dialling the citizen` };
  }
  call.outbound = { ...call.outbound, citizenAnswered: true };
  call.record.answeredAt = d.now;
  call.record.answerMs = 0;
  d.touched(call);
  d.emit({
    type: 'bridge',
    callId,
    channelId: call.channelId,
    agentId: call.agentId,
    agentChannelId: call.agentChannelId,
  });
  d.emit({ type: 'start-recording', callId, agentId: call.agentId });
  update(d, call.agentId, callId, 'answered');
  return undefined;
}

/** The citizen was not reached (busy, no answer, failure): the call ends, the agent chooses the outcome in wrap-up. */
export function citizenNotReached(d: Draft, callId: string, cause: string): Rejection | undefined {
  const call = outboundCall(d, callId);
  if (!call || call.outbound.citizenAnswered)
    return { code: 'invalid-transition', message: `callback ${callId} is not dialling the citizen` };
  const agentId = call.agentId;
  if (agentId) {
    d.emit({ type: 'hangup-agent', callId, agentId, reason: 'citizen-not-reached' });
    update(d, agentId, callId, 'callback-failed', cause);
    update(d, agentId, callId, 'ended');
  }
  d.endCall(call, 'callback-failed');
  const agent = agentId ? d.agent(agentId) : undefined;
  if (agent && agent.callId === callId) startWrapUp(d, agent);
  return undefined;
}

/** The agent hung up before the citizen answered: the citizen's leg is dropped and the call ends. */
export function agentGaveUp(d: Draft, callId: string, agentId: string): Rejection | undefined {
  const call = outboundCall(d, callId);
  if (!call || call.agentId !== agentId)
    return { code: 'invalid-transition', message: `agent ${agentId} is not on callback ${callId}` };
  d.emit({ type: 'hangup', callId, channelId: call.channelId, reason: 'agent-hung-up' });
  return citizenNotReached(d, callId, 'cancelled');
}

/** The agent's own phone did not answer: nothing was dialled, no try is counted; the agent is as before. */
export function agentUnreachable(d: Draft, callId: string, agentId: string): Rejection | undefined {
  const call = outboundCall(d, callId);
  if (call?.phase !== 'ringing' || call.agentId !== agentId)
    return { code: 'invalid-transition', message: `callback ${callId} is not ringing at agent ${agentId}` };
  update(d, agentId, callId, 'callback-failed', 'agent-unreachable');
  update(d, agentId, callId, 'withdrawn');
  d.endCall(call, 'callback-failed');
  const agent = d.agent(agentId);
  if (!agent || agent.callId !== callId) return undefined;
  const was = call.outbound.agentWas;
  if (was.status === 'paused') d.setAgentStatus(agent, 'paused', { reason: was.reason ?? 'CALLBACK' });
  else makeReady(d, agent);
  return undefined;
}
