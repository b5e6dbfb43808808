import { randomUUID } from 'node:crypto';
import type { AriEvent } from '../telephony/ari/events.ts';
import type { Channel } from '../telephony/ari/models.ts';
import { hangupNow } from './ari-steps.ts';
import type { CallContext } from './call-context.ts';
import { ARRIVAL_HISTORY_LIMIT } from './caller-history-lookups.ts';
import { newLiveCall } from './live-calls.ts';

/**
 * ARI events → domain inputs, and nothing else: a new caller becomes `call-arrived`, keys `dtmf`,
 * a leg entering Stasis `agent-answered`/`party-answered`, a leg leaving `caller-hangup`,
 * `agent-hangup`, `agent-leg-failed`, `party-failed` or `party-gone`. What follows is the domain's
 * decision. Legs are known by the ids the adapter gave them before asking Asterisk for them.
 */
export class StasisTranslator {
  constructor(
    private readonly ctx: CallContext,
    /** Closes a call the domain no longer knows (so nothing is left on the PBX). */
    private readonly finalizeOrphan: (callId: string) => void,
  ) {}

  onEvent(ev: AriEvent): void {
    switch (ev.type) {
      case 'StasisStart':
        return this.stasisStart(ev.channel as Channel, (ev.args as string[] | undefined) ?? []);
      case 'ChannelDtmfReceived': {
        const ref = this.ctx.live.leg((ev.channel as Channel).id);
        if (ref?.role === 'caller' && !ref.gone)
          this.ctx.feed({ type: 'dtmf', callId: ref.callId, digit: String(ev.digit) });
        return;
      }
      case 'PlaybackFinished': {
        const id = (ev.playback as { id: string }).id;
        const callId = this.ctx.live.playbackOwner(id);
        if (!callId) return;
        this.ctx.live.removePlayback(id);
        this.ctx.feed({ type: 'playback-finished', callId, playbackId: id });
        return;
      }
      case 'ChannelHangupRequest':
      case 'StasisEnd':
      case 'ChannelDestroyed': {
        const ch = ev.channel as Channel;
        // A hangup request's Q.850 cause tells busy (17) and no answer (18, 19) apart (README rule 4).
        const why =
          ev.type === 'ChannelDestroyed'
            ? String(ev.cause_txt ?? ev.cause ?? '')
            : ev.type === 'ChannelHangupRequest' && typeof ev.cause === 'number' && ev.soft !== true
              ? `${ev.type} q850:${ev.cause}`
              : ev.type;
        this.channelGone(ch.id, why);
        return;
      }
      case 'RecordingFailed': {
        const rec = ev.recording as { name: string; cause?: string };
        this.ctx.log.error({ recording: rec.name, cause: rec.cause }, 'calls: recording failed');
        return;
      }
      default:
        return;
    }
  }

  stasisStart(ch: Channel, args: string[]): void {
    const { live, cdr, o } = this.ctx;
    const known = live.leg(ch.id);
    if (args[0] === 'monitor') {
      if (known?.role !== 'monitor' || known.gone || !live.get(known.callId)) {
        hangupNow(this.ctx, ch.id);
        return;
      }
      known.answered = true;
      cdr.updateLeg(ch.id, { answeredAt: o.clock.now(), outcome: 'answered' });
      this.ctx.feed({ type: 'monitor-answered', callId: known.callId, legId: ch.id });
      return;
    }
    if (args[0] === 'callback') {
      // The citizen answered a callback call (its leg is the call's caller leg).
      if (known?.role !== 'caller' || known.gone || !live.get(known.callId)?.callbackId) {
        hangupNow(this.ctx, ch.id);
        return;
      }
      known.answered = true;
      cdr.updateLeg(ch.id, { answeredAt: o.clock.now(), outcome: 'answered' });
      this.ctx.feed({ type: 'callback-answered', callId: known.callId });
      return;
    }
    if (args[0] === 'snoop') {
      // A snoop channel we asked for; one we do not know (a late one, a stranger's) is not left running.
      if (known?.role !== 'snoop' || known.gone) hangupNow(this.ctx, ch.id);
      return;
    }
    if (args[0] === 'agent' || args[0] === 'party') {
      const role = args[0];
      if (!known || known.role !== role || known.gone || !live.get(known.callId)) {
        // A leg for a call that is gone or was never ours: nobody must be left talking to silence.
        hangupNow(this.ctx, ch.id);
        return;
      }
      known.answered = true;
      cdr.updateLeg(ch.id, { answeredAt: o.clock.now(), outcome: 'answered' });
      const rejected =
        role === 'agent'
          ? this.ctx.feed({
              type: 'agent-answered',
              agentId: known.agentId!,
              callId: known.callId,
              agentChannelId: ch.id,
            })
          : this.ctx.feed({ type: 'party-answered', callId: known.callId, partyId: ch.id });
      // The domain asks for an agent leg it no longer wants to be hung up; a party leg it does not know is hung up here.
      if (rejected && role === 'party' && rejected.code === 'unknown-call') hangupNow(this.ctx, ch.id);
      return;
    }
    if (known || live.wasEnded(ch.id)) return;
    this.newInboundCall(ch, args);
  }

  private newInboundCall(ch: Channel, args: string[]): void {
    const { live, cdr, o } = this.ctx;
    const now = o.clock.now();
    const callId = `c${now.toString(36)}-${randomUUID().slice(0, 8)}`;
    const callerNumber = ch.caller?.number ?? '';
    const dialed = args[1] ?? ch.dialplan?.exten ?? null;
    live.add(newLiveCall({ callId, callerChannelId: ch.id, callerNumber, dialedNumber: dialed }), [
      [ch.id, { callId, role: 'caller', answered: false, gone: false }],
    ]);
    cdr.insertCall({
      id: callId,
      callerChannelId: ch.id,
      callerNumber,
      dialedNumber: dialed,
      status: 'active',
      phase: 'ivr',
      arrivedAt: now,
    });
    cdr.insertLeg({ channelId: ch.id, callId, kind: 'caller', number: callerNumber, createdAt: now });
    this.ctx.feed({ type: 'call-arrived', callId, channelId: ch.id, callerNumber });
    o.events.emit('changed');
    if (callerNumber !== '') this.readHistory(callId, callerNumber);
  }

  /**
   * The caller's history is read while the menu plays (the domain does not wait for the store): an open order
   * gives the call the repeat-caller priority as a later input (`caller-flags`), which also raises a call that
   * already waits in the queue; the rows are kept for the screen-pop. No answer in time: no priority (logged).
   */
  private readHistory(callId: string, callerNumber: string): void {
    const { o, lookups, live } = this.ctx;
    void lookups
      .read('caller history', () => o.history.ordersByPhone(callerNumber, ARRIVAL_HISTORY_LIMIT))
      .then((orders) => {
        const call = live.get(callId);
        if (!orders || !call || call.finalized) return;
        call.history = orders;
        if (orders.some((x) => x.open))
          this.ctx.feed({ type: 'caller-flags', callId, repeatCallerWithOpenOrder: true });
      });
  }

  /** A leg left (hangup request, Stasis end, destroyed, or vanished across a reconnection). */
  channelGone(channelId: string, cause: string): void {
    const { live, cdr, o } = this.ctx;
    const ref = live.leg(channelId);
    if (!ref || ref.gone) return;
    ref.gone = true;
    cdr.updateLeg(channelId, {
      endedAt: o.clock.now(),
      outcome:
        ref.answered || (ref.role === 'caller' && live.get(ref.callId)?.callbackId === undefined)
          ? 'hungup'
          : (ref.endReason ?? legFailure(cause)),
    });
    const call = live.get(ref.callId);
    if (!call || call.finalized) return;
    if (ref.role === 'caller' && call.callbackId !== undefined && !ref.answered) {
      this.ctx.feed({ type: 'callback-failed', callId: call.callId, cause: ref.endReason ?? legFailure(cause) });
      return;
    }
    if (ref.role === 'caller') {
      const rejected = this.ctx.feed({ type: 'caller-hangup', callId: call.callId });
      if (rejected?.code === 'unknown-call') this.finalizeOrphan(call.callId);
      return;
    }
    if (ref.role === 'snoop') {
      call.monitorLegs.delete(channelId);
      return;
    }
    if (ref.role === 'monitor') {
      call.monitorLegs.delete(channelId);
      this.ctx.feed({ type: 'monitor-gone', callId: call.callId, legId: channelId });
      return;
    }
    if (ref.role === 'agent') {
      const agentId = ref.agentId!;
      if (call.agentLegs.get(agentId) === channelId) call.agentLegs.delete(agentId);
      if (ref.answered) this.ctx.feed({ type: 'agent-hangup', agentId, callId: call.callId });
      else this.ctx.feed({ type: 'agent-leg-failed', agentId, callId: call.callId, cause: cause || 'hangup' });
      return;
    }
    call.parties.delete(channelId);
    if (ref.agentId && call.agentLegs.get(ref.agentId) === channelId) call.agentLegs.delete(ref.agentId);
    if (ref.answered) this.ctx.feed({ type: 'party-gone', callId: call.callId, partyId: channelId });
    else
      this.ctx.feed({
        type: 'party-failed',
        callId: call.callId,
        partyId: channelId,
        cause: ref.endReason ?? legFailure(cause),
      });
  }
}

export function legFailure(cause: string): string {
  const c = cause.toLowerCase();
  if (c.includes('busy') || c.endsWith('q850:17')) return 'busy';
  if (c.endsWith('q850:18') || c.endsWith('q850:19')) return 'no_answer';
  if (c.includes('no answer') || c.includes('no_answer') || c.includes('noanswer')) return 'no_answer';
  if (c.includes('hangup') || c.includes('normal') || c.includes('stasisend')) return 'cancelled';
  return 'failed';
}
