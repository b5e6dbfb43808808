import type { CallRecord } from './call-record.ts';
import type { ScreenPop } from './screen-pop.ts';
import type { AgentStatus } from '../acd/agent.ts';

/**
 * Plain-data instructions for the adapters. Timers carry absolute deadlines (epoch ms): the adapter
 * schedules them on the injected Clock and feeds back `{ type: 'timer-fired', key }`.
 */
export type Effect =
  | { type: 'answer'; callId: string; channelId: string }
  /** `media` are ARI media URIs played in order as one playback; `lang` is the ARI play `lang` (sound language). */
  | { type: 'play'; callId: string; channelId: string; playbackId: string; media: string[]; lang?: string }
  | { type: 'stop-playback'; callId: string; playbackId: string }
  | { type: 'start-moh'; callId: string; channelId: string }
  | { type: 'stop-moh'; callId: string; channelId: string }
  /** Ring the agent's phone for this call; the adapter reports agent-answered / agent-leg-failed. */
  | { type: 'originate-agent'; callId: string; agentId: string; endpoint?: string; timeoutMs: number }
  /** Stop ringing the agent (ring-no-answer, caller gone). */
  | { type: 'cancel-agent-leg'; callId: string; agentId: string }
  | { type: 'bridge'; callId: string; channelId: string; agentId: string; agentChannelId: string }
  /** Record the bridge from the moment the agent answers (art. 28). */
  | { type: 'start-recording'; callId: string; agentId: string }
  | { type: 'screen-pop'; agentId: string; pop: ScreenPop }
  /** State changes of the call on the agent's desktop after the screen-pop. */
  | { type: 'call-update'; agentId: string; callId: string; state: 'answered' | 'ended' | 'withdrawn'; at: number }
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
  | { type: 'set-timer'; key: string; at: number }
  | { type: 'cancel-timer'; key: string }
  | { type: 'hangup'; callId: string; channelId: string; reason: string }
  /** Hang up the agent's leg of a call (the caller has gone). */
  | { type: 'hangup-agent'; callId: string; agentId: string; reason: string }
  | { type: 'transfer'; callId: string; channelId: string; number: string }
  /** Look up a work order's status for this calling number (only its requester or contact may hear it); answered with `ticket-status-result`. */
  | { type: 'read-ticket-status'; callId: string; ticketNumber: string; callerNumber: string }
  | { type: 'add-callback'; callId: string; callerNumber: string; reason: 'abandoned' | 'requested'; at: number }
  | { type: 'agent-state'; agentId: string; status: AgentStatus; reason?: string; callId?: string; at: number }
  /** The call's record changed: upsert it in the CDR store. */
  | { type: 'call-record'; record: CallRecord };
