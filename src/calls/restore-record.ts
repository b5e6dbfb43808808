import type { BreachCause, CallRecord, FailedOffer, IvrChoice } from '../domain/calls/call-record.ts';
import type { CallLegRow, CallRow } from '../store/schema/calls.ts';
import type { DesktopPop } from './call-events.ts';
import { buildDesktopPop } from './screen-pop-builder.ts';

/** A call's domain record and desktop pop rebuilt from its CDR row after a restart (pure). */

const BREACH_CAUSES = new Set<string>(['nobody-ready', 'rona', 'all-busy', 'still-ringing']);

function parseIvrPath(raw: string): { path: string[]; choices: IvrChoice[] } {
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (!Array.isArray(parsed)) return { path: [], choices: [] };
    const choices = parsed.filter(
      (c): c is IvrChoice => typeof c === 'object' && c !== null && typeof (c as IvrChoice).node === 'string',
    );
    if (choices.length > 0) return { path: choices.map((c) => c.node), choices };
    return { path: parsed.filter((n): n is string => typeof n === 'string'), choices: [] };
  } catch {
    return { path: [], choices: [] };
  }
}

/** The domain's record of a call, rebuilt from its CDR row and legs. */
export function recordFromRow(row: CallRow, legs: CallLegRow[]): CallRecord {
  const ivr = parseIvrPath(row.ivrPath);
  const failedOffers: FailedOffer[] = legs
    .filter(
      (l) =>
        l.kind === 'agent' &&
        l.agentId !== null &&
        l.answeredAt === null &&
        l.endedAt !== null &&
        l.outcome !== null &&
        l.outcome !== 'cancelled' &&
        l.outcome !== 'vanished',
    )
    .map((l) => ({
      agentId: l.agentId!,
      at: l.endedAt!,
      cause: l.outcome === 'no_answer' ? ('rona' as const) : ('unreachable' as const),
    }));
  const record: CallRecord = {
    callId: row.id,
    callerNumber: row.callerNumber,
    arrivedAt: row.arrivedAt,
    ivrPath: ivr.path,
    ivrChoices: ivr.choices,
    ivrInvalidInputs: row.ivrInvalidInputs,
    ivrTimeouts: row.ivrTimeouts,
    priority: row.priority,
    repeatCaller: row.repeatCaller,
    offers: row.offers,
    failedOffers,
    outcome: 'in-progress',
  };
  if (row.ivrExitAt !== null) record.ivrExitAt = row.ivrExitAt;
  if (row.queuedAt !== null) record.queuedAt = row.queuedAt;
  if (row.skill !== null) record.skill = row.skill;
  if (row.firstOfferedAt !== null) record.firstOfferedAt = row.firstOfferedAt;
  if (row.prewarnedAt !== null) record.prewarnedAt = row.prewarnedAt;
  if (row.breachAt !== null)
    record.breach = {
      at: row.breachAt,
      cause: (BREACH_CAUSES.has(row.breachCause ?? '') ? row.breachCause : 'nobody-ready') as BreachCause,
    };
  if (row.escalatedAt !== null) record.escalatedAt = row.escalatedAt;
  if (row.answeredAt !== null) record.answeredAt = row.answeredAt;
  if (row.answerMs !== null) record.answerMs = row.answerMs;
  if (row.agentId !== null) record.agentId = row.agentId;
  if (row.transferNumber !== null) record.transferNumber = row.transferNumber;
  return record;
}

/** The screen-pop given back to the desktop of an adopted call's agent; its history is read again beside it. */
export function adoptedPop(row: CallRow): DesktopPop {
  const { choices } = parseIvrPath(row.ivrPath);
  return buildDesktopPop(
    {
      callId: row.id,
      callerNumber: row.callerNumber,
      skill: row.skill ?? '',
      priority: row.priority,
      repeatCaller: row.repeatCaller,
      ivrPath: choices.map((c) => c.node),
      ivrChoices: choices,
      arrivedAt: row.arrivedAt,
      ivrExitAt: row.ivrExitAt ?? row.arrivedAt,
      offeredAt: row.firstOfferedAt ?? row.arrivedAt,
      waitedMs: (row.answeredAt ?? row.arrivedAt) - (row.ivrExitAt ?? row.arrivedAt),
    },
    [],
  );
}
