import type { IvrEffect } from '../ivr/ivr-effects.ts';
import type { CallRecord } from './call-record.ts';
import type { ScreenPop } from './screen-pop.ts';
import type { AgentStatus } from '../acd/agent.ts';

/** What the agent's desktop is told about its call (docs/calls.md). */
export type CallUpdateState =
  | 'answered'
  | 'held'
  | 'resumed'
  | 'transferring'
  | 'conference'
  | 'transferred'
  | 'transfer-failed'
  | 'consulting'
  | 'consult-connected'
  | 'consult-cancelled'
  | 'party-left'
  | 'ended'
  | 'withdrawn'
  /** A supervisor listens, whispers or barged in (detail: the mode), when agents are told (issue 10). */
  | 'monitored'
  | 'unmonitored'
  /** A callback call: the agent answered, the citizen is being dialled (detail: the number). */
  | 'dialling'
  /** A callback call did not reach the citizen (detail: busy, no_answer, failed, cancelled, agent-unreachable). */
  | 'callback-failed';

/**
 * Plain-data instructions for the adapters. Timers carry absolute deadlines (epoch ms): the adapter
 * schedules them on the injected Clock and feeds back `{ type: 'timer-fired', key }`.
 */
export type Effect =
  | IvrEffect
  | { type: 'answer'; callId: string; channelId: string }
  /** `onHold`: the talk phase holds the caller (hold, consultation); the adapter marks it on the channel. */
  | { type: 'start-moh'; callId: string; channelId: string; onHold?: true }
  | { type: 'stop-moh'; callId: string; channelId: string; onHold?: true }
  /** Ring the agent's phone for this call; the adapter reports agent-answered / agent-leg-failed. */
  | { type: 'originate-agent'; callId: string; agentId: string; endpoint?: string; timeoutMs: number }
  /** Stop ringing the agent (ring-no-answer, caller gone). */
  | { type: 'cancel-agent-leg'; callId: string; agentId: string }
  | { type: 'bridge'; callId: string; channelId: string; agentId: string; agentChannelId: string }
  /**
   * Record a bridge from the moment someone answers (art. 28): `main` (the caller's bridge) or
   * `consult:<partyId>` (an attended-transfer consultation). Absent `bridge` = main.
   */
  | { type: 'start-recording'; callId: string; agentId?: string; bridge?: string }
  /** Ring a third party (outside number or another agent); the adapter reports party-answered / party-failed / party-gone. */
  | {
      type: 'dial-party';
      callId: string;
      partyId: string;
      purpose: 'conference' | 'transfer' | 'consult' | 'ivr-transfer';
      number?: string;
      agentId?: string;
      endpoint?: string;
    }
  | { type: 'hangup-party'; callId: string; partyId: string }
  /** Put channels into a bridge of the call (`main` or `consult:<partyId>`), moving them from another bridge. */
  | { type: 'join-bridge'; callId: string; bridge: string; channelIds: string[] }
  /** Tear a consultation bridge down (its recording is stopped and archived). */
  | { type: 'destroy-bridge'; callId: string; bridge: string }
  | { type: 'screen-pop'; agentId: string; pop: ScreenPop }
  /** State changes of the call on the agent's desktop after the screen-pop. */
  | { type: 'call-update'; agentId: string; callId: string; state: CallUpdateState; at: number; detail?: string }
  | {
      type: 'alert';
      level: 'info' | 'warning' | 'critical';
      kind: 'answer-prewarning' | 'answer-breach' | 'ring-no-answer';
      callId: string;
      agentId?: string;
      skill?: string;
      waitedMs?: number;
      cause?: string;
      at: number;
      message: string;
    }
  /** A rota span starts in 10 min (or less) and its leader has not signed in (art. 23). */
  | {
      type: 'rota-alert';
      kind: 'rota-unstaffed';
      spanId: string;
      agentId: string;
      from: number;
      to: number;
      seat: string | null;
      skill: string | null;
      at: number;
      message: string;
    }
  /** Hang up the agent's leg of a call (the caller has gone). */
  | { type: 'hangup-agent'; callId: string; agentId: string; reason: string }
  /** Voice-menu transfer (110/119/120/122): ring the caller, dial the number as party `partyId`. */
  | { type: 'transfer'; callId: string; channelId: string; number: string; partyId: string }
  /** The wrap-up code (事后处理) an agent chose for a call: written on the call's record. */
  | { type: 'wrap-up-code'; agentId: string; callId: string; code: string; at: number }
  | { type: 'agent-state'; agentId: string; status: AgentStatus; reason?: string; callId?: string; at: number }
  /** Ring the supervisor's phone for a monitor session; the adapter reports monitor-answered / monitor-gone. */
  | { type: 'dial-monitor'; callId: string; legId: string; extension: string; supervisorId: string }
  /** A callback call: dial the citizen as the call's own leg `channelId`, caller id the hotline's number. */
  | { type: 'dial-citizen'; callId: string; channelId: string; number: string }
  /** ARI snoop on a channel (the agent's leg): a snoop channel with these directions enters the app as `snoopId`. */
  | {
      type: 'snoop';
      callId: string;
      snoopId: string;
      channelId: string;
      spy: 'none' | 'both' | 'in' | 'out';
      whisper: 'none' | 'both' | 'in' | 'out';
    }
  /** A monitor session changed: pushed to the supervisor, audited (who, which call, mode, start and end). */
  | {
      type: 'monitor-state';
      callId: string;
      supervisorId: string;
      agentId: string;
      mode: 'listen' | 'whisper' | 'barge';
      /** mode-ended: a switch closed the span of the previous mode; ended: the whole session. */
      state: 'ringing' | 'active' | 'mode-ended' | 'ended';
      startedAt: number;
      modeStartedAt?: number;
      answered?: boolean;
      reason?: string;
      at: number;
    }
  /** The call's record changed: upsert it in the CDR store. */
  | { type: 'call-record'; record: CallRecord };
