import type { AcdConfig } from '../acd/acd-config.ts';
import type { AgentState } from '../acd/agent.ts';
import type { QueueEntry } from '../acd/queue-entry.ts';
import type { IvrConfig } from '../ivr/ivr-config.ts';
import type { IvrSession } from '../ivr/ivr-session.ts';
import type { CallRecord } from './call-record.ts';

export interface CallCenterConfig {
  ivr: IvrConfig;
  acd: AcdConfig;
}

/** ivr → queued ⇄ ringing → connected; a call leaves the state when it ends. */
export type CallPhase = 'ivr' | 'queued' | 'ringing' | 'connected';

export interface CallState {
  callId: string;
  channelId: string;
  phase: CallPhase;
  record: CallRecord;
  ivr?: IvrSession;
  queue?: QueueEntry;
  agentId?: string;
  agentChannelId?: string;
  mohOn: boolean;
  /** A queue announcement in progress (music on hold resumes when it finishes). */
  announcePlaybackId?: string;
  timers: { rona?: string; prewarn?: string; breach?: string; announce?: string };
}

export type TimerOwner =
  | { kind: 'ivr'; callId: string }
  | { kind: 'rona'; callId: string; agentId: string }
  | { kind: 'prewarn'; callId: string }
  | { kind: 'breach'; callId: string }
  | { kind: 'announce'; callId: string }
  | { kind: 'wrap-up'; agentId: string };

export interface CallCenterState {
  config: CallCenterConfig;
  calls: ReadonlyMap<string, CallState>;
  agents: ReadonlyMap<string, AgentState>;
  /** Every timer the adapter holds for us, so a stale or unknown timer is ignored. */
  timers: ReadonlyMap<string, TimerOwner>;
  seq: number;
}

export function createCallCenterState(config: CallCenterConfig): CallCenterState {
  return { config, calls: new Map(), agents: new Map(), timers: new Map(), seq: 0 };
}

export function listAgents(state: CallCenterState): AgentState[] {
  return [...state.agents.values()];
}

export function getAgent(state: CallCenterState, agentId: string): AgentState | undefined {
  return state.agents.get(agentId);
}

export function getCall(state: CallCenterState, callId: string): CallState | undefined {
  return state.calls.get(callId);
}
