/**
 * Playbacks and live recordings: queued per channel or bridge, timed by the engine's clock from the sound
 * file's length; bridge media joins the bridge through Announcer/Recorder helper members. Part of the
 * simulated PBX (engine.ts is the host); rules from reference traces 01, 01b, 05 and 07.
 */
import type { Clock, TimerId } from '../shared/clock.ts';
import { AriError, notFound } from './ari-error.ts';
import type { AriJson, Bridge, Chan, EngineEventInput, Helper, ParticipantHooks } from './engine.ts';
import type { PlaybackSnapshot, RecordingSnapshot } from './engine-events.ts';
import type { SoundCatalog } from './sounds.ts';
import type { StoredRecordings } from './stored-recordings.ts';
import { encodeWav, synthesizeRecording } from './wav.ts';

/** What media needs from the PBX that hosts it. */
export interface MediaHost {
  readonly clock: Clock;
  readonly bridges: Map<string, Bridge>;
  readonly participants: ParticipantHooks;
  readonly stored: StoredRecordings;
  readonly sounds: SoundCatalog;
  now(): number;
  defer(fn: () => void): void;
  timer(ch: Chan | undefined, ms: number, fn: () => void): TimerId;
  requireStasis(id: string): Chan;
  requireBridge(id: string): Bridge;
  newHelper(kind: 'Announcer/ARI_MOH' | 'Announcer/ARI' | 'Recorder/ARI', role: Helper['role']): Helper;
  enterBridge(b: Bridge, m: Helper): void;
  removeHelper(b: Bridge, h: Helper): void;
  ariEvent(apps: Iterable<string>, type: string, fields: AriJson): void;
  appsOf(ch: Chan): string[];
  appsOfBridge(b: Bridge): string[];
  pub(ev: EngineEventInput): void;
  mediaStarted(ch: Chan): void;
}

type MediaTarget = { kind: 'channel'; ch: Chan } | { kind: 'bridge'; bridge: Bridge };

export interface Playback {
  id: string;
  media: string[];
  index: number;
  targetUri: string;
  target: MediaTarget;
  language: string;
  state: PlaybackSnapshot['state'];
  timer?: TimerId;
  helper?: Helper;
  startedAt?: number;
  pausedRemainingMs?: number;
}

export interface LiveRecording {
  name: string;
  format: string;
  targetUri: string;
  target: MediaTarget;
  state: RecordingSnapshot['state'];
  segments: Array<{ ms: number; muted: boolean }>;
  segStart?: number;
  muted: boolean;
  maxTimer?: TimerId;
  terminateOn: string;
  helper?: Helper;
}

export class Media {
  readonly playbacks = new Map<string, Playback>();
  readonly liveRecordings = new Map<string, LiveRecording>();

  constructor(private readonly host: MediaHost) {}

  private playbackJson(p: Playback): PlaybackSnapshot {
    const out: PlaybackSnapshot = {
      id: p.id,
      media_uri: p.media[p.index] ?? '',
      target_uri: p.targetUri,
      language: p.language,
      state: p.state,
    };
    const next = p.media[p.index + 1];
    if (next !== undefined) {
      return {
        id: out.id,
        media_uri: out.media_uri,
        next_media_uri: next,
        target_uri: out.target_uri,
        language: out.language,
        state: out.state,
      };
    }
    return out;
  }

  private recordingJson(r: LiveRecording, extra: Partial<RecordingSnapshot> = {}): RecordingSnapshot {
    return { name: r.name, format: r.format, state: r.state, target_uri: r.targetUri, ...extra };
  }

  // ---------------------------------------------------------------- playbacks

  /** The channel (which must be in Stasis) or bridge a playback or recording is aimed at, with its ARI uri. */
  private resolveTarget(target: { channelId?: string; bridgeId?: string }): { target: MediaTarget; targetUri: string } {
    if (target.channelId !== undefined) {
      const ch = this.host.requireStasis(target.channelId);
      return { target: { kind: 'channel', ch }, targetUri: `channel:${ch.id}` };
    }
    const b = this.host.requireBridge(target.bridgeId ?? '');
    return { target: { kind: 'bridge', bridge: b }, targetUri: `bridge:${b.id}` };
  }

  ariPlay(
    target: { channelId?: string; bridgeId?: string },
    p: { media?: string[]; lang?: string; playbackId?: string },
  ): AriJson {
    const { target: t, targetUri } = this.resolveTarget(target);
    const media = (p.media ?? []).filter((m) => m !== '');
    if (!media.length) throw new AriError(500, 'Failed to queue media for playback', 'Internal Server Error');
    if (p.playbackId !== undefined && this.playbacks.has(p.playbackId)) {
      throw new AriError(409, 'Playback with given ID already exists', 'Conflict');
    }
    const pb: Playback = {
      id: p.playbackId ?? randomUuid(),
      media,
      index: 0,
      targetUri,
      target: t,
      language: p.lang || 'en',
      state: 'queued',
    };
    this.playbacks.set(pb.id, pb);
    const list = t.kind === 'channel' ? t.ch.playbacks : t.bridge.playbacks;
    list.push(pb);
    const response = this.playbackJson(pb) as unknown as AriJson;
    if (list.length === 1) this.host.defer(() => this.startPlayback(pb));
    return response;
  }

  private playbackApps(p: Playback): string[] {
    return p.target.kind === 'channel'
      ? this.host.appsOf(p.target.ch)
      : this.host
          .appsOfBridge(p.target.bridge)
          .concat(p.target.bridge.members.flatMap((m) => (m.kind === 'channel' ? this.host.appsOf(m.ch) : [])));
  }

  private startPlayback(p: Playback): void {
    if (p.state !== 'queued' && p.state !== 'continuing') return;
    if (!this.playbacks.has(p.id)) return;
    const uri = p.media[p.index] ?? '';
    p.state = 'playing';
    p.startedAt = this.host.now();
    if (p.target.kind === 'bridge' && !p.helper) {
      p.helper = this.host.newHelper('Announcer/ARI', 'announcer');
      this.host.enterBridge(p.target.bridge, p.helper);
    }
    this.host.ariEvent(this.playbackApps(p), 'PlaybackStarted', { playback: this.playbackJson(p) });
    this.host.pub({ type: 'playbackStarted', playback: this.playbackJson(p) });
    const owner = p.target.kind === 'channel' ? p.target.ch : undefined;
    if (owner) {
      this.host.mediaStarted(owner);
      if (owner.peer) this.host.participants.onPromptToward?.(owner.peer, uri);
    } else if (p.target.kind === 'bridge') {
      for (const m of p.target.bridge.members)
        if (m.kind === 'channel' && m.ch.peer) this.host.participants.onPromptToward?.(m.ch.peer, uri);
    }
    const colon = uri.indexOf(':');
    const scheme = colon > 0 ? uri.slice(0, colon) : '';
    const rest = colon > 0 ? uri.slice(colon + 1) : uri;
    let durationMs: number | undefined;
    if (scheme === 'sound') durationMs = this.host.sounds.lookup(rest, p.language)?.durationMs;
    else if (scheme === 'digits' || scheme === 'number') durationMs = [...rest].length * 900;
    else if (scheme === 'characters') durationMs = [...rest].length * 700;
    else if (scheme === 'tone') durationMs = 1000;
    else if (scheme === 'recording') durationMs = this.host.stored.durationMs(rest);
    else {
      // 07: an unknown media scheme starts and then is silently dropped (no PlaybackFinished).
      this.host.defer(() => this.dropPlayback(p));
      return;
    }
    if (durationMs === undefined) {
      // README rule 8: missing sound → 201, PlaybackStarted, then PlaybackFinished failed.
      this.host.defer(() => this.endPlayback(p, 'failed'));
      return;
    }
    p.timer = this.host.timer(owner, durationMs, () => this.mediaDone(p));
  }

  private mediaDone(p: Playback): void {
    p.timer = undefined;
    if (p.index + 1 < p.media.length) {
      p.state = 'continuing';
      this.host.ariEvent(this.playbackApps(p), 'PlaybackContinuing', { playback: this.playbackJson(p) });
      this.host.pub({ type: 'playbackContinuing', playback: this.playbackJson(p) });
      p.index++;
      this.startPlayback(p);
      return;
    }
    this.endPlayback(p, 'done');
  }

  /** Removes the playback; `announce` runs between removal and the Announcer leaving (05: Finished, then BRIDGEPEER). */
  private detachPlayback(p: Playback, announce?: () => void): void {
    if (p.timer !== undefined) this.host.clock.clearTimeout(p.timer);
    p.timer = undefined;
    this.playbacks.delete(p.id);
    const list = p.target.kind === 'channel' ? p.target.ch.playbacks : p.target.bridge.playbacks;
    const i = list.indexOf(p);
    if (i >= 0) list.splice(i, 1);
    announce?.();
    if (p.helper && p.target.kind === 'bridge') {
      const h = p.helper;
      p.helper = undefined;
      if (this.host.bridges.has(p.target.bridge.id)) this.host.removeHelper(p.target.bridge, h);
    }
    const next = list[0];
    if (next && next.state === 'queued') this.host.defer(() => this.startPlayback(next));
  }

  private dropPlayback(p: Playback): void {
    if (!this.playbacks.has(p.id)) return;
    this.detachPlayback(p);
  }

  endPlayback(p: Playback, state: PlaybackSnapshot['state']): void {
    if (!this.playbacks.has(p.id)) return;
    p.state = state;
    const apps = this.playbackApps(p);
    const json = this.playbackJson(p);
    this.detachPlayback(p, () => {
      this.host.ariEvent(apps, 'PlaybackFinished', { playback: json });
      this.host.pub({ type: 'playbackFinished', playback: json });
    });
  }

  getPlaybackJson(id: string): AriJson {
    const p = this.playbacks.get(id);
    if (!p) throw notFound('Playback');
    return this.playbackJson(p) as unknown as AriJson;
  }

  ariStopPlayback(id: string): void {
    const p = this.playbacks.get(id);
    if (!p) throw notFound('Playback');
    this.endPlayback(p, p.state === 'queued' ? 'canceled' : 'done');
  }

  ariControlPlayback(id: string, operation: string | undefined): void {
    const p = this.playbacks.get(id);
    if (!p) throw notFound('Playback');
    if (!operation) throw new AriError(400, 'Missing parameter operation', 'Bad Request');
    if (!['restart', 'pause', 'unpause', 'reverse', 'forward'].includes(operation))
      throw new AriError(400, 'Invalid operation parameter', 'Bad Request');
    if (p.state !== 'playing' && operation !== 'unpause')
      throw new AriError(409, 'Playback not in a state that allows control', 'Conflict');
    const owner = p.target.kind === 'channel' ? p.target.ch : undefined;
    if (operation === 'pause' && p.timer !== undefined) {
      this.host.clock.clearTimeout(p.timer);
      p.timer = undefined;
      const total = this.mediaDurationMs(p.media[p.index] ?? '', p.language) ?? 0;
      p.pausedRemainingMs = Math.max(0, total - (this.host.now() - (p.startedAt ?? this.host.now())));
    } else if (operation === 'unpause' && p.pausedRemainingMs !== undefined) {
      const rem = p.pausedRemainingMs;
      p.pausedRemainingMs = undefined;
      p.startedAt = this.host.now() - ((this.mediaDurationMs(p.media[p.index] ?? '', p.language) ?? rem) - rem);
      p.timer = this.host.timer(owner, rem, () => this.mediaDone(p));
    } else if (operation === 'restart' && p.timer !== undefined) {
      this.host.clock.clearTimeout(p.timer);
      p.startedAt = this.host.now();
      p.timer = this.host.timer(owner, this.mediaDurationMs(p.media[p.index] ?? '', p.language) ?? 0, () =>
        this.mediaDone(p),
      );
    }
  }

  private mediaDurationMs(uri: string, lang: string): number | undefined {
    return uri.startsWith('sound:') ? this.host.sounds.lookup(uri.slice(6), lang)?.durationMs : undefined;
  }

  // ---------------------------------------------------------------- recordings

  ariRecord(
    target: { channelId?: string; bridgeId?: string },
    p: {
      name?: string;
      format?: string;
      maxDurationSeconds?: number;
      maxSilenceSeconds?: number;
      ifExists?: string;
      beep?: boolean;
      terminateOn?: string;
    },
  ): AriJson {
    const { target: t, targetUri } = this.resolveTarget(target);
    if (!p.name || !p.format) throw new AriError(500, 'Error parsing request', 'Internal Server Error');
    if (p.format !== 'wav')
      throw new AriError(422, 'specified format is unknown on this system', 'Unprocessable Entity');
    if (!/^[A-Za-z0-9_\-.]+$/.test(p.name) || p.name.startsWith('.'))
      throw new AriError(400, 'Invalid recording name', 'Bad Request');
    const ifExists = p.ifExists ?? 'fail';
    if (!['fail', 'overwrite', 'append'].includes(ifExists)) throw new AriError(400, 'ifExists invalid', 'Bad Request');
    if (this.liveRecordings.has(p.name)) throw new AriError(409, 'Recording is already in progress', 'Conflict');
    if (ifExists === 'fail' && this.host.stored.exists(p.name)) {
      throw new AriError(409, `Recording '${p.name}' already exists and can not be overwritten`, 'Conflict');
    }
    const rec: LiveRecording = {
      name: p.name,
      format: p.format,
      targetUri,
      target: t,
      state: 'queued',
      segments: [],
      muted: false,
      terminateOn: p.terminateOn && p.terminateOn !== 'none' ? p.terminateOn : '',
    };
    const response = this.recordingJson(rec) as unknown as AriJson;
    if (t.kind === 'channel' && t.ch.bridge) {
      // README rule 10: recording a bridged channel → 201 then RecordingFailed.
      this.host.defer(() => {
        rec.state = 'failed';
        const json = this.recordingJson(rec, { cause: 'Cannot record channel while in bridge' });
        this.host.ariEvent(this.host.appsOf(t.ch), 'RecordingFailed', { recording: json });
        this.host.pub({ type: 'recordingFailed', recording: json });
      });
      return response;
    }
    this.liveRecordings.set(rec.name, rec);
    if (t.kind === 'channel') t.ch.recording = rec;
    else t.bridge.recording = rec;
    if (t.kind === 'bridge') {
      rec.helper = this.host.newHelper('Recorder/ARI', 'recorder');
      this.host.enterBridge(t.bridge, rec.helper);
    }
    rec.state = 'recording';
    // 05: with beep=true the beep plays first; the file holds only what follows it.
    const beepMs = p.beep ? Math.round(this.host.sounds.lookup('beep')?.durationMs ?? 0) : 0;
    rec.segStart = this.host.now() + beepMs;
    this.host.ariEvent(this.recordingApps(rec), 'RecordingStarted', { recording: this.recordingJson(rec) });
    this.host.pub({ type: 'recordingStarted', recording: this.recordingJson(rec) });
    if (p.maxDurationSeconds && p.maxDurationSeconds > 0) {
      rec.maxTimer = this.host.timer(undefined, p.maxDurationSeconds * 1000, () => this.finishRecording(rec, 'done'));
    }
    return response;
  }

  private recordingApps(r: LiveRecording): string[] {
    return r.target.kind === 'channel'
      ? this.host.appsOf(r.target.ch)
      : this.host
          .appsOfBridge(r.target.bridge)
          .concat(r.target.bridge.members.flatMap((m) => (m.kind === 'channel' ? this.host.appsOf(m.ch) : [])));
  }

  private closeSegment(r: LiveRecording): void {
    if (r.segStart === undefined) return;
    r.segments.push({ ms: Math.max(0, this.host.now() - r.segStart), muted: r.muted });
    r.segStart = undefined;
  }

  finishRecording(r: LiveRecording, state: 'done' | 'canceled'): void {
    if (!this.liveRecordings.has(r.name)) return;
    this.closeSegment(r);
    if (r.maxTimer !== undefined) this.host.clock.clearTimeout(r.maxTimer);
    this.liveRecordings.delete(r.name);
    const talkMs = r.segments.reduce((n, s) => n + s.ms, 0);
    r.state = state;
    const apps = this.recordingApps(r);
    if (state === 'canceled') {
      const json = { ...this.recordingJson(r), cause: 'canceled' };
      this.host.ariEvent(apps, 'RecordingFailed', { recording: json });
      this.host.pub({ type: 'recordingFailed', recording: json });
    } else {
      this.host.stored.write(r.name, r.format, encodeWav(synthesizeRecording(r.segments)));
      // README rule 10: duration in whole seconds.
      const json = this.recordingJson(r, { duration: Math.floor(talkMs / 1000) });
      this.host.ariEvent(apps, 'RecordingFinished', { recording: json });
      this.host.pub({ type: 'recordingFinished', recording: json });
    }
    // 05: RecordingFinished first, then the Recorder leaves the bridge (BRIDGEPEER updates).
    if (r.target.kind === 'channel') r.target.ch.recording = undefined;
    else {
      r.target.bridge.recording = undefined;
      if (r.helper && this.host.bridges.has(r.target.bridge.id)) this.host.removeHelper(r.target.bridge, r.helper);
    }
  }

  private requireLive(name: string): LiveRecording {
    const r = this.liveRecordings.get(name);
    if (!r) throw notFound('Recording');
    return r;
  }

  getLiveRecordingJson(name: string): AriJson {
    return this.recordingJson(this.requireLive(name)) as unknown as AriJson;
  }

  ariStopRecording(name: string): void {
    this.finishRecording(this.requireLive(name), 'done');
  }

  ariCancelRecording(name: string): void {
    this.finishRecording(this.requireLive(name), 'canceled');
  }

  ariPauseRecording(name: string, pause: boolean): void {
    const r = this.requireLive(name);
    if (pause && r.state === 'recording') {
      this.closeSegment(r);
      r.state = 'paused';
    } else if (!pause && r.state === 'paused') {
      r.state = 'recording';
      r.segStart = this.host.now();
    }
  }

  ariMuteRecording(name: string, mute: boolean): void {
    const r = this.requireLive(name);
    if (r.muted === mute) return;
    if (r.state === 'recording') {
      this.closeSegment(r);
      r.muted = mute;
      r.segStart = this.host.now();
    } else r.muted = mute;
  }

  /** Everything vanishes without events (restart/reset). */
  wipe(): void {
    for (const r of this.liveRecordings.values())
      if (r.maxTimer !== undefined) this.host.clock.clearTimeout(r.maxTimer);
    this.liveRecordings.clear();
    for (const p of this.playbacks.values()) if (p.timer !== undefined) this.host.clock.clearTimeout(p.timer);
    this.playbacks.clear();
  }
}

function randomUuid(): string {
  return globalThis.crypto.randomUUID();
}
