/**
 * The ARI models the project uses, with the field names Asterisk 22 sends (snake_case kept as is).
 * Optional fields are the ones the api-docs mark as not required.
 */
export type ChannelState =
  | 'Down'
  | 'Rsrved'
  | 'OffHook'
  | 'Dialing'
  | 'Ring'
  | 'Ringing'
  | 'Up'
  | 'Busy'
  | 'Dialing Offhook'
  | 'Pre-ring'
  | 'Unknown';

export interface CallerId {
  name: string;
  number: string;
}

export interface DialplanCep {
  context: string;
  exten: string;
  priority: number;
  app_name: string;
  app_data: string;
}

export interface Channel {
  id: string;
  protocol_id: string;
  name: string;
  /** A string rather than ChannelState: Asterisk may add states; callers compare with known ones. */
  state: ChannelState | (string & {});
  caller: CallerId;
  connected: CallerId;
  accountcode: string;
  dialplan: DialplanCep;
  creationtime: string;
  language: string;
  channelvars?: Record<string, string>;
  caller_rdnis?: string;
  tenantid?: string;
}

export interface Bridge {
  id: string;
  technology: string;
  bridge_type: 'mixing' | 'holding' | (string & {});
  bridge_class: string;
  creator: string;
  name: string;
  channels: string[];
  video_mode?: string;
  video_source_id?: string;
  creationtime: string;
  bridgevars?: Record<string, string>;
}

export interface Playback {
  id: string;
  media_uri: string;
  next_media_uri?: string;
  target_uri: string;
  language?: string;
  state: 'queued' | 'playing' | 'paused' | 'continuing' | 'done' | 'failed' | 'cancelled' | (string & {});
}

export interface LiveRecording {
  name: string;
  format: string;
  target_uri: string;
  state: 'queued' | 'recording' | 'paused' | 'done' | 'failed' | 'canceled' | (string & {});
  duration?: number;
  talking_duration?: number;
  silence_duration?: number;
  cause?: string;
}

export interface StoredRecording {
  name: string;
  format: string;
}

export interface Application {
  name: string;
  channel_ids: string[];
  bridge_ids: string[];
  endpoint_ids: string[];
  device_names: string[];
  events_allowed: unknown[];
  events_disallowed: unknown[];
}

export interface AsteriskInfo {
  build?: { os: string; kernel: string; options: string; machine: string; date: string; user: string };
  system?: { version: string; entity_id: string };
  config?: {
    name: string;
    default_language: string;
    max_channels?: number;
    max_open_files?: number;
    max_load?: number;
    setid: { user: string; group: string };
  };
  status?: { startup_time: string; last_reload_time: string };
}

export interface AsteriskPing {
  asterisk_id: string;
  ping: string;
  timestamp: string;
}

export interface DeviceState {
  name: string;
  state: string;
}

export interface Variable {
  value: string;
}

/** Q.850-ish hangup reasons accepted by DELETE /channels/{id}?reason=... */
export type HangupReason =
  | 'normal'
  | 'busy'
  | 'congestion'
  | 'no_answer'
  | 'timeout'
  | 'rejected'
  | 'unallocated'
  | 'normal_unspecified'
  | 'number_incomplete'
  | 'codec_mismatch'
  | 'interworking'
  | 'failure'
  | 'answered_elsewhere';
