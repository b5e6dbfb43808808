import { writeInBatch } from '../store/recordings-store.ts';
import { AriHttpError, isAriNotFound } from '../telephony/ari/errors.ts';
import type { CallContext } from './call-context.ts';
import { errText } from './call-context.ts';
import { talkMsOf } from './cdr-projection.ts';
import type { LegRef, LiveCall } from './live-calls.ts';

/**
 * The ARI requests behind the domain's effects, for one call. Each runs inside the call's serial
 * queue (call-queues.ts), so the bridge a step needs was created by an earlier step.
 */

/** 404 (already gone), 409/422 (left Stasis or the bridge): the step has nothing left to act on. */
export async function ignoreGone(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (isAriNotFound(err)) return;
    if (err instanceof AriHttpError && (err.status === 409 || err.status === 422)) return;
    throw err;
  }
}

export function hangupNow(
  ctx: CallContext,
  channelId: string,
  reason: 'normal' | 'no_answer' | 'answered_elsewhere' = 'normal',
): void {
  void ignoreGone(ctx.o.rest.channels.hangup(channelId, { reason })).catch((err) =>
    ctx.log.warn({ err: errText(err), channelId }, 'calls: hangup failed'),
  );
}

/** The ARI bridge id of a bridge of the call (`main` or `consult:<partyId>`), created on first use. */
export function ensureBridge(ctx: CallContext, call: LiveCall, name: string): Promise<string> {
  const known = call.bridges.get(name);
  if (known) return known.ready;
  const bridgeId =
    name === 'main'
      ? `br-${call.callId}`
      : name.startsWith('consult:')
        ? `br-${name.slice('consult:'.length)}`
        : `br-${call.callId}-${name}`;
  const entry = { id: bridgeId, ready: Promise.resolve(bridgeId) };
  entry.ready = ctx.o.rest.bridges.create({ type: 'mixing', bridgeId, name: `${call.callId} ${name}` }).then(
    (b) => {
      if (name === 'main') ctx.cdr.updateCall(call.callId, { bridgeId: b.id });
      return b.id;
    },
    (err) => {
      call.bridges.delete(name);
      throw err;
    },
  );
  call.bridges.set(name, entry);
  return entry.ready;
}

function endpointFor(ctx: CallContext, agentId: string, endpoint: string | undefined): string {
  const raw = endpoint ?? ctx.o.domain.agent(agentId)?.endpoint ?? agentId;
  // An endpoint with a technology is used as given; a bare extension goes through the template.
  return raw.includes('/') ? raw : ctx.o.agentDialTemplate.replace('{ext}', raw);
}

export async function originateAgent(
  ctx: CallContext,
  call: LiveCall,
  agentId: string,
  endpoint: string | undefined,
  timeoutMs: number,
): Promise<void> {
  if (call.finalized || ctx.live.isGone(call.callerChannelId)) return;
  const callId = call.callId;
  const channelId = ctx.live.newAgentLegId(callId);
  const dial = endpointFor(ctx, agentId, endpoint);
  // Indexed before the request: Asterisk may send StasisStart before the originate reply.
  ctx.live.setLeg(channelId, { callId, role: 'agent', agentId, answered: false, gone: false });
  call.agentLegs.set(agentId, channelId);
  ctx.cdr.insertLeg({ channelId, callId, kind: 'agent', agentId, endpoint: dial, createdAt: ctx.o.clock.now() });
  await ctx.o.rest.channels.originate({
    endpoint: dial,
    app: ctx.o.app,
    appArgs: `agent,${callId},${agentId}`,
    callerId: `"${ctx.o.hotlineNumber ?? '12345'}" <${call.callerNumber}>`,
    // The domain's ring-no-answer timer decides; Asterisk's own timeout is only a backstop.
    timeout: Math.ceil(timeoutMs / 1000) + 10,
    channelId,
    otherChannelId: `${channelId};2`,
  });
}

/** Caller and answering agent into the call's main bridge; other agents still ringing for it are released. */
export async function bridgeAgent(
  ctx: CallContext,
  call: LiveCall,
  agentId: string,
  agentChannelId: string,
): Promise<void> {
  if (call.finalized) return;
  for (const [other, ch] of call.agentLegs) {
    if (other !== agentId && ctx.live.leg(ch)?.answered === false) hangupNow(ctx, ch, 'answered_elsewhere');
  }
  const bridgeId = await ensureBridge(ctx, call, 'main');
  await ctx.o.rest.bridges.addChannel(bridgeId, { channel: [call.callerChannelId, agentChannelId] });
}

/** Records a bridge from now on (art. 28); the intent is committed before Asterisk is asked. */
export async function startRecording(ctx: CallContext, call: LiveCall, bridge: string): Promise<void> {
  if (call.finalized) return;
  const bridgeId = await ensureBridge(ctx, call, bridge);
  const entry = call.bridges.get(bridge);
  if (!entry || entry.recordingName) return;
  const name = bridge === 'main' ? `call-${call.callId}` : `call-${bridge.slice('consult:'.length)}-consult`;
  entry.recordingName = name;
  const startedAt = ctx.o.clock.now();
  if (bridge === 'main') ctx.cdr.updateCall(call.callId, { recordingName: name });
  // Committed now, not batched: a crash must never forget a recording Asterisk holds (on PostgreSQL the
  // row is queued in order and awaited here, before Asterisk is asked; the domain has decided already).
  await writeInBatch(
    (w) => ctx.cdr.now(w),
    () => ctx.o.recordings.insertRecording({ name, callId: call.callId, startedAt }),
  );
  await ctx.o.rest.bridges.record(bridgeId, {
    name,
    format: 'wav',
    ifExists: 'overwrite',
    beep: false,
    terminateOn: 'none',
  });
}

const LEG_KIND = {
  conference: 'third_party',
  transfer: 'transfer',
  consult: 'consult',
  'ivr-transfer': 'transfer',
} as const;

/** Rings a third party (outside number, or a colleague for a consultation); the leg id was chosen by the command. */
export async function dialParty(
  ctx: CallContext,
  call: LiveCall,
  p: { partyId: string; purpose: NonNullable<LegRef['purpose']>; number?: string; agentId?: string; endpoint?: string },
  onFailed: (partyId: string, cause: string) => void,
): Promise<void> {
  if (call.finalized || ctx.live.isGone(call.callerChannelId)) return onFailed(p.partyId, 'caller-gone');
  const callId = call.callId;
  const endpoint =
    p.agentId !== undefined
      ? endpointFor(ctx, p.agentId, p.endpoint)
      : ctx.o.externalDialTemplate.replace('{number}', p.number ?? '');
  ctx.live.setLeg(p.partyId, {
    callId,
    role: 'party',
    purpose: p.purpose,
    answered: false,
    gone: false,
    ...(p.number ? { number: p.number } : {}),
    ...(p.agentId ? { agentId: p.agentId } : {}),
  });
  call.parties.add(p.partyId);
  if (p.agentId !== undefined) call.agentLegs.set(p.agentId, p.partyId);
  ctx.cdr.insertLeg({
    channelId: p.partyId,
    callId,
    kind: LEG_KIND[p.purpose],
    number: p.number ?? null,
    agentId: p.agentId ?? null,
    endpoint,
    createdAt: ctx.o.clock.now(),
  });
  if (p.purpose === 'ivr-transfer') await ignoreGone(ctx.o.rest.channels.ring(call.callerChannelId));
  try {
    await ctx.o.rest.channels.originate({
      endpoint,
      app: ctx.o.app,
      appArgs: `party,${callId}`,
      callerId: `"${ctx.o.hotlineNumber ?? '12345'}" <${ctx.o.hotlineNumber ?? '12345'}>`,
      timeout: ctx.o.partyRingTimeoutSec ?? 30,
      channelId: p.partyId,
      otherChannelId: `${p.partyId};2`,
    });
  } catch (err) {
    onFailed(p.partyId, errText(err));
    throw err;
  }
}

export async function joinBridge(
  ctx: CallContext,
  call: LiveCall,
  bridge: string,
  channelIds: string[],
): Promise<void> {
  if (call.finalized) return;
  const alive = channelIds.filter((id) => !ctx.live.isGone(id));
  if (alive.length === 0) return;
  const bridgeId = await ensureBridge(ctx, call, bridge);
  await ctx.o.rest.bridges.addChannel(bridgeId, { channel: alive });
}

/** Stops a bridge's recording (handing it to the archive) and destroys the bridge. */
export async function closeBridge(ctx: CallContext, call: LiveCall, name: string): Promise<void> {
  const entry = call.bridges.get(name);
  if (!entry) return;
  call.bridges.delete(name);
  const id = await entry.ready.catch(() => undefined);
  if (entry.recordingName) {
    const rec = entry.recordingName;
    await ignoreGone(ctx.o.rest.recordings.stop(rec)).catch((err) =>
      ctx.log.warn({ err: errText(err) }, 'calls: stopping the recording failed; archive will retry'),
    );
    const stoppedAt = ctx.o.clock.now();
    const talkMs = name === 'main' ? talkMsOf(call.record, stoppedAt) : null;
    await writeInBatch(
      (w) => ctx.cdr.later(w),
      () => ctx.o.recordings.markPending(rec, { stoppedAt, talkMs }),
    );
    void ctx.o.archive.archiveWithRetry(rec);
  }
  if (id) await ignoreGone(ctx.o.rest.bridges.destroy(id)).catch(() => undefined);
}

/** Rings a supervisor's phone for a monitor session (issue 10); the leg id was chosen by the command. */
export async function dialMonitor(
  ctx: CallContext,
  call: LiveCall,
  p: { legId: string; extension: string; supervisorId: string },
  onFailed: (legId: string, cause: string) => void,
): Promise<void> {
  if (call.finalized) return onFailed(p.legId, 'call-gone');
  const endpoint = ctx.o.agentDialTemplate.replace('{ext}', p.extension);
  ctx.live.setLeg(p.legId, {
    callId: call.callId,
    role: 'monitor',
    agentId: p.supervisorId,
    answered: false,
    gone: false,
  });
  call.monitorLegs.add(p.legId);
  ctx.cdr.insertLeg({
    channelId: p.legId,
    callId: call.callId,
    kind: 'supervisor',
    agentId: p.supervisorId,
    endpoint,
    createdAt: ctx.o.clock.now(),
  });
  try {
    await ctx.o.rest.channels.originate({
      endpoint,
      app: ctx.o.app,
      appArgs: `monitor,${call.callId}`,
      callerId: `"${ctx.o.hotlineNumber ?? '12345'}" <${ctx.o.hotlineNumber ?? '12345'}>`,
      timeout: ctx.o.partyRingTimeoutSec ?? 30,
      channelId: p.legId,
      otherChannelId: `${p.legId};2`,
    });
  } catch (err) {
    onFailed(p.legId, errText(err));
    throw err;
  }
}

/** A snoop channel on a leg of the call (the agent's), registered before the request: its StasisStart may come first. */
export async function snoop(
  ctx: CallContext,
  call: LiveCall,
  p: {
    snoopId: string;
    channelId: string;
    spy: 'none' | 'both' | 'in' | 'out';
    whisper: 'none' | 'both' | 'in' | 'out';
  },
): Promise<void> {
  if (call.finalized || ctx.live.isGone(p.channelId)) return;
  ctx.live.setLeg(p.snoopId, { callId: call.callId, role: 'snoop', answered: true, gone: false });
  call.monitorLegs.add(p.snoopId);
  await ctx.o.rest.channels.snoop(p.channelId, {
    app: ctx.o.app,
    appArgs: `snoop,${call.callId}`,
    spy: p.spy,
    whisper: p.whisper,
    snoopId: p.snoopId,
  });
}

/** A callback call: dials the citizen through EXTERNAL_DIAL_TEMPLATE, showing the hotline's number (12345). */
export async function dialCitizen(
  ctx: CallContext,
  call: LiveCall,
  p: { channelId: string; number: string },
  onFailed: (channelId: string, cause: string) => void,
): Promise<void> {
  if (call.finalized) return;
  const endpoint = ctx.o.externalDialTemplate.replace('{number}', p.number);
  const hotline = ctx.o.hotlineNumber ?? '12345';
  ctx.cdr.updateLeg(p.channelId, { endpoint });
  try {
    await ctx.o.rest.channels.originate({
      endpoint,
      app: ctx.o.app,
      appArgs: `callback,${call.callId}`,
      callerId: `"${hotline}" <${hotline}>`,
      timeout: ctx.o.partyRingTimeoutSec ?? 30,
      channelId: p.channelId,
      otherChannelId: `${p.channelId};2`,
    });
  } catch (err) {
    onFailed(p.channelId, errText(err));
    throw err;
  }
}
