import type { AgentState } from './agent.ts';
import type { QueueEntry } from './queue-entry.ts';

/** Why a call was not answered within the answer target (art. 25). */
export type BreachCause =
  /** No agent with the skill was signed in and unpaused. */
  | 'nobody-ready'
  /** At least one offer to an agent went unanswered (ring-no-answer or the agent's phone failed). */
  | 'rona'
  /** Agents with the skill were signed in and unpaused, but all were ringing, talking or in wrap-up. */
  | 'all-busy'
  /** The call was ringing at an agent, first offer, when the target passed. */
  | 'still-ringing';

export interface FailedOffer {
  agentId: string;
  at: number;
  cause: 'rona' | 'unreachable';
}

/**
 * Why a call is still unanswered at the target. An unanswered offer explains it best; otherwise a
 * ringing first offer; otherwise whether any agent with the skill was available at all.
 */
export function breachCause(
  entry: QueueEntry,
  failedOffers: readonly FailedOffer[],
  agents: Iterable<AgentState>,
): BreachCause {
  if (failedOffers.length > 0) return 'rona';
  if (entry.offeredTo !== undefined) return 'still-ringing';
  for (const a of agents) {
    if (!a.skills.includes(entry.skill)) continue;
    if (a.status === 'reserved' || a.status === 'on-call' || a.status === 'wrap-up' || a.status === 'ready')
      return 'all-busy';
  }
  return 'nobody-ready';
}
