import * as agents from './agents.ts';
import type { CallCenterState } from './call-center-state.ts';
import { Draft, type Rejection } from './draft.ts';
import type { Effect } from './effects.ts';
import type { Input } from './inputs.ts';
import { callArrived, toIvr } from './ivr.ts';
import { abandonWaiting, announce, announcementFinished, failOffer } from './queue.ts';
import { callerFlags, callRestored } from './restore.ts';
import * as rota from './rota.ts';
import * as callback from './callback-call.ts';
import * as monitor from './monitor.ts';
import * as talk from './talk.ts';
import * as transfers from './transfers.ts';
import { breach, prewarn } from './watchdog.ts';

export type { Rejection } from './draft.ts';
export { queuePosition } from './queue.ts';

export interface DecideResult {
  state: CallCenterState;
  effects: Effect[];
  rejected?: Rejection;
}

/**
 * The whole life of a call, pure: voice menu (ivr.ts), queue and routing (queue.ts), the answer
 * watchdog (watchdog.ts), the talk phase with hold, three-way and transfers (talk.ts), agent
 * state (agents.ts), restart (restore.ts). This file only dispatches.
 */
export function decide(state: CallCenterState, input: Input, now: number): DecideResult {
  const d = new Draft(state, now);
  const rejected = handle(d, input);
  monitor.settleMonitors(d, d.touchedCallIds());
  const result = d.finish();
  return rejected ? { ...result, rejected } : result;
}

function handle(d: Draft, input: Input): Rejection | undefined {
  switch (input.type) {
    case 'call-arrived':
      return callArrived(d, input);
    case 'call-restored':
      return callRestored(d, input);
    case 'caller-flags':
      return callerFlags(d, input.callId, input.repeatCallerWithOpenOrder);
    case 'dtmf':
      return toIvr(d, input.callId, { type: 'dtmf', digit: input.digit }, true);
    case 'ticket-status-result':
      return toIvr(
        d,
        input.callId,
        { type: 'ticket-status-result', ticketNumber: input.ticketNumber, status: input.status },
        false,
      );
    case 'playback-finished': {
      const c = d.calls.get(input.callId);
      if (c?.phase === 'ivr')
        return toIvr(d, input.callId, { type: 'playback-finished', playbackId: input.playbackId }, true);
      return announcementFinished(d, input.callId, input.playbackId);
    }
    case 'timer-fired':
      timerFired(d, input.key);
      return undefined;
    case 'caller-hangup':
      return callerHangup(d, input.callId);
    case 'agent-sign-in':
      return agents.signIn(d, input);
    case 'agent-sign-out':
      return agents.signOut(d, input.agentId);
    case 'agent-ready':
      return agents.ready(d, input.agentId);
    case 'agent-wrap-up-code':
      return agents.chooseWrapUpCode(d, input.agentId, input.code);
    case 'agent-extend-wrap-up':
      return agents.extendWrapUp(d, input.agentId);
    case 'agent-pause':
      return agents.pause(d, input.agentId, input.reason);
    case 'rota-set':
      return rota.setRota(d, input.spans);
    case 'send-to-leaders':
      return rota.sendToLeaders(d, input.callId);
    case 'agent-answered': {
      const out = d.calls.get(input.callId)?.outbound ? d.call(input.callId) : undefined;
      if (out?.outbound) return callback.agentAnswered(d, out as never, input.agentId, input.agentChannelId);
      return talk.agentAnswered(d, input.agentId, input.callId, input.agentChannelId);
    }
    case 'agent-leg-failed':
      if (d.calls.get(input.callId)?.outbound) return callback.agentUnreachable(d, input.callId, input.agentId);
      return talk.agentLegFailed(d, input.agentId, input.callId);
    case 'agent-hangup': {
      const out = d.calls.get(input.callId)?.outbound;
      if (out && !out.citizenAnswered) return callback.agentGaveUp(d, input.callId, input.agentId);
      return talk.agentLegGone(d, input.agentId, input.callId);
    }
    case 'callback-dial':
      return callback.callbackDial(d, input);
    case 'callback-answered':
      return callback.citizenAnswered(d, input.callId);
    case 'callback-failed':
      return callback.citizenNotReached(d, input.callId, input.cause);
    case 'hold':
      return talk.hold(d, input.agentId);
    case 'unhold':
      return talk.unhold(d, input.agentId);
    case 'conference':
      return talk.callNumber(d, input.agentId, input.number, input.partyId, 'conference');
    case 'blind-transfer':
      return talk.callNumber(d, input.agentId, input.number, input.partyId, 'transfer');
    case 'consult-start':
      return transfers.consultStart(d, input.agentId, input.partyId, {
        ...(input.number !== undefined ? { number: input.number } : {}),
        ...(input.targetAgentId !== undefined ? { agentId: input.targetAgentId } : {}),
      });
    case 'consult-complete':
      return transfers.consultComplete(d, input.agentId);
    case 'consult-cancel':
      return transfers.consultCancel(d, input.agentId);
    case 'transfer-to-agent':
      return transfers.transferToAgent(d, input.agentId, input.targetAgentId, input.reason);
    case 'transfer-to-desk':
      return transfers.transferToDesk(d, input.agentId, input.skill, input.reason);
    case 'end-call':
      return talk.endCallCommand(d, input.agentId);
    case 'party-answered':
      return talk.partyAnswered(d, input.callId, input.partyId);
    case 'party-failed':
      return talk.partyFailed(d, input.callId, input.partyId, input.cause);
    case 'party-gone':
      return talk.partyGone(d, input.callId, input.partyId);
    case 'monitor':
      return monitor.monitorStart(d, input);
    case 'monitor-stop':
      return monitor.monitorStop(d, input.supervisorId);
    case 'monitor-answered':
      return monitor.monitorAnswered(d, input.callId, input.legId);
    case 'monitor-gone':
      return monitor.monitorLegGone(d, input.callId, input.legId);
  }
}

function callerHangup(d: Draft, callId: string): Rejection | undefined {
  const c = d.calls.get(callId);
  if (!c) return { code: 'unknown-call', message: `no call ${callId}` };
  if (c.phase === 'ivr') return toIvr(d, callId, { type: 'hangup' }, true);
  const call = d.call(callId)!;
  if (call.phase === 'connected' || call.phase === 'handed-off') talk.callerGoneInTalk(d, call);
  else abandonWaiting(d, call);
  return undefined;
}

function timerFired(d: Draft, key: string): void {
  const owner = d.timers.get(key);
  if (!owner) return; // cancelled or from before a restart: nothing to do
  d.timers.delete(key);
  switch (owner.kind) {
    case 'ivr':
      toIvr(d, owner.callId, { type: 'timer-fired', key }, true);
      return;
    case 'rona': {
      const call = d.call(owner.callId);
      if (!call) return;
      delete call.timers.rona;
      if (call.phase === 'ringing' && call.queue?.offeredTo === owner.agentId)
        failOffer(d, call, owner.agentId, 'rona');
      return;
    }
    case 'prewarn':
      prewarn(d, owner.callId);
      return;
    case 'breach':
      breach(d, owner.callId);
      return;
    case 'announce':
      announce(d, owner.callId);
      return;
    case 'wrap-up':
      agents.wrapUpEnded(d, owner.agentId);
      return;
    case 'rota-start':
      rota.spanStarted(d);
      return;
    case 'rota-check':
      rota.checkSpan(d, owner.spanId);
      return;
  }
}
