import { performance } from 'node:perf_hooks';
import type { CallRecord } from '../domain/calls/call-record.ts';
import type { Effect } from '../domain/calls/effects.ts';
import type { ScreenPop } from '../domain/calls/screen-pop.ts';
import { AriTimeoutError, AriUnreachableError, isAriNotFound } from '../telephony/ari/errors.ts';
import * as ari from './ari-steps.ts';
import type { CallContext } from './call-context.ts';
import { errText } from './call-context.ts';
import type { CallState, DesktopPop } from './call-events.ts';
import type { CallerOrder, HistoryOrder } from './caller-history.ts';
import { POP_HISTORY_LIMIT, sameHistory } from './caller-history-lookups.ts';
import { projectRecord } from './cdr-projection.ts';
import type { LiveCall } from './live-calls.ts';
import { HOLD_VARIABLE } from './hold-marker.ts';
import { buildDesktopPop } from './screen-pop-builder.ts';
import type { TimerScheduler } from './timer-scheduler.ts';

/**
 * Carries out the domain's effects. Desktop pushes, CDR rows, alerts and timers happen at once;
 * ARI requests go into the call's own serial queue, in the order decided. When the domain ends a
 * call (its record gets `endedAt`) the call is finalized here: leftover legs hung up, recordings
 * stopped and archived, bridges destroyed.
 */
export class EffectRunner {
  /** Agents paused as unreachable because ARI itself failed (the reconciler makes them ready again). */
  private readonly outageVictims = new Set<string>();

  constructor(
    private readonly ctx: CallContext,
    private readonly timers: TimerScheduler,
    private readonly onPartyFailed: (partyId: string, cause: string) => void,
  ) {}

  /** A monitor session changed: the supervisor's page is told, the session is audited (issue 10). */
  private monitorState(e: Extract<Effect, { type: 'monitor-state' }>): void {
    const { o } = this.ctx;
    const { type: _t, ...view } = e;
    o.events.emit('monitor', e.supervisorId, view);
    if (!o.audit) return;
    const audited = e.state === 'active' || e.state === 'mode-ended' || (e.state === 'ended' && e.answered !== false);
    if (!audited) return;
    const spanStart = e.state === 'active' ? e.at : (e.modeStartedAt ?? e.startedAt);
    void o.audit
      .append({
        entity: 'call',
        entityId: e.callId,
        action: e.state === 'active' ? 'monitor-start' : e.state === 'mode-ended' ? 'monitor-mode-end' : 'monitor-end',
        actorId: e.supervisorId,
        actorRole: 'supervisor',
        at: e.at,
        reason: e.reason ?? null,
        data: {
          agentId: e.agentId,
          mode: e.mode,
          sessionStartedAt: e.startedAt,
          modeStartedAt: spanStart,
          ...(e.state === 'active' ? {} : { endedAt: e.at }),
        },
      })
      .catch((err) => this.ctx.log.error({ err: errText(err), callId: e.callId }, 'calls: monitor audit failed'));
  }

  run(effects: readonly Effect[]): void {
    const decidedAtHr = performance.now();
    for (const e of effects) this.execute(e, decidedAtHr);
  }

  takeOutageVictims(): string[] {
    const ids = [...this.outageVictims];
    this.outageVictims.clear();
    return ids;
  }

  private execute(e: Effect, decidedAtHr: number): void {
    const { o } = this.ctx;
    switch (e.type) {
      case 'set-timer':
        return this.timers.set(e.key, e.at);
      case 'cancel-timer':
        return this.timers.cancel(e.key);
      case 'screen-pop':
        return this.screenPop(e.agentId, e.pop, decidedAtHr);
      case 'call-update':
        return this.update(e.agentId, e.callId, e.state, e.detail, e.at);
      case 'wrap-up-code':
        return this.ctx.cdr.updateCall(e.callId, { wrapUpCode: e.code });
      case 'agent-state': {
        const st = o.domain.agent(e.agentId);
        if (st) o.events.emit('agentState', e.agentId, st);
        o.signIns?.changed(e.agentId, st);
        o.events.emit('changed');
        return;
      }
      case 'alert':
        return this.alert(e);
      case 'rota-alert':
        // Not about a call, so not in call_alerts: pushed to the wallboard as it happens (art. 23).
        o.events.emit('alert', {
          id: 0,
          level: 'warning',
          kind: e.kind,
          callId: '',
          agentId: e.agentId,
          ...(e.skill !== null ? { skill: e.skill } : {}),
          at: e.at,
          message: e.message,
        });
        return;
      case 'call-record':
        return this.saveRecord(e.record);
      case 'monitor-state':
        return this.monitorState(e);
      case 'add-callback': {
        const rec = this.ctx.live.get(e.callId)?.record;
        const waited = rec?.ivrExitAt !== undefined ? e.at - rec.ivrExitAt : null;
        // The call's row first (the callback references it); the list is told once the row is stored.
        this.ctx.cdr.flush();
        o.calls
          .addCallback({
            callId: e.callId,
            number: e.callerNumber,
            reason: e.reason === 'abandoned' ? 'abandoned_queue' : 'requested',
            createdAt: e.at,
            waitedMs: waited,
          })
          .then(
            (row) => o.events.emit('callback', row),
            (err: unknown) => this.ctx.log.error({ callId: e.callId, err: errText(err) }, 'calls: callback not stored'),
          );
        return;
      }
      case 'read-ticket-status':
        // Answered later (a store round trip, at least the next turn, so the domain sees its own effects applied
        // first); a failed or late read is "not found", which the menu words the same way.
        void this.ctx.lookups
          .read('ticket status', () => o.history.ticketStatus(e.ticketNumber, e.callerNumber))
          .then((status) =>
            this.ctx.feed({
              type: 'ticket-status-result',
              callId: e.callId,
              ticketNumber: e.ticketNumber,
              status: status ?? null,
            }),
          );
        return;
      default:
        return this.ariEffect(e);
    }
  }

  /** ARI effects of one call run in order; a failure is logged and does not block the next one. */
  private ariEffect(e: Effect): void {
    const callId = 'callId' in e && typeof e.callId === 'string' ? e.callId : '';
    // Read now, at decision time: the call may be finalized before the request runs.
    const call = this.ctx.live.get(callId);
    if (!call) {
      if (e.type === 'hangup' || e.type === 'answer') this.queue(callId, e, () => ari.ignoreGone(this.request(e)));
      return;
    }
    this.queue(callId, e, () => this.step(e, call));
  }

  private queue(callId: string, e: Effect, task: () => Promise<void>): void {
    this.ctx.queues.run(callId, e.type, async () => {
      try {
        await task();
      } catch (err) {
        if (isAriNotFound(err)) return; // the channel or playback is already gone: nothing to do
        this.ctx.log.warn({ err: errText(err), effect: e.type, callId }, 'calls: ARI effect failed');
        this.onAriFailure(e, err);
      }
    });
  }

  private request(e: Effect): Promise<void> {
    const rest = this.ctx.o.rest;
    if (e.type === 'answer') return rest.channels.answer(e.channelId);
    if (e.type === 'hangup') return rest.channels.hangup(e.channelId, { reason: 'normal' });
    return Promise.resolve();
  }

  private async step(e: Effect, call: LiveCall): Promise<void> {
    const { ctx } = this;
    const rest = ctx.o.rest;
    const callerGone = () => ctx.live.isGone(call.callerChannelId) || call.finalized;
    switch (e.type) {
      case 'answer':
        return rest.channels.answer(e.channelId);
      case 'play':
        if (callerGone()) return;
        ctx.live.addPlayback(call, e.playbackId);
        return void (await rest.channels.play(e.channelId, {
          media: e.media,
          playbackId: e.playbackId,
          ...(e.lang ? { lang: e.lang } : {}),
        }));
      case 'stop-playback':
        ctx.live.removePlayback(e.playbackId);
        return ari.ignoreGone(rest.playbacks.stop(e.playbackId));
      case 'start-moh':
        if (callerGone()) return;
        await rest.channels.startMoh(e.channelId);
        // Asterisk shows no hold state in a channel: a variable on the caller's channel keeps it on the PBX,
        // so a server restarted after kill -9 knows the caller is on hold (call-reconciler.ts).
        if (e.onHold) await ari.ignoreGone(rest.channels.setVariable(e.channelId, HOLD_VARIABLE, '1'));
        return;
      case 'stop-moh':
        await ari.ignoreGone(rest.channels.stopMoh(e.channelId));
        if (e.onHold) await ari.ignoreGone(rest.channels.setVariable(e.channelId, HOLD_VARIABLE, '0'));
        return;
      case 'originate-agent':
        return ari.originateAgent(ctx, call, e.agentId, e.endpoint, e.timeoutMs);
      case 'cancel-agent-leg':
      case 'hangup-agent': {
        const ch = call.agentLegs.get(e.agentId);
        if (!ch) return;
        const ref = ctx.live.leg(ch);
        if (ref && !ref.answered && e.type === 'cancel-agent-leg') ref.endReason = 'no_answer';
        return ari.ignoreGone(
          rest.channels.hangup(ch, { reason: e.type === 'cancel-agent-leg' ? 'no_answer' : 'normal' }),
        );
      }
      case 'bridge':
        return ari.bridgeAgent(ctx, call, e.agentId, e.agentChannelId);
      case 'start-recording':
        return ari.startRecording(ctx, call, e.bridge ?? 'main');
      case 'hangup':
        if (ctx.live.leg(e.channelId)?.gone) return;
        return ari.ignoreGone(rest.channels.hangup(e.channelId, { reason: 'normal' }));
      case 'transfer':
        return ari.dialParty(
          ctx,
          call,
          { partyId: e.partyId, purpose: 'ivr-transfer', number: e.number },
          this.onPartyFailed,
        );
      case 'dial-party':
        return ari.dialParty(ctx, call, e, this.onPartyFailed);
      case 'hangup-party':
        if (ctx.live.isGone(e.partyId)) return;
        return ari.ignoreGone(rest.channels.hangup(e.partyId, { reason: 'normal' }));
      case 'join-bridge':
        return ari.joinBridge(ctx, call, e.bridge, e.channelIds);
      case 'destroy-bridge':
        return ari.closeBridge(ctx, call, e.bridge);
      case 'dial-citizen':
        return ari.dialCitizen(ctx, call, e, this.onPartyFailed);
      case 'dial-monitor':
        return ari.dialMonitor(ctx, call, e, this.onPartyFailed);
      case 'snoop':
        return ari.snoop(ctx, call, e);
      default:
        return;
    }
  }

  private onAriFailure(e: Effect, err: unknown): void {
    if (e.type !== 'originate-agent') return;
    const call = this.ctx.live.get(e.callId);
    const ch = call?.agentLegs.get(e.agentId);
    const ref = ch ? this.ctx.live.leg(ch) : undefined;
    if (!call || !ch || !ref || ref.gone) return;
    ref.gone = true;
    call.agentLegs.delete(e.agentId);
    this.ctx.cdr.updateLeg(ch, { endedAt: this.ctx.o.clock.now(), outcome: 'failed' });
    this.ctx.feed({ type: 'agent-leg-failed', agentId: e.agentId, callId: e.callId, cause: errText(err) });
    // Asterisk unreachable is our outage, not the agent's: they are made ready again once ARI is back.
    if (err instanceof AriUnreachableError || err instanceof AriTimeoutError) this.outageVictims.add(e.agentId);
  }

  private alert(e: Extract<Effect, { type: 'alert' }>): void {
    const { o, cdr } = this.ctx;
    cdr.flush();
    const stored = o.calls.addAlert({ callId: e.callId, kind: e.kind, at: e.at, cause: e.cause ?? null });
    if (e.kind === 'answer-prewarning') cdr.updateCall(e.callId, { prewarnedAt: e.at });
    if (e.kind === 'answer-breach') cdr.updateCall(e.callId, { breachAt: e.at, breachCause: e.cause ?? null });
    const { type: _type, ...rest } = e;
    // Pushed with its stored id (PostgreSQL: once the write queue has committed it).
    stored.then(
      (row) => o.events.emit('alert', { id: row.id, ...rest }),
      (err: unknown) => this.ctx.log.error({ callId: e.callId, err: errText(err) }, 'calls: alert not stored'),
    );
  }

  private saveRecord(r: CallRecord): void {
    const call = this.ctx.live.get(r.callId);
    if (call) call.record = r;
    this.ctx.cdr.updateCall(r.callId, projectRecord(r));
    this.ctx.o.events.emit('record', r);
    this.ctx.o.events.emit('changed');
    if (r.endedAt !== undefined && call) this.finalize(call);
  }

  /**
   * The pop goes out at once with the history read when the call arrived (none yet: empty). The history is read
   * again beside it (an order may have been made or dispatched since, e.g. before a transfer); when that read
   * differs, the desk gets the same pop with it (`popHistory`), as long as the pop is still theirs.
   */
  private screenPop(agentId: string, pop: ScreenPop, decidedAtHr: number): void {
    const { o } = this.ctx;
    const call = this.ctx.live.get(pop.callId);
    const known = call?.history?.slice(0, POP_HISTORY_LIMIT) ?? [];
    // Read when the callback was taken (callback-dialer.ts): the pop never waits for the store.
    const callbackHistory = pop.callback ? call?.callbackHistory : undefined;
    const desktop = this.desktopPop(pop, known, callbackHistory);
    call?.pops.set(agentId, desktop);
    o.events.emit('screenPop', agentId, desktop, decidedAtHr);
    if (call) this.followWithHistory(call, agentId, desktop, known);
  }

  /**
   * Reads the caller's history for a pop already handed out (`shown`, built with `known`): a different answer
   * replaces the agent's pop and goes to their desk as `popHistory`, unless the pop was taken back or replaced.
   */
  followWithHistory(call: LiveCall, agentId: string, shown: DesktopPop, known: readonly HistoryOrder[]): void {
    const { lookups, o } = this.ctx;
    if (shown.callerNumber === '') return;
    void lookups
      .read('screen-pop history', () => o.history.ordersByPhone(shown.callerNumber, POP_HISTORY_LIMIT))
      .then((fresh) => {
        if (!fresh || call.finalized || call.pops.get(agentId) !== shown) return;
        if (sameHistory(fresh, known)) return;
        const updated = this.desktopPop(shown, fresh, shown.callbackHistory);
        call.pops.set(agentId, updated);
        o.events.emit('popHistory', agentId, updated);
      });
  }

  /** The caller's open order makes the pop a repeat caller's even when the store answered after the offer. */
  private desktopPop(
    pop: ScreenPop,
    history: readonly CallerOrder[],
    callbackHistory: DesktopPop['callbackHistory'],
  ): DesktopPop {
    const desktop = buildDesktopPop({ ...pop, repeatCaller: pop.repeatCaller || history.some((h) => h.open) }, history);
    if (callbackHistory) desktop.callbackHistory = callbackHistory;
    return desktop;
  }

  update(agentId: string, callId: string, state: CallState, detail?: string, at?: number): void {
    const call = this.ctx.live.get(callId);
    if (state === 'withdrawn' || state === 'ended') call?.pops.delete(agentId);
    this.ctx.o.events.emit('callUpdate', agentId, {
      callId,
      state,
      at: at ?? this.ctx.o.clock.now(),
      ...(detail ? { detail } : {}),
    });
  }

  /** The call is over (or closed without the domain): release what is left on the PBX, archive its recordings. */
  finalize(call: LiveCall): void {
    if (call.finalized) return;
    call.finalized = true;
    const { ctx } = this;
    const leftovers = [
      ...new Set([call.callerChannelId, ...call.agentLegs.values(), ...call.parties, ...call.monitorLegs]),
    ].filter((id) => !ctx.live.isGone(id));
    ctx.queues.run(call.callId, 'finalize', async () => {
      for (const ch of leftovers)
        await ari.ignoreGone(ctx.o.rest.channels.hangup(ch, { reason: 'normal' })).catch(() => undefined);
      for (const name of [...call.bridges.keys()]) await ari.closeBridge(ctx, call, name);
    });
    for (const agentId of call.pops.keys()) this.update(agentId, call.callId, 'ended');
    ctx.live.forget(call);
    ctx.o.events.emit('changed');
  }
}
