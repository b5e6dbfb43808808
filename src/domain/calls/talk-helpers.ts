import { startWrapUp } from './agents.ts';
import type { CallState, TalkState } from './call-center-state.ts';
import type { Draft, Rejection } from './draft.ts';
import type { CallUpdateState } from './effects.ts';

/** Shared by talk.ts and transfers.ts: the call an agent talks on, desktop updates, music on hold. */

export type Talking = CallState & { talk: TalkState; agentId: string; agentChannelId: string };

export const MAIN = 'main';
export const consultBridge = (partyId: string) => `consult:${partyId}`;

export function noCall(agentId: string): Rejection {
  return { code: 'invalid-transition', reason: 'no-call', message: `agent ${agentId} has no call in progress` };
}

export function conflict(message: string): Rejection {
  return { code: 'invalid-transition', reason: 'conflict', message };
}

/** The call the agent is talking on, copied for writing, or why there is none. */
export function talkingCall(d: Draft, agentId: string): Talking | Rejection {
  const agent = d.agents.get(agentId);
  const callId = agent?.status === 'on-call' ? agent.callId : undefined;
  const c = callId !== undefined ? d.calls.get(callId) : undefined;
  if (c?.phase !== 'connected' || c.agentId !== agentId || !c.talk) return noCall(agentId);
  return d.call(c.callId) as Talking;
}

export const isRejection = (x: Talking | Rejection): x is Rejection => 'code' in x;

export function update(d: Draft, agentId: string, callId: string, state: CallUpdateState, detail?: string): void {
  d.emit({ type: 'call-update', agentId, callId, state, at: d.now, ...(detail !== undefined ? { detail } : {}) });
}

export function validNumber(number: unknown): Rejection | undefined {
  if (typeof number !== 'string' || !/^[0-9]{3,20}$/.test(number)) {
    return { code: 'invalid-input', reason: 'bad-request', message: 'number must be 3 to 20 digits' };
  }
  return undefined;
}

export function startMoh(d: Draft, call: CallState): void {
  if (call.mohOn) return;
  // A hold of the talk phase (hold, consultation) is marked on the caller's channel for a restart.
  const onHold = call.talk?.held === true;
  d.emit({ type: 'start-moh', callId: call.callId, channelId: call.channelId, ...(onHold ? { onHold } : {}) });
  call.mohOn = true;
  if (onHold) call.holdMarked = true;
}

export function stopMoh(d: Draft, call: CallState): void {
  if (!call.mohOn) return;
  const onHold = call.holdMarked === true;
  d.emit({ type: 'stop-moh', callId: call.callId, channelId: call.channelId, ...(onHold ? { onHold } : {}) });
  call.mohOn = false;
  if (onHold) call.holdMarked = false;
}

/** The agent leaves a call that goes on without them (transfer): wrap-up, the call is handed off. */
export function agentLeaves(d: Draft, call: CallState): void {
  const agentId = call.agentId as string;
  update(d, agentId, call.callId, 'ended');
  call.phase = 'handed-off';
  delete call.agentId;
  delete call.agentChannelId;
  call.record.outcome = 'transferred';
  d.touched(call);
  const agent = d.agent(agentId);
  if (agent && agent.callId === call.callId) startWrapUp(d, agent);
}

export function checkNewParty(call: Talking, partyId: string): Rejection | undefined {
  if (call.talk.consultPartyId) return conflict('a consultation is in progress');
  if (call.talk.parties.some((p) => !p.answered)) return conflict('a transfer is already ringing');
  if (
    call.talk.parties.some((p) => p.partyId === partyId) ||
    partyId === call.channelId ||
    partyId === call.agentChannelId
  ) {
    return { code: 'invalid-input', message: `party id ${partyId} is already in use` };
  }
  return undefined;
}
