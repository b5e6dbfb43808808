import type { IvrExit } from '../ivr/ivr-session.ts';
import { startIvr, stepIvr, type IvrInput, type IvrStep } from '../ivr/ivr-walker.ts';
import type { CallState } from './call-center-state.ts';
import type { CallRecord } from './call-record.ts';
import type { Draft, Rejection } from './draft.ts';
import type { Input } from './inputs.ts';
import { enqueue } from './queue.ts';

/** A new caller: answered, and the voice menu starts. */
export function callArrived(d: Draft, input: Extract<Input, { type: 'call-arrived' }>): Rejection | undefined {
  if (d.calls.get(input.callId)) return { code: 'invalid-input', message: `call ${input.callId} already exists` };
  const repeat = input.repeatCallerWithOpenOrder === true;
  const record: CallRecord = {
    callId: input.callId,
    callerNumber: input.callerNumber,
    arrivedAt: d.now,
    ivrPath: [],
    ivrChoices: [],
    ivrInvalidInputs: 0,
    ivrTimeouts: 0,
    priority: Math.max(input.priority ?? 0, repeat ? d.acd.repeatCallerPriority : 0),
    repeatCaller: repeat,
    offers: 0,
    failedOffers: [],
    outcome: 'in-progress',
  };
  const call: CallState = {
    callId: input.callId,
    channelId: input.channelId,
    phase: 'ivr',
    record,
    mohOn: false,
    timers: {},
  };
  d.addCall(call);
  d.touched(call);
  d.emit({ type: 'answer', callId: call.callId, channelId: call.channelId });
  const step = startIvr(
    d.ivrConfig,
    { callId: call.callId, channelId: call.channelId, callerNumber: input.callerNumber },
    d.now,
  );
  applyIvrStep(d, call, step);
  return undefined;
}

/** Feeds a menu input; outside the menu it is ignored (a late key) or refused. */
export function toIvr(d: Draft, callId: string, input: IvrInput, ignoreOutsideIvr: boolean): Rejection | undefined {
  const call = d.calls.get(callId);
  if (!call) return { code: 'unknown-call', message: `no call ${callId}` };
  if (call.phase !== 'ivr' || !call.ivr) {
    return ignoreOutsideIvr
      ? undefined
      : { code: 'invalid-transition', message: `call ${callId} is no longer in the voice menu` };
  }
  const mutable = d.call(callId) as CallState;
  applyIvrStep(d, mutable, stepIvr(d.ivrConfig, call.ivr, input, d.now));
  return undefined;
}

function applyIvrStep(d: Draft, call: CallState, step: IvrStep): void {
  call.ivr = step.session;
  for (const e of step.effects) {
    if (e.type === 'set-timer') d.timers.set(e.key, { kind: 'ivr', callId: call.callId });
    else if (e.type === 'cancel-timer') d.timers.delete(e.key);
    d.emit(e);
  }
  if (step.exit) ivrExit(d, call, step.exit);
}

function ivrExit(d: Draft, call: CallState, exit: IvrExit): void {
  const s = call.ivr;
  if (s) {
    call.record.ivrPath = [...s.path];
    call.record.ivrChoices = [...s.choices];
    call.record.ivrInvalidInputs = s.invalidInputs;
    call.record.ivrTimeouts = s.timeouts;
    if (s.timerKey) d.cancelTimer(s.timerKey);
  }
  delete call.ivr;
  if (exit.kind !== 'caller-hangup') call.record.ivrExitAt = d.now;
  d.touched(call);
  switch (exit.kind) {
    case 'queue':
      enqueue(d, call, exit.skill, exit.priority);
      return;
    case 'transfer': {
      // Emergency linkage (art. 14): the call stays ours until both ends hang up, so the bridge is
      // recorded and archived like an agent call (issue 8 item 5).
      const partyId = `${call.callId}-t${call.record.ivrPath.length}`;
      call.record.transferNumber = exit.number;
      call.record.outcome = 'transferred';
      call.phase = 'handed-off';
      call.talk = {
        held: false,
        parties: [{ partyId, purpose: 'ivr-transfer', number: exit.number, answered: false }],
      };
      d.emit({ type: 'transfer', callId: call.callId, channelId: call.channelId, number: exit.number, partyId });
      return;
    }
    case 'callback':
      d.emit({ type: 'hangup', callId: call.callId, channelId: call.channelId, reason: 'callback-requested' });
      d.endCall(call, 'callback-requested');
      return;
    case 'hangup':
      d.emit({ type: 'hangup', callId: call.callId, channelId: call.channelId, reason: 'ivr-finished' });
      d.endCall(call, 'completed-in-ivr');
      return;
    case 'caller-hangup':
      // Hanging up during the closing prompt of a callback request or a goodbye still counts as done.
      if (s?.pendingExit?.kind === 'callback') d.endCall(call, 'callback-requested');
      else if (s?.pendingExit?.kind === 'hangup') d.endCall(call, 'completed-in-ivr');
      else d.endCall(call, 'abandoned-in-ivr');
      return;
  }
}
