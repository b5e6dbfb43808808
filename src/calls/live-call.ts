import type { CallRecord } from '../domain/calls/call-record.ts';
import type { DesktopPop } from './call-events.ts';

export type LegRole = 'caller' | 'agent' | 'party';

/** One channel the call layer controls, indexed by channel id. */
export interface LegRef {
  callId: string;
  role: LegRole;
  agentId?: string;
  /** For parties: what they were called for. */
  purpose?: 'transfer' | 'conference' | 'ivr-transfer';
  number?: string;
  answered: boolean;
  gone: boolean;
  /** Why we ended this leg ourselves (ring-no-answer), recorded instead of the hangup cause. */
  endReason?: string;
}

/** What the adapter keeps about a live call, beside the domain's record. */
export interface LiveCall {
  callId: string;
  callerChannelId: string;
  callerNumber: string;
  dialedNumber: string | null;
  record?: CallRecord;
  bridgeId?: string;
  bridgeCreating?: Promise<string>;
  recordingName?: string;
  /** The agent now talking to the caller (after agent-answered). */
  agentId?: string;
  agentChannelId?: string;
  /** Agent legs ringing or up, by agent. */
  agentLegs: Map<string, string>;
  /** Third parties (transfer, three-way) ringing or up: channel ids. */
  parties: Set<string>;
  playbacks: Set<string>;
  moh: boolean;
  held: boolean;
  /** The domain considers the call over (it emitted its end); the adapter may still run a transfer tail. */
  domainEnded: boolean;
  /** The agent handed the call to a third party and left. */
  transferredOut: boolean;
  callerGone: boolean;
  finalized: boolean;
  /** Agents who got the screen-pop, and the pop, for reconnecting desktops. */
  pops: Map<string, DesktopPop>;
  /** Adopted after a restart: the domain never saw it, the adapter alone tracks it to its end. */
  adopted: boolean;
  answeredAt?: number;
}

export function newLiveCall(init: { callId: string; callerChannelId: string; callerNumber: string; dialedNumber: string | null; adopted?: boolean }): LiveCall {
  return {
    ...init,
    agentLegs: new Map(),
    parties: new Set(),
    playbacks: new Set(),
    moh: false,
    held: false,
    domainEnded: false,
    transferredOut: false,
    callerGone: false,
    finalized: false,
    pops: new Map(),
    adopted: init.adopted ?? false,
  };
}
