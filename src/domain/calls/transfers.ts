import type { AgentState } from '../acd/agent.ts';
import { startWrapUp } from './agents.ts';
import type { CallState, Party } from './call-center-state.ts';
import type { Draft, Rejection } from './draft.ts';
import { dispatch, offer, requeue, screenPopOf } from './queue.ts';
import {
  agentLeaves,
  checkNewParty,
  conflict,
  consultBridge,
  isRejection,
  MAIN,
  startMoh,
  stopMoh,
  talkingCall,
  update,
  validNumber,
  type Talking,
} from './talk-helpers.ts';

/**
 * Transfers that hand the call on: attended transfer (咨询转接: consult, complete, cancel) and
 * transfer to another agent or desk (内部转接). Blind transfer and three-way are in talk.ts.
 */

/** Attended transfer, step 1: the caller is held (and stays recorded), the agent consults a number or a ready colleague. */
export function consultStart(
  d: Draft,
  agentId: string,
  partyId: string,
  target: { number?: string; agentId?: string },
): Rejection | undefined {
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
  const party: Party = {
    partyId,
    purpose: 'consult',
    answered: false,
    ...(target.number !== undefined ? { number: target.number } : { agentId: target.agentId }),
  };
  call.talk.parties.push(party);
  call.talk.consultPartyId = partyId;
  call.talk.held = true;
  startMoh(d, call);
  // The agent moves to a bridge of their own: the caller, alone in the recorded bridge, hears music.
  d.emit({
    type: 'join-bridge',
    callId: call.callId,
    bridge: consultBridge(partyId),
    channelIds: [call.agentChannelId],
  });
  if (colleague) {
    d.setAgentStatus(colleague, 'reserved', { callId: call.callId });
    const note = { fromAgentId: agentId, reason: 'consult', at: d.now };
    const pop = {
      ...screenPopOf(
        d,
        call,
        call.record.skill ?? '',
        call.record.priority,
        call.record.ivrExitAt ?? call.record.arrivedAt,
      ),
      transfer: note,
    };
    d.emit({ type: 'screen-pop', agentId: colleague.agentId, pop });
    d.emit({
      type: 'dial-party',
      callId: call.callId,
      partyId,
      purpose: 'consult',
      agentId: colleague.agentId,
      ...(colleague.endpoint ? { endpoint: colleague.endpoint } : {}),
    });
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
  if (!party.answered)
    return {
      code: 'invalid-transition',
      reason: 'consult-not-answered',
      message: 'the consulted party has not answered yet',
    };
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

export function consultParty(call: CallState): Party | undefined {
  const id = call.talk?.consultPartyId;
  return id === undefined ? undefined : call.talk!.parties.find((p) => p.partyId === id);
}

export function completeConsult(d: Draft, call: Talking, party: Party, agentStays: boolean): void {
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
export function endConsult(d: Draft, call: Talking, party: Party, agentGone: boolean): void {
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
export function releaseAgentParty(d: Draft, call: CallState, party: Party): void {
  const a = d.agent(party.agentId!);
  if (!a || a.callId !== call.callId) return;
  update(d, a.agentId, call.callId, party.answered ? 'ended' : 'withdrawn', party.answered ? undefined : 'cancelled');
  if (party.answered) startWrapUp(d, a);
  else d.setAgentStatus(a, 'ready');
}

/** A named ready agent must be the target: why not otherwise. */
function readyColleague(d: Draft, agentId: string, targetId: string): AgentState | Rejection {
  if (targetId === agentId)
    return { code: 'invalid-input', reason: 'bad-request', message: 'an agent cannot transfer a call to themselves' };
  const target = d.agents.get(targetId);
  if (!target || target.status === 'signed-out') {
    return { code: 'invalid-transition', reason: 'agent-not-signed-in', message: `agent ${targetId} is not signed in` };
  }
  if (target.status !== 'ready') {
    return {
      code: 'invalid-transition',
      reason: 'agent-not-ready',
      message: `agent ${targetId} is not ready (${target.status})`,
    };
  }
  return target;
}

/** 内部转接 to a named agent: rung at once; unanswered, the call goes on through the queue (watchdog included). */
export function transferToAgent(
  d: Draft,
  agentId: string,
  targetId: string,
  reason: string | undefined,
): Rejection | undefined {
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
export function transferToDesk(
  d: Draft,
  agentId: string,
  skill: string,
  reason: string | undefined,
): Rejection | undefined {
  if (!d.ivrConfig.skills.includes(skill)) {
    return {
      code: 'invalid-input',
      reason: 'bad-request',
      message: `unknown desk "${skill}" (known: ${d.ivrConfig.skills.join(', ')})`,
    };
  }
  const call = talkingCall(d, agentId);
  if (isRejection(call)) return call;
  if (call.talk.parties.length > 0) return conflict('end the three-way call or consultation first');
  const staffed = [...d.agents.values()].some(
    (a) => a.agentId !== agentId && a.status !== 'signed-out' && a.skills.includes(skill),
  );
  if (!staffed)
    return { code: 'invalid-transition', reason: 'desk-unstaffed', message: `nobody is signed in at desk ${skill}` };
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
