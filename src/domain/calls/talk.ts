import type { AgentState } from '../acd/agent.ts';
import { startWrapUp } from './agents.ts';
import type { CallState, Party, TalkState } from './call-center-state.ts';
import type { Draft, Rejection } from './draft.ts';
import { failOffer } from './queue.ts';
import {
  agentLeaves,
  checkNewParty,
  consultBridge,
  isRejection,
  conflict,
  MAIN,
  startMoh,
  stopMoh,
  talkingCall,
  update,
  validNumber,
  type Talking,
} from './talk-helpers.ts';
import { completeConsult, consultParty, endConsult, releaseAgentParty } from './transfers.ts';

/**
 * The talk phase, from the agent's answer to the end of the call: hold, three-way, blind
 * transfer, and the legs of the caller, the agent and third parties coming and going (attended
 * transfer and transfer to an agent or desk are in transfers.ts). Commands are addressed by agent and accepted as soon as the call is
 * connected here, whatever ARI requests the adapter still has in flight: it carries the effects
 * out in order per call, so a three-way pressed 0 ms after `answered` is dialled after the bridge.
 */

// ---- the agent answers, the agent's leg goes ----------------------------------------------------

export function agentAnswered(
  d: Draft,
  agentId: string,
  callId: string,
  agentChannelId: string,
): Rejection | undefined {
  const a = d.agents.get(agentId);
  const c = d.calls.get(callId);
  if (!a || !c || c.phase !== 'ringing' || c.queue?.offeredTo !== agentId || a.callId !== callId) {
    // The leg answered after the offer was withdrawn (caller gone, RONA): drop it.
    d.emit({ type: 'hangup-agent', callId, agentId, reason: 'offer-withdrawn' });
    return { code: 'invalid-transition', message: `call ${callId} is not ringing at agent ${agentId}` };
  }
  const call = d.call(callId) as CallState;
  const agent = d.agent(agentId) as AgentState;
  d.cancelCallTimers(call);
  if (call.announcePlaybackId) {
    d.emit({ type: 'stop-playback', callId, playbackId: call.announcePlaybackId });
    delete call.announcePlaybackId;
  }
  stopMoh(d, call);
  call.phase = 'connected';
  call.agentId = agentId;
  call.agentChannelId = agentChannelId;
  call.talk = { held: false, parties: [] };
  delete call.transferNote;
  const r = call.record;
  // A call handed over by another agent keeps the figures of its first answer (art. 25).
  if (r.answeredAt === undefined) {
    r.answeredAt = d.now;
    r.answerMs = d.now - (r.ivrExitAt ?? r.arrivedAt);
  }
  r.agentId = agentId;
  d.touched(call);
  agent.agentChannelId = agentChannelId;
  d.setAgentStatus(agent, 'on-call', { callId });
  d.emit({ type: 'bridge', callId, channelId: call.channelId, agentId, agentChannelId });
  d.emit({ type: 'start-recording', callId, agentId });
  update(d, agentId, callId, 'answered');
  return undefined;
}

export function agentLegFailed(d: Draft, agentId: string, callId: string): Rejection | undefined {
  const c = d.calls.get(callId);
  if (c?.phase !== 'ringing' || c.queue?.offeredTo !== agentId) {
    return { code: 'invalid-transition', message: `call ${callId} is not ringing at agent ${agentId}` };
  }
  failOffer(d, d.call(callId) as CallState, agentId, 'unreachable');
  return undefined;
}

/** The agent's answered leg is gone (hung up on the phone or from the desktop). */
export function agentLegGone(d: Draft, agentId: string, callId: string): Rejection | undefined {
  const c = d.calls.get(callId);
  if (c?.phase !== 'connected' || c.agentId !== agentId || !c.talk) {
    return { code: 'invalid-transition', message: `agent ${agentId} is not talking on call ${callId}` };
  }
  const call = d.call(callId) as Talking;
  const consult = consultParty(call);
  if (consult?.answered) {
    // Hanging up while consulting an answered party completes the transfer, as on a PBX phone.
    completeConsult(d, call, consult, false);
    return undefined;
  }
  if (consult) endConsult(d, call, consult, true);
  if (call.talk.parties.length > 0) {
    // A three-way call or a blind transfer still ringing: the caller stays with the third party.
    agentLeaves(d, call);
    stopMoh(d, call);
    return undefined;
  }
  d.emit({ type: 'hangup', callId, channelId: call.channelId, reason: 'agent-hung-up' });
  afterTalk(d, call);
  return undefined;
}

/** The caller hung up during the talk phase: everyone else is released and the call ends. */
export function callerGoneInTalk(d: Draft, call: CallState): void {
  const callId = call.callId;
  for (const p of call.talk?.parties ?? []) {
    d.emit({ type: 'hangup-party', callId, partyId: p.partyId });
    if (p.agentId) releaseAgentParty(d, call, p);
  }
  if (call.talk?.consultPartyId)
    d.emit({ type: 'destroy-bridge', callId, bridge: consultBridge(call.talk.consultPartyId) });
  if (call.phase === 'connected' && call.agentId) {
    d.emit({ type: 'hangup-agent', callId, agentId: call.agentId, reason: 'caller-hung-up' });
    afterTalk(d, call);
    return;
  }
  d.endCall(call, 'transferred');
}

/** The talk has ended from either side: the agent goes to wrap-up and the call is closed. */
function afterTalk(d: Draft, call: CallState): void {
  const agentId = call.agentId as string;
  update(d, agentId, call.callId, 'ended');
  d.endCall(call, 'answered');
  const agent = d.agent(agentId);
  if (agent && agent.callId === call.callId) startWrapUp(d, agent);
}

// ---- commands of the agent ----------------------------------------------------------------------

export function hold(d: Draft, agentId: string): Rejection | undefined {
  const call = talkingCall(d, agentId);
  if (isRejection(call)) return call;
  if (call.talk.consultPartyId) return conflict('the caller is on hold for a consultation');
  if (call.talk.held) return conflict('the caller is already on hold');
  call.talk.held = true;
  startMoh(d, call);
  update(d, agentId, call.callId, 'held');
  return undefined;
}

export function unhold(d: Draft, agentId: string): Rejection | undefined {
  const call = talkingCall(d, agentId);
  if (isRejection(call)) return call;
  if (call.talk.consultPartyId) return conflict('finish or cancel the consultation first');
  if (!call.talk.held) return conflict('the caller is not on hold');
  call.talk.held = false;
  stopMoh(d, call);
  update(d, agentId, call.callId, 'resumed');
  return undefined;
}

/** Three-way (`conference`) or blind transfer (`transfer`) to an outside number. */
export function callNumber(
  d: Draft,
  agentId: string,
  number: string,
  partyId: string,
  purpose: 'conference' | 'transfer',
): Rejection | undefined {
  const bad = validNumber(number);
  if (bad) return bad;
  const call = talkingCall(d, agentId);
  if (isRejection(call)) return call;
  const refused = checkNewParty(call, partyId);
  if (refused) return refused;
  call.talk.parties.push({ partyId, purpose, number, answered: false });
  update(d, agentId, call.callId, 'transferring', number);
  d.emit({ type: 'dial-party', callId: call.callId, partyId, purpose, number });
  return undefined;
}

/** The agent ends the call from the desktop: their leg is hung up; what follows is decided when it is gone. */
export function endCallCommand(d: Draft, agentId: string): Rejection | undefined {
  const call = talkingCall(d, agentId);
  if (isRejection(call)) return call;
  d.emit({ type: 'hangup', callId: call.callId, channelId: call.agentChannelId, reason: 'agent-ended' });
  return undefined;
}

// ---- third parties' legs ------------------------------------------------------------------------

function partyOf(
  d: Draft,
  callId: string,
  partyId: string,
): { call: CallState & { talk: TalkState }; party: Party } | undefined {
  const c = d.calls.get(callId);
  if (!c?.talk?.parties.some((p) => p.partyId === partyId)) return undefined;
  const call = d.call(callId) as CallState & { talk: TalkState };
  return { call, party: call.talk.parties.find((p) => p.partyId === partyId)! };
}

export function partyAnswered(d: Draft, callId: string, partyId: string): Rejection | undefined {
  const found = partyOf(d, callId, partyId);
  if (!found || found.party.answered) {
    if (d.calls.get(callId)) d.emit({ type: 'hangup-party', callId, partyId });
    return { code: 'invalid-transition', message: `party ${partyId} is not ringing for call ${callId}` };
  }
  const { call, party } = found;
  party.answered = true;
  const agentId = call.phase === 'connected' ? call.agentId : undefined;
  switch (party.purpose) {
    case 'ivr-transfer':
      // The voice-menu transfer is recorded like an agent call (issue 8 item 5).
      d.emit({ type: 'join-bridge', callId, bridge: MAIN, channelIds: [call.channelId, partyId] });
      d.emit({ type: 'start-recording', callId, bridge: MAIN });
      call.record.transferAnsweredAt = d.now;
      d.touched(call);
      return undefined;
    case 'consult':
      d.emit({ type: 'join-bridge', callId, bridge: consultBridge(partyId), channelIds: [partyId] });
      // The consultation is recorded too (art. 28), in a recording of its own linked to the call.
      d.emit({ type: 'start-recording', callId, bridge: consultBridge(partyId) });
      if (party.agentId) {
        const colleague = d.agent(party.agentId);
        if (colleague && colleague.callId === callId) {
          colleague.agentChannelId = partyId;
          d.setAgentStatus(colleague, 'on-call', { callId });
          update(d, colleague.agentId, callId, 'answered');
        }
      }
      if (agentId) update(d, agentId, callId, 'consult-connected', party.number ?? `agent:${party.agentId}`);
      return undefined;
    case 'conference':
    case 'transfer':
      d.emit({ type: 'join-bridge', callId, bridge: MAIN, channelIds: [partyId] });
      call.talk.held = false;
      stopMoh(d, call);
      if (party.purpose === 'transfer') {
        call.record.transferNumber = party.number;
        d.touched(call);
      }
      if (!agentId) return undefined;
      if (party.purpose === 'conference') {
        update(d, agentId, callId, 'conference', party.number);
        return undefined;
      }
      update(d, agentId, callId, 'transferred', party.number);
      d.emit({ type: 'hangup', callId, channelId: call.agentChannelId as string, reason: 'transferred' });
      agentLeaves(d, call);
      return undefined;
  }
}

/** A party's leg ended before it answered. */
export function partyFailed(d: Draft, callId: string, partyId: string, cause: string): Rejection | undefined {
  const found = partyOf(d, callId, partyId);
  if (!found) return { code: 'invalid-transition', message: `party ${partyId} is not ringing for call ${callId}` };
  const { call, party } = found;
  if (party.answered) return partyGone(d, callId, partyId);
  if (call.phase === 'connected' && call.talk.consultPartyId === partyId) {
    const talking = call as Talking;
    endConsult(d, talking, party, false);
    update(d, talking.agentId, callId, 'transfer-failed', cause);
    return undefined;
  }
  call.talk.parties = call.talk.parties.filter((p) => p !== party);
  if (party.purpose === 'ivr-transfer') {
    // 110/119/120/122 could not be reached: the caller is not left in silence.
    d.emit({ type: 'hangup', callId, channelId: call.channelId, reason: 'transfer-failed' });
    d.endCall(call, 'transferred');
    return undefined;
  }
  if (call.phase === 'connected' && call.agentId) update(d, call.agentId, callId, 'transfer-failed', cause);
  else endHandedOffIfAlone(d, call);
  return undefined;
}

/** An answered party hung up (or the colleague who took the call over). */
export function partyGone(d: Draft, callId: string, partyId: string): Rejection | undefined {
  const c = d.calls.get(callId);
  if (c?.phase === 'connected' && c.agentChannelId === partyId && c.agentId) return agentLegGone(d, c.agentId, callId);
  const found = partyOf(d, callId, partyId);
  if (!found) return { code: 'invalid-transition', message: `party ${partyId} is not on call ${callId}` };
  const { call, party } = found;
  if (!party.answered) return partyFailed(d, callId, partyId, 'hangup');
  if (call.phase === 'connected' && call.talk.consultPartyId === partyId) {
    const talking = call as Talking;
    endConsult(d, talking, party, false);
    update(d, talking.agentId, callId, 'consult-cancelled', 'party-left');
    return undefined;
  }
  call.talk.parties = call.talk.parties.filter((p) => p !== party);
  if (call.phase === 'connected' && call.agentId) update(d, call.agentId, callId, 'party-left', party.number);
  else endHandedOffIfAlone(d, call);
  return undefined;
}

/** With the agent gone, the call lasts while the caller has someone on the line (or ringing). */
function endHandedOffIfAlone(d: Draft, call: CallState): void {
  if (call.phase !== 'handed-off' || (call.talk?.parties.length ?? 0) > 0) return;
  d.emit({ type: 'hangup', callId: call.callId, channelId: call.channelId, reason: 'transfer-ended' });
  d.endCall(call, 'transferred');
}
