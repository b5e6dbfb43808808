import type { CallRecord } from '../domain/calls/call-record.ts';
import type { CallPatch } from '../store/calls-repo.ts';

/** The CDR phase of a call from the domain's record. */
export function cdrPhase(r: CallRecord): 'ivr' | 'queued' | 'talking' | 'ended' {
  if (r.endedAt !== undefined) return 'ended';
  if (r.answeredAt !== undefined || r.transferAnsweredAt !== undefined) return 'talking';
  return r.ivrExitAt !== undefined ? 'queued' : 'ivr';
}

/**
 * The CDR row of a call as the domain's record says (pure): every figure the statistics read, the
 * outcome once known, and the end. The domain keeps a call until its last leg is gone (a caller
 * transferred to 110 or to a third party included), so the row ends when the record does.
 */
export function projectRecord(r: CallRecord): CallPatch {
  const ended = r.endedAt !== undefined;
  return {
    phase: cdrPhase(r),
    ivrExitAt: r.ivrExitAt ?? null,
    queuedAt: r.queuedAt ?? null,
    skill: r.skill ?? null,
    priority: r.priority,
    firstOfferedAt: r.firstOfferedAt ?? null,
    answeredAt: r.answeredAt ?? null,
    answerMs: r.answerMs ?? null,
    agentId: r.agentId ?? null,
    prewarnedAt: r.prewarnedAt ?? null,
    breachAt: r.breach?.at ?? null,
    breachCause: r.breach?.cause ?? null,
    ivrPath: JSON.stringify(r.ivrChoices.length ? r.ivrChoices : r.ivrPath),
    ronaCount: r.failedOffers.filter((f) => f.cause === 'rona').length,
    offers: r.offers,
    ivrInvalidInputs: r.ivrInvalidInputs,
    ivrTimeouts: r.ivrTimeouts,
    repeatCaller: r.repeatCaller,
    escalatedAt: r.escalatedAt ?? null,
    transferNumber: r.transferNumber ?? null,
    outcome: r.outcome === 'in-progress' ? null : r.outcome,
    ...(ended ? { endedAt: r.endedAt, status: 'ended' as const } : {}),
  };
}

/** Talk time of a call's recording: from the answer (agent, or the menu transfer's number) to the call's end (else `stoppedAt`). */
export function talkMsOf(r: CallRecord | undefined, stoppedAt: number): number | null {
  const from = r?.answeredAt ?? r?.transferAnsweredAt;
  return from === undefined ? null : (r?.endedAt ?? stoppedAt) - from;
}
