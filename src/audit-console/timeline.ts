import type { CallLegRow, CallRow } from '../store/schema/calls.ts';

/**
 * One step of a call as the auditor console shows it beside the recording. Built from the call
 * detail record and its legs only (no live state), so it reads the same three years later.
 * `at` is null for voice-menu choices: the CDR keeps the keys pressed, not when.
 */
export interface TimelineStep {
  at: number | null;
  kind:
    | 'arrived'
    | 'ivr-choice'
    | 'ivr-exit'
    | 'queued'
    | 'offered'
    | 'not-answered'
    | 'answered'
    | 'escalated'
    | 'transfer'
    | 'transfer-answered'
    | 'conference'
    | 'transferred-out'
    | 'ended';
  /** Menu node, agent id, skill, number (masked by the caller of this function) or outcome. */
  detail?: string;
  digit?: string | null;
  label?: string;
}

interface Choice {
  node: string;
  digit: string | null;
  label?: string;
}

/** The CDR's ivr_path: current rows hold `{ node, digit, label }`; older ones plain node names. */
export function ivrChoices(ivrPath: string): Choice[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(ivrPath);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  const out: Choice[] = [];
  for (const c of parsed) {
    if (typeof c === 'string') out.push({ node: c, digit: null });
    else if (typeof c === 'object' && c !== null && typeof (c as Choice).node === 'string') {
      const x = c as Choice;
      out.push({
        node: x.node,
        digit: typeof x.digit === 'string' ? x.digit : null,
        ...(typeof x.label === 'string' ? { label: x.label } : {}),
      });
    }
  }
  return out;
}

/** The call's steps in time order; `mask` is applied to every phone number (art. 22). */
export function callTimeline(call: CallRow, legs: readonly CallLegRow[], mask: (n: string) => string): TimelineStep[] {
  const steps: TimelineStep[] = [{ at: call.arrivedAt, kind: 'arrived', detail: mask(call.callerNumber) }];
  for (const c of ivrChoices(call.ivrPath))
    steps.push({
      at: null,
      kind: 'ivr-choice',
      detail: c.node,
      digit: c.digit,
      ...(c.label ? { label: c.label } : {}),
    });
  if (call.ivrExitAt !== null) steps.push({ at: call.ivrExitAt, kind: 'ivr-exit' });
  if (call.queuedAt !== null)
    steps.push({ at: call.queuedAt, kind: 'queued', ...(call.skill ? { detail: call.skill } : {}) });
  const timed: TimelineStep[] = [];
  for (const l of legs) {
    if (l.kind === 'agent') {
      timed.push({ at: l.createdAt, kind: 'offered', ...(l.agentId ? { detail: l.agentId } : {}) });
      if (l.answeredAt === null && l.outcome && l.outcome !== 'answered')
        timed.push({ at: l.endedAt ?? l.createdAt, kind: 'not-answered', detail: `${l.agentId ?? ''}:${l.outcome}` });
    } else if (l.kind === 'transfer' || l.kind === 'third_party') {
      const number = l.number === null ? '' : mask(l.number);
      timed.push({ at: l.createdAt, kind: l.kind === 'transfer' ? 'transfer' : 'conference', detail: number });
      if (l.answeredAt !== null) timed.push({ at: l.answeredAt, kind: 'transfer-answered', detail: number });
    }
  }
  if (call.answeredAt !== null)
    timed.push({ at: call.answeredAt, kind: 'answered', ...(call.agentId ? { detail: call.agentId } : {}) });
  if (call.escalatedAt !== null) timed.push({ at: call.escalatedAt, kind: 'escalated' });
  if (call.transferNumber !== null && !legs.some((l) => l.kind === 'transfer'))
    timed.push({ at: call.endedAt ?? call.arrivedAt, kind: 'transferred-out', detail: mask(call.transferNumber) });
  // Stable sort: steps at the same instant keep the order they were listed in.
  timed.sort((a, b) => (a.at ?? 0) - (b.at ?? 0));
  steps.push(...timed);
  if (call.endedAt !== null)
    steps.push({ at: call.endedAt, kind: 'ended', ...(call.outcome ? { detail: call.outcome } : {}) });
  return steps;
}
