import type { AcdConfig } from './acd-config.ts';
import type { AgentState } from './agent.ts';
import type { QueueEntry } from './queue-entry.ts';

/**
 * May this ready agent take this call? Own skill always; overflow groups once the call is escalated.
 * `leaderOnDuty`: the agent is a leader on duty per the rota for this call's desk (art. 23). A call a
 * supervisor sent to the leaders (`leadersOnly`) goes to leaders on duty and nobody else.
 */
export function isEligible(agent: AgentState, entry: QueueEntry, config: AcdConfig, leaderOnDuty: boolean): boolean {
  if (agent.status !== 'ready') return false;
  if (entry.leadersOnly === true) return leaderOnDuty;
  if (agent.skills.includes(entry.skill)) return true;
  if (!entry.escalated) return false;
  if (config.overflow.includes('any-skill')) return true;
  return config.overflow.includes('leaders') && leaderOnDuty;
}

/** Longest idle first; ties broken by agent id so routing is deterministic. */
export function compareIdle(a: AgentState, b: AgentState): number {
  if (a.idleSince !== b.idleSince) return a.idleSince - b.idleSince;
  return a.agentId < b.agentId ? -1 : a.agentId > b.agentId ? 1 : 0;
}
