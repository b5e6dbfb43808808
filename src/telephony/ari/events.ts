import type { Bridge, Channel, LiveRecording, Playback } from './models.ts';

/** Fields every ARI event carries (reference: every event has type, timestamp, asterisk_id, application). */
export interface AriEventBase {
  type: string;
  /** Asterisk's format: "2026-11-25T22:26:52.389+0000". */
  timestamp: string;
  application: string;
  asterisk_id?: string;
}

export interface StasisStart extends AriEventBase {
  type: 'StasisStart';
  args: string[];
  channel: Channel;
  replace_channel?: Channel;
}
export interface StasisEnd extends AriEventBase {
  type: 'StasisEnd';
  channel: Channel;
}
export interface ChannelStateChange extends AriEventBase {
  type: 'ChannelStateChange';
  channel: Channel;
}
export interface ChannelDtmfReceived extends AriEventBase {
  type: 'ChannelDtmfReceived';
  digit: string;
  duration_ms: number;
  channel: Channel;
}
export interface ChannelHangupRequest extends AriEventBase {
  type: 'ChannelHangupRequest';
  cause?: number;
  tech_cause?: number;
  /** Present (true) when the app asked for the hangup; absent when the far end hung up. */
  soft?: boolean;
  channel: Channel;
}
export interface ChannelDestroyed extends AriEventBase {
  type: 'ChannelDestroyed';
  cause: number;
  cause_txt: string;
  tech_cause?: number;
  channel: Channel;
}
export interface ChannelEnteredBridge extends AriEventBase {
  type: 'ChannelEnteredBridge';
  bridge: Bridge;
  channel?: Channel;
}
export interface ChannelLeftBridge extends AriEventBase {
  type: 'ChannelLeftBridge';
  bridge: Bridge;
  channel: Channel;
}
export interface BridgeDestroyed extends AriEventBase {
  type: 'BridgeDestroyed';
  bridge: Bridge;
}
export interface Dial extends AriEventBase {
  type: 'Dial';
  caller?: Channel;
  peer: Channel;
  forward?: string;
  forwarded?: Channel;
  dialstring?: string;
  /** "" while dialling, then RINGING, ANSWER, NOANSWER, BUSY, CANCEL, ... */
  dialstatus: string;
}
export interface PlaybackStarted extends AriEventBase {
  type: 'PlaybackStarted';
  playback: Playback;
}
export interface PlaybackContinuing extends AriEventBase {
  type: 'PlaybackContinuing';
  playback: Playback;
}
export interface PlaybackFinished extends AriEventBase {
  type: 'PlaybackFinished';
  playback: Playback;
}
export interface RecordingStarted extends AriEventBase {
  type: 'RecordingStarted';
  recording: LiveRecording;
}
export interface RecordingFinished extends AriEventBase {
  type: 'RecordingFinished';
  recording: LiveRecording;
}
export interface RecordingFailed extends AriEventBase {
  type: 'RecordingFailed';
  recording: LiveRecording;
}
export interface ApplicationReplaced extends AriEventBase {
  type: 'ApplicationReplaced';
}
export interface ChannelVarset extends AriEventBase {
  type: 'ChannelVarset';
  variable: string;
  value: string;
  channel?: Channel;
}

/** An event type this client has no model for (or noise such as ChannelDialplan): passed through untouched. */
export interface GenericAriEvent extends AriEventBase {
  [field: string]: unknown;
}

export interface KnownAriEvents {
  StasisStart: StasisStart;
  StasisEnd: StasisEnd;
  ChannelStateChange: ChannelStateChange;
  ChannelDtmfReceived: ChannelDtmfReceived;
  ChannelHangupRequest: ChannelHangupRequest;
  ChannelDestroyed: ChannelDestroyed;
  ChannelEnteredBridge: ChannelEnteredBridge;
  ChannelLeftBridge: ChannelLeftBridge;
  BridgeDestroyed: BridgeDestroyed;
  Dial: Dial;
  PlaybackStarted: PlaybackStarted;
  PlaybackContinuing: PlaybackContinuing;
  PlaybackFinished: PlaybackFinished;
  RecordingStarted: RecordingStarted;
  RecordingFinished: RecordingFinished;
  RecordingFailed: RecordingFailed;
  ApplicationReplaced: ApplicationReplaced;
  ChannelVarset: ChannelVarset;
}

export type KnownAriEventType = keyof KnownAriEvents;
export type KnownAriEvent = KnownAriEvents[KnownAriEventType];
export type AriEvent = KnownAriEvent | GenericAriEvent;

/** Which nested object of a known event must be an object with a string id (or name) for it to be usable. */
export const requiredRefs: {
  readonly [K in KnownAriEventType]: readonly (readonly [field: string, key: 'id' | 'name'])[];
} = {
  StasisStart: [['channel', 'id']],
  StasisEnd: [['channel', 'id']],
  ChannelStateChange: [['channel', 'id']],
  ChannelDtmfReceived: [['channel', 'id']],
  ChannelHangupRequest: [['channel', 'id']],
  ChannelDestroyed: [['channel', 'id']],
  ChannelEnteredBridge: [['bridge', 'id']],
  ChannelLeftBridge: [
    ['bridge', 'id'],
    ['channel', 'id'],
  ],
  BridgeDestroyed: [['bridge', 'id']],
  Dial: [['peer', 'id']],
  PlaybackStarted: [['playback', 'id']],
  PlaybackContinuing: [['playback', 'id']],
  PlaybackFinished: [['playback', 'id']],
  RecordingStarted: [['recording', 'name']],
  RecordingFinished: [['recording', 'name']],
  RecordingFailed: [['recording', 'name']],
  ApplicationReplaced: [],
  ChannelVarset: [],
};

export function isKnownEventType(type: string): type is KnownAriEventType {
  return Object.hasOwn(requiredRefs, type);
}
