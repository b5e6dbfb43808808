/**
 * Public types of the PBX simulator: what startSimulator() takes and returns. Other parts of the project
 * (the production ARI client's tests, the call layer's integration tests, the AMI side) code against
 * these, so they change only additively.
 */
import type { Clock } from '../shared/clock.ts';
import type { Logger } from 'pino';
import type { EngineEventSource, ChannelSnapshot, BridgeSnapshot } from './engine-events.ts';
import type { SimulatorTiming } from './timing.ts';

export interface SimulatorOptions {
  /** Only loopback is allowed. Default 127.0.0.1. */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  ariUser: string;
  ariPassword: string;
  /** Every duration and timer of the simulator runs on this clock. Default: the system clock. */
  clock?: Clock;
  /**
   * Extra directories searched for `sound:` media (before the built-in sounds); `sound:X` in language L is
   * `<dir>/L/X` then `<dir>/X`. `{ dir, prefix }` serves `sound:<prefix>/X` from that dir (projectSoundsDir()).
   */
  soundsDirs?: Array<string | { dir: string; prefix: string }>;
  /** Where stored recordings are written as `<name>.<format>`. */
  recordingsDir: string;
  /** Asterisk's entity id, e.g. `02:fc:00:00:00:01`. */
  asteriskId?: string;
  logger?: Logger;
  /** The app `cti-inbound` sends calls to (`Stasis(<app>,inbound,${EXTEN})`). Default `cti-test` as in the reference. */
  inboundApp?: string;
  /** Also serve AMI (src/simulator/ami-*.ts) on loopback with these credentials; absent = no AMI. */
  ami?: { port?: number; user: string; secret: string; authFailDelayMs?: number };
  /**
   * REST latency and event/reply order like a real Asterisk (timing.ts; `ASTERISK_22_TIMING` is the measured
   * preset). Absent (the default): every request is answered at once, before the events its deferred work produces.
   */
  timing?: SimulatorTiming;
}

/** What is left after a test, like the Asterisk testsuite's "no channels/bridges left" check. */
export interface LeakReport {
  ok: boolean;
  channels: Array<{ id: string; name: string; state: string }>;
  bridges: Array<{ id: string; channels: string[] }>;
  playbacks: Array<{ id: string; target_uri: string }>;
  recordings: Array<{ name: string; target_uri: string }>;
}

/** Fault injection (also reachable over the control API). */
export interface SimulatorFaults {
  /** Closes every ARI WebSocket (code 1006-like abrupt close unless `code` given). */
  dropWebSockets(opts?: { app?: string; code?: number }): number;
  /** Refuses new ARI WebSocket upgrades and REST calls (503 / connection reset) for `ms` of clock time. */
  refuseConnections(ms: number, mode?: 'reset' | 'http503'): void;
  /** Simulated restart: every channel, bridge, playback and live recording vanishes WITHOUT StasisEnd, WebSockets dropped. */
  restart(opts?: { downMs?: number }): void;
  /** The next REST call (optionally only those matching method/path prefix) is delayed by `ms` of clock time; `ms: Infinity` never answers. */
  delayNextRest(ms: number, match?: { method?: string; pathPrefix?: string }): void;
  /** The next REST call (optionally matching) fails with this status and body. */
  failNextRest(status: number, match?: { method?: string; pathPrefix?: string; body?: unknown }): void;
  /** The next `count` ARI events are sent twice. */
  duplicateEvents(count: number): void;
  /** The next `count` ARI events (per WebSocket) are buffered and sent in reverse order. */
  reorderEvents(count: number): void;
  /** Clears every pending fault. */
  clear(): void;
}

export interface PhoneBehaviour {
  /** Ring this long then answer; absent = never answer. */
  answerAfterMs?: number;
  /** Answer then hang up after this long. */
  hangupAfterMs?: number;
  /** Rejects at once with USER_BUSY (cause 17). */
  busy?: boolean;
  /** Rejects at once with this cause (e.g. 21 call rejected). */
  rejectCause?: number;
}

export type CallerStep =
  | { kind: 'wait'; ms: number }
  | { kind: 'dtmf'; digits: string; betweenMs?: number; durationMs?: number }
  /** Waits until a playback of this media (substring match, e.g. `sound:ivr-main`) starts toward the caller. */
  | { kind: 'awaitPrompt'; media: string; timeoutMs?: number }
  | { kind: 'hangup' };

export interface PlaceCallRequest {
  /** Caller's number (ANI). */
  from: string;
  callerName?: string;
  /** Dialled number (DNIS), e.g. `12345`. */
  to: string;
  /** Context the call enters; default `cti-inbound`. */
  context?: string;
  script?: CallerStep[];
  /** Hang up after this long in total (from placing the call). */
  hangupAfterMs?: number;
}

export interface PlacedCall {
  /** The customer side (`;1`) id. */
  callerChannelId: string;
  /** The PBX side (`;2`) id, the one that enters Stasis. */
  pbxChannelId: string;
}

export interface SimulatorControl {
  placeCall(req: PlaceCallRequest): PlacedCall;
  setPhone(extension: string, behaviour: PhoneBehaviour): void;
  removePhone(extension: string): void;
  listPhones(): Record<string, PhoneBehaviour>;
  /** External parties (e.g. `110`, a handling unit's number) answered after `answerAfterMs`. */
  setExternal(number: string, behaviour: PhoneBehaviour): void;
  /** Customer side hangs up a placed call. */
  hangupCall(callerChannelId: string): boolean;
  /** Every DTMF digit sent by the PBX toward the customer side, and prompts heard, per placed call. */
  callLog(callerChannelId: string): CallLogEntry[];
  state(): { channels: ChannelSnapshot[]; bridges: BridgeSnapshot[]; apps: string[] };
}

export type CallLogEntry =
  | { at: number; kind: 'prompt'; media: string }
  | { at: number; kind: 'dtmfSent'; digit: string }
  | { at: number; kind: 'dtmfHeard'; digit: string }
  | { at: number; kind: 'answered' }
  | { at: number; kind: 'hangup'; cause: number };

export interface SimulatorHandle {
  /** `http://127.0.0.1:PORT/ari` */
  ariUrl: string;
  /** `ws://127.0.0.1:PORT/ari/events` (add `?app=...&api_key=user:pass`). */
  wsUrl: string;
  /** `http://127.0.0.1:PORT/control` */
  controlUrl: string;
  port: number;
  /** The AMI endpoint when `ami` was given. */
  ami?: { host: string; port: number };
  engine: SimulatorEngineApi;
  control: SimulatorControl;
  faults: SimulatorFaults;
  /**
   * The REST timing in force (undefined = off); `set` restarts the PRNG from the config's seed; `inFlight`:
   * requests taken in under timing and not answered yet (a test tears down only once it is 0).
   */
  timing: { get(): SimulatorTiming | undefined; set(timing: SimulatorTiming | undefined): void; inFlight(): number };
  leaks(): LeakReport;
  /** Everything vanishes silently (no events); faults, phones, externals, device states and call logs are cleared. Stored recordings stay. Keeps the server and WebSockets up. */
  reset(): void;
  close(): Promise<void>;
}

/** The engine as seen by adapters (AMI) and tests. */
export interface SimulatorEngineApi {
  readonly events: EngineEventSource;
  readonly asteriskId: string;
  readonly clock: Clock;
  /** Milliseconds since the epoch when the simulated PBX (re)started. */
  readonly startedAt: number;
  listChannels(): ChannelSnapshot[];
  getChannel(id: string): ChannelSnapshot | undefined;
  listBridges(): BridgeSnapshot[];
  /**
   * The media model: whose voice reaches the person `label` (an agent's or outside party's extension/number, or a
   * placed call's `callerChannelId` for the customer), sorted. Bridges, mute and snoop spy/whisper directions count.
   */
  hears(label: string): string[];
  /** Originate like AMI `Originate`: to an extension (`context`/`exten`) or an app; returns the first channel's id. */
  originate(req: EngineOriginateRequest): ChannelSnapshot;
  /** Hard hangup of a channel by id or name; false if unknown. */
  hangup(idOrName: string, cause?: number): boolean;
  getGlobalVar(name: string): string | undefined;
  setGlobalVar(name: string, value: string): void;
  /** Apps currently held by an ARI WebSocket. */
  appNames(): string[];
  /** The other half of a Local channel. */
  localPeer(id: string): string | undefined;
}

export interface EngineOriginateRequest {
  /** e.g. `Local/1001@agents` or `PJSIP/1001`. */
  endpoint: string;
  context?: string;
  exten?: string;
  priority?: number;
  app?: string;
  appArgs?: string;
  callerId?: string;
  timeoutSec?: number;
  channelId?: string;
  otherChannelId?: string;
  variables?: Record<string, string>;
}
