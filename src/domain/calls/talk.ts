import type { AgentState } from '../acd/agent.ts';
import { startWrapUp } from './agents.ts';
import type { CallState, Party, TalkState } from './call-center-state.ts';
import type { Draft, Rejection } from './draft.ts';
import type { CallUpdateState } from './effects.ts';
import { dispatch, failOffer, offer, requeue, screenPopOf } from './queue.ts';

/**
 * The talk phase, from the agent's answer to the end of the call: hold, three-way, blind and
 * attended transfer (咨询转接), transfer to another agent or desk (内部转接), and the legs of third
 * parties coming and going. Commands are addressed by agent and accepted as soon as the call is
 * connected here, whatever ARI requests the adapter still has in flight: it carries the effects
 * out in order per call, so a three-way pressed 0 ms after `answered` is dialled after the bridge.
 */

type Talking = CallState & { talk: TalkState; agentId: string; agentChannelId: string };

const MAIN = 'main';
const consultBridge = (partyId: string) => `consult:${partyId}`;

function noCall(agentId: string): Rejection {
  return { code: 'invalid-transition', reason: 'no-call', message: `agent ${agentId} has no call in progress` };
}

function conflict(message: string): Rejection {
  return { code: 'invalid-transition', reason: 'conflict', message };
}

/** The call the agent is talking on, copied for writing, or why there is none. */
function talkingCall(d: Draft, agentId: string): Talking | Rejection {
  const agent = d.agents.get(agentId);
  const callId = agent?.status === 'on-call' ? agent.callId : undefined;
  const c = callId !== undefined ? d.calls.get(callId) : undefined;
  if (!c || c.phase !== 'connected' || c.agentId !== agentId || !c.talk) return noCall(agentId);
  return d.call(c.callId) as Talking;
}

const isRejection = (x: Talking | Rejection): x is Rejection => 'code' in x;

function update(d: Draft, agentId: string, callId: string, state: CallUpdateState, detail?: string): void {
  d.emit({ type: 'call-update', agentId, callId, state, at: d.now, ...(detail !== undefined ? { detail } : {}) });
}

function validNumber(number: unknown): Rejection | undefined {
  if (typeof number !== 'string' || !/^[0-9]{3,20}$/.test(number)) {
    return { code: 'invalid-input', reason: 'bad-request', message: 'number must be 3 to 20 digits' };
  }
  return undefined;
}

function startMoh(d: Draft, call: CallState): void {
  if (call.mohOn) return;
  d.emit({ type: 'start-moh', callId: call.callId, channelId: call.channelId });
  call.mohOn = true;
}

function stopMoh(d: Draft, call: CallState): void {
  if (!call.mohOn) return;
  d.emit({ type: 'stop-moh', callId: call.callId, channelId: call.channelId });
  call.mohOn = false;
}

// ---- the agent answers, the agent's leg goes ----------------------------------------------------

export function agentAnswered(d: Draft, agentId: string, callId: string, agentChannelId: string): Rejection | undefined {
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
  if (!c || c.phase !== 'ringing' || c.queue?.offeredTo !== agentId) {
    return { code: 'invalid-transition', message: `call ${callId} is not ringing at agent ${agentId}` };
  }
  failOffer(d, d.call(callId) as CallState, agentId, 'unreachable');
  return undefined;
}

/** The agent's answered leg is gone (hung up on the phone or from the desktop). */
export function agentLegGone(d: Draft, agentId: string, callId: string): Rejection | undefined {
  const c = d.calls.get(callId);
  if (!c || c.phase !== 'connected' || c.agentId !== agentId || !c.talk) {
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
  if (call.talk?.consultPartyId) d.emit({ type: 'destroy-bridge', callId, bridge: consultBridge(call.talk.consultPartyId) });
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

/** The agent leaves a call that goes on without them (transfer): wrap-up, the call is handed off. */
function agentLeaves(d: Draft, call: CallState): void {
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

function checkNewParty(call: Talking, partyId: string): Rejection | undefined {
  if (call.talk.consultPartyId) return conflict('a consultation is in progress');
  if (call.talk.parties.some((p) => !p.answered)) return conflict('a transfer is already ringing');
  if (call.talk.parties.some((p) => p.partyId === partyId) || partyId === call.channelId || partyId === call.agentChannelId) {
    return { code: 'invalid-input', message: `party id ${partyId} is already in use` };
  }
  return undefined;
}

/** Three-way (`conference`) or blind transfer (`transfer`) to an outside number. */
export function callNumber(d: Draft, agentId: string, number: string, partyId: string, purpose: 'conference' | 'transfer'): Rejection | undefined {
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

/** Attended transfer, step 1: the caller is held (and stays recorded), the agent consults a number or a ready colleague. */
export function consultStart(d: Draft, agentId: string, partyId: string, target: { number?: string; agentId?: string }): Rejection | undefined {
  if ((target.number === undefined) === (target.agentId === undefined)) {
    return { code: 'invalid-input', reason: 'bad-request', message: 'consult: give either a number or an agent' };
  }
  if (target.number !== undefined) {
    const bad = validNumber(target.number);
    if (bad) return bad;
  }
  const call = talkingCall(d, agentId);
  if (isRejection(call)) return call;
  const refused = checkNewParty(call, partyId);
  if (refused) return refused;
  let colleague: AgentState | undefined;
  if (target.agentId !== undefined) {
    const r = readyColleague(d, agentId, target.agentId);
    if ('code' in r) return r;
    colleague = d.agent(r.agentId) as AgentState;
  }
  const party: Party = { partyId, purpose: 'consult', answered: false, ...(target.number !== undefined ? { number: target.number } : { agentId: target.agentId }) };
  call.talk.parties.push(party);
  call.talk.consultPartyId = partyId;
  call.talk.held = true;
  startMoh(d, call);
  // The agent moves to a bridge of their own: the caller, alone in the recorded bridge, hears music.
  d.emit({ type: 'join-bridge', callId: call.callId, bridge: consultBridge(partyId), channelIds: [call.agentChannelId] });
  if (colleague) {
    d.setAgentStatus(colleague, 'reserved', { callId: call.callId });
    const note = { fromAgentId: agentId, reason: 'consult', at: d.now };
    const pop = { ...screenPopOf(d, call, call.record.skill ?? '', call.record.priority, call.record.ivrExitAt ?? call.record.arrivedAt), transfer: note };
    d.emit({ type: 'screen-pop', agentId: colleague.agentId, pop });
    d.emit({ type: 'dial-party', callId: call.callId, partyId, purpose: 'consult', agentId: colleague.agentId, ...(colleague.endpoint ? { endpoint: colleague.endpoint } : {}) });
  } else {
    d.emit({ type: 'dial-party', callId: call.callId, partyId, purpose: 'consult', number: target.number! });
  }
  update(d, agentId, call.callId, 'consulting', target.number ?? `agent:${target.agentId}`);
  return undefined;
}

/** Attended transfer, step 2: the caller is joined to the consulted party and the agent leaves. */
export function consultComplete(d: Draft, agentId: string): Rejection | undefined {
  const call = talkingCall(d, agentId);
  if (isRejection(call)) return call;
  const party = consultParty(call);
  if (!party) return conflict('no consultation in progress');
  if (!party.answered) return { code: 'invalid-transition', reason: 'consult-not-answered', message: 'the consulted party has not answered yet' };
  completeConsult(d, call, party, true);
  return undefined;
}

/** Attended transfer cancelled: the consulted party is released and the agent is back with the caller. */
export function consultCancel(d: Draft, agentId: string): Rejection | undefined {
  const call = talkingCall(d, agentId);
  if (isRejection(call)) return call;
  const party = consultParty(call);
  if (!party) return conflict('no consultation in progress');
  d.emit({ type: 'hangup-party', callId: call.callId, partyId: party.partyId });
  endConsult(d, call, party, false);
  update(d, agentId, call.callId, 'consult-cancelled');
  return undefined;
}

function consultParty(call: CallState): Party | undefined {
  const id = call.talk?.consultPartyId;
  return id === undefined ? undefined : call.talk!.parties.find((p) => p.partyId === id);
}

function completeConsult(d: Draft, call: Talking, party: Party, agentStays: boolean): void {
  const callId = call.callId;
  const fromAgent = call.agentId;
  const fromChannel = call.agentChannelId;
  call.talk.consultPartyId = undefined;
  call.talk.held = false;
  d.emit({ type: 'join-bridge', callId, bridge: MAIN, channelIds: [party.partyId] });
  d.emit({ type: 'destroy-bridge', callId, bridge: consultBridge(party.partyId) });
  stopMoh(d, call);
  if (agentStays) d.emit({ type: 'hangup', callId, channelId: fromChannel, reason: 'transfer-completed' });
  update(d, fromAgent, callId, 'transferred', party.number ?? `agent:${party.agentId}`);
  if (party.agentId) {
    // The colleague takes the call over: it is theirs from now on (their leg becomes the agent leg).
    call.talk.parties = call.talk.parties.filter((p) => p !== party);
    update(d, fromAgent, callId, 'ended');
    const from = d.agent(fromAgent);
    if (from && from.callId === callId) startWrapUp(d, from);
    call.agentId = party.agentId;
    call.agentChannelId = party.partyId;
    call.record.agentId = party.agentId;
    d.touched(call);
    const to = d.agent(party.agentId);
    if (to) {
      to.agentChannelId = party.partyId;
      if (to.status !== 'on-call') d.setAgentStatus(to, 'on-call', { callId });
    }
    return;
  }
  party.purpose = 'transfer';
  call.record.transferNumber = party.number;
  agentLeaves(d, call);
}

/** The consultation is over without a transfer: the agent is back with the caller, music off. */
function endConsult(d: Draft, call: Talking, party: Party, agentGone: boolean): void {
  const callId = call.callId;
  call.talk.parties = call.talk.parties.filter((p) => p !== party);
  call.talk.consultPartyId = undefined;
  call.talk.held = false;
  if (party.agentId) releaseAgentParty(d, call, party);
  d.emit({ type: 'destroy-bridge', callId, bridge: consultBridge(party.partyId) });
  if (agentGone) return;
  d.emit({ type: 'join-bridge', callId, bridge: MAIN, channelIds: [call.agentChannelId] });
  stopMoh(d, call);
}

/** A colleague rung or consulted who will not take the call is free again (their idle time kept). */
function releaseAgentParty(d: Draft, call: CallState, party: Party): void {
  const a = d.agent(party.agentId!);
  if (!a || a.callId !== call.callId) return;
  update(d, a.agentId, call.callId, party.answered ? 'ended' : 'withdrawn');
  if (party.answered) startWrapUp(d, a);
  else d.setAgentStatus(a, 'ready');
}

/** A named ready agent must be the target: why not otherwise. */
function readyColleague(d: Draft, agentId: string, targetId: string): AgentState | Rejection {
  if (targetId === agentId) return { code: 'invalid-input', reason: 'bad-request', message: 'an agent cannot transfer a call to themselves' };
  const target = d.agents.get(targetId);
  if (!target || target.status === 'signed-out') {
    return { code: 'invalid-transition', reason: 'agent-not-signed-in', message: `agent ${targetId} is not signed in` };
  }
  if (target.status !== 'ready') {
    return { code: 'invalid-transition', reason: 'agent-not-ready', message: `agent ${targetId} is not ready (${target.status})` };
  }
  return target;
}

/** 内部转接 to a named agent: rung at once; unanswered, the call goes on through the queue (watchdog included). */
export function transferToAgent(d: Draft, agentId: string, targetId: string, reason: string | undefined): Rejection | undefined {
  const call = talkingCall(d, agentId);
  if (isRejection(call)) return call;
  if (call.talk.parties.length > 0) return conflict('end the three-way call or consultation first');
  const r = readyColleague(d, agentId, targetId);
  if ('code' in r) return r;
  handBack(d, call, call.record.skill ?? d.ivrConfig.defaultSkill, reason, `agent:${targetId}`);
  offer(d, call, d.agent(targetId) as AgentState);
  return undefined;
}

/** 内部转接 to a desk (skill queue), keeping the call's priority and place. */
export function transferToDesk(d: Draft, agentId: string, skill: string, reason: string | undefined): Rejection | undefined {
  if (!d.ivrConfig.skills.includes(skill)) {
    return { code: 'invalid-input', reason: 'bad-request', message: `unknown desk "${skill}" (known: ${d.ivrConfig.skills.join(', ')})` };
  }
  const call = talkingCall(d, agentId);
  if (isRejection(call)) return call;
  if (call.talk.parties.length > 0) return conflict('end the three-way call or consultation first');
  const staffed = [...d.agents.values()].some((a) => a.agentId !== agentId && a.status !== 'signed-out' && a.skills.includes(skill));
  if (!staffed) return { code: 'invalid-transition', reason: 'desk-unstaffed', message: `nobody is signed in at desk ${skill}` };
  handBack(d, call, skill, reason, `desk:${skill}`);
  dispatch(d);
  return undefined;
}

function handBack(d: Draft, call: Talking, skill: string, reason: string | undefined, detail: string): void {
  const agentId = call.agentId;
  d.emit({ type: 'hangup', callId: call.callId, channelId: call.agentChannelId, reason: 'transferred' });
  update(d, agentId, call.callId, 'transferred', detail);
  update(d, agentId, call.callId, 'ended');
  const agent = d.agent(agentId);
  if (agent && agent.callId === call.callId) startWrapUp(d, agent);
  requeue(d, call, skill, { fromAgentId: agentId, at: d.now, ...(reason ? { reason } : {}) });
}

/** The agent ends the call from the desktop: their leg is hung up; what follows is decided when it is gone. */
export function endCallCommand(d: Draft, agentId: string): Rejection | undefined {
  const call = talkingCall(d, agentId);
  if (isRejection(call)) return call;
  d.emit({ type: 'hangup', callId: call.callId, channelId: call.agentChannelId, reason: 'agent-ended' });
  return undefined;
}

// ---- third parties' legs ------------------------------------------------------------------------

function partyOf(d: Draft, callId: string, partyId: string): { call: CallState & { talk: TalkState }; party: Party } | undefined {
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
      if (!agentId) return undefined;
      if (party.purpose === 'conference') {
        update(d, agentId, callId, 'conference', party.number);
        return undefined;
      }
      call.record.transferNumber = party.number;
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
