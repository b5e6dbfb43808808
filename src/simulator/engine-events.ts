/**
 * The simulator engine's in-process event stream. Every state change of the simulated PBX is published
 * here as plain data (no engine objects leak out), so adapters can render it in their own protocol:
 * the ARI layer renders Stasis events, the AMI layer (src/simulator/ami-*.ts) renders Newchannel, Newstate,
 * DialBegin, BridgeEnter, Hangup and friends.
 *
 * Events are published synchronously, in the order the engine makes the changes; a listener must not
 * throw (a throwing listener is caught and logged, the engine carries on).
 */

/** Channel states as Asterisk names them (ast_state2str), with the AMI numeric code next to each. */
export const CHANNEL_STATE_CODES = {
  Down: 0,
  Rsrvd: 1,
  OffHook: 2,
  Dialing: 3,
  Ring: 4,
  Ringing: 5,
  Up: 6,
  Busy: 7,
} as const;
export type ChannelStateName = keyof typeof CHANNEL_STATE_CODES;

export interface CallerIdData {
  name: string;
  number: string;
}

export interface DialplanLocation {
  context: string;
  exten: string;
  priority: number;
  app_name: string;
  app_data: string;
}

/** A channel as it was at the instant of the event (the same fields ARI shows, plus what AMI needs). */
export interface ChannelSnapshot {
  /** Asterisk's uniqueid; ARI calls it `id`. */
  id: string;
  /** e.g. `Local/100@cti-inbound-00000000;2`. */
  name: string;
  state: ChannelStateName;
  /** AMI ChannelState number. */
  stateCode: number;
  caller: CallerIdData;
  connected: CallerIdData;
  accountcode: string;
  dialplan: DialplanLocation;
  /** ARI timestamp format, `2026-11-25T22:26:52.389+0000`. */
  creationtime: string;
  language: string;
  linkedid: string;
  protocol_id: string;
  /** Technology part of the name: Local, Announcer, Recorder, PJSIP. */
  tech: string;
}

export interface BridgeSnapshot {
  id: string;
  technology: string;
  bridge_type: string;
  bridge_class: string;
  creator: string;
  name: string;
  /** Channel ids in the bridge, in bridge order (may include Announcer/Recorder helper channels). */
  channels: string[];
  creationtime: string;
  video_mode: string;
}

export interface PlaybackSnapshot {
  id: string;
  media_uri: string;
  next_media_uri?: string;
  target_uri: string;
  language: string;
  state: 'queued' | 'playing' | 'continuing' | 'done' | 'failed' | 'canceled';
}

export interface RecordingSnapshot {
  name: string;
  format: string;
  state: 'queued' | 'recording' | 'paused' | 'done' | 'failed' | 'canceled';
  target_uri: string;
  duration?: number;
  cause?: string;
}

interface Base {
  /** Milliseconds since the epoch, from the simulator's Clock. */
  at: number;
  /** The same instant in ARI format. */
  timestamp: string;
}

export type EngineEvent =
  | (Base & { type: 'channelCreated'; channel: ChannelSnapshot })
  | (Base & { type: 'channelStateChanged'; channel: ChannelSnapshot; previousState: ChannelStateName })
  | (Base & { type: 'channelCallerIdChanged'; channel: ChannelSnapshot })
  | (Base & { type: 'channelConnectedLineChanged'; channel: ChannelSnapshot })
  /** The channel moved to a new dialplan priority and runs `app(appData)` (AMI Newexten). */
  | (Base & { type: 'channelDialplan'; channel: ChannelSnapshot; app: string; appData: string })
  /** A channel variable (channel set) or a global variable (channel undefined) was set. */
  | (Base & { type: 'varSet'; channel?: ChannelSnapshot; variable: string; value: string })
  /** `soft` is true for a soft hangup request (then `cause` is an internal flag, not Q.850). */
  | (Base & { type: 'channelHangupRequest'; channel: ChannelSnapshot; cause: number; soft: boolean })
  /** The channel is gone (AMI Hangup, ARI ChannelDestroyed). `cause` is Q.850. */
  | (Base & { type: 'channelDestroyed'; channel: ChannelSnapshot; cause: number; causeTxt: string })
  /** Two halves of a Local channel were created and linked (AMI LocalBridge). */
  | (Base & { type: 'localBridge'; local1: ChannelSnapshot; local2: ChannelSnapshot; context: string; exten: string })
  /** `caller` is absent when the dial was started by an originate (no calling channel). */
  | (Base & { type: 'dialBegin'; caller?: ChannelSnapshot; peer: ChannelSnapshot; dialstring: string })
  | (Base & { type: 'dialState'; caller?: ChannelSnapshot; peer: ChannelSnapshot; dialstatus: string })
  | (Base & { type: 'dialEnd'; caller?: ChannelSnapshot; peer: ChannelSnapshot; dialstatus: string })
  | (Base & { type: 'bridgeCreated'; bridge: BridgeSnapshot })
  | (Base & { type: 'bridgeDestroyed'; bridge: BridgeSnapshot })
  | (Base & { type: 'bridgeEnter'; bridge: BridgeSnapshot; channel: ChannelSnapshot })
  | (Base & { type: 'bridgeLeave'; bridge: BridgeSnapshot; channel: ChannelSnapshot })
  | (Base & { type: 'dtmfBegin'; channel: ChannelSnapshot; digit: string; direction: 'Received' | 'Sent' })
  | (Base & {
      type: 'dtmfEnd';
      channel: ChannelSnapshot;
      digit: string;
      durationMs: number;
      direction: 'Received' | 'Sent';
    })
  | (Base & { type: 'hold'; channel: ChannelSnapshot; musicClass: string })
  | (Base & { type: 'unhold'; channel: ChannelSnapshot })
  | (Base & { type: 'mohStart'; channel: ChannelSnapshot; musicClass: string })
  | (Base & { type: 'mohStop'; channel: ChannelSnapshot })
  | (Base & { type: 'playbackStarted'; playback: PlaybackSnapshot })
  | (Base & { type: 'playbackContinuing'; playback: PlaybackSnapshot })
  | (Base & { type: 'playbackFinished'; playback: PlaybackSnapshot })
  | (Base & { type: 'recordingStarted'; recording: RecordingSnapshot })
  | (Base & { type: 'recordingFinished'; recording: RecordingSnapshot })
  | (Base & { type: 'recordingFailed'; recording: RecordingSnapshot })
  | (Base & { type: 'stasisStart'; channel: ChannelSnapshot; application: string; args: string[] })
  | (Base & { type: 'stasisEnd'; channel: ChannelSnapshot; application: string })
  | (Base & { type: 'deviceStateChanged'; device: string; state: string })
  /** The whole simulated PBX restarted (fault injection): every channel vanished without events. */
  | (Base & { type: 'pbxRestarted' });

export type EngineEventType = EngineEvent['type'];
export type EngineEventOf<K extends EngineEventType> = Extract<EngineEvent, { type: K }>;

/** The read side handed to adapters (the AMI server, tests). Each `on*` returns an unsubscribe function. */
export interface EngineEventSource {
  on<K extends EngineEventType>(type: K, listener: (event: EngineEventOf<K>) => void): () => void;
  onAny(listener: (event: EngineEvent) => void): () => void;
}

type AnyListener = (event: EngineEvent) => void;

export class EngineEventBus implements EngineEventSource {
  private readonly typed = new Map<EngineEventType, Set<AnyListener>>();
  private readonly any = new Set<AnyListener>();

  constructor(private readonly onListenerError: (err: unknown) => void = () => {}) {}

  on<K extends EngineEventType>(type: K, listener: (event: EngineEventOf<K>) => void): () => void {
    let set = this.typed.get(type);
    if (!set) {
      set = new Set();
      this.typed.set(type, set);
    }
    const l = listener as AnyListener;
    set.add(l);
    return () => set.delete(l);
  }

  onAny(listener: AnyListener): () => void {
    this.any.add(listener);
    return () => this.any.delete(listener);
  }

  emit(event: EngineEvent): void {
    const set = this.typed.get(event.type);
    if (set) for (const l of [...set]) this.safeCall(l, event);
    for (const l of [...this.any]) this.safeCall(l, event);
  }

  listenerCount(): number {
    let n = this.any.size;
    for (const s of this.typed.values()) n += s.size;
    return n;
  }

  private safeCall(l: AnyListener, event: EngineEvent): void {
    try {
      l(event);
    } catch (err) {
      this.onListenerError(err);
    }
  }
}
