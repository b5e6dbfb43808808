import type { RotaSpan } from '../acd/rota.ts';
import type { Party } from './call-center-state.ts';
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
  | {
      type: 'call-restored';
      callId: string;
      channelId: string;
      record: CallRecord;
      agentChannelId?: string;
      /** Talk-phase calls: who else is on the line (three-way, transfer, consultation) and whether the caller is held. */
      talk?: { held: boolean; parties: Party[]; consultPartyId?: string };
    }
  /** Late result of the caller's history lookup. */
  | { type: 'caller-flags'; callId: string; repeatCallerWithOpenOrder: boolean }
  | { type: 'dtmf'; callId: string; digit: string }
  | { type: 'playback-finished'; callId: string; playbackId: string }
  | { type: 'timer-fired'; key: string }
  | { type: 'caller-hangup'; callId: string }
  /** `status` null = no such work order. */
  | { type: 'ticket-status-result'; callId: string; ticketNumber: string; status: string | null }
  | { type: 'agent-sign-in'; agentId: string; skills: string[]; endpoint?: string }
  | { type: 'agent-sign-out'; agentId: string }
  | { type: 'agent-ready'; agentId: string }
  | { type: 'agent-wrap-up-code'; agentId: string; code: string }
  | { type: 'agent-extend-wrap-up'; agentId: string }
  | { type: 'agent-pause'; agentId: string; reason: string }
  /** The leader rota (art. 23) from the store, replacing the one held: at start and after every change. */
  | { type: 'rota-set'; spans: RotaSpan[] }
  /** A supervisor sends a waiting call to the leaders on duty (art. 23). */
  | { type: 'send-to-leaders'; callId: string }
  | { type: 'agent-answered'; agentId: string; callId: string; agentChannelId: string }
  | { type: 'agent-leg-failed'; agentId: string; callId: string; cause: string }
  | { type: 'agent-hangup'; agentId: string; callId: string }
  // ---- the talk phase: commands of the agent on the call (addressed by agent) -----------------
  | { type: 'hold'; agentId: string }
  | { type: 'unhold'; agentId: string }
  /** Three-way call: `partyId` is the channel id the adapter will give the new leg. */
  | { type: 'conference'; agentId: string; number: string; partyId: string }
  /** Blind transfer: once the number answers the agent leaves. */
  | { type: 'blind-transfer'; agentId: string; number: string; partyId: string }
  /** Attended transfer: the caller is held while the agent consults a number or another agent. */
  | { type: 'consult-start'; agentId: string; partyId: string; number?: string; targetAgentId?: string }
  | { type: 'consult-complete'; agentId: string }
  | { type: 'consult-cancel'; agentId: string }
  /** Hand the call to a named ready agent (it rings there; unanswered, it goes on through the queue). */
  | { type: 'transfer-to-agent'; agentId: string; targetAgentId: string; reason?: string }
  /** Hand the call to a skill queue, keeping its priority and place. */
  | { type: 'transfer-to-desk'; agentId: string; skill: string; reason?: string }
  /** The agent ends the call from the desktop. */
  | { type: 'end-call'; agentId: string }
  // ---- legs of third parties, as the adapter sees them ------------------------------------------
  | { type: 'party-answered'; callId: string; partyId: string }
  /** The party's leg ended before it answered (busy, no answer, dial failure). */
  | { type: 'party-failed'; callId: string; partyId: string; cause: string }
  /** An answered party hung up. */
  | { type: 'party-gone'; callId: string; partyId: string }
  // ---- callback calls (issue 10 item 3) ---------------------------------------------------------
  /** The agent took a callback: ring their phone, then dial `number` as leg `channelId` of call `callId`. */
  | {
      type: 'callback-dial';
      callId: string;
      channelId: string;
      callbackId: number;
      originalCallId: string;
      agentId: string;
      number: string;
    }
  | { type: 'callback-answered'; callId: string }
  /** The citizen's leg ended before it answered. */
  | { type: 'callback-failed'; callId: string; cause: string }
  // ---- supervisors on the call (issue 10) -------------------------------------------------------
  /** Start a session on the agent's call, or switch its mode; `legId`/`snoopId` are the ids the adapter will use. */
  | {
      type: 'monitor';
      supervisorId: string;
      agentId: string;
      mode: 'listen' | 'whisper' | 'barge';
      extension: string;
      legId: string;
      snoopId: string;
      notifyAgent: boolean;
    }
  | { type: 'monitor-stop'; supervisorId: string }
  | { type: 'monitor-answered'; callId: string; legId: string }
  /** The supervisor's leg ended (hung up, or never answered). */
  | { type: 'monitor-gone'; callId: string; legId: string };
