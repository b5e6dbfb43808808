import type { CallRecord } from './call-record.ts';

/** What the adapters tell the domain. */
export type Input =
  | {
      type: 'call-arrived';
      callId: string;
      channelId: string;
      callerNumber: string;
      /** Calls handed over by an emergency line (art. 14 linkage) may arrive with a priority. */
      priority?: number;
      /** The caller has an open work order (looked up by the adapter). */
      repeatCallerWithOpenOrder?: boolean;
    }
  /**
   * A call this process did not see arrive (restart): rebuilt from its stored record. Queued calls
   * keep their place and their answer clock (the original IVR exit); a call answered before the
   * restart is connected again with `agentId`/`agentChannelId`; a call caught in the menu goes to
   * the queue of its desk (its IVR exit is now).
   */
  | { type: 'call-restored'; callId: string; channelId: string; record: CallRecord; agentChannelId?: string }
  /** Late result of the caller's history lookup. */
  | { type: 'caller-flags'; callId: string; repeatCallerWithOpenOrder: boolean }
  | { type: 'dtmf'; callId: string; digit: string }
  | { type: 'playback-finished'; callId: string; playbackId: string }
  | { type: 'timer-fired'; key: string }
  | { type: 'caller-hangup'; callId: string }
  /** `status` null = no such work order. */
  | { type: 'ticket-status-result'; callId: string; ticketNumber: string; status: string | null }
  | { type: 'agent-sign-in'; agentId: string; skills: string[]; leader?: boolean; endpoint?: string }
  | { type: 'agent-sign-out'; agentId: string }
  | { type: 'agent-ready'; agentId: string }
  | { type: 'agent-pause'; agentId: string; reason: string }
  | { type: 'agent-answered'; agentId: string; callId: string; agentChannelId: string }
  | { type: 'agent-leg-failed'; agentId: string; callId: string; cause: string }
  | { type: 'agent-hangup'; agentId: string; callId: string };
