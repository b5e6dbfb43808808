import { breachCause } from '../acd/breach-cause.ts';
import type { Draft } from './draft.ts';
import { dispatch } from './queue.ts';

/**
 * The answer watchdog (art. 25: answer within 20 s after the voice menu): a pre-warning, then the
 * breach, which escalates the call to the overflow groups. For a call handed back to a queue by its
 * agent the alerts still go out, but its record keeps the figures of its first answer.
 */
export function prewarn(d: Draft, callId: string): void {
  const call = d.call(callId);
  if (!call?.queue) return;
  delete call.timers.prewarn;
  if (call.phase !== 'queued' && call.phase !== 'ringing') return;
  const firstWait = call.record.answeredAt === undefined;
  if (firstWait) {
    call.record.prewarnedAt = d.now;
    d.touched(call);
  }
  const waitedMs = d.now - (call.transferNote?.at ?? call.queue.enqueuedAt);
  d.emit({
    type: 'alert',
    level: 'warning',
    kind: 'answer-prewarning',
    callId,
    skill: call.queue.skill,
    waitedMs,
    at: d.now,
    message: `call waiting ${Math.round(waitedMs / 1000)} s in queue ${call.queue.skill}, answer target ${Math.round(d.acd.breachMs / 1000)} s`,
  });
}

export function breach(d: Draft, callId: string): void {
  const call = d.call(callId);
  if (!call?.queue) return;
  delete call.timers.breach;
  if (call.phase !== 'queued' && call.phase !== 'ringing') return;
  const cause = breachCause(call.queue, call.record.failedOffers, [...d.agents.values()]);
  if (call.record.answeredAt === undefined) {
    call.record.breach = { at: d.now, cause };
    call.record.escalatedAt = d.now;
  }
  call.queue.escalated = true;
  d.touched(call);
  const waitedMs = d.now - (call.transferNote?.at ?? call.queue.enqueuedAt);
  d.emit({
    type: 'alert',
    level: 'critical',
    kind: 'answer-breach',
    callId,
    skill: call.queue.skill,
    waitedMs,
    cause,
    at: d.now,
    message: `call not answered within ${Math.round(d.acd.breachMs / 1000)} s in queue ${call.queue.skill} (${cause}); escalated to ${d.acd.overflow.join(', ') || 'no overflow group'}`,
  });
  dispatch(d);
}
