import type { CallRecord } from '../domain/calls/call-record.ts';
import type { Clock } from '../shared/clock.ts';
import type { DesktopPop } from './call-events.ts';
import type { CallerOrder } from './caller-history.ts';

/** monitor: a supervisor's phone leg; snoop: the snoop channel on an agent's leg (issue 10). */
export type LegRole = 'caller' | 'agent' | 'party' | 'monitor' | 'snoop';

/** One channel the call layer controls, indexed by channel id. */
export interface LegRef {
  callId: string;
  role: LegRole;
  agentId?: string;
  /** For parties: what they were called for. */
  purpose?: 'transfer' | 'conference' | 'consult' | 'ivr-transfer';
  number?: string;
  answered: boolean;
  gone: boolean;
  /** Why we ended this leg ourselves (ring-no-answer), recorded instead of the hangup cause. */
  endReason?: string;
}

/** A bridge of the call on the PBX, by the domain's name for it (`main`, `consult:<partyId>`). */
export interface LiveBridge {
  id: string;
  /** Resolves once Asterisk created it (requests of one call run in order, so it is usually settled). */
  ready: Promise<string>;
  recordingName?: string;
}

/**
 * What the adapter keeps about a live call: ARI facts only (channels, bridges, recordings,
 * playbacks, the pops handed out). Whether the caller is held, who talks with whom and when the
 * call ends are the domain's (src/domain/calls); this holds no such flags.
 */
export interface LiveCall {
  callId: string;
  callerChannelId: string;
  callerNumber: string;
  dialedNumber: string | null;
  /** The domain's latest record of the call. */
  record?: CallRecord;
  bridges: Map<string, LiveBridge>;
  /** Agent legs (ringing, talking, or a consulted colleague's) by agent. */
  agentLegs: Map<string, string>;
  /** Third-party channel ids. */
  parties: Set<string>;
  /** Supervisors' legs and snoop channels (hung up when the call is finalized). */
  monitorLegs: Set<string>;
  playbacks: Set<string>;
  /** Agents who got the screen-pop, and the pop, for reconnecting desktops. */
  pops: Map<string, DesktopPop>;
  /** The caller's history as read when the call arrived (unfiltered), once the read answered. */
  history?: CallerOrder[];
  /** Taken over from a previous process of this server (kill -9, restart). */
  adopted: boolean;
  /** A callback call (回拨): the caller leg is the citizen we dial. */
  callbackId?: number;
  /** A callback call's pop: the original call and the tries, read from the store when it was taken. */
  callbackHistory?: DesktopPop['callbackHistory'];
  finalized: boolean;
}

export function newLiveCall(init: {
  callId: string;
  callerChannelId: string;
  callerNumber: string;
  dialedNumber: string | null;
  adopted?: boolean;
  callbackId?: number;
  callbackHistory?: DesktopPop['callbackHistory'];
}): LiveCall {
  return {
    ...init,
    bridges: new Map(),
    agentLegs: new Map(),
    parties: new Set(),
    monitorLegs: new Set(),
    playbacks: new Set(),
    pops: new Map(),
    adopted: init.adopted ?? false,
    finalized: false,
  };
}

/**
 * The live-call registry: calls by id, legs by channel id, playbacks by id. Shared explicitly by
 * the ARI event translation, the effect runner and the reconciler (which restores calls into it
 * after a restart and checks it against the PBX after a reconnection).
 */
export class LiveCalls {
  private readonly calls = new Map<string, LiveCall>();
  private readonly legs = new Map<string, LegRef>();
  private readonly playbackOwners = new Map<string, string>();
  /** Channels of calls ended recently (or closed on restart): late events for them are ignored. */
  private readonly ended = new Set<string>();
  private agentLegSeq = 0;
  private partySeq = 0;

  constructor(private readonly clock: Clock) {}

  get(callId: string): LiveCall | undefined {
    return this.calls.get(callId);
  }
  all(): ReadonlyMap<string, LiveCall> {
    return this.calls;
  }
  get size(): number {
    return this.calls.size;
  }

  add(call: LiveCall, legs: Array<[string, LegRef]> = []): void {
    this.calls.set(call.callId, call);
    for (const [id, ref] of legs) this.legs.set(id, ref);
  }

  /** Undoes `add` (a restore the domain refused). */
  drop(call: LiveCall): void {
    this.calls.delete(call.callId);
    for (const [id, ref] of [...this.legs]) if (ref.callId === call.callId) this.legs.delete(id);
  }

  leg(channelId: string): LegRef | undefined {
    return this.legs.get(channelId);
  }
  allLegs(): Array<[string, LegRef]> {
    return [...this.legs];
  }
  setLeg(channelId: string, ref: LegRef): void {
    this.legs.set(channelId, ref);
  }
  isGone(channelId: string): boolean {
    return this.legs.get(channelId)?.gone !== false;
  }

  playbackOwner(playbackId: string): string | undefined {
    return this.playbackOwners.get(playbackId);
  }
  playbacks(): Array<[string, string]> {
    return [...this.playbackOwners];
  }
  addPlayback(call: LiveCall, playbackId: string): void {
    this.playbackOwners.set(playbackId, call.callId);
    call.playbacks.add(playbackId);
  }
  removePlayback(playbackId: string): void {
    const callId = this.playbackOwners.get(playbackId);
    this.playbackOwners.delete(playbackId);
    if (callId) this.calls.get(callId)?.playbacks.delete(playbackId);
  }

  markEnded(channelId: string): void {
    this.ended.add(channelId);
    if (this.ended.size > 10_000) this.ended.delete(this.ended.values().next().value!);
  }
  wasEnded(channelId: string): boolean {
    return this.ended.has(channelId);
  }

  newAgentLegId(callId: string): string {
    return `${callId}-a${++this.agentLegSeq}`;
  }
  newPartyId(callId: string): string {
    return `${callId}-p${++this.partySeq}`;
  }
  /** Leg ids of a call restored after a restart are not handed out again (their CDR rows exist). */
  reserveLegIds(ids: string[]): void {
    for (const id of ids) {
      const m = /-([ap])(\d+)$/.exec(id);
      if (m?.[1] === 'a') this.agentLegSeq = Math.max(this.agentLegSeq, Number(m[2]));
      else if (m?.[1] === 'p') this.partySeq = Math.max(this.partySeq, Number(m[2]));
    }
  }

  /** The call is over: late events for its channels are ignored, and its leg refs dropped after a minute. */
  forget(call: LiveCall): void {
    this.calls.delete(call.callId);
    this.markEnded(call.callerChannelId);
    const ids = [...this.legs].filter(([, r]) => r.callId === call.callId).map(([id]) => id);
    for (const id of ids) this.legs.get(id)!.gone = true;
    this.clock.setTimeout(() => {
      for (const id of ids) if (this.legs.get(id)?.callId === call.callId) this.legs.delete(id);
    }, 60_000);
    for (const p of call.playbacks) this.playbackOwners.delete(p);
  }
}
