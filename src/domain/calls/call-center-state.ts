import type { AgentState } from '../acd/agent.ts';
import type { QueueEntry } from '../acd/queue-entry.ts';
import type { RotaSpan } from '../acd/rota.ts';
import type { CallCenterConfig } from '../ivr/validate-call-center-config.ts';
import type { IvrSession } from '../ivr/ivr-session.ts';
import type { CallRecord } from './call-record.ts';

export type { CallCenterConfig } from '../ivr/validate-call-center-config.ts';

/**
 * ivr → queued ⇄ ringing → connected → (handed-off); a call leaves the state when it ends.
 * `handed-off`: no agent any more, the caller talks with an outside party (blind or attended
 * transfer, a three-way call the agent left, a transfer from the voice menu to 110/119/120/122).
 * A transfer to another agent or desk takes a connected call back to `queued`/`ringing`.
 */
export type CallPhase = 'ivr' | 'queued' | 'ringing' | 'connected' | 'handed-off';

/** Someone other than the caller and the call's agent: an outside number or another agent. */
export interface Party {
  /** The channel id the adapter gives the party's leg (chosen before the request, so events map back). */
  partyId: string;
  /** conference: three-way; transfer: blind transfer; consult: attended transfer; ivr-transfer: from the menu. */
  purpose: 'conference' | 'transfer' | 'consult' | 'ivr-transfer';
  number?: string;
  /** Set when the party is another agent (consultation with a colleague). */
  agentId?: string;
  answered: boolean;
}

export type MonitorMode = 'listen' | 'whisper' | 'barge';

/** A supervisor on the call (issue 10): their phone's leg, the snoop channel on the agent's leg (listen, whisper). */
export interface MonitorSession {
  supervisorId: string;
  /** The agent watched: the session ends when this agent leaves the call. */
  agentId: string;
  mode: MonitorMode;
  extension: string;
  /** The supervisor's phone leg (chosen by the adapter before the request). */
  legId: string;
  answered: boolean;
  /** Set in listen and whisper: the snoop channel on the agent's leg. */
  snoopId?: string;
  /** Ringing from, then (once answered) the session's start. */
  startedAt: number;
  modeSince: number;
  /** Tell the agent's desktop that they are monitored (configurable). */
  notifyAgent: boolean;
}

/** The talk phase: what the agent did with the caller. */
export interface TalkState {
  /** The caller hears music on hold (on hold, or waiting while the agent consults). */
  held: boolean;
  parties: Party[];
  /** The party the agent is consulting (attended transfer), in a bridge of its own. */
  consultPartyId?: string;
  /** A supervisor listening, whispering or barging in. */
  monitor?: MonitorSession;
}

/** Who handed a call over to the queue or an agent, shown on the receiving agent's screen-pop. */
export interface TransferNote {
  fromAgentId: string;
  reason?: string;
  at: number;
}

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
  /** The caller's channel carries the hold marker (set with a talk-phase hold, cleared on resume). */
  holdMarked?: boolean;
  /** A queue announcement in progress (music on hold resumes when it finishes). */
  announcePlaybackId?: string;
  timers: { rona?: string; prewarn?: string; breach?: string; announce?: string };
  /** From the agent's answer on (connected and handed-off). */
  talk?: TalkState;
  /** Set while a call handed over by an agent waits for its next agent. */
  transferNote?: TransferNote;
  /** A callback call (回拨): the agent's phone first, then the citizen (`channelId`) is dialled. */
  outbound?: {
    callbackId: number;
    originalCallId: string;
    number: string;
    citizenAnswered: boolean;
    /** Where the agent goes back to if their own phone does not answer. */
    agentWas: { status: 'ready' } | { status: 'paused'; reason?: string };
  };
}

export type TimerOwner =
  | { kind: 'ivr'; callId: string }
  | { kind: 'rona'; callId: string; agentId: string }
  | { kind: 'prewarn'; callId: string }
  | { kind: 'breach'; callId: string }
  | { kind: 'announce'; callId: string }
  | { kind: 'wrap-up'; agentId: string }
  /** A rota span starts: escalated calls may now go to its leader. */
  | { kind: 'rota-start'; spanId: string }
  /** 10 min before a rota span: is its leader signed in? */
  | { kind: 'rota-check'; spanId: string };

export interface CallCenterState {
  config: CallCenterConfig;
  calls: ReadonlyMap<string, CallState>;
  agents: ReadonlyMap<string, AgentState>;
  /** Every timer the adapter holds for us, so a stale or unknown timer is ignored. */
  timers: ReadonlyMap<string, TimerOwner>;
  /** The leader rota (art. 23) as the adapter last loaded it. */
  rota: readonly RotaSpan[];
  seq: number;
}

export function createCallCenterState(config: CallCenterConfig): CallCenterState {
  return { config, calls: new Map(), agents: new Map(), timers: new Map(), rota: [], seq: 0 };
}
