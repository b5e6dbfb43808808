import { randomUUID } from 'node:crypto';
import type { RetryPlan } from '../domain/callbacks/retry-plan.ts';
import type { Rejection } from '../domain/calls/decide.ts';
import type { CallContext } from './call-context.ts';
import { newLiveCall } from './live-calls.ts';

/**
 * Callback dial-out (回拨, issue 10 item 3): an agent takes a pending callback from the list. The row is
 * taken in one transaction (one agent at a time, within the retry plan's hours and spacing), the call is
 * registered like an inbound one, with the citizen's leg as its caller leg, and the domain decides the rest
 * (src/domain/calls/callback-call.ts). A call the domain refuses gives the callback back untouched.
 */
export class CallbackDialer {
  constructor(
    private readonly ctx: CallContext,
    private readonly plan: () => RetryPlan,
  ) {}

  /** Throws CallbackStateError (store/calls-repo.ts; 404/409) for the list's reasons; returns the domain's refusal, or the new call. */
  dial(agentId: string, callbackId: number): { callId: string } | Rejection {
    const { o, live, cdr } = this.ctx;
    const now = o.clock.now();
    const callId = `cb${now.toString(36)}-${randomUUID().slice(0, 8)}`;
    const row = o.calls.takeCallback(callbackId, agentId, callId, now, this.plan());
    const channelId = `${callId}-c1`;
    live.add(
      newLiveCall({
        callId,
        callerChannelId: channelId,
        callerNumber: row.number,
        dialedNumber: row.number,
        callbackId,
      }),
      [[channelId, { callId, role: 'caller', answered: false, gone: false }]],
    );
    cdr.insertCall({
      id: callId,
      callerChannelId: channelId,
      callerNumber: row.number,
      dialedNumber: row.number,
      status: 'active',
      phase: 'callback',
      arrivedAt: now,
    });
    cdr.insertLeg({ channelId, callId, kind: 'callback', number: row.number, createdAt: now });
    const rejected = this.ctx.feed({
      type: 'callback-dial',
      callId,
      channelId,
      callbackId,
      originalCallId: row.callId,
      agentId,
      number: row.number,
    });
    if (rejected) {
      // Nothing was dialled: the callback goes back to the list and the empty call is closed.
      o.calls.releaseCallback(callbackId, callId);
      cdr.updateCall(callId, { status: 'ended', endedAt: now, outcome: 'failed' });
      cdr.updateLeg(channelId, { endedAt: now, outcome: 'failed' });
      const call = live.get(callId);
      if (call) live.forget(call);
      return rejected;
    }
    o.events.emit('callback', o.calls.getCallback(callbackId)!);
    return { callId };
  }
}
