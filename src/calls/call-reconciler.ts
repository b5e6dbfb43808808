import type { Logger } from 'pino';
import { RONA, UNREACHABLE } from '../domain/acd/agent.ts';
import type { RecordingArchive } from '../recordings/archive.ts';
import type { Clock } from '../shared/clock.ts';
import type { CallRecords } from '../store/call-records.ts';
import type { RecordingsStore } from '../store/recordings-store.ts';
import type { CallLegRow, CallRow } from '../store/schema/calls.ts';
import { AriHttpError, isAriNotFound } from '../telephony/ari/errors.ts';
import type { Channel } from '../telephony/ari/models.ts';
import type { ReconcileHandler, ReconcileSnapshot } from '../telephony/ari/reconcile.ts';
import { isInStasisApp } from '../telephony/ari/reconcile.ts';
import type { AriRestClient } from '../telephony/ari/rest-client.ts';
import type { CallController } from './call-controller.ts';
import type { CallEventHub } from './call-events.ts';
import { rebuildAdoptedCall } from './adopted-call.ts';
import { readHoldMarker } from './hold-marker.ts';
import { type LiveCalls, newLiveCall } from './live-calls.ts';
import { adoptedPop, recordFromRow } from './restore-record.ts';
import type { StasisTranslator } from './stasis.ts';

export interface CallReconcilerOptions {
  controller: CallController;
  /** The live-call registry, shared with the controller. */
  live: LiveCalls;
  /** ARI events → domain inputs, for legs that changed while we were not listening. */
  stasis: StasisTranslator;
  app: string;
  clock: Clock;
  logger: Logger;
  calls: CallRecords;
  recordings: RecordingsStore;
  archive: RecordingArchive;
  events: CallEventHub;
  /** Run once, before the first reconcile of this process (the stored sign-ins are signed in again). */
  beforeRestore?: () => Promise<void>;
}

/**
 * Runs on every ARI (re)connection, before new events are delivered.
 *
 * First connection of this process (it may have been killed mid-call): every call the store still
 * holds as active is matched against what the PBX has. A call with the caller and the agent (or a
 * transfer party) still talking in our bridge is adopted, recording included; a caller still waiting
 * (queued, ringing an agent, or in the menu) is restored into the domain's queue from its stored
 * record (`call-restored`), in the order they left the menu, keeping the answer clock of art. 25 (a
 * ringing agent leg is hung up and the call offered again as usual); any other call is closed (caller
 * released, put on the callback list if it never reached an agent), and a call whose caller is gone
 * is closed. Recordings of every closed call are archived, and so is anything left pending from before.
 *
 * Later connections (the WebSocket dropped, this process kept its state): legs that vanished are
 * treated as hung up (a PBX restart sends no StasisEnd); agents and parties that answered while we
 * were disconnected are connected now; playbacks that finished meanwhile are reported finished;
 * callers that entered Stasis meanwhile become new calls. No waiting call loses its place because
 * the queue lives in the domain state, which a reconnection does not touch.
 */
export class CallReconciler implements ReconcileHandler {
  private restored = false;
  private readonly log: Logger;

  constructor(private readonly o: CallReconcilerOptions) {
    this.log = o.logger.child({ component: 'calls-reconcile' });
  }

  async reconcile(snapshot: ReconcileSnapshot, rest: AriRestClient): Promise<void> {
    const present = new Map(snapshot.channels.map((c) => [c.id, c]));
    const bridges = new Map(snapshot.bridges.map((b) => [b.id, b]));
    if (!this.restored) {
      this.restored = true;
      // Agents first: an adopted call finds its agent signed in, and takes it on-call.
      await this.o.beforeRestore?.();
      await this.restoreFromStore(present, bridges, rest);
    } else {
      await this.reconcileLive(present, rest);
    }
    this.adoptStrangers(snapshot.channels, rest);
    this.o.events.emit('changed');
  }

  /** What restoring one stored call needs from the store and the PBX, read before any decision. */
  private async readAhead(
    row: CallRow,
    present: Map<string, Channel>,
    bridges: Map<string, { id: string; channels: string[] }>,
    rest: AriRestClient,
  ): Promise<{ allLegs: CallLegRow[]; held?: boolean; stored?: Set<string> }> {
    const allLegs = await this.o.calls.legs(row.id);
    const caller = present.get(row.callerChannelId);
    const mayAdopt =
      caller !== undefined &&
      isInStasisApp(caller, this.o.app) &&
      (row.answeredAt !== null || row.transferNumber !== null) &&
      !!row.bridgeId &&
      bridges.has(row.bridgeId);
    if (!mayAdopt) return { allLegs };
    const [held, recordings] = await Promise.all([
      readHoldMarker(rest, row.callerChannelId).catch((err: unknown) => {
        this.log.warn(
          { callId: row.id, err: err instanceof Error ? err.message : String(err) },
          'calls: could not read whether the caller was on hold; adopting it as talking',
        );
        return false;
      }),
      this.o.recordings.byCall(row.id),
    ]);
    return { allLegs, held, stored: new Set(recordings.map((r) => r.name)) };
  }

  private async restoreFromStore(
    present: Map<string, Channel>,
    bridges: Map<string, { id: string; channels: string[] }>,
    rest: AriRestClient,
  ): Promise<void> {
    const { calls } = this.o;
    const stillRecording = new Set<string>();
    const waiting: Array<{ row: CallRow; legs: CallLegRow[]; allLegs: CallLegRow[]; caller: Channel }> = [];
    // On PostgreSQL these are the rows a dead owner left (a takeover); read once, before any decision.
    const rows = await calls.activeCalls();
    // Read ahead for every call at once (a takeover's time is these round trips, one call after another: 100 calls
    // took 1.4 s at load 10): the store's legs and, for a call that may be adopted as talking, the hold marker on
    // its caller's channel and its stored recordings. The decisions below stay one call at a time, in order.
    const ahead = await Promise.all(rows.map((row) => this.readAhead(row, present, bridges, rest)));
    for (const [i, row] of rows.entries()) {
      const { allLegs, held, stored } = ahead[i]!;
      // A supervisor's monitor session does not outlive this process: its legs are strangers now (hung up
      // below) and its bridge goes here.
      const monitorBridge = bridges.get(`br-${row.id}-monitor`);
      if (monitorBridge) {
        bridges.delete(monitorBridge.id);
        await ignoreGone(rest.bridges.destroy(monitorBridge.id)).catch(() => undefined);
      }
      const legs = allLegs.filter((l) => l.endedAt === null);
      const caller = present.get(row.callerChannelId);
      const callerAlive = caller !== undefined && isInStasisApp(caller, this.o.app);
      const aliveLegs = legs.filter((l) => l.kind !== 'caller' && present.has(l.channelId));
      // The main bridge, and the consultation bridges (br-<party leg id>) of an attended transfer.
      const ours = [...bridges.values()].filter((b) => b.id === row.bridgeId || b.id.startsWith(`br-${row.id}-p`));
      const talkingLeg = aliveLegs.find(
        (l) => l.answeredAt !== null && ours.some((b) => b.channels.includes(l.channelId)),
      );
      const talked = row.answeredAt !== null || row.transferNumber !== null;
      if (callerAlive && talked && talkingLeg && row.bridgeId && bridges.has(row.bridgeId)) {
        // (read ahead: the adoption hands the call to the domain synchronously, never waiting on the store)
        for (const name of this.adopt(row, allLegs, aliveLegs, present, ours, held ?? false, stored ?? new Set()))
          stillRecording.add(name);
        continue;
      }
      if (callerAlive && isWaiting(row)) {
        waiting.push({ row, legs, allLegs, caller: caller! });
        continue;
      }
      await this.close(row, legs, callerAlive, present, bridges, rest);
    }
    // Restored in the order they left the menu, so each keeps its place (the queue orders by that time too).
    waiting.sort(
      (a, b) =>
        (a.row.queuedAt ?? Number.MAX_SAFE_INTEGER) - (b.row.queuedAt ?? Number.MAX_SAFE_INTEGER) ||
        a.row.arrivedAt - b.row.arrivedAt,
    );
    for (const w of waiting) {
      if (!(await this.restoreWaiting(w.row, w.legs, w.allLegs, present, rest)))
        await this.close(w.row, w.legs, true, present, bridges, rest);
    }
    // Archive everything pending, including recordings of calls closed just now; adopted calls keep recording.
    const results = await this.o.archive.recover({ includeRecording: (r) => !stillRecording.has(r.name) });
    if (results.length)
      this.log.info(
        { archived: results.filter((r) => r.status === 'archived').length, total: results.length },
        'calls: recordings recovered',
      );
  }

  /** Adds the callback in order with the call's row; the list's viewers are told once it is stored. */
  private addCallback(row: Parameters<CallRecords['addCallback']>[0]): void {
    this.o.calls.addCallback(row).then(
      (cb) => this.o.events.emit('callback', cb),
      (err: unknown) =>
        this.log.error(
          { callId: row.callId, err: err instanceof Error ? err.message : String(err) },
          'calls: callback not stored',
        ),
    );
  }

  /** Not continuable: release whoever is still there and close the record. */
  private async close(
    row: CallRow,
    legs: CallLegRow[],
    callerAlive: boolean,
    present: Map<string, Channel>,
    bridges: Map<string, { id: string; channels: string[] }>,
    rest: AriRestClient,
  ): Promise<void> {
    const { live, calls } = this.o;
    const now = this.o.clock.now();
    for (const l of legs) live.markEnded(l.channelId);
    live.markEnded(row.callerChannelId);
    for (const l of legs) {
      if (present.has(l.channelId)) await hangupQuietly(rest, l.channelId);
      calls.updateLeg(l.channelId, {
        endedAt: now,
        outcome: present.has(l.channelId) ? 'hungup' : (l.outcome ?? 'vanished'),
      });
    }
    if (row.bridgeId && bridges.has(row.bridgeId)) await ignoreGone(rest.bridges.destroy(row.bridgeId));
    const outcome =
      row.answeredAt !== null
        ? 'answered'
        : callerAlive
          ? 'closed-on-restart'
          : row.queuedAt !== null
            ? 'abandoned'
            : 'abandoned-in-ivr';
    calls.updateCall(row.id, { status: 'ended', phase: 'ended', endedAt: now, outcome });
    if (row.answeredAt === null && row.queuedAt !== null) {
      this.addCallback({
        callId: row.id,
        number: row.callerNumber,
        reason: callerAlive ? 'server_restart' : 'abandoned_queue',
        createdAt: now,
        waitedMs: now - row.queuedAt,
      });
    } else if (row.answeredAt === null && callerAlive) {
      this.addCallback({
        callId: row.id,
        number: row.callerNumber,
        reason: 'server_restart',
        createdAt: now,
        waitedMs: null,
      });
    }
    if (row.recordingName) {
      await ignoreGone(rest.recordings.stop(row.recordingName));
      const talkMs = row.answeredAt !== null ? now - row.answeredAt : null;
      await this.o.recordings.markPending(row.recordingName, { stoppedAt: now, talkMs });
    }
    this.log.warn({ callId: row.id, outcome, callerAlive }, 'calls: closed a call left over from before the restart');
  }

  /**
   * A caller still waiting (in the menu, queued, or ringing an agent) goes back into the domain's
   * queue with `call-restored`: a queued call keeps its place and its answer clock (the stored IVR
   * exit), one caught in the menu is queued now (the domain cannot resume a menu position). An agent
   * leg that was ringing, or answered but never bridged, is hung up: that agent has not signed in to
   * this process yet, and the call is offered again as usual. False when the domain refused it.
   */
  private async restoreWaiting(
    row: CallRow,
    legs: CallLegRow[],
    allLegs: CallLegRow[],
    present: Map<string, Channel>,
    rest: AriRestClient,
  ): Promise<boolean> {
    const { controller, live, calls } = this.o;
    const now = this.o.clock.now();
    live.reserveLegIds(allLegs.map((l) => l.channelId));
    for (const l of legs) {
      if (l.kind === 'caller') continue;
      live.markEnded(l.channelId);
      if (present.has(l.channelId)) await hangupQuietly(rest, l.channelId);
      // Not a ring-no-answer: the offer died with this server, so it does not count against the agent.
      calls.updateLeg(l.channelId, {
        endedAt: now,
        outcome: present.has(l.channelId) ? 'cancelled' : (l.outcome ?? 'vanished'),
      });
    }
    const record = recordFromRow(row, allLegs);
    const call = newLiveCall({
      callId: row.id,
      callerChannelId: row.callerChannelId,
      callerNumber: row.callerNumber,
      dialedNumber: row.dialedNumber,
    });
    call.record = record;
    live.add(call, [[row.callerChannelId, { callId: row.id, role: 'caller', answered: true, gone: false }]]);
    const rejected = controller.input({
      type: 'call-restored',
      callId: row.id,
      channelId: row.callerChannelId,
      record,
    });
    if (rejected) {
      live.drop(call);
      this.log.error(
        { callId: row.id, reason: rejected.message },
        'calls: a waiting call could not be restored; closing it',
      );
      return false;
    }
    this.log.info(
      { callId: row.id, queuedAt: row.queuedAt, fromMenu: row.queuedAt === null },
      'calls: restored a waiting call into the queue after the restart',
    );
    return true;
  }

  /**
   * A call still talking (with its agent, a third party, in a three-way call or mid-consultation) is
   * given back to the domain with `call-restored`, its parties and hold state rebuilt from the legs
   * and bridges the PBX still has, so the rest of its life is decided like any other call. Returns
   * the recordings that go on.
   */
  private adopt(
    row: CallRow,
    allLegs: CallLegRow[],
    aliveLegs: CallLegRow[],
    present: Map<string, Channel>,
    ours: Array<{ id: string; channels: string[] }>,
    held: boolean,
    stored: Set<string>,
  ): string[] {
    const { live, controller } = this.o;
    live.reserveLegIds(allLegs.map((l) => l.channelId));
    const { call, refs, parties, agentChannelId, consultPartyId, recordings, record } = rebuildAdoptedCall({
      row,
      aliveLegs,
      allLegs,
      present,
      ours,
      storedRecordings: stored,
    });
    live.add(call, refs);
    const rejected = controller.input({
      type: 'call-restored',
      callId: row.id,
      channelId: row.callerChannelId,
      record,
      ...(agentChannelId ? { agentChannelId } : {}),
      // A consultation holds the caller; a plain hold is read back from the caller's channel (hold-marker.ts).
      talk: { held: held || consultPartyId !== undefined, parties, ...(consultPartyId ? { consultPartyId } : {}) },
    });
    if (rejected) {
      this.log.error(
        { callId: row.id, reason: rejected.message },
        'calls: a talking call could not be adopted; closing it',
      );
      controller.finalize(row.id);
      return [];
    }
    if (row.agentId && agentChannelId) {
      call.pops.set(row.agentId, adoptedPop(row));
      // The history lived in the dead process's pop: read again, it follows the pop to the reconnecting desk.
      controller.readPopHistory(row.id, row.agentId);
    }
    this.o.calls.updateCall(row.id, { phase: 'talking' });
    this.log.info(
      { callId: row.id, agentId: row.agentId, parties: parties.length, consulting: consultPartyId !== undefined },
      'calls: adopted a call still talking after the restart',
    );
    return recordings;
  }

  private async reconcileLive(present: Map<string, Channel>, rest: AriRestClient): Promise<void> {
    const { live, stasis } = this.o;
    for (const [id, ref] of live.allLegs()) {
      if (ref.gone || !live.get(ref.callId)) continue;
      const ch = present.get(id);
      if (!ch) {
        stasis.channelGone(id, 'vanished');
        // A ringing agent leg that died while we were disconnected (it could not enter Stasis without us)
        // is our failure, not the agent's: the domain paused them as unreachable, so undo that. The same
        // when the ring-no-answer timer ran out during the outage (our hangup never reached Asterisk, so
        // the leg was still ours): the phone may well have answered into a Stasis app that was not there.
        if (ref.role === 'agent' && !ref.answered && ref.agentId) {
          const agent = this.o.controller.agents().find((a) => a.agentId === ref.agentId);
          const ourFault =
            agent?.pauseReason === UNREACHABLE || (agent?.pauseReason === RONA && ref.endReason === 'no_answer');
          if (agent?.status === 'paused' && ourFault) this.o.controller.ready(ref.agentId);
        }
        continue;
      }
      // Answered while we were not listening: the StasisStart was lost with the socket.
      if (
        (ref.role === 'agent' || ref.role === 'party') &&
        !ref.answered &&
        ch.state === 'Up' &&
        isInStasisApp(ch, this.o.app)
      ) {
        stasis.stasisStart(ch, ref.role === 'agent' ? ['agent', ref.callId, ref.agentId ?? ''] : ['party', ref.callId]);
      }
    }
    for (const agentId of this.o.controller.takeOutageVictims()) {
      const agent = this.o.controller.agents().find((a) => a.agentId === agentId);
      if (agent?.status === 'paused' && agent.pauseReason === UNREACHABLE) this.o.controller.ready(agentId);
    }
    for (const [playbackId, callId] of live.playbacks()) {
      if (!live.get(callId)) continue;
      try {
        const pb = await rest.playbacks.get(playbackId);
        if (pb.state === 'done' || pb.state === 'failed' || pb.state === 'cancelled')
          this.finishPlayback(playbackId, callId);
      } catch (err) {
        if (isAriNotFound(err)) this.finishPlayback(playbackId, callId);
        else throw err;
      }
    }
  }

  private finishPlayback(playbackId: string, callId: string): void {
    this.o.controller.onEvent({
      type: 'PlaybackFinished',
      timestamp: '',
      application: this.o.app,
      playback: { id: playbackId, media_uri: '', target_uri: '', state: 'done' },
    } as never);
    void callId;
  }

  /** Channels in our application that no call owns: inbound callers become calls, stray legs are hung up. */
  private adoptStrangers(channels: Channel[], rest: AriRestClient): void {
    const { live, stasis } = this.o;
    for (const ch of channels) {
      if (live.leg(ch.id) || !isInStasisApp(ch, this.o.app)) continue;
      const args = (ch.dialplan.app_data ?? '').split(',').slice(1);
      if (args[0] === 'agent' || args[0] === 'party' || live.wasEnded(ch.id)) {
        void hangupQuietly(rest, ch.id);
        continue;
      }
      stasis.stasisStart(ch, args);
    }
  }
}

async function hangupQuietly(rest: AriRestClient, id: string): Promise<void> {
  await ignoreGone(rest.channels.hangup(id, { reason: 'normal' }));
}

async function ignoreGone(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (isAriNotFound(err) || (err instanceof AriHttpError && (err.status === 409 || err.status === 422))) return;
    throw err;
  }
}

/** Still waiting for an agent: never answered, not sent elsewhere from the menu, not ended by the domain. */
function isWaiting(row: CallRow): boolean {
  return row.answeredAt === null && row.outcome === null && row.transferNumber === null && row.endedAt === null;
}
