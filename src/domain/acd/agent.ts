export type AgentStatus = 'signed-out' | 'ready' | 'reserved' | 'on-call' | 'wrap-up' | 'paused';

export const agentStatuses: readonly AgentStatus[] = [
  'signed-out',
  'ready',
  'reserved',
  'on-call',
  'wrap-up',
  'paused',
];

/** The reason code given to an agent paused for not answering an offered call. */
export const RONA = 'RONA';
/** The reason code given to an agent whose phone could not be rung. */
export const UNREACHABLE = 'UNREACHABLE';
/** The reason code of a pause a supervisor forced (the supervisor's words are in the audit log). */
export const SUPERVISOR_PAUSE = 'SUPERVISOR';

export interface AgentState {
  agentId: string;
  skills: string[];
  endpoint?: string;
  status: AgentStatus;
  pauseReason?: string;
  /** When the status last changed. */
  since: number;
  /** When the agent last became free; the longest-idle ready agent is offered first. */
  idleSince: number;
  callId?: string;
  agentChannelId?: string;
  /** While in wrap-up: when it started and ends (extendable up to acd.wrapUpMaxMs), the call, the chosen code. */
  wrapUp?: { startedAt: number; endsAt: number; callId?: string; code?: string };
}
