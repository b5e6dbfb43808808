import { randomUUID } from 'node:crypto';
import type { RetryPlan } from '../domain/callbacks/retry-plan.ts';
import type { Rejection } from '../domain/calls/decide.ts';
import type { CallbackAttemptRow, CallbackRow, CallRow } from '../store/schema/calls.ts';
import type { CallContext } from './call-context.ts';
import type { DesktopPop } from './call-events.ts';
import { newLiveCall } from './live-calls.ts';

/**
 * Callback dial-out (回拨, issue 10 item 3): an agent takes a pending callback from the list. The row is
 * taken in one transaction (one agent at a time, within the retry plan's hours and spacing), the call is
 * registered like an inbound one, with the citizen's leg as its caller leg, and the domain decides the rest
 * (src/domain/calls/callback-call.ts). A call the domain refuses gives the callback back untouched. The
 * pop's history (the original call, the tries) is read here, before the domain decides, so that no decision
 * waits for the store.
 */
export class CallbackDialer {
  constructor(
    private readonly ctx: CallContext,
    private readonly plan: () => RetryPlan,
  ) {}

  /** Throws CallbackStateError (store/calls-repo.ts; 404/409) for the list's reasons; returns the domain's refusal, or the new call. */
  async dial(agentId: string, callbackId: number): Promise<{ callId: string } | Rejection> {
    const { o, live, cdr } = this.ctx;
    const now = o.clock.now();
    const callId = `cb${now.toString(36)}-${randomUUID().slice(0, 8)}`;
    const row = await o.calls.takeCallback(callbackId, agentId, callId, now, this.plan());
    const callbackHistory = await this.history(row);
    const channelId = `${callId}-c1`;
    live.add(
      newLiveCall({
        callId,
        callerChannelId: channelId,
        callerNumber: row.number,
        dialedNumber: row.number,
        callbackId,
        callbackHistory,
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
    o.events.emit('callback', row);
    return { callId };
  }

  /** The callback's pop: the original call's data and the tries so far (this one included). */
  private async history(row: CallbackRow): Promise<DesktopPop['callbackHistory']> {
    try {
      const [original, attempts] = await Promise.all([
        this.ctx.o.calls.getCall(row.callId),
        this.ctx.o.calls.callbackAttempts(row.id),
      ]);
      return callbackHistoryOf(row, original, attempts);
    } catch (err) {
      this.ctx.log.warn(
        { err: err instanceof Error ? err.message : String(err) },
        'calls: callback history lookup failed',
      );
      return undefined;
    }
  }
}

function callbackHistoryOf(
  row: CallbackRow,
  original: CallRow | undefined,
  attempts: CallbackAttemptRow[],
): DesktopPop['callbackHistory'] {
  return {
    callbackId: row.id,
    reason: row.reason,
    waitedMs: row.waitedMs,
    tries: row.tries,
    lastOutcome: row.outcome,
    original: original
      ? {
          callId: original.id,
          arrivedAt: original.arrivedAt,
          skill: original.skill,
          outcome: original.outcome,
          ivrPath: original.ivrPath,
        }
      : { callId: row.callId, arrivedAt: null, skill: null, outcome: null, ivrPath: '[]' },
    attempts: attempts.map((a) => ({
      callId: a.callId,
      agentId: a.agentId,
      dialledAt: a.dialledAt,
      outcome: a.outcome,
      note: a.note,
    })),
  };
}
