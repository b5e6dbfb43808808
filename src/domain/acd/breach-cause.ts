import type { BreachCause, FailedOffer } from '../calls/call-record.ts';
import type { AgentState } from './agent.ts';
import type { QueueEntry } from './queue-entry.ts';

/**
 * Why a call is still unanswered at the target. An unanswered offer explains it best; otherwise a
 * ringing first offer; otherwise whether any agent with the skill was available at all.
 */
export function breachCause(entry: QueueEntry, failedOffers: readonly FailedOffer[], agents: Iterable<AgentState>): BreachCause {
  if (failedOffers.length > 0) return 'rona';
  if (entry.offeredTo !== undefined) return 'still-ringing';
  for (const a of agents) {
    if (!a.skills.includes(entry.skill)) continue;
    if (a.status === 'reserved' || a.status === 'on-call' || a.status === 'wrap-up' || a.status === 'ready') return 'all-busy';
  }
  return 'nobody-ready';
}
