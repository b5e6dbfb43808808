import { decide, type DecideResult } from '../../../src/domain/calls/decide.ts';
import {
  createCallCenterState,
  type CallCenterConfig,
  type CallCenterState,
} from '../../../src/domain/calls/call-center-state.ts';
import type { Effect } from '../../../src/domain/calls/effects.ts';
import type { Input } from '../../../src/domain/calls/inputs.ts';

export const T0 = Date.UTC(2026, 0, 5, 2, 0, 0); // 10:00 Asia/Shanghai

type Of<T extends Effect['type']> = Extract<Effect, { type: T }>;

/**
 * Drives the pure domain like an adapter would: keeps the state, keeps the timers it asks for and
 * fires them when time is advanced, and remembers every effect.
 */
export class Harness {
  state: CallCenterState;
  now: number;
  readonly timers = new Map<string, number>();
  readonly log: Effect[] = [];
  last: Effect[] = [];
  lastResult?: DecideResult;
  /** The playback currently running on each call (per the play/stop effects). */
  readonly playing = new Map<string, { playbackId: string; media: string[] }>();

  constructor(config: CallCenterConfig, now = T0) {
    this.state = createCallCenterState(config);
    this.now = now;
  }

  send(input: Input): DecideResult {
    const r = decide(this.state, input, this.now);
    this.state = r.state;
    this.last = r.effects;
    this.lastResult = r;
    for (const e of r.effects) {
      this.log.push(e);
      if (e.type === 'set-timer') this.timers.set(e.key, e.at);
      else if (e.type === 'cancel-timer') this.timers.delete(e.key);
      else if (e.type === 'play') this.playing.set(e.callId, { playbackId: e.playbackId, media: e.media });
      else if (e.type === 'stop-playback' && this.playing.get(e.callId)?.playbackId === e.playbackId)
        this.playing.delete(e.callId);
    }
    return r;
  }

  /** Moves time, firing due timers in deadline order, each at its own instant. */
  advance(ms: number): void {
    const target = this.now + ms;
    for (;;) {
      let next: [string, number] | undefined;
      for (const t of this.timers) if (t[1] <= target && (!next || t[1] < next[1])) next = t;
      if (!next) break;
      this.timers.delete(next[0]);
      this.now = next[1];
      this.send({ type: 'timer-fired', key: next[0] });
    }
    this.now = target;
  }

  /** The caller's current playback ends (as Asterisk's PlaybackFinished). */
  finishPlayback(callId: string): DecideResult {
    const p = this.playing.get(callId);
    if (!p) throw new Error(`nothing is playing on ${callId}`);
    this.playing.delete(callId);
    return this.send({ type: 'playback-finished', callId, playbackId: p.playbackId });
  }

  media(callId: string): string[] {
    return this.playing.get(callId)?.media ?? [];
  }

  all<T extends Effect['type']>(type: T, from: Effect[] = this.log): Of<T>[] {
    return from.filter((e): e is Of<T> => e.type === type);
  }

  lastOf<T extends Effect['type']>(type: T): Of<T> | undefined {
    return this.all(type).at(-1);
  }

  call(callId: string) {
    return this.state.calls.get(callId);
  }

  agent(agentId: string) {
    return this.state.agents.get(agentId);
  }

  /** The last stored version of a call's record. */
  record(callId: string) {
    return this.all('call-record')
      .filter((e) => e.record.callId === callId)
      .at(-1)?.record;
  }

  signIn(agentId: string, skills: string[]): void {
    const r = this.send({ type: 'agent-sign-in', agentId, skills });
    if (r.rejected) throw new Error(r.rejected.message);
  }

  arrive(callId: string, extra: Partial<Extract<Input, { type: 'call-arrived' }>> = {}): void {
    const r = this.send({
      type: 'call-arrived',
      callId,
      channelId: `ch-${callId}`,
      callerNumber: '13812341234',
      ...extra,
    });
    if (r.rejected) throw new Error(r.rejected.message);
  }

  /**
   * Takes a call through the default menu to the queue: welcome, desk choice `desk` (or nothing),
   * then "0" at the emergency advice.
   */
  toQueue(callId: string, desk?: '1' | '2' | '3', extra: Partial<Extract<Input, { type: 'call-arrived' }>> = {}): void {
    this.arrive(callId, extra);
    this.finishPlayback(callId); // welcome
    if (desk) this.send({ type: 'dtmf', callId, digit: desk });
    else {
      this.finishPlayback(callId);
      this.advance(5000);
    }
    this.send({ type: 'dtmf', callId, digit: '0' });
    if (this.call(callId)?.phase === 'ivr') throw new Error(`${callId} did not reach the queue`);
  }
}
