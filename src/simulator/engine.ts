/**
 * The simulated PBX: channels (Local pairs, helper channels), dialplan execution, Stasis applications,
 * bridges, playbacks and recordings. It behaves like Asterisk 22.10.1 as captured in the reference traces;
 * the comments name the trace observations a rule comes from. It speaks no protocol: the ARI layer calls
 * its methods and renders AriError, and every change is published on `events` (for AMI) and, as the ARI
 * JSON event, to the subscribed applications' sinks.
 */
import type { Clock, TimerId } from '../shared/clock.ts';
import { AriError, notFound, notInStasis } from './ari-error.ts';
import { ariTimestamp, nameSuffix, uniqueId } from './ari-time.ts';
import { HANGUP_REASONS, causeText, dialStatusFor } from './hangup-causes.ts';
import { DEFAULT_CONTEXTS, substitute, type ContextFn, type DialplanEnv } from './dialplan.ts';
import {
  CHANNEL_STATE_CODES,
  EngineEventBus,
  type BridgeSnapshot,
  type CallerIdData,
  type ChannelSnapshot,
  type ChannelStateName,
  type DialplanLocation,
  type EngineEvent,
} from './engine-events.ts';
import type { SoundCatalog } from './sounds.ts';
import { Media, type LiveRecording, type Playback } from './media.ts';
import { StoredRecordings } from './stored-recordings.ts';
import { whoHears } from './hearing.ts';
import { encodeWav, synthesizeRecording } from './wav.ts';
import type { EngineOriginateRequest, PhoneBehaviour, SimulatorEngineApi } from './types.ts';

export type AriJson = Record<string, unknown>;
export type EngineEventInput = EngineEvent extends infer E
  ? E extends EngineEvent
    ? Omit<E, 'at' | 'timestamp'>
    : never
  : never;
export type AppSink = (event: AriJson) => void;

export type Helper = { kind: 'helper'; id: string; name: string; role: 'moh' | 'announcer' | 'recorder' };
type Member = { kind: 'channel'; ch: Chan } | Helper;

interface PendingDial {
  source: 'originate' | 'dial';
  dialstring: string;
  timer?: TimerId;
}

export interface Chan {
  id: string;
  name: string;
  tech: string;
  state: ChannelStateName;
  caller: CallerIdData;
  connected: CallerIdData;
  createdAt: number;
  linkedid: string;
  dp: DialplanLocation;
  vars: Map<string, string>;
  peer?: Chan;
  half?: 1 | 2;
  /** Apps subscribed to this channel beyond Stasis (originate/create with app=). */
  subs: Set<string>;
  stasisApp?: string;
  stasisArgs?: string[];
  /** Entered Stasis from the dialplan: after Stasis returns, the dialplan's end is a soft hangup (02). */
  stasisFromDialplan?: boolean;
  bridge?: Bridge;
  /** Made by POST /channels (originate): its ChannelDestroyed shows AppDial2 again. */
  originated: boolean;
  originate?: { app?: string; appArgs: string[]; context?: string; exten?: string; priority?: number };
  pendingDial?: PendingDial;
  hangingUp: boolean;
  destroyed: boolean;
  hangupCause: number;
  dpActive: boolean;
  dpGen: number;
  dpTimer?: TimerId;
  answerWait?: { timer: TimerId; resume: () => void };
  pendingCallerId?: CallerIdData;
  playbacks: Playback[];
  recording?: LiveRecording;
  /** MixMonitor() running on this channel (the fallback dialplan): written as a stored recording when the channel goes. */
  mixMonitor?: { name: string; format: string; startedAt: number };
  muted: 'none' | 'in' | 'out' | 'both';
  timers: Set<TimerId>;
  /** Snoop channels watching this one. */
  snoops: Set<Chan>;
  snoopOf?: Chan;
  /** A snoop channel's directions, as asked (`in` = audio from the target, `out` = audio to it). */
  snoopSpy?: 'none' | 'both' | 'in' | 'out';
  snoopWhisper?: 'none' | 'both' | 'in' | 'out';
  /** The person at the far end of this half (phone extension, outside number, or the caller's channel id): see hearing.ts. */
  phoneLabel?: string;
  /** The simulated phone behind a PJSIP channel: internal, never listed or subscribed. */
  hidden?: boolean;
}

export interface Bridge {
  id: string;
  name: string;
  bridgeType: 'mixing' | 'holding';
  technology: string;
  members: Member[];
  /** Asterisk's internal order, which BRIDGEPEER follows (newcomer first when the bridge turns softmix). */
  peerOrder: Member[];
  createdAt: number;
  subs: Map<string, number>;
  moh?: Helper;
  playbacks: Playback[];
  recording?: LiveRecording;
}

export interface EngineOptions {
  clock: Clock;
  asteriskId: string;
  sounds: SoundCatalog;
  recordingsDir: string;
  inboundApp: string;
  onError?: (err: unknown) => void;
}

/** Observers for scripted participants (caller scripts hear prompts and DTMF). */
export interface ParticipantHooks {
  onChannelUp?(ch: Chan): void;
  onPromptToward?(ch: Chan, media: string): void;
  onDtmfToward?(ch: Chan, digit: string): void;
  onScript?(ch: Chan): void;
  onGone?(ch: Chan, cause: number): void;
}

export class SimEngine implements SimulatorEngineApi {
  readonly events: EngineEventBus;
  readonly clock: Clock;
  readonly asteriskId: string;
  startedAt: number;
  lastReloadAt: number;
  readonly channels = new Map<string, Chan>();
  readonly bridges = new Map<string, Bridge>();
  readonly media: Media;
  readonly sounds: SoundCatalog;
  readonly globals = new Map<string, string>();
  readonly phones = new Map<string, PhoneBehaviour>();
  readonly externals = new Map<string, PhoneBehaviour>();
  readonly contexts: Record<string, ContextFn> = { ...DEFAULT_CONTEXTS };
  readonly deviceStates = new Map<string, string>();
  readonly stored: StoredRecordings;
  participants: ParticipantHooks = {};
  /** Registered applications (an app exists while a WebSocket holds it). */
  private readonly apps = new Map<string, AppSink>();
  private idSeq = 0;
  private nameSeq = 0;
  private deferred = 0;
  private readonly opts: EngineOptions;

  constructor(opts: EngineOptions) {
    this.opts = opts;
    this.clock = opts.clock;
    this.asteriskId = opts.asteriskId;
    this.events = new EngineEventBus(opts.onError);
    this.startedAt = this.clock.now();
    this.lastReloadAt = this.startedAt;
    this.globals.set('AGENT_DELAY', '2');
    this.globals.set('STASIS_APP', opts.inboundApp);
    this.stored = new StoredRecordings(opts.recordingsDir);
    this.sounds = opts.sounds;
    this.media = new Media(this);
  }

  // ---------------------------------------------------------------- infrastructure

  now(): number {
    return this.clock.now();
  }

  /** Zero-time continuation: runs after the current REST response is written, without moving the clock. */
  defer(fn: () => void): void {
    this.deferred++;
    setImmediate(() => {
      this.deferred--;
      try {
        fn();
      } catch (err) {
        this.opts.onError?.(err);
      }
    });
  }

  /** True when no zero-time continuation is pending (clock timers may still be). */
  get idle(): boolean {
    return this.deferred === 0;
  }

  timer(ch: Chan | undefined, ms: number, fn: () => void): TimerId {
    const id = this.clock.setTimeout(() => {
      ch?.timers.delete(id);
      try {
        fn();
      } catch (err) {
        this.opts.onError?.(err);
      }
    }, ms);
    ch?.timers.add(id);
    return id;
  }

  private nextId(): string {
    return uniqueId(this.now(), this.idSeq++);
  }

  private nextName(): string {
    return nameSuffix(this.nameSeq++);
  }

  pub(ev: EngineEventInput): void {
    const at = this.now();
    this.events.emit({ ...ev, at, timestamp: ariTimestamp(at) } as EngineEvent);
  }

  registerApp(name: string, sink: AppSink): { replaced?: AppSink } {
    const replaced = this.apps.get(name);
    this.apps.set(name, sink);
    return { replaced };
  }

  unregisterApp(name: string, sink: AppSink): void {
    if (this.apps.get(name) === sink) this.apps.delete(name);
  }

  appRegistered(name: string): boolean {
    return this.apps.has(name);
  }

  appNames(): string[] {
    return [...this.apps.keys()];
  }

  ariEvent(apps: Iterable<string>, type: string, fields: AriJson): void {
    const sent = new Set<string>();
    for (const app of apps) {
      if (sent.has(app)) continue;
      sent.add(app);
      const sink = this.apps.get(app);
      if (!sink) continue;
      sink({ type, timestamp: ariTimestamp(this.now()), ...fields, asterisk_id: this.asteriskId, application: app });
    }
  }

  appsOf(ch: Chan): string[] {
    const out = [...ch.subs];
    if (ch.stasisApp && !ch.subs.has(ch.stasisApp)) out.push(ch.stasisApp);
    return out;
  }

  appsOfBridge(b: Bridge): string[] {
    return [...b.subs].filter(([, n]) => n > 0).map(([a]) => a);
  }

  // ---------------------------------------------------------------- snapshots

  channelJson(ch: Chan): AriJson {
    return {
      id: ch.id,
      name: ch.name,
      state: ch.state,
      protocol_id: '',
      caller: { ...ch.caller },
      connected: { ...ch.connected },
      accountcode: '',
      dialplan: { ...ch.dp },
      creationtime: ariTimestamp(ch.createdAt),
      language: 'en',
    };
  }

  snapshot(ch: Chan): ChannelSnapshot {
    return {
      id: ch.id,
      name: ch.name,
      state: ch.state,
      stateCode: CHANNEL_STATE_CODES[ch.state],
      caller: { ...ch.caller },
      connected: { ...ch.connected },
      accountcode: '',
      dialplan: { ...ch.dp },
      creationtime: ariTimestamp(ch.createdAt),
      language: 'en',
      linkedid: ch.linkedid,
      protocol_id: '',
      tech: ch.tech,
    };
  }

  bridgeJson(b: Bridge): BridgeSnapshot {
    return {
      id: b.id,
      technology: b.technology,
      bridge_type: b.bridgeType,
      bridge_class: 'stasis',
      creator: 'Stasis',
      name: b.name,
      channels: b.members.map((m) => (m.kind === 'channel' ? m.ch.id : m.id)),
      creationtime: ariTimestamp(b.createdAt),
      video_mode: 'talker',
    };
  }

  // ---------------------------------------------------------------- SimulatorEngineApi

  listChannels(): ChannelSnapshot[] {
    return [...this.channels.values()].map((c) => this.snapshot(c));
  }

  getChannel(id: string): ChannelSnapshot | undefined {
    const ch = this.channels.get(id);
    return ch ? this.snapshot(ch) : undefined;
  }

  /** The media model (hearing.ts): the people whose voice reaches the person `label` (extension, number, caller channel id). */
  hears(label: string): string[] {
    return whoHears(this.channels, label);
  }

  listBridges(): BridgeSnapshot[] {
    return [...this.bridges.values()].map((b) => this.bridgeJson(b));
  }

  getGlobalVar(name: string): string | undefined {
    return this.globals.get(name);
  }

  localPeer(id: string): string | undefined {
    return this.channels.get(id)?.peer?.id;
  }

  setGlobalVar(name: string, value: string): void {
    this.globals.set(name, value);
    this.pub({ type: 'varSet', variable: name, value });
  }

  hangup(idOrName: string, cause = 16): boolean {
    const ch = this.channels.get(idOrName) ?? [...this.channels.values()].find((c) => c.name === idOrName);
    if (!ch) return false;
    this.hangupRequest(ch, cause, false);
    return true;
  }

  originate(req: EngineOriginateRequest): ChannelSnapshot {
    const json = this.ariOriginate({
      endpoint: req.endpoint,
      app: req.app,
      appArgs: req.appArgs,
      context: req.context,
      extension: req.exten,
      priority: req.priority,
      callerId: req.callerId,
      timeout: req.timeoutSec,
      channelId: req.channelId,
      otherChannelId: req.otherChannelId,
      variables: req.variables,
    });
    const ch = this.channels.get(String(json.id));
    if (!ch) throw new Error('originated channel vanished');
    return this.snapshot(ch);
  }

  // ---------------------------------------------------------------- channel creation

  private newChan(id: string, name: string, tech: string, state: ChannelStateName, dp: DialplanLocation): Chan {
    const ch: Chan = {
      id,
      name,
      tech,
      state,
      caller: { name: '', number: '' },
      connected: { name: '', number: '' },
      createdAt: this.now(),
      linkedid: id,
      dp,
      vars: new Map(),
      subs: new Set(),
      originated: false,
      hangingUp: false,
      destroyed: false,
      hangupCause: 16,
      dpActive: false,
      dpGen: 0,
      playbacks: [],
      muted: 'none',
      timers: new Set(),
      snoops: new Set(),
    };
    this.channels.set(id, ch);
    return ch;
  }

  private checkNewId(id: string | undefined): void {
    if (id !== undefined && (this.channels.has(id) || this.bridges.has(id))) {
      throw new AriError(409, 'Channel with given unique ID already exists', 'Conflict');
    }
  }

  /** Parses `Tech/resource`, validating like Asterisk's originate. */
  private parseEndpoint(endpoint: string | undefined): { tech: string; resource: string } {
    if (!endpoint) throw new AriError(400, 'Endpoint must be specified', 'Bad Request');
    const slash = endpoint.indexOf('/');
    if (slash <= 0 || slash === endpoint.length - 1)
      throw new AriError(400, 'Invalid endpoint specified', 'Bad Request');
    const tech = endpoint.slice(0, slash);
    const resource = endpoint.slice(slash + 1);
    if (tech.toLowerCase() !== 'local' && tech.toUpperCase() !== 'PJSIP') {
      throw new AriError(500, 'Allocation failed', 'Internal Server Error', { error: 'Allocation failed' });
    }
    return { tech: tech.toLowerCase() === 'local' ? 'Local' : 'PJSIP', resource };
  }

  /** Creates the two halves of `Local/exten@context` (or a PJSIP phone modelled as a Local pair). */
  private createPair(tech: string, resource: string, id1: string | undefined, id2: string | undefined): [Chan, Chan] {
    let exten: string;
    let context: string;
    let name: string;
    if (tech === 'Local') {
      const at = resource.indexOf('@');
      exten = at >= 0 ? resource.slice(0, at) : resource;
      context = at >= 0 ? (resource.slice(at + 1).split('/')[0] ?? 'default') : 'default';
      name = `Local/${exten}@${context}-${this.nextName()}`;
    } else {
      exten = resource;
      context = 'agents';
      name = `PJSIP/${resource}-${this.nextName()}`;
    }
    const a = id1 ?? this.nextId();
    const b = id2 ?? (id1 !== undefined ? `${id1};2` : this.nextId());
    const c1 = this.newChan(a, tech === 'Local' ? `${name};1` : name, tech, 'Down', {
      context,
      exten,
      priority: 1,
      app_name: '',
      app_data: '',
    });
    const c2 = this.newChan(b, tech === 'Local' ? `${name};2` : `${name};phone`, tech, 'Ring', {
      context,
      exten,
      priority: 1,
      app_name: '',
      app_data: '',
    });
    c1.peer = c2;
    c2.peer = c1;
    c1.half = 1;
    c2.half = 2;
    // Who is at the far end, for the media model (hearing.ts): the `;1` half of an inbound call is the
    // customer's phone; the `;2` half of an agent/outside leg is the phone or number dialled.
    if (context === 'cti-inbound') c1.phoneLabel = c1.id;
    else c2.phoneLabel = exten;
    if (tech !== 'Local') c2.hidden = true;
    c2.linkedid = c1.id;
    this.pub({ type: 'channelCreated', channel: this.snapshot(c1) });
    this.pub({ type: 'channelCreated', channel: this.snapshot(c2) });
    this.pub({ type: 'localBridge', local1: this.snapshot(c1), local2: this.snapshot(c2), context, exten });
    return [c1, c2];
  }

  private parseCallerId(s: string | undefined): CallerIdData | undefined {
    if (s === undefined || s === '') return undefined;
    const m = /^\s*"?([^"<]*?)"?\s*<([^>]*)>\s*$/.exec(s);
    if (m) return { name: m[1] ?? '', number: m[2] ?? '' };
    return /^[0-9+*#]+$/.test(s.trim()) ? { name: '', number: s.trim() } : { name: s.trim(), number: '' };
  }

  ariOriginate(p: {
    endpoint?: string;
    app?: string;
    appArgs?: string;
    context?: string;
    extension?: string;
    priority?: number;
    callerId?: string;
    timeout?: number;
    channelId?: string;
    otherChannelId?: string;
    variables?: Record<string, string>;
  }): AriJson {
    const { tech, resource } = this.parseEndpoint(p.endpoint);
    if (!p.app && !p.extension) throw new AriError(400, 'Application or extension must be specified', 'Bad Request');
    this.checkNewId(p.channelId);
    this.checkNewId(p.otherChannelId);
    const [c1, c2] = this.createPair(tech, resource, p.channelId, p.otherChannelId);
    c1.originated = true;
    c1.dp.app_name = 'AppDial2';
    c1.dp.app_data = '(Outgoing Line)';
    const appArgs = p.appArgs ? p.appArgs.split(',') : [];
    c1.originate = p.app
      ? { app: p.app, appArgs }
      : { appArgs: [], context: p.context || c1.dp.context, exten: p.extension, priority: p.priority ?? 1 };
    if (p.app) {
      c1.subs.add(p.app);
      if (!c2.hidden) c2.subs.add(p.app);
    }
    const cid = this.parseCallerId(p.callerId);
    if (cid) {
      c1.caller = { ...cid };
      c1.connected = { ...cid };
      c2.caller = { ...cid };
      c2.connected = { ...cid };
      // 01b: the far half reports the caller id it was given, then the connected line.
      this.ariEvent(this.appsOf(c2), 'ChannelCallerId', {
        caller_presentation: 0,
        caller_presentation_txt: 'Presentation Allowed, Not Screened',
        channel: this.channelJson(c2),
      });
      this.pub({ type: 'channelCallerIdChanged', channel: this.snapshot(c2) });
      this.ariEvent(this.appsOf(c2), 'ChannelConnectedLine', { channel: this.channelJson(c2) });
      this.pub({ type: 'channelConnectedLineChanged', channel: this.snapshot(c2) });
    }
    for (const [k, v] of Object.entries(p.variables ?? {})) {
      const upper = k.toUpperCase();
      if (upper === 'CALLERID(NAME)' || upper === 'CALLERID(NUM)') {
        // 07: CALLERID() in `variables` sets the originating half and shows as the far half's connected line.
        if (upper === 'CALLERID(NAME)') c1.caller.name = String(v);
        else c1.caller.number = String(v);
        c2.connected = { ...c1.caller };
        this.ariEvent(this.appsOf(c2), 'ChannelConnectedLine', { channel: this.channelJson(c2) });
        this.pub({ type: 'channelConnectedLineChanged', channel: this.snapshot(c2) });
      } else {
        c1.vars.set(k, String(v));
        this.setVar(c2, k, String(v));
      }
    }
    const response = this.channelJson(c1);
    const dialstring = tech === 'Local' ? resource : `PJSIP/${resource}`;
    c1.pendingDial = { source: 'originate', dialstring };
    this.dialEvent(c1, '', dialstring);
    this.pub({ type: 'dialBegin', peer: this.snapshot(c1), dialstring });
    const timeoutSec = p.timeout === undefined ? 30 : p.timeout;
    if (timeoutSec > 0) c1.pendingDial.timer = this.timer(c1, timeoutSec * 1000, () => this.dialTimeout(c1));
    this.startDialplan(c2);
    return response;
  }

  ariCreate(p: {
    endpoint?: string;
    app?: string;
    appArgs?: string;
    channelId?: string;
    otherChannelId?: string;
    variables?: Record<string, string>;
  }): AriJson {
    const { tech, resource } = this.parseEndpoint(p.endpoint);
    this.checkNewId(p.channelId);
    this.checkNewId(p.otherChannelId);
    const [c1, c2] = this.createPair(tech, resource, p.channelId, p.otherChannelId);
    for (const [k, v] of Object.entries(p.variables ?? {})) c1.vars.set(k, String(v));
    const response = this.channelJson(c1);
    if (p.app) c1.subs.add(p.app);
    const app = p.app;
    const args = p.appArgs ? p.appArgs.split(',') : [];
    // 03b: a created channel enters Stasis at once (state Down): ChannelDialplan, STASISSTATUS, StasisStart.
    if (app && this.appRegistered(app)) {
      this.setDialplanApp(c1, 'Stasis', [app, ...args].join(','));
      this.enterStasis(c1, app, args);
    } else {
      // 10 / 07: with no (registered) app the channel dies at once, after the 200.
      this.defer(() => {
        c2.hangingUp = true;
        this.finishSilently(c2);
        this.finishSilently(c1);
      });
    }
    return response;
  }

  ariDial(id: string, p: { caller?: string; timeout?: number }): void {
    const ch = this.requireStasis(id);
    const c2 = ch.peer;
    if (ch.pendingDial || ch.state === 'Up' || !c2 || c2.dpActive || c2.destroyed) {
      throw new AriError(409, 'Channel is already dialing or answered', 'Conflict');
    }
    if (p.caller !== undefined) {
      const callerCh = this.channels.get(p.caller);
      if (!callerCh) throw new AriError(404, 'Caller channel not found', 'Not Found');
      // 03b: dialling with caller= sets the connected line from the caller before the 204.
      if (!sameCid(ch.connected, callerCh.caller)) {
        ch.connected = { ...callerCh.caller };
        this.ariEvent(this.appsOf(ch), 'ChannelConnectedLine', { channel: this.channelJson(ch) });
        this.pub({ type: 'channelConnectedLineChanged', channel: this.snapshot(ch) });
      }
    }
    const dialstring = ch.tech === 'Local' ? `${ch.dp.exten}@${ch.dp.context}` : `PJSIP/${ch.dp.exten}`;
    ch.pendingDial = { source: 'dial', dialstring };
    const timeoutSec = p.timeout ?? 0;
    if (timeoutSec > 0) ch.pendingDial.timer = this.timer(ch, timeoutSec * 1000, () => this.dialTimeout(ch));
    this.defer(() => {
      if (ch.hangingUp) return;
      this.dialEvent(ch, '', dialstring);
      this.pub({ type: 'dialBegin', peer: this.snapshot(ch), dialstring });
      this.startDialplan(c2);
    });
  }

  private dialEvent(peer: Chan, dialstatus: string, dialstring: string): void {
    this.ariEvent(this.appsOf(peer), 'Dial', { dialstatus, forward: '', dialstring, peer: this.channelJson(peer) });
  }

  private dialTimeout(ch: Chan): void {
    if (!ch.pendingDial || ch.hangingUp) return;
    if (ch.pendingDial.source === 'originate') {
      this.hangupRequest(ch, 19, false);
    } else {
      // Not in the reference: an unanswered /dial times out as NOANSWER and the dialled channel is hung up.
      const d = ch.pendingDial;
      ch.pendingDial = undefined;
      if (d.timer !== undefined) this.clock.clearTimeout(d.timer);
      this.dialEvent(ch, 'NOANSWER', '');
      this.pub({ type: 'dialEnd', peer: this.snapshot(ch), dialstatus: 'NOANSWER' });
      this.hangupRequest(ch, 19, false);
    }
  }

  // ---------------------------------------------------------------- state and variables

  private setState(ch: Chan, state: ChannelStateName): void {
    if (ch.state === state) return;
    const previousState = ch.state;
    ch.state = state;
    this.ariEvent(this.appsOf(ch), 'ChannelStateChange', { channel: this.channelJson(ch) });
    this.pub({ type: 'channelStateChanged', channel: this.snapshot(ch), previousState });
    if (state === 'Up') this.participants.onChannelUp?.(ch);
  }

  setVar(ch: Chan, variable: string, value: string): void {
    ch.vars.set(variable, value);
    this.ariEvent(this.appsOf(ch), 'ChannelVarset', { variable, value, channel: this.channelJson(ch) });
    this.pub({ type: 'varSet', channel: this.snapshot(ch), variable, value });
  }

  private setDialplanApp(ch: Chan, app: string, data: string): void {
    ch.dp.app_name = app;
    ch.dp.app_data = data;
    this.ariEvent(this.appsOf(ch), 'ChannelDialplan', {
      dialplan_app: app,
      dialplan_app_data: data,
      channel: this.channelJson(ch),
    });
    this.pub({ type: 'channelDialplan', channel: this.snapshot(ch), app, appData: data });
  }

  private setConnected(ch: Chan, cid: CallerIdData): void {
    if (sameCid(ch.connected, cid)) return;
    ch.connected = { ...cid };
    this.ariEvent(this.appsOf(ch), 'ChannelConnectedLine', { channel: this.channelJson(ch) });
    this.pub({ type: 'channelConnectedLineChanged', channel: this.snapshot(ch) });
    // A Local half's connected line becomes the other half's caller id when that half next runs (03, 04).
    if (ch.tech === 'Local' && ch.half === 1 && ch.peer && !ch.peer.destroyed) ch.peer.pendingCallerId = { ...cid };
  }

  /** Applies a queued caller id update; returns the announcement to make (after the caller's own event). */
  private applyPendingCallerId(ch: Chan): (() => void) | undefined {
    const cid = ch.pendingCallerId;
    if (!cid) return undefined;
    ch.pendingCallerId = undefined;
    if (sameCid(ch.caller, cid)) return undefined;
    ch.caller = { ...cid };
    return () => {
      this.ariEvent(this.appsOf(ch), 'ChannelCallerId', {
        caller_presentation: 0,
        caller_presentation_txt: 'Presentation Allowed, Not Screened',
        channel: this.channelJson(ch),
      });
      this.pub({ type: 'channelCallerIdChanged', channel: this.snapshot(ch) });
    };
  }

  // ---------------------------------------------------------------- answering (Local propagation)

  private answerChannel(ch: Chan): void {
    if (ch.state === 'Up') return;
    this.setState(ch, 'Up');
    const other = ch.peer;
    if (!other || other.destroyed || other.hangingUp) return;
    if (ch.half === 2) {
      if (other.state !== 'Up') this.setState(other, 'Up');
      this.onOutboundAnswered(other);
    }
  }

  /** The far half answered: the originating half's dial completes and it proceeds. */
  private onOutboundAnswered(c1: Chan): void {
    const pd = c1.pendingDial;
    if (!pd) return;
    c1.pendingDial = undefined;
    if (pd.timer !== undefined) this.clock.clearTimeout(pd.timer);
    this.dialEvent(c1, 'ANSWER', pd.source === 'originate' ? pd.dialstring : '');
    this.pub({ type: 'dialEnd', peer: this.snapshot(c1), dialstatus: 'ANSWER' });
    const o = c1.originate;
    if (pd.source !== 'originate' || !o) return;
    if (o.app) {
      const app = o.app;
      c1.dp.app_name = 'Stasis';
      c1.dp.app_data = [app, ...o.appArgs].join(',');
      if (!this.enterStasis(c1, app, o.appArgs)) {
        // 10: originate to an app nobody holds returns 200, then the channel dies.
        c1.vars.set('STASISSTATUS', 'FAILED');
        this.hangupRequest(c1, 16, false);
      }
    } else {
      c1.dp = {
        context: o.context ?? c1.dp.context,
        exten: o.exten ?? c1.dp.exten,
        priority: o.priority ?? 1,
        app_name: '',
        app_data: '',
      };
      this.startDialplan(c1);
    }
  }

  private onRinging(c2: Chan): void {
    const c1 = c2.peer;
    if (!c1 || c1.destroyed) return;
    if (c1.state !== 'Ringing' && c1.state !== 'Up') this.setState(c1, 'Ringing');
    if (c1.pendingDial) {
      this.dialEvent(c1, 'RINGING', c1.pendingDial.source === 'originate' ? c1.pendingDial.dialstring : '');
      this.pub({ type: 'dialState', peer: this.snapshot(c1), dialstatus: 'RINGING' });
    }
  }

  // ---------------------------------------------------------------- dialplan

  private startDialplan(ch: Chan): void {
    ch.dpActive = true;
    const gen = ++ch.dpGen;
    this.defer(() => this.runStep(ch, gen));
  }

  private nextStep(ch: Chan, gen: number): void {
    if (gen !== ch.dpGen || ch.hangingUp) return;
    ch.dp.priority++;
    this.defer(() => this.runStep(ch, gen));
  }

  private dialplanVar =
    (ch: Chan) =>
    (name: string): string | undefined => {
      if (name === 'EXTEN') return ch.dp.exten;
      if (name === 'EPOCH') return String(Math.floor(this.clock.now() / 1000));
      if (name === 'UNIQUEID') return ch.id;
      // Stands in for ${FILTER(0-9,${CALLERID(num)})}: the substitution here has no nested functions.
      if (name === 'CALLERID_DIGITS') return ch.caller.number.replace(/\D/g, '');
      return ch.vars.get(name) ?? this.globals.get(name);
    };

  private runStep(ch: Chan, gen: number): void {
    if (gen !== ch.dpGen || ch.hangingUp || ch.destroyed) return;
    const env: DialplanEnv = { globals: this.globals, phones: this.phones, externals: this.externals };
    const steps = this.contexts[ch.dp.context]?.(ch.dp.exten, env);
    const step = steps?.[ch.dp.priority - 1];
    if (!step) {
      ch.hangupCause = 16;
      this.finish(ch);
      return;
    }
    const data = substitute(step.data, this.dialplanVar(ch));
    // 03/04: the queued caller id is already in the ChannelDialplan snapshot; its own event follows.
    const announce = this.applyPendingCallerId(ch);
    this.setDialplanApp(ch, step.app, data);
    announce?.();
    const next = () => this.nextStep(ch, gen);
    const args = data.split(',');
    switch (step.app) {
      case 'NoOp':
      case 'Set':
        return next();
      case 'Answer': {
        if (ch.state === 'Up') return next();
        this.answerChannel(ch);
        // Answer() waits up to 500 ms for media; audio reaching the far half ends the wait (01b, 04, 05).
        const resume = () => {
          if (!ch.answerWait) return;
          this.clock.clearTimeout(ch.answerWait.timer);
          ch.timers.delete(ch.answerWait.timer);
          ch.answerWait = undefined;
          next();
        };
        ch.answerWait = {
          timer: this.timer(ch, 500, () => {
            ch.answerWait = undefined;
            next();
          }),
          resume,
        };
        if (this.mediaFlowsToward(ch)) resume();
        return;
      }
      case 'Ringing':
        this.onRinging(ch);
        return next();
      case 'Wait':
        ch.dpTimer = this.timer(ch, Math.max(0, Number(args[0]) || 0) * 1000, next);
        return;
      case 'Playback': {
        const files = data.split('&');
        let total = 0;
        for (const f of files) total += this.opts.sounds.lookup(f)?.durationMs ?? 0;
        if (ch.peer) for (const f of files) this.participants.onPromptToward?.(ch.peer, `sound:${f}`);
        ch.dpTimer = this.timer(ch, total, next);
        return;
      }
      case 'SendDTMF': {
        const digits = args[0] ?? '';
        const between = Number(args[1] ?? 100) || 100;
        this.sendDigits(ch, digits, { before: 0, between, duration: 100 }, next);
        return;
      }
      case 'Stasis': {
        const app = args[0] ?? '';
        if (this.appRegistered(app) && this.enterStasis(ch, app, args.slice(1))) {
          ch.dpActive = false;
          ch.stasisFromDialplan = true;
          return;
        }
        ch.vars.set('STASISSTATUS', 'FAILED');
        return next();
      }
      case 'Busy':
        this.setState(ch, 'Busy');
        ch.hangupCause = 17;
        this.finish(ch);
        return;
      case 'Congestion':
        ch.hangupCause = 34;
        this.finish(ch);
        return;
      case 'Hangup':
        ch.hangupCause = Number(args[0]) || 16;
        this.finish(ch);
        return;
      case 'Script':
        this.participants.onScript?.(ch);
        return next();
      case 'MixMonitor': {
        // MixMonitor(<file>.<format>) in the recording folder: the file is complete when the channel goes.
        const file = args[0] ?? '';
        const dot = file.lastIndexOf('.');
        ch.mixMonitor = {
          name: dot > 0 ? file.slice(0, dot) : file,
          format: dot > 0 ? file.slice(dot + 1) : 'wav',
          startedAt: this.clock.now(),
        };
        return next();
      }
      default:
        return; // stays until hung up
    }
  }

  private mediaFlowsToward(ch: Chan): boolean {
    const far = ch.peer;
    if (!far) return false;
    if (far.playbacks.some((p) => p.state === 'playing')) return true;
    return far.bridge?.technology === 'softmix';
  }

  mediaStarted(ch: Chan): void {
    const near = ch.peer;
    if (near?.answerWait) near.answerWait.resume();
  }

  // ---------------------------------------------------------------- Stasis

  private enterStasis(ch: Chan, app: string, args: string[]): boolean {
    if (!this.appRegistered(app)) return false;
    ch.dp.app_name = 'Stasis';
    ch.dp.app_data = [app, ...args].join(',');
    this.setVar(ch, 'STASISSTATUS', '');
    ch.stasisApp = app;
    ch.stasisArgs = args;
    ch.dpActive = false;
    this.ariEvent(this.appsOf(ch), 'StasisStart', { args: [...args], channel: this.channelJson(ch) });
    this.pub({ type: 'stasisStart', channel: this.snapshot(ch), application: app, args: [...args] });
    return true;
  }

  private leaveStasis(ch: Chan): void {
    const app = ch.stasisApp;
    if (!app) return;
    this.ariEvent(this.appsOf(ch), 'StasisEnd', { channel: this.channelJson(ch) });
    this.pub({ type: 'stasisEnd', channel: this.snapshot(ch), application: app });
    ch.stasisApp = undefined;
    ch.stasisArgs = undefined;
    this.setVar(ch, 'STASISSTATUS', 'SUCCESS');
  }

  private requireChannel(id: string): Chan {
    const ch = this.channels.get(id);
    if (!ch || ch.destroyed || ch.hidden) throw notFound('Channel');
    return ch;
  }

  requireStasis(id: string): Chan {
    const ch = this.requireChannel(id);
    if (!ch.stasisApp) throw notInStasis();
    return ch;
  }

  // ---------------------------------------------------------------- hangup

  /**
   * A hangup request. By the app (DELETE): `ChannelHangupRequest{cause:32, soft:true}` whatever the reason;
   * by the far end: `{cause}` with no `soft` key (README rule 4). Then the channel tears down.
   */
  hangupRequest(ch: Chan, q850: number, byApp: boolean): void {
    if (ch.hangingUp || ch.destroyed) return;
    ch.hangingUp = true;
    ch.hangupCause = q850;
    this.ariEvent(
      this.appsOf(ch),
      'ChannelHangupRequest',
      byApp ? { cause: 32, soft: true, channel: this.channelJson(ch) } : { cause: q850, channel: this.channelJson(ch) },
    );
    this.pub({ type: 'channelHangupRequest', channel: this.snapshot(ch), cause: byApp ? 32 : q850, soft: byApp });
    this.finish(ch);
  }

  private stopChannelActivity(ch: Chan): void {
    for (const t of ch.timers) this.clock.clearTimeout(t);
    ch.timers.clear();
    ch.answerWait = undefined;
    ch.dpGen++;
    for (const p of [...ch.playbacks]) this.media.endPlayback(p, p.state === 'queued' ? 'canceled' : 'done');
    if (ch.recording) this.media.finishRecording(ch.recording, 'done');
    for (const s of [...ch.snoops]) this.hangupRequest(s, 16, false);
  }

  /** The channel processes its hangup (ordering from traces 01b, 02, 03, 04, 06, 07). */
  private finish(ch: Chan): void {
    if (ch.destroyed) return;
    ch.hangingUp = true;
    this.stopChannelActivity(ch);
    if (ch.stasisApp) {
      if (ch.bridge) this.leaveBridge(ch, 'hangup');
      this.leaveStasis(ch);
      if (ch.stasisFromDialplan) {
        this.ariEvent(this.appsOf(ch), 'ChannelHangupRequest', {
          cause: 16,
          soft: true,
          channel: this.channelJson(ch),
        });
        this.pub({ type: 'channelHangupRequest', channel: this.snapshot(ch), cause: 16, soft: true });
      }
    } else {
      if (ch.bridge) this.leaveBridge(ch, 'hangup');
      if (ch.dpActive) {
        // Leaving the dialplan because of a hangup is itself a soft hangup request (cause 16).
        this.ariEvent(this.appsOf(ch), 'ChannelHangupRequest', {
          cause: 16,
          soft: true,
          channel: this.channelJson(ch),
        });
        this.pub({ type: 'channelHangupRequest', channel: this.snapshot(ch), cause: 16, soft: true });
      }
    }
    ch.dpActive = false;
    const pd = ch.pendingDial;
    if (pd) {
      ch.pendingDial = undefined;
      if (pd.timer !== undefined) this.clock.clearTimeout(pd.timer);
      if (pd.source === 'originate') {
        const status = dialStatusFor(ch.hangupCause);
        this.dialEvent(ch, status, pd.dialstring);
        this.pub({ type: 'dialEnd', peer: this.snapshot(ch), dialstatus: status });
      }
    }
    const peer = ch.peer && !ch.peer.destroyed ? ch.peer : undefined;
    let peerNeedsFinish = false;
    if (peer && !peer.hangingUp) {
      peer.hangingUp = true;
      peer.hangupCause = ch.hangupCause;
      this.ariEvent(this.appsOf(peer), 'ChannelHangupRequest', {
        cause: ch.hangupCause,
        channel: this.channelJson(peer),
      });
      this.pub({ type: 'channelHangupRequest', channel: this.snapshot(peer), cause: ch.hangupCause, soft: false });
      peerNeedsFinish = true;
    }
    this.destroy(ch);
    if (peerNeedsFinish && peer) this.finish(peer);
  }

  private destroy(ch: Chan): void {
    if (ch.destroyed) return;
    ch.destroyed = true;
    if (ch.originated && ch.half === 1) {
      ch.dp.app_name = 'AppDial2';
      ch.dp.app_data = '(Outgoing Line)';
    } else {
      ch.dp.app_name = '';
      ch.dp.app_data = '';
    }
    const cause = ch.hangupCause;
    const causeTxt = causeText(cause);
    // 04: a caller id update still queued on a Local half is applied as it goes, announced after.
    const announce = this.applyPendingCallerId(ch);
    this.ariEvent(this.appsOf(ch), 'ChannelDestroyed', { cause, cause_txt: causeTxt, channel: this.channelJson(ch) });
    this.pub({ type: 'channelDestroyed', channel: this.snapshot(ch), cause, causeTxt });
    announce?.();
    this.channels.delete(ch.id);
    this.stopMixMonitor(ch);
    this.participants.onGone?.(ch, cause);
  }

  /** MixMonitor writes its file as the channel goes (a tone stands in for the mixed audio). */
  private stopMixMonitor(ch: Chan): void {
    const mm = ch.mixMonitor;
    if (!mm) return;
    ch.mixMonitor = undefined;
    const ms = Math.max(0, this.clock.now() - mm.startedAt);
    this.stored.write(mm.name, mm.format, encodeWav(synthesizeRecording([{ ms, muted: false }])));
  }

  /** Tear down without any ARI event (channels no app watches, or a simulated crash). */
  private finishSilently(ch: Chan): void {
    if (ch.destroyed) return;
    ch.hangingUp = true;
    this.stopChannelActivity(ch);
    ch.destroyed = true;
    this.channels.delete(ch.id);
    this.stopMixMonitor(ch);
    this.pub({
      type: 'channelDestroyed',
      channel: this.snapshot(ch),
      cause: ch.hangupCause,
      causeTxt: causeText(ch.hangupCause),
    });
    this.participants.onGone?.(ch, ch.hangupCause);
  }

  ariHangup(id: string, p: { reason_code?: string; reason?: string }): void {
    const ch = this.requireChannel(id);
    let cause = 16;
    if (p.reason_code !== undefined && p.reason_code !== '') {
      cause = Number(p.reason_code);
      if (!Number.isInteger(cause))
        throw new AriError(400, 'Invalid reason for hangup reason provided', 'Invalid Reason');
    } else if (p.reason !== undefined && p.reason !== '') {
      const c = HANGUP_REASONS[p.reason];
      if (c === undefined) throw new AriError(400, 'Invalid reason for hangup reason provided', 'Invalid Reason');
      cause = c;
    }
    if (ch.hangingUp) return;
    this.hangupRequest(ch, cause, true);
  }

  // ---------------------------------------------------------------- channel operations

  getChannelJson(id: string): AriJson {
    return this.channelJson(this.requireChannel(id));
  }

  listChannelsJson(): AriJson[] {
    return [...this.channels.values()].filter((c) => !c.hidden).map((c) => this.channelJson(c));
  }

  ariAnswer(id: string): void {
    const ch = this.requireStasis(id);
    this.answerChannel(ch);
  }

  /** Ringing indication toward the caller: no event (01), so only the Stasis check matters. */
  ariRing(id: string): void {
    this.requireStasis(id);
  }

  ariHold(id: string, on: boolean): void {
    const ch = this.requireStasis(id);
    this.pub(
      on
        ? { type: 'hold', channel: this.snapshot(ch), musicClass: 'default' }
        : { type: 'unhold', channel: this.snapshot(ch) },
    );
  }

  ariMoh(id: string, on: boolean, mohClass = 'default'): void {
    const ch = this.requireStasis(id);
    this.pub(
      on
        ? { type: 'mohStart', channel: this.snapshot(ch), musicClass: mohClass }
        : { type: 'mohStop', channel: this.snapshot(ch) },
    );
  }

  ariSilence(id: string): void {
    this.requireStasis(id);
  }

  ariMute(id: string, direction: string | undefined, on: boolean): void {
    const ch = this.requireStasis(id);
    const dir = direction ?? 'both';
    if (!['both', 'in', 'out'].includes(dir)) throw new AriError(400, 'Invalid direction specified', 'Bad Request');
    ch.muted = on ? (dir as Chan['muted']) : 'none';
    // 09: muting a bridged channel makes the bridge re-evaluate its peers.
    if (ch.bridge) this.updateBridgePeers(ch.bridge);
  }

  ariSendDtmf(
    id: string,
    p: { dtmf?: string; before?: number; between?: number; duration?: number; after?: number },
  ): void {
    const ch = this.requireStasis(id);
    if (!p.dtmf) throw new AriError(400, 'DTMF is required', 'Bad Request');
    if (!/^[0-9A-Da-d*#,]+$/.test(p.dtmf)) throw new AriError(400, 'Invalid DTMF digits', 'Bad Request');
    this.sendDigits(ch, p.dtmf, { before: p.before ?? 0, between: p.between ?? 100, duration: p.duration ?? 100 });
  }

  /** Digits leave `from` and arrive at its far end: the other Local half (02). */
  private sendDigits(
    from: Chan,
    digits: string,
    o: { before: number; between: number; duration: number },
    done?: () => void,
  ): void {
    let t = o.before + 100;
    const list = [...digits];
    list.forEach((digit, i) => {
      if (digit === ',') {
        t += 500;
        return;
      }
      const endAt = t + o.duration;
      this.timer(from, endAt, () => this.deliverDigit(from, digit, o.duration));
      t = endAt + o.between;
      if (i === list.length - 1) t -= o.between;
    });
    if (done) this.timer(from, t, done);
  }

  deliverDigit(from: Chan, digit: string, durationMs: number): void {
    if (from.destroyed) return;
    this.pub({ type: 'dtmfEnd', channel: this.snapshot(from), digit, durationMs, direction: 'Sent' });
    const to = from.peer;
    if (!to || to.destroyed) return;
    this.pub({ type: 'dtmfBegin', channel: this.snapshot(to), digit, direction: 'Received' });
    this.ariEvent(this.appsOf(to), 'ChannelDtmfReceived', {
      digit,
      duration_ms: durationMs,
      channel: this.channelJson(to),
    });
    this.pub({ type: 'dtmfEnd', channel: this.snapshot(to), digit, durationMs, direction: 'Received' });
    this.participants.onDtmfToward?.(to, digit);
    if (to.recording?.terminateOn && to.recording.state === 'recording') {
      const term = to.recording.terminateOn;
      if (term === 'any' || term.includes(digit)) this.media.finishRecording(to.recording, 'done');
    }
  }

  /** A scripted participant (the customer's phone) sends a digit: it arrives on the other half. */
  participantDtmf(from: Chan, digits: string, between = 100, duration = 100): void {
    this.sendDigits(from, digits, { before: 0, between, duration });
  }

  ariGetVar(id: string, variable: string | undefined): { value: string } {
    const ch = this.requireChannel(id);
    if (!variable) throw new AriError(400, 'Variable name is required', 'Bad Request');
    const v = this.readVar(ch, variable);
    if (v === undefined) throw new AriError(404, 'Provided variable was not found', 'Variable Not Found');
    return { value: v };
  }

  private readVar(ch: Chan, variable: string): string | undefined {
    const up = variable.toUpperCase();
    if (up === 'CHANNEL(STATE)') return ch.state;
    if (up === 'CHANNEL(NAME)') return ch.name;
    if (up === 'CHANNEL(UNIQUEID)' || up === 'UNIQUEID') return ch.id;
    if (up === 'CHANNEL(LINKEDID)') return ch.linkedid;
    if (up === 'CALLERID(NUM)') return ch.caller.number;
    if (up === 'CALLERID(NAME)') return ch.caller.name;
    if (up === 'CONNECTEDLINE(NUM)') return ch.connected.number;
    if (up === 'CONNECTEDLINE(NAME)') return ch.connected.name;
    if (up === 'EXTEN') return ch.dp.exten;
    if (up === 'CONTEXT') return ch.dp.context;
    return ch.vars.get(variable) ?? this.globals.get(variable);
  }

  ariSetVar(id: string, variable: string | undefined, value: string | undefined): void {
    const ch = this.requireChannel(id);
    if (!variable) throw new AriError(400, 'Variable name is required', 'Bad Request');
    const up = variable.toUpperCase();
    if (up === 'CALLERID(NUM)' || up === 'CALLERID(NAME)') {
      if (up === 'CALLERID(NUM)') ch.caller.number = value ?? '';
      else ch.caller.name = value ?? '';
      this.ariEvent(this.appsOf(ch), 'ChannelCallerId', {
        caller_presentation: 0,
        caller_presentation_txt: 'Presentation Allowed, Not Screened',
        channel: this.channelJson(ch),
      });
      this.pub({ type: 'channelCallerIdChanged', channel: this.snapshot(ch) });
      return;
    }
    this.setVar(ch, variable, value ?? '');
  }

  ariContinue(id: string, p: { context?: string; extension?: string; priority?: number; label?: string }): void {
    const ch = this.requireStasis(id);
    if (ch.bridge) this.leaveBridge(ch, 'remove');
    const stasisDp = { ...ch.dp };
    this.leaveStasis(ch);
    // 09: /continue gives StasisEnd only; the channel resumes the dialplan where told (or the next priority).
    if (p.context || p.extension) {
      ch.dp = {
        context: p.context || stasisDp.context,
        exten: p.extension || stasisDp.exten,
        priority: p.priority ?? 1,
        app_name: '',
        app_data: '',
      };
    } else {
      ch.dp = { ...stasisDp, priority: p.priority ?? stasisDp.priority + 1 };
    }
    this.startDialplan(ch);
  }

  ariSnoop(
    id: string,
    p: { app?: string; appArgs?: string; spy?: string; whisper?: string; snoopId?: string },
  ): AriJson {
    const target = this.requireStasis(id);
    if (!p.app) throw new AriError(400, 'Application name is required', 'Bad Request');
    for (const d of [p.spy, p.whisper]) {
      if (d !== undefined && !['none', 'both', 'in', 'out'].includes(d))
        throw new AriError(400, 'Invalid direction specified', 'Bad Request');
    }
    this.checkNewId(p.snoopId);
    const id2 = p.snoopId ?? this.nextId();
    const ch = this.newChan(id2, `Snoop/${target.id}-${this.nextName()}`, 'Snoop', 'Up', {
      context: 'default',
      exten: 's',
      priority: 1,
      app_name: '',
      app_data: '',
    });
    ch.subs.add(p.app);
    ch.snoopOf = target;
    ch.snoopSpy = (p.spy || 'none') as Chan['snoopSpy'];
    ch.snoopWhisper = (p.whisper || 'none') as Chan['snoopWhisper'];
    target.snoops.add(ch);
    this.pub({ type: 'channelCreated', channel: this.snapshot(ch) });
    const args = p.appArgs ? p.appArgs.split(',') : [];
    if (!this.enterStasis(ch, p.app, args)) {
      this.defer(() => this.hangupRequest(ch, 16, false));
    }
    return this.channelJson(ch);
  }

  // ---------------------------------------------------------------- bridges

  ariCreateBridge(p: { type?: string; bridgeId?: string; name?: string }): AriJson {
    const types = (p.type ?? 'mixing')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    const known = ['mixing', 'holding', 'dtmf_events', 'proxy_media', 'video_sfu', 'video_single', 'sdp_label'];
    if (types.some((t) => !known.includes(t))) {
      throw new AriError(
        500,
        `Unable to create bridge. Possible duplicate bridge id '${p.bridgeId ?? '(null)'}'`,
        'Internal Error',
      );
    }
    if (p.bridgeId !== undefined && this.bridges.has(p.bridgeId)) {
      throw new AriError(409, `Bridge with id '${p.bridgeId}' already exists`, 'Conflict');
    }
    const id = p.bridgeId ?? randomUuid();
    const b: Bridge = {
      id,
      name: p.name ?? '',
      bridgeType: types.includes('holding') ? 'holding' : 'mixing',
      technology: types.includes('holding') ? 'holding_bridge' : 'simple_bridge',
      members: [],
      peerOrder: [],
      createdAt: this.now(),
      subs: new Map(),
      playbacks: [],
    };
    this.bridges.set(id, b);
    // README rule 5: no BridgeCreated over ARI (AMI still sees BridgeCreate).
    this.pub({ type: 'bridgeCreated', bridge: this.bridgeJson(b) });
    return this.bridgeJson(b) as unknown as AriJson;
  }

  requireBridge(id: string): Bridge {
    const b = this.bridges.get(id);
    if (!b) throw notFound('Bridge');
    return b;
  }

  getBridgeJson(id: string): AriJson {
    return this.bridgeJson(this.requireBridge(id)) as unknown as AriJson;
  }

  listBridgesJson(): AriJson[] {
    return [...this.bridges.values()].map((b) => this.bridgeJson(b) as unknown as AriJson);
  }

  ariAddChannel(bridgeId: string, channelIds: string[]): void {
    const b = this.requireBridge(bridgeId);
    if (!channelIds.length) throw new AriError(400, 'Missing parameter channel', 'Bad Request');
    const chans = channelIds.map((cid) => {
      const ch = this.channels.get(cid);
      if (!ch || ch.destroyed) throw new AriError(400, 'Channel not found', 'Bad Request');
      return ch;
    });
    for (const ch of chans)
      if (!ch.stasisApp) throw new AriError(422, 'Channel not in Stasis application', 'Unprocessable Entity');
    for (const ch of chans) {
      // 07: adding a channel that is in a bridge (even this one) moves it: Left, then Entered.
      if (ch.bridge) this.leaveBridge(ch, 'move');
      this.enterBridge(b, { kind: 'channel', ch });
    }
  }

  ariRemoveChannel(bridgeId: string, channelIds: string[]): void {
    const b = this.requireBridge(bridgeId);
    if (!channelIds.length) throw new AriError(400, 'Missing parameter channel', 'Bad Request');
    const chans = channelIds.map((cid) => {
      const ch = this.channels.get(cid);
      if (!ch || ch.destroyed) throw new AriError(400, 'Channel not found', 'Bad Request');
      return ch;
    });
    for (const ch of chans)
      if (ch.bridge !== b) throw new AriError(422, 'Channel not in this bridge', 'Unprocessable Entity');
    for (const ch of chans) this.leaveBridge(ch, 'remove');
  }

  newHelper(kind: 'Announcer/ARI_MOH' | 'Announcer/ARI' | 'Recorder/ARI', role: Helper['role']): Helper {
    this.nextId();
    const id = this.nextId();
    return { kind: 'helper', id, name: `${kind}-${this.nextName()};2`, role };
  }

  private memberName(m: Member): string {
    return m.kind === 'channel' ? m.ch.name : m.name;
  }

  private memberCaller(m: Member): CallerIdData {
    return m.kind === 'channel' ? m.ch.caller : { name: '', number: '' };
  }

  enterBridge(b: Bridge, m: Member): void {
    const oldTech = b.technology;
    b.members.push(m);
    const willSoftmix = b.bridgeType === 'mixing' && b.members.length >= 3 && oldTech === 'simple_bridge';
    if (willSoftmix) b.peerOrder.unshift(m);
    else b.peerOrder.push(m);
    if (m.kind === 'channel') {
      const ch = m.ch;
      ch.bridge = b;
      const app = ch.stasisApp;
      if (app) b.subs.set(app, (b.subs.get(app) ?? 0) + 1);
      // Snapshot shows the new member list with the technology from before the change (04).
      const apps = new Set([...this.appsOf(ch), ...this.appsOfBridge(b)]);
      this.ariEvent(apps, 'ChannelEnteredBridge', { bridge: this.bridgeJson(b), channel: this.channelJson(ch) });
      this.pub({ type: 'bridgeEnter', bridge: this.bridgeJson(b), channel: this.snapshot(ch) });
    }
    this.updateTechnology(b);
    if (b.members.length >= 2) this.updateBridgePeers(b);
    if (b.members.length === 2) {
      const other = b.members.find((x) => x !== m);
      if (other) {
        for (const [x, y] of [
          [m, other],
          [other, m],
        ] as const) {
          if (x.kind === 'channel') this.setConnected(x.ch, this.memberCaller(y));
        }
      }
    }
  }

  private leaveBridge(ch: Chan, reason: 'hangup' | 'remove' | 'move'): void {
    const b = ch.bridge;
    if (!b) return;
    if ((ch.vars.get('BRIDGEPEER') ?? '') !== '') this.setVar(ch, 'BRIDGEPEER', '');
    b.members = b.members.filter((x) => !(x.kind === 'channel' && x.ch === ch));
    b.peerOrder = b.peerOrder.filter((x) => !(x.kind === 'channel' && x.ch === ch));
    ch.bridge = undefined;
    const apps = new Set([...this.appsOf(ch), ...this.appsOfBridge(b)]);
    this.ariEvent(apps, 'ChannelLeftBridge', { bridge: this.bridgeJson(b), channel: this.channelJson(ch) });
    this.pub({ type: 'bridgeLeave', bridge: this.bridgeJson(b), channel: this.snapshot(ch) });
    const app = ch.stasisApp;
    // A channel leaving by hangup keeps its app subscribed to the bridge (BridgeDestroyed arrives later: 03,
    // 04, 06); one moved or removed by the app drops that interest (07: br-err got no BridgeDestroyed).
    if (app && reason !== 'hangup') b.subs.set(app, (b.subs.get(app) ?? 1) - 1);
    this.afterLeave(b);
  }

  removeHelper(b: Bridge, h: Helper): void {
    b.members = b.members.filter((x) => x !== h);
    b.peerOrder = b.peerOrder.filter((x) => x !== h);
    this.afterLeave(b);
  }

  private afterLeave(b: Bridge): void {
    this.updateTechnology(b);
    if (b.members.length >= 2) this.updateBridgePeers(b);
    if (b.members.length === 2) {
      const [x, y] = b.members;
      if (x && y) {
        if (x.kind === 'channel') this.setConnected(x.ch, this.memberCaller(y));
        if (y.kind === 'channel') this.setConnected(y.ch, this.memberCaller(x));
      }
    }
  }

  private updateTechnology(b: Bridge): void {
    if (b.bridgeType !== 'mixing') return;
    const before = b.technology;
    b.technology = b.members.length >= 3 ? 'softmix' : 'simple_bridge';
    if (before !== 'softmix' && b.technology === 'softmix') {
      for (const m of b.members) if (m.kind === 'channel') this.mediaStarted(m.ch);
    }
  }

  private updateBridgePeers(b: Bridge): void {
    for (const m of b.peerOrder) {
      if (m.kind !== 'channel') continue;
      const peers = b.peerOrder.filter((x) => x !== m).map((x) => this.memberName(x));
      this.setVar(m.ch, 'BRIDGEPEER', peers.join(','));
    }
  }

  ariBridgeMoh(id: string, on: boolean): void {
    const b = this.requireBridge(id);
    if (on) {
      if (b.moh) return;
      b.moh = this.newHelper('Announcer/ARI_MOH', 'moh');
      // README rule 5: the Announcer joins bridge.channels without a ChannelEnteredBridge.
      this.enterBridge(b, b.moh);
    } else {
      if (!b.moh) throw new AriError(409, "Bridge isn't playing music", 'Conflict');
      const h = b.moh;
      b.moh = undefined;
      this.removeHelper(b, h);
    }
  }

  ariDestroyBridge(id: string): void {
    const b = this.requireBridge(id);
    for (const p of [...b.playbacks]) this.media.endPlayback(p, 'done');
    if (b.recording) this.media.finishRecording(b.recording, 'done');
    for (const m of [...b.members]) {
      if (m.kind === 'channel') this.leaveBridge(m.ch, 'hangup');
    }
    b.members = [];
    b.peerOrder = [];
    b.moh = undefined;
    this.bridges.delete(id);
    this.ariEvent(this.appsOfBridge(b), 'BridgeDestroyed', { bridge: this.bridgeJson(b) });
    this.pub({ type: 'bridgeDestroyed', bridge: this.bridgeJson(b) });
  }

  // ---------------------------------------------------------------- whole-PBX operations

  /** Every channel, bridge, playback and live recording that is left (the testsuite's leak check). */
  leftovers() {
    return {
      channels: [...this.channels.values()].map((c) => ({ id: c.id, name: c.name, state: c.state })),
      bridges: [...this.bridges.values()].map((b) => ({ id: b.id, channels: this.bridgeJson(b).channels })),
      playbacks: [...this.media.playbacks.values()].map((p) => ({ id: p.id, target_uri: p.targetUri })),
      recordings: [...this.media.liveRecordings.values()].map((r) => ({ name: r.name, target_uri: r.targetUri })),
    };
  }

  /** Everything vanishes without a single ARI event (a crash/restart of the PBX). */
  wipe(): void {
    this.media.wipe();
    for (const ch of [...this.channels.values()]) {
      for (const t of ch.timers) this.clock.clearTimeout(t);
      ch.timers.clear();
      ch.destroyed = true;
      ch.hangingUp = true;
      this.participants.onGone?.(ch, 0);
    }
    this.channels.clear();
    this.bridges.clear();
  }

  restarted(): void {
    this.startedAt = this.now();
    this.lastReloadAt = this.startedAt;
    this.pub({ type: 'pbxRestarted' });
  }
}

function sameCid(a: CallerIdData, b: CallerIdData): boolean {
  return a.name === b.name && a.number === b.number;
}

function randomUuid(): string {
  return globalThis.crypto.randomUUID();
}
