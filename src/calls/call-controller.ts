import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { AgentState } from '../domain/acd/agent.ts';
import type { CallRecord } from '../domain/calls/call-record.ts';
import type { Effect } from '../domain/calls/effects.ts';
import type { Input } from '../domain/calls/inputs.ts';
import type { Rejection } from '../domain/calls/decide.ts';
import type { RecordingArchive } from '../recordings/archive.ts';
import type { Clock } from '../shared/clock.ts';
import type { CallsRepo } from '../store/calls-repo.ts';
import type { RecordingsRepo } from '../store/recordings-repo.ts';
import { isAriNotFound, AriHttpError, AriTimeoutError, AriUnreachableError } from '../telephony/ari/errors.ts';
import type { AriEvent } from '../telephony/ari/events.ts';
import type { Channel } from '../telephony/ari/models.ts';
import type { AriRestClient } from '../telephony/ari/rest-client.ts';
import type { CallDomainPort } from './call-domain-port.ts';
import type { CallEventHub, CallState, DesktopPop } from './call-events.ts';
import type { CallerHistorySource } from './caller-history.ts';
import { newLiveCall, type LegRef, type LiveCall } from './live-call.ts';
import { buildDesktopPop } from './screen-pop-builder.ts';
import { TimerScheduler } from './timer-scheduler.ts';
import { CdrWriter } from './cdr-writer.ts';

export interface CallControllerOptions {
  /** The REST side of the ARI connection (replaced on reconnect is not needed: it is stateless). */
  rest: AriRestClient;
  app: string;
  clock: Clock;
  logger: Logger;
  domain: CallDomainPort;
  calls: CallsRepo;
  recordings: RecordingsRepo;
  archive: RecordingArchive;
  events: CallEventHub;
  history: CallerHistorySource;
  /** How an agent's phone is dialled, `{ext}` replaced by the extension (PJSIP/{ext}, Local/{ext}@agents). */
  agentDialTemplate: string;
  /** How an outside number is dialled for transfers and three-way calls (`{number}` replaced). */
  externalDialTemplate: string;
  /** The number shown to agents' phones and outside parties. */
  hotlineNumber?: string;
  /** How long an outside party may ring before a transfer is given up. */
  partyRingTimeoutSec?: number;
}

export class CallCommandError extends Error {
  constructor(
    message: string,
    readonly code: 'no_call' | 'conflict' | 'bad_request',
  ) {
    super(message);
  }
}

/** Pause reason of an agent whose call was adopted after a restart of this server. */
export const ADOPTED_CALL = 'ADOPTED-CALL';

const ENDED_OUTCOMES = new Set(['answered', 'abandoned', 'abandoned-in-ivr', 'transferred', 'callback-requested', 'completed-in-ivr']);

/**
 * The call layer: turns ARI events into domain inputs, carries out the domain's effects over ARI,
 * runs its timers on the injected Clock, keeps the CDR, recordings and callback list, and tells
 * desktops and supervisors what happened. Single-threaded by design: every domain input is handled
 * synchronously; ARI requests of one call run one after another so that a bridge exists before it
 * is recorded, and a hangup follows the playback it ends.
 */
export class CallController {
  private readonly live = new Map<string, LiveCall>();
  private readonly byChannel = new Map<string, LegRef>();
  private readonly byPlayback = new Map<string, string>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly timers: TimerScheduler;
  /** @internal The CDR write-behind (flushed by the reconcile handler and on stop). */
  readonly cdr: CdrWriter;
  /** Calls ended recently, by caller channel id: late events for them are ignored. */
  private readonly endedChannels = new Set<string>();
  private readonly log: Logger;
  private stopped = false;
  /** Agents paused as unreachable because ARI itself failed (see onAriFailure). */
  private readonly outageVictims = new Set<string>();
  private agentLegSeq = 0;
  private partySeq = 0;

  constructor(private readonly o: CallControllerOptions) {
    this.log = o.logger.child({ component: 'calls' });
    this.cdr = new CdrWriter(o.calls, (err) => this.log.error({ err: errText(err) }, 'calls: CDR write failed'));
    this.timers = new TimerScheduler(o.clock, (key) => void this.input({ type: 'timer-fired', key }));
  }

  // ---------------------------------------------------------------- inputs

  /** Feeds one input to the domain and carries out what it decides. */
  input(input: Input): Rejection | undefined {
    if (this.stopped) return { code: 'invalid-transition', message: 'the call layer is stopping' };
    let result: { effects: Effect[]; rejected?: Rejection };
    try {
      result = this.o.domain.handle(input, this.o.clock.now());
    } catch (err) {
      this.log.error({ err: errText(err), input: input.type }, 'calls: domain failed on an input');
      return { code: 'invalid-input', message: errText(err) };
    }
    const decidedAtHr = performance.now();
    for (const e of result.effects) this.execute(e, decidedAtHr);
    if (result.rejected) this.log.debug({ input: input.type, reason: result.rejected.message }, 'calls: input refused');
    return result.rejected;
  }

  /** Every ARI event of the application goes here. */
  onEvent(ev: AriEvent): void {
    if (this.stopped) return;
    try {
      this.route(ev);
    } catch (err) {
      this.log.error({ err: errText(err), type: ev.type }, 'calls: event handling failed');
    }
  }

  private route(ev: AriEvent): void {
    switch (ev.type) {
      case 'StasisStart':
        return this.onStasisStart(ev.channel as Channel, (ev.args as string[] | undefined) ?? []);
      case 'ChannelDtmfReceived': {
        const ref = this.byChannel.get((ev.channel as Channel).id);
        if (ref?.role === 'caller' && !ref.gone) this.input({ type: 'dtmf', callId: ref.callId, digit: String(ev.digit) });
        return;
      }
      case 'PlaybackFinished': {
        const id = (ev.playback as { id: string }).id;
        const callId = this.byPlayback.get(id);
        if (!callId) return;
        this.byPlayback.delete(id);
        this.live.get(callId)?.playbacks.delete(id);
        this.input({ type: 'playback-finished', callId, playbackId: id });
        return;
      }
      case 'ChannelHangupRequest':
      case 'StasisEnd':
      case 'ChannelDestroyed': {
        const ch = ev.channel as Channel;
        this.onChannelGone(ch.id, ev.type === 'ChannelDestroyed' ? String(ev.cause_txt ?? ev.cause ?? '') : ev.type);
        return;
      }
      case 'RecordingFinished':
      case 'RecordingFailed': {
        const rec = ev.recording as { name: string; cause?: string };
        if (ev.type === 'RecordingFailed') this.log.error({ recording: rec.name, cause: rec.cause }, 'calls: recording failed');
        return;
      }
      default:
        return;
    }
  }

  private onStasisStart(ch: Channel, args: string[]): void {
    const known = this.byChannel.get(ch.id);
    if (args[0] === 'agent') {
      if (!known || known.role !== 'agent' || known.gone) {
        // A leg for a call that is gone or was never ours: nobody must be left talking to silence.
        this.hangupChannel(ch.id, 'normal');
        return;
      }
      known.answered = true;
      const call = this.live.get(known.callId);
      this.cdr.updateLeg(ch.id, { answeredAt: this.o.clock.now(), outcome: 'answered' });
      if (!call || call.finalized || call.callerGone) {
        this.hangupChannel(ch.id, 'normal');
        return;
      }
      this.input({ type: 'agent-answered', agentId: known.agentId!, callId: known.callId, agentChannelId: ch.id });
      return;
    }
    if (args[0] === 'party') {
      if (!known || known.role !== 'party' || known.gone) {
        this.hangupChannel(ch.id, 'normal');
        return;
      }
      known.answered = true;
      this.cdr.updateLeg(ch.id, { answeredAt: this.o.clock.now(), outcome: 'answered' });
      this.partyAnswered(known.callId, ch.id, known);
      return;
    }
    if (known || this.endedChannels.has(ch.id)) return;
    this.newInboundCall(ch, args);
  }

  private newInboundCall(ch: Channel, args: string[]): void {
    const now = this.o.clock.now();
    const callId = `c${now.toString(36)}-${randomUUID().slice(0, 8)}`;
    const callerNumber = ch.caller?.number ?? '';
    const dialed = args[1] ?? ch.dialplan?.exten ?? null;
    const call = newLiveCall({ callId, callerChannelId: ch.id, callerNumber, dialedNumber: dialed });
    this.live.set(callId, call);
    this.byChannel.set(ch.id, { callId, role: 'caller', answered: false, gone: false });
    this.cdr.insertCall({
      id: callId,
      callerChannelId: ch.id,
      callerNumber,
      dialedNumber: dialed,
      status: 'active',
      phase: 'ivr',
      arrivedAt: now,
    });
    this.cdr.insertLeg({ channelId: ch.id, callId, kind: 'caller', number: callerNumber, createdAt: now });
    let repeat = false;
    try {
      repeat = callerNumber !== '' && this.o.history.ordersByPhone(callerNumber, 20).some((o) => o.open);
    } catch (err) {
      this.log.warn({ err: errText(err) }, 'calls: caller history lookup failed; no repeat-caller priority');
    }
    this.input({ type: 'call-arrived', callId, channelId: ch.id, callerNumber, repeatCallerWithOpenOrder: repeat });
    this.o.events.emit('changed');
  }

  private onChannelGone(channelId: string, cause: string): void {
    const ref = this.byChannel.get(channelId);
    if (!ref || ref.gone) return;
    ref.gone = true;
    const now = this.o.clock.now();
    const call = this.live.get(ref.callId);
    this.cdr.updateLeg(channelId, { endedAt: now, outcome: ref.answered || ref.role === 'caller' ? 'hungup' : (ref.endReason ?? legFailure(cause)) });
    if (!call) return;
    if (ref.role === 'caller') {
      call.callerGone = true;
      if (call.adopted || call.domainEnded) return this.tailLegGone(call);
      this.input({ type: 'caller-hangup', callId: call.callId });
      this.tailLegGone(call);
      return;
    }
    if (ref.role === 'agent') {
      const agentId = ref.agentId!;
      if (call.agentLegs.get(agentId) === channelId) call.agentLegs.delete(agentId);
      if (call.adopted) {
        if (call.agentChannelId === channelId) call.agentChannelId = undefined;
        return this.tailLegGone(call);
      }
      if (ref.answered) {
        if (call.agentChannelId === channelId) call.agentChannelId = undefined;
        // With a third party still on the line (blind transfer or three-way), the caller stays connected.
        if (call.parties.size > 0 && !call.callerGone) call.transferredOut = true;
        this.input({ type: 'agent-hangup', agentId, callId: call.callId });
        if (call.transferredOut) this.tailLegGone(call);
      } else if (!call.domainEnded) {
        this.input({ type: 'agent-leg-failed', agentId, callId: call.callId, cause: cause || 'hangup' });
      }
      return;
    }
    // A third party.
    call.parties.delete(channelId);
    if (!ref.answered) {
      const agentId = call.agentId;
      if (agentId && ref.purpose !== 'ivr-transfer') this.update(agentId, call.callId, 'transfer-failed', legFailure(cause));
      if (ref.purpose === 'ivr-transfer') this.tailLegGone(call);
      return;
    }
    this.tailLegGone(call);
  }

  /**
   * After the domain ended its part (or for an adopted call), the adapter keeps the call until the
   * bridge has fewer than two people; then everything left is hung up and the call is finalized.
   */
  private tailLegGone(call: LiveCall): void {
    if (call.finalized) return;
    const people = this.connectedPeople(call);
    const domainDone = call.adopted || call.domainEnded;
    if (!domainDone && !(call.transferredOut && call.callerGone)) return;
    if (people.length >= 2 && !call.callerGone) return;
    if (people.length >= 2 && call.callerGone) {
      // The caller left a three-way call: the agent and the outside party are not kept talking.
    }
    const outcome = call.adopted ? (call.answeredAt !== undefined ? 'answered' : 'closed-on-restart') : call.record?.outcome;
    this.finalize(call, outcome === 'in-progress' ? undefined : outcome);
  }

  private connectedPeople(call: LiveCall): string[] {
    const ids: string[] = [];
    if (!call.callerGone) ids.push(call.callerChannelId);
    if (call.agentChannelId && !this.byChannel.get(call.agentChannelId)?.gone) ids.push(call.agentChannelId);
    for (const p of call.parties) if (this.byChannel.get(p)?.answered && !this.byChannel.get(p)?.gone) ids.push(p);
    return ids;
  }

  // ---------------------------------------------------------------- effects

  private execute(e: Effect, decidedAtHr: number): void {
    switch (e.type) {
      case 'set-timer':
        this.timers.set(e.key, e.at);
        return;
      case 'cancel-timer':
        this.timers.cancel(e.key);
        return;
      case 'screen-pop':
        return this.screenPop(e.agentId, e.pop, decidedAtHr);
      case 'call-update':
        return this.update(e.agentId, e.callId, e.state, undefined, e.at);
      case 'agent-state': {
        const st = this.o.domain.agent(e.agentId);
        if (st) this.o.events.emit('agentState', e.agentId, st);
        this.o.events.emit('changed');
        return;
      }
      case 'alert': {
        this.cdr.flush();
        const row = this.o.calls.addAlert({ callId: e.callId, kind: e.kind, at: e.at, cause: e.cause ?? null });
        if (e.kind === 'answer-prewarning') this.cdr.updateCall(e.callId, { prewarnedAt: e.at });
        if (e.kind === 'answer-breach') this.cdr.updateCall(e.callId, { breachAt: e.at, breachCause: e.cause ?? null });
        this.o.events.emit('alert', {
          id: row.id,
          level: e.level,
          kind: e.kind,
          callId: e.callId,
          agentId: e.agentId,
          skill: e.skill,
          waitedMs: e.waitedMs,
          cause: e.cause,
          at: e.at,
          message: e.message,
        });
        return;
      }
      case 'call-record':
        return this.saveRecord(e.record);
      case 'add-callback': {
        const call = this.live.get(e.callId);
        const rec = call?.record;
        const waited = rec?.ivrExitAt !== undefined ? e.at - rec.ivrExitAt : null;
        this.cdr.flush();
        const row = this.o.calls.addCallback({
          callId: e.callId,
          number: e.callerNumber,
          reason: e.reason === 'abandoned' ? 'abandoned_queue' : 'requested',
          createdAt: e.at,
          waitedMs: waited,
        });
        this.o.events.emit('callback', row);
        return;
      }
      case 'read-ticket-status': {
        let status: string | null = null;
        try {
          status = this.o.history.ticketStatus(e.ticketNumber, e.callerNumber);
        } catch (err) {
          this.log.warn({ err: errText(err) }, 'calls: ticket status lookup failed');
        }
        // Answered on the next turn so the domain sees its own effects applied first.
        queueMicrotask(() => this.input({ type: 'ticket-status-result', callId: e.callId, ticketNumber: e.ticketNumber, status }));
        return;
      }
      case 'transfer': {
        // Set now, not when the request runs: the call's end record follows in the same decision.
        const call = this.live.get(e.callId);
        if (call) call.transferredOut = true;
        return this.ari(e);
      }
      default:
        return this.ari(e);
    }
  }

  /** ARI effects of one call run in order; a failure is logged and does not block the next one. */
  private ari(e: Effect): void {
    const callId: string = 'callId' in e && typeof e.callId === 'string' ? e.callId : '';
    // State is read now, at decision time: the call may be finalized before the request runs.
    const call = this.live.get(callId);
    let task: () => Promise<void> = () => this.ariEffect(e, call);
    if (e.type === 'cancel-agent-leg' || e.type === 'hangup-agent') {
      const ch = call?.agentLegs.get(e.agentId) ?? (call?.agentId === e.agentId ? call.agentChannelId : undefined);
      if (!ch) return;
      const reason = e.type === 'cancel-agent-leg' ? 'no_answer' : 'normal';
      const ref = this.byChannel.get(ch);
      if (ref && !ref.answered && e.type === 'cancel-agent-leg') ref.endReason = 'no_answer';
      task = () => ignore404(this.o.rest.channels.hangup(ch, { reason }));
    }
    const prev = this.chains.get(callId) ?? Promise.resolve();
    const next = prev
      .then(task)
      .catch((err) => {
        if (isAriNotFound(err)) return; // the channel or playback is already gone: nothing to do
        this.log.warn({ err: errText(err), effect: e.type, callId }, 'calls: ARI effect failed');
        this.onAriFailure(e, err);
      });
    this.chains.set(callId, next);
    void next.finally(() => {
      if (this.chains.get(callId) === next) this.chains.delete(callId);
    });
  }

  private async ariEffect(e: Effect, call: LiveCall | undefined): Promise<void> {
    const rest = this.o.rest;
    switch (e.type) {
      case 'answer':
        return rest.channels.answer(e.channelId);
      case 'play': {
        if (!call || call.callerGone || call.finalized) return;
        this.byPlayback.set(e.playbackId, e.callId);
        call.playbacks.add(e.playbackId);
        await rest.channels.play(e.channelId, { media: e.media, playbackId: e.playbackId, ...(e.lang ? { lang: e.lang } : {}) });
        return;
      }
      case 'stop-playback': {
        this.byPlayback.delete(e.playbackId);
        call?.playbacks.delete(e.playbackId);
        return ignore404(rest.playbacks.stop(e.playbackId));
      }
      case 'start-moh': {
        if (!call || call.callerGone || call.finalized) return;
        call.moh = true;
        return rest.channels.startMoh(e.channelId);
      }
      case 'stop-moh': {
        if (call) call.moh = false;
        return ignore404(rest.channels.stopMoh(e.channelId));
      }
      case 'originate-agent':
        return this.originateAgent(call, e.agentId, e.endpoint, e.timeoutMs);
      case 'bridge':
        return this.bridgeAgent(call, e.channelId, e.agentId, e.agentChannelId);
      case 'start-recording':
        return this.startRecording(call);
      case 'hangup':
        // A blind transfer or three-way call keeps the caller talking after the agent left.
        if (call && call.transferredOut && !call.callerGone) return;
        return ignore404(rest.channels.hangup(e.channelId, { reason: 'normal' }));
      case 'transfer':
        return this.callParty(call, e.number, 'ivr-transfer');
      default:
        return;
    }
  }

  private onAriFailure(e: Effect, err: unknown): void {
    if (e.type === 'originate-agent') {
      const call = this.live.get(e.callId);
      const ch = call?.agentLegs.get(e.agentId);
      if (ch) {
        const ref = this.byChannel.get(ch);
        if (ref && !ref.gone) {
          ref.gone = true;
          call!.agentLegs.delete(e.agentId);
          this.cdr.updateLeg(ch, { endedAt: this.o.clock.now(), outcome: 'failed' });
          this.input({ type: 'agent-leg-failed', agentId: e.agentId, callId: e.callId, cause: errText(err) });
          // Asterisk unreachable is our outage, not the agent's: they are made ready again once ARI is back.
          if (err instanceof AriUnreachableError || err instanceof AriTimeoutError) this.outageVictims.add(e.agentId);
        }
      }
    }
  }

  private endpointFor(agentId: string, endpoint: string | undefined): string {
    const raw = endpoint ?? this.o.domain.agent(agentId)?.endpoint ?? agentId;
    // An endpoint with a technology is used as given; a bare extension goes through the template.
    return raw.includes('/') ? raw : this.o.agentDialTemplate.replace('{ext}', raw);
  }

  private async originateAgent(call: LiveCall | undefined, agentId: string, endpoint: string | undefined, timeoutMs: number): Promise<void> {
    if (!call || call.callerGone || call.finalized) return;
    const callId = call.callId;
    const channelId = `${callId}-a${++this.agentLegSeq}`;
    const dial = this.endpointFor(agentId, endpoint);
    // Indexed before the request: Asterisk may send StasisStart before the originate reply.
    this.byChannel.set(channelId, { callId, role: 'agent', agentId, answered: false, gone: false });
    call.agentLegs.set(agentId, channelId);
    this.cdr.insertLeg({ channelId, callId, kind: 'agent', agentId, endpoint: dial, createdAt: this.o.clock.now() });
    await this.o.rest.channels.originate({
      endpoint: dial,
      app: this.o.app,
      appArgs: `agent,${callId},${agentId}`,
      callerId: `"${this.o.hotlineNumber ?? '12345'}" <${call.callerNumber}>`,
      // The domain's ring-no-answer timer decides; Asterisk's own timeout is only a backstop.
      timeout: Math.ceil(timeoutMs / 1000) + 10,
      channelId,
      otherChannelId: `${channelId};2`,
    });
  }

  private ensureBridge(call: LiveCall): Promise<string> {
    if (call.bridgeId) return Promise.resolve(call.bridgeId);
    if (!call.bridgeCreating) {
      const bridgeId = `br-${call.callId}`;
      call.bridgeCreating = this.o.rest.bridges.create({ type: 'mixing', bridgeId, name: call.callId }).then(
        (b) => {
          call.bridgeId = b.id;
          this.cdr.updateCall(call.callId, { bridgeId: b.id });
          return b.id;
        },
        (err) => {
          call.bridgeCreating = undefined;
          throw err;
        },
      );
    }
    return call.bridgeCreating;
  }

  private async bridgeAgent(call: LiveCall | undefined, callerChannelId: string, agentId: string, agentChannelId: string): Promise<void> {
    if (!call || call.finalized) return;
    const callId = call.callId;
    call.agentId = agentId;
    call.agentChannelId = agentChannelId;
    call.answeredAt = this.o.clock.now();
    for (const [other, ch] of call.agentLegs) {
      if (other !== agentId) void ignore404(this.o.rest.channels.hangup(ch, { reason: 'answered_elsewhere' }));
    }
    if (call.moh) {
      call.moh = false;
      await ignore404(this.o.rest.channels.stopMoh(callerChannelId));
    }
    const bridgeId = await this.ensureBridge(call);
    await this.o.rest.bridges.addChannel(bridgeId, { channel: [callerChannelId, agentChannelId] });
    this.cdr.updateCall(callId, { phase: 'talking' });
  }

  private async startRecording(call: LiveCall | undefined): Promise<void> {
    if (!call || call.recordingName || call.finalized) return;
    const callId = call.callId;
    const bridgeId = await this.ensureBridge(call);
    const name = `call-${callId}`;
    call.recordingName = name;
    // The intent is committed before Asterisk is asked, so a crash never forgets a recording it holds.
    const startedAt = this.o.clock.now();
    this.cdr.updateCall(callId, { recordingName: name });
    // Committed now, not batched: every millisecond of talk before the record request is unrecorded.
    this.cdr.now(() => this.o.recordings.insertRecording({ name, callId, startedAt }));
    await this.o.rest.bridges.record(bridgeId, { name, format: 'wav', ifExists: 'overwrite', beep: false, terminateOn: 'none' });
  }

  /** Rings an outside number for a transfer or a three-way call (art. 14: 110/119/120/122 linkage). */
  private async callParty(call: LiveCall | undefined, number: string, purpose: 'transfer' | 'conference' | 'ivr-transfer'): Promise<void> {
    if (!call || call.callerGone || call.finalized) return;
    const callId = call.callId;
    const channelId = `${callId}-p${++this.partySeq}`;
    const endpoint = this.o.externalDialTemplate.replace('{number}', number);
    this.byChannel.set(channelId, { callId, role: 'party', purpose, number, answered: false, gone: false });
    call.parties.add(channelId);
    this.cdr.insertLeg({ channelId, callId, kind: purpose === 'conference' ? 'third_party' : 'transfer', number, endpoint, createdAt: this.o.clock.now() });
    if (purpose === 'ivr-transfer') {
      call.transferredOut = true;
      if (call.moh) {
        call.moh = false;
        await ignore404(this.o.rest.channels.stopMoh(call.callerChannelId));
      }
      await ignore404(this.o.rest.channels.ring(call.callerChannelId));
    }
    try {
      await this.o.rest.channels.originate({
        endpoint,
        app: this.o.app,
        appArgs: `party,${callId}`,
        callerId: `"${this.o.hotlineNumber ?? '12345'}" <${this.o.hotlineNumber ?? '12345'}>`,
        timeout: this.o.partyRingTimeoutSec ?? 30,
        channelId,
        otherChannelId: `${channelId};2`,
      });
    } catch (err) {
      this.onChannelGone(channelId, errText(err));
      throw err;
    }
  }

  private partyAnswered(callId: string, channelId: string, ref: LegRef): void {
    const call = this.live.get(callId);
    if (!call || call.finalized || call.callerGone) {
      this.hangupChannel(channelId, 'normal');
      return;
    }
    this.serial(callId, async () => {
      const bridgeId = await this.ensureBridge(call);
      const add = ref.purpose === 'ivr-transfer' ? [call.callerChannelId, channelId] : [channelId];
      await this.o.rest.bridges.addChannel(bridgeId, { channel: add });
      if (ref.purpose === 'ivr-transfer') {
        this.cdr.updateCall(callId, { phase: 'talking' });
        return;
      }
      const agentId = call.agentId;
      if (ref.purpose === 'transfer') {
        call.transferredOut = true;
        if (agentId) this.update(agentId, callId, 'transferred', ref.number);
        if (call.agentChannelId) await ignore404(this.o.rest.channels.hangup(call.agentChannelId, { reason: 'normal' }));
      } else if (agentId) {
        this.update(agentId, callId, 'conference', ref.number);
      }
      if (call.held) {
        call.held = false;
        await ignore404(this.o.rest.channels.stopMoh(call.callerChannelId));
      }
    });
  }

  private serial(callId: string, fn: () => Promise<void>): void {
    const prev = this.chains.get(callId) ?? Promise.resolve();
    const next = prev.then(fn).catch((err) => {
      if (!isAriNotFound(err)) this.log.warn({ err: errText(err), callId }, 'calls: ARI step failed');
    });
    this.chains.set(callId, next);
    void next.finally(() => {
      if (this.chains.get(callId) === next) this.chains.delete(callId);
    });
  }

  private hangupChannel(channelId: string, reason: 'normal' | 'no_answer' | 'answered_elsewhere'): void {
    void ignore404(this.o.rest.channels.hangup(channelId, { reason })).catch((err) =>
      this.log.warn({ err: errText(err), channelId }, 'calls: hangup failed'),
    );
  }

  // ---------------------------------------------------------------- CDR and desktop

  private saveRecord(r: CallRecord): void {
    const call = this.live.get(r.callId);
    if (call) call.record = r;
    const ended = r.endedAt !== undefined && ENDED_OUTCOMES.has(r.outcome);
    const phase = ended ? 'ended' : r.answeredAt !== undefined ? 'talking' : r.ivrExitAt !== undefined ? 'queued' : 'ivr';
    const keepOpen = ended && call !== undefined && call.transferredOut && !call.callerGone;
    this.cdr.updateCall(r.callId, {
      phase: keepOpen ? 'talking' : phase,
      ivrExitAt: r.ivrExitAt ?? null,
      queuedAt: r.queuedAt ?? null,
      skill: r.skill ?? null,
      priority: r.priority,
      firstOfferedAt: r.firstOfferedAt ?? null,
      answeredAt: r.answeredAt ?? null,
      answerMs: r.answerMs ?? null,
      agentId: r.agentId ?? null,
      prewarnedAt: r.prewarnedAt ?? null,
      breachAt: r.breach?.at ?? null,
      breachCause: r.breach?.cause ?? null,
      ivrPath: JSON.stringify(r.ivrChoices.length ? r.ivrChoices : r.ivrPath),
      ronaCount: r.failedOffers.filter((f) => f.cause === 'rona').length,
      offers: r.offers,
      ivrInvalidInputs: r.ivrInvalidInputs,
      ivrTimeouts: r.ivrTimeouts,
      repeatCaller: r.repeatCaller,
      escalatedAt: r.escalatedAt ?? null,
      transferNumber: r.transferNumber ?? null,
      outcome: r.outcome === 'in-progress' ? null : call?.transferredOut && r.outcome === 'answered' ? 'transferred' : r.outcome,
      ...(keepOpen ? {} : ended ? { endedAt: r.endedAt, status: 'ended' as const } : {}),
    });
    this.o.events.emit('record', r);
    this.o.events.emit('changed');
    if (ended && call) {
      call.domainEnded = true;
      if (!keepOpen) this.finalize(call, r.outcome);
    }
  }

  private screenPop(agentId: string, pop: import('../domain/calls/screen-pop.ts').ScreenPop, decidedAtHr: number): void {
    const call = this.live.get(pop.callId);
    let history: ReturnType<CallerHistorySource['ordersByPhone']> = [];
    try {
      history = this.o.history.ordersByPhone(pop.callerNumber, 10);
    } catch (err) {
      this.log.warn({ err: errText(err) }, 'calls: history lookup failed; screen-pop without history');
    }
    const desktop = buildDesktopPop(pop, history);
    call?.pops.set(agentId, desktop);
    this.o.events.emit('screenPop', agentId, desktop, decidedAtHr);
  }

  private update(agentId: string, callId: string, state: CallState, detail?: string, at?: number): void {
    const call = this.live.get(callId);
    if (state === 'withdrawn' || state === 'ended') call?.pops.delete(agentId);
    this.o.events.emit('callUpdate', agentId, { callId, state, at: at ?? this.o.clock.now(), ...(detail ? { detail } : {}) });
  }

  // ---------------------------------------------------------------- end of call

  private finalize(call: LiveCall, outcome: string | undefined): void {
    if (call.finalized) return;
    call.finalized = true;
    const now = this.o.clock.now();
    const leftovers = [call.callerChannelId, ...call.agentLegs.values(), call.agentChannelId, ...call.parties].filter(
      (ch): ch is string => ch !== undefined && this.byChannel.get(ch)?.gone === false,
    );
    const r = call.record;
    const recorded = r && r.outcome !== 'in-progress' && !call.transferredOut ? r.outcome : undefined;
    const finalOutcome = recorded ?? outcome ?? (call.transferredOut ? 'transferred' : 'failed');
    this.cdr.updateCall(call.callId, {
      status: 'ended',
      phase: 'ended',
      endedAt: (call.transferredOut ? undefined : r?.endedAt) ?? now,
      outcome: call.transferredOut && (finalOutcome === 'answered' || finalOutcome === 'transferred') ? 'transferred' : finalOutcome,
    });
    const answeredAt = r?.answeredAt ?? call.answeredAt;
    const talkMs = answeredAt !== undefined && answeredAt !== null ? now - answeredAt : null;
    this.serial(call.callId, async () => {
      for (const ch of new Set(leftovers)) {
        await ignore404(this.o.rest.channels.hangup(ch, { reason: 'normal' })).catch(() => undefined);
      }
      if (call.recordingName) {
        await ignore404(this.o.rest.recordings.stop(call.recordingName)).catch((err) =>
          this.log.warn({ err: errText(err) }, 'calls: stopping the recording failed; archive will retry'),
        );
        const stoppedAt = this.o.clock.now();
        const name = call.recordingName;
        await this.cdr.later(() => this.o.recordings.markPending(name, { stoppedAt, talkMs }));
      }
      if (call.bridgeId || call.bridgeCreating) {
        const id = call.bridgeId ?? (await call.bridgeCreating!.catch(() => undefined));
        if (id) await ignore404(this.o.rest.bridges.destroy(id)).catch(() => undefined);
      }
      if (call.recordingName) void this.o.archive.archiveWithRetry(call.recordingName);
    });
    for (const agentId of call.pops.keys()) this.update(agentId, call.callId, 'ended');
    if (call.adopted && call.agentId) {
      this.update(call.agentId, call.callId, 'ended');
      const agent = this.o.domain.agent(call.agentId);
      if (agent?.status === 'paused' && agent.pauseReason === ADOPTED_CALL) this.input({ type: 'agent-ready', agentId: call.agentId });
    }
    this.forget(call);
    this.o.events.emit('changed');
  }

  private forget(call: LiveCall): void {
    this.live.delete(call.callId);
    this.endedChannels.add(call.callerChannelId);
    if (this.endedChannels.size > 10_000) this.endedChannels.delete(this.endedChannels.values().next().value!);
    // Keep leg refs (marked gone) briefly so late events do not look like new calls; drop them on the clock.
    const ids = [...this.byChannel].filter(([, r]) => r.callId === call.callId).map(([id]) => id);
    for (const id of ids) this.byChannel.get(id)!.gone = true;
    this.o.clock.setTimeout(() => {
      for (const id of ids) if (this.byChannel.get(id)?.callId === call.callId) this.byChannel.delete(id);
    }, 60_000);
    for (const p of call.playbacks) this.byPlayback.delete(p);
  }

  // ---------------------------------------------------------------- agent commands

  /** Signs an agent in at a phone; the extension goes through AGENT_DIAL_TEMPLATE. */
  signIn(agentId: string, opts: { extension: string; skills: string[]; leader?: boolean }): Rejection | undefined {
    if (!/^[0-9A-Za-z_-]{1,32}$/.test(opts.extension)) return { code: 'invalid-input', message: 'extension must be 1 to 32 letters, digits, _ or -' };
    const endpoint = this.o.agentDialTemplate.replace('{ext}', opts.extension);
    const rejected = this.input({ type: 'agent-sign-in', agentId, skills: opts.skills, leader: opts.leader === true, endpoint });
    if (rejected) return rejected;
    // An agent still talking on a call adopted after a restart is not offered another one until it ends.
    for (const call of this.live.values()) {
      if (call.adopted && call.agentId === agentId && !call.finalized) {
        this.input({ type: 'agent-pause', agentId, reason: ADOPTED_CALL });
        break;
      }
    }
    return undefined;
  }

  signOut(agentId: string): Rejection | undefined {
    return this.input({ type: 'agent-sign-out', agentId });
  }

  ready(agentId: string): Rejection | undefined {
    for (const call of this.live.values()) {
      if (call.adopted && call.agentId === agentId && !call.finalized) {
        return { code: 'invalid-transition', message: `agent ${agentId} is still talking on call ${call.callId}` };
      }
    }
    return this.input({ type: 'agent-ready', agentId });
  }

  pause(agentId: string, reason: string): Rejection | undefined {
    if (typeof reason !== 'string' || !/^[A-Za-z0-9_-]{1,32}$/.test(reason.trim())) {
      return { code: 'invalid-input', message: 'reason must be a code of 1 to 32 letters, digits, _ or -' };
    }
    return this.input({ type: 'agent-pause', agentId, reason: reason.trim() });
  }

  private callOfAgent(agentId: string): LiveCall {
    for (const call of this.live.values()) if (call.agentId === agentId && call.agentChannelId && !call.finalized) return call;
    throw new CallCommandError(`agent ${agentId} has no call in progress`, 'no_call');
  }

  hold(agentId: string): void {
    const call = this.callOfAgent(agentId);
    if (call.held) throw new CallCommandError('the caller is already on hold', 'conflict');
    call.held = true;
    this.serial(call.callId, () => this.o.rest.channels.startMoh(call.callerChannelId));
    this.update(agentId, call.callId, 'held');
  }

  unhold(agentId: string): void {
    const call = this.callOfAgent(agentId);
    if (!call.held) throw new CallCommandError('the caller is not on hold', 'conflict');
    call.held = false;
    this.serial(call.callId, () => ignore404(this.o.rest.channels.stopMoh(call.callerChannelId)));
    this.update(agentId, call.callId, 'resumed');
  }

  /** Blind transfer: the number is rung; once it answers the agent leaves and the caller stays with it. */
  transfer(agentId: string, number: string): void {
    validateNumber(number);
    const call = this.callOfAgent(agentId);
    if ([...call.parties].some((p) => !this.byChannel.get(p)?.answered)) throw new CallCommandError('a transfer is already ringing', 'conflict');
    this.update(agentId, call.callId, 'transferring', number);
    this.serial(call.callId, () => this.callParty(call, number, 'transfer'));
  }

  /** Three-way call: the number is added to the bridge beside the agent and the caller. */
  conference(agentId: string, number: string): void {
    validateNumber(number);
    const call = this.callOfAgent(agentId);
    this.update(agentId, call.callId, 'transferring', number);
    this.serial(call.callId, () => this.callParty(call, number, 'conference'));
  }

  /** The agent ends the call from the desktop. */
  hangup(agentId: string): void {
    const call = this.callOfAgent(agentId);
    this.hangupChannel(call.agentChannelId!, 'normal');
  }

  linkWorkOrder(callId: string, workOrderId: string): void {
    this.cdr.flush();
    if (!this.o.calls.getCall(callId)) throw new CallCommandError(`call ${callId} does not exist`, 'no_call');
    this.o.calls.linkWorkOrder(callId, workOrderId, this.o.clock.now());
  }

  /** The call an agent's desktop should show now: ringing or connected, with its pop. */
  currentCallOf(agentId: string): { pop: DesktopPop; state: CallState } | null {
    for (const call of this.live.values()) {
      const pop = call.pops.get(agentId);
      if (!pop) continue;
      if (call.finalized) continue;
      if (call.agentId === agentId) return { pop, state: call.held ? 'held' : 'answered' };
      if (call.agentLegs.has(agentId)) return { pop, state: 'ringing' };
    }
    return null;
  }

  // ---------------------------------------------------------------- live view

  liveCalls(): ReadonlyMap<string, LiveCall> {
    return this.live;
  }

  agents(): readonly AgentState[] {
    return this.o.domain.agents();
  }

  pendingTimers(): number {
    return this.timers.size;
  }

  /** Waits until every queued ARI request has settled (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.chains.size > 0) await Promise.allSettled([...this.chains.values()]);
    this.cdr.flush();
  }

  stop(): void {
    this.cdr.flush();
    this.stopped = true;
    this.timers.clear();
  }

  // ---------------------------------------------------------------- used by the reconcile handler

  /** @internal */ registerAdopted(call: LiveCall, legs: Array<[string, LegRef]>): void {
    this.live.set(call.callId, call);
    for (const [id, ref] of legs) this.byChannel.set(id, ref);
  }
  /** @internal Used by the reconcile handler only. */
  get internals() {
    return {
      live: this.live,
      byChannel: this.byChannel,
      byPlayback: this.byPlayback,
      endedChannels: this.endedChannels,
      finalize: (c: LiveCall, o?: string) => this.finalize(c, o),
      channelGone: (id: string, cause: string) => this.onChannelGone(id, cause),
      stasisStart: (ch: Channel, args: string[]) => this.onStasisStart(ch, args),
      serial: (id: string, fn: () => Promise<void>) => this.serial(id, fn),
      /** Leg ids of a call restored after a restart are not handed out again (their CDR rows exist). */
      reserveLegIds: (ids: string[]) => {
        for (const id of ids) {
          const m = /-([ap])(\d+)$/.exec(id);
          if (m?.[1] === 'a') this.agentLegSeq = Math.max(this.agentLegSeq, Number(m[2]));
          else if (m?.[1] === 'p') this.partySeq = Math.max(this.partySeq, Number(m[2]));
        }
      },
      takeOutageVictims: () => {
        const ids = [...this.outageVictims];
        this.outageVictims.clear();
        return ids;
      },
    };
  }
}

function legFailure(cause: string): string {
  const c = cause.toLowerCase();
  if (c.includes('busy')) return 'busy';
  if (c.includes('no answer') || c.includes('no_answer') || c.includes('noanswer')) return 'no_answer';
  if (c.includes('hangup') || c.includes('normal') || c.includes('stasisend')) return 'cancelled';
  return 'failed';
}

function validateNumber(number: string): void {
  if (!/^[0-9]{3,20}$/.test(number)) throw new CallCommandError('number must be 3 to 20 digits', 'bad_request');
}

async function ignore404(p: Promise<void>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (isAriNotFound(err)) return;
    // 409/422: the channel left Stasis or the bridge already; the effect has nothing left to act on.
    if (err instanceof AriHttpError && (err.status === 409 || err.status === 422)) return;
    throw err;
  }
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
