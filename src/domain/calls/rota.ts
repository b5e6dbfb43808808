import { ROTA_WARNING_MS, type RotaSpan } from '../acd/rota.ts';
import type { Draft, Rejection } from './draft.ts';
import { dispatch } from './queue.ts';

/**
 * The leader rota (art. 23) in the call flow. The adapter hands over the rota's spans; the domain
 * arms a timer at each span's start (escalated calls waiting then may go to the leader at once) and
 * one 10 minutes before it, which alerts the supervisors when the span's leader has not signed in.
 */
export function setRota(d: Draft, spans: readonly RotaSpan[]): Rejection | undefined {
  for (const s of spans) {
    if (!(s.from < s.to))
      return { code: 'invalid-input', message: `rota span ${s.spanId}: it must end after it starts` };
  }
  for (const [key, owner] of [...d.timers.entries()]) {
    if (owner.kind === 'rota-start' || owner.kind === 'rota-check') d.cancelTimer(key);
  }
  d.rota = spans.map((s) => ({ ...s }));
  for (const s of d.rota) {
    if (s.from > d.now) d.setTimer(`rota-start:${s.spanId}`, s.from, { kind: 'rota-start', spanId: s.spanId });
    const checkAt = s.from - ROTA_WARNING_MS;
    if (checkAt > d.now) d.setTimer(`rota-check:${s.spanId}`, checkAt, { kind: 'rota-check', spanId: s.spanId });
    // Set within the warning time (or already running): checked at once.
    else if (d.now < s.to) checkSpan(d, s.spanId);
  }
  dispatch(d);
  return undefined;
}

/** A rota span began: its leader may take escalated calls from now. */
export function spanStarted(d: Draft): void {
  dispatch(d);
}

/** Warns the supervisors when the span's leader is not signed in. */
export function checkSpan(d: Draft, spanId: string): void {
  const s = d.rota.find((x) => x.spanId === spanId);
  if (!s) return;
  const agent = d.agents.get(s.agentId);
  if (agent && agent.status !== 'signed-out') return;
  const startsIn = Math.max(0, Math.round((s.from - d.now) / 60_000));
  d.emit({
    type: 'rota-alert',
    kind: 'rota-unstaffed',
    spanId: s.spanId,
    agentId: s.agentId,
    from: s.from,
    to: s.to,
    seat: s.seat,
    skill: s.skill,
    at: d.now,
    message:
      s.from > d.now
        ? `leader ${s.agentId} is on the rota in ${startsIn} min and has not signed in`
        : `leader ${s.agentId} is on the rota now and has not signed in`,
  });
}

/**
 * A supervisor sends a waiting call to the leaders on duty (art. 23). The call keeps its place and
 * its answer clock; an agent ringing for it is withdrawn and becomes ready again (not their fault).
 */
export function sendToLeaders(d: Draft, callId: string): Rejection | undefined {
  const c = d.calls.get(callId);
  if (!c) return { code: 'unknown-call', message: `no call ${callId}` };
  if ((c.phase !== 'queued' && c.phase !== 'ringing') || !c.queue)
    return { code: 'invalid-transition', reason: 'not-waiting', message: `call ${callId} is not waiting (${c.phase})` };
  const skill = c.queue.skill;
  const onDuty = d.rota.some(
    (s) =>
      s.from <= d.now &&
      d.now < s.to &&
      (s.skill === null || s.skill === skill) &&
      (d.agents.get(s.agentId)?.status ?? 'signed-out') !== 'signed-out',
  );
  if (!onDuty)
    return {
      code: 'invalid-transition',
      reason: 'no-leader-on-duty',
      message: `no leader on duty is signed in for desk ${skill}`,
    };
  const call = d.call(callId)!;
  const q = call.queue!;
  if (q.leadersOnly === true) return undefined;
  if (call.phase === 'ringing' && q.offeredTo !== undefined) {
    const agentId = q.offeredTo;
    d.cancelTimer(call.timers.rona);
    delete call.timers.rona;
    d.emit({ type: 'cancel-agent-leg', callId, agentId });
    d.emit({ type: 'call-update', agentId, callId, state: 'withdrawn', at: d.now });
    const agent = d.agent(agentId);
    if (agent && agent.status === 'reserved' && agent.callId === callId) d.setAgentStatus(agent, 'ready');
    delete q.offeredTo;
    delete q.offeredAt;
    call.phase = 'queued';
  }
  q.leadersOnly = true;
  d.touched(call);
  dispatch(d);
  return undefined;
}
