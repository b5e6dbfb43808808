import type { Party } from '../domain/calls/call-center-state.ts';
import type { CallRecord } from '../domain/calls/call-record.ts';
import type { CallLegRow, CallRow } from '../store/schema/calls.ts';
import type { Channel } from '../telephony/ari/models.ts';
import { type LegRef, type LiveCall, newLiveCall } from './live-calls.ts';
import { recordFromRow } from './restore-record.ts';

export interface AdoptionInput {
  row: CallRow;
  /** The call's legs the PBX still has. */
  aliveLegs: CallLegRow[];
  /** Every leg the store knows for the call (their ids are reserved so no new leg reuses one). */
  allLegs: CallLegRow[];
  /** The channels the PBX has now, by id. */
  present: Map<string, Channel>;
  /** Our bridges of this call still on the PBX: the main one and any consultation bridge. */
  ours: Array<{ id: string; channels: string[] }>;
  /** Recording names the store has for the call. */
  storedRecordings: Set<string>;
}

export interface AdoptedCall {
  call: LiveCall;
  refs: Array<[string, LegRef]>;
  parties: Party[];
  agentChannelId: string | undefined;
  consultPartyId: string | undefined;
  /** The recordings that go on. */
  recordings: string[];
  record: CallRecord;
}

/**
 * Rebuilds, from what the store and the PBX still have after a restart, the live call of a call that
 * is still talking (with its agent, a third party, in a three-way call or mid-consultation) and the
 * parties the domain's `call-restored` input needs. No I/O: the reconciler reads and then registers.
 */
export function rebuildAdoptedCall({
  row,
  aliveLegs,
  allLegs,
  present,
  ours,
  storedRecordings,
}: AdoptionInput): AdoptedCall {
  const call = newLiveCall({
    callId: row.id,
    callerChannelId: row.callerChannelId,
    callerNumber: row.callerNumber,
    dialedNumber: row.dialedNumber,
    adopted: true,
  });
  const recordings: string[] = [];
  for (const b of ours) {
    const name = b.id === row.bridgeId ? 'main' : `consult:${b.id.slice(3)}`;
    const recordingName = name === 'main' ? (row.recordingName ?? undefined) : `call-${b.id.slice(3)}-consult`;
    const rec = recordingName !== undefined && storedRecordings.has(recordingName) ? recordingName : undefined;
    call.bridges.set(name, { id: b.id, ready: Promise.resolve(b.id), ...(rec ? { recordingName: rec } : {}) });
    if (rec) recordings.push(rec);
  }
  const refs: Array<[string, LegRef]> = [
    [row.callerChannelId, { callId: row.id, role: 'caller', answered: true, gone: false }],
  ];
  const parties: Party[] = [];
  let agentChannelId: string | undefined;
  let consultPartyId: string | undefined;
  for (const l of aliveLegs) {
    const answered = l.answeredAt !== null && present.get(l.channelId)?.state === 'Up';
    if (l.kind === 'agent') {
      if (!answered || l.agentId !== row.agentId) continue;
      agentChannelId = l.channelId;
      call.agentLegs.set(l.agentId!, l.channelId);
      refs.push([l.channelId, { callId: row.id, role: 'agent', agentId: l.agentId!, answered: true, gone: false }]);
      continue;
    }
    const purpose: Party['purpose'] =
      l.kind === 'third_party'
        ? 'conference'
        : l.kind === 'consult'
          ? 'consult'
          : row.answeredAt === null
            ? 'ivr-transfer'
            : 'transfer';
    // A colleague who took a consulted call over is its agent now.
    if (
      purpose === 'consult' &&
      l.agentId !== null &&
      l.agentId === row.agentId &&
      answered &&
      ours.some((b) => b.id === row.bridgeId && b.channels.includes(l.channelId))
    ) {
      agentChannelId = l.channelId;
      call.agentLegs.set(l.agentId, l.channelId);
      refs.push([
        l.channelId,
        { callId: row.id, role: 'party', purpose, agentId: l.agentId, answered: true, gone: false },
      ]);
      continue;
    }
    if (purpose === 'consult') consultPartyId = l.channelId;
    parties.push({
      partyId: l.channelId,
      purpose,
      answered,
      ...(l.number ? { number: l.number } : {}),
      ...(l.agentId ? { agentId: l.agentId } : {}),
    });
    call.parties.add(l.channelId);
    if (l.agentId) call.agentLegs.set(l.agentId, l.channelId);
    refs.push([
      l.channelId,
      {
        callId: row.id,
        role: 'party',
        purpose,
        answered,
        gone: false,
        ...(l.number ? { number: l.number } : {}),
        ...(l.agentId ? { agentId: l.agentId } : {}),
      },
    ]);
  }
  const record = recordFromRow(row, allLegs);
  if (!agentChannelId) record.outcome = 'transferred';
  // A voice-menu transfer's talk time starts when its number answered (the CDR keeps it on the leg).
  const menuParty =
    row.answeredAt === null ? aliveLegs.find((l) => l.kind === 'transfer' && l.answeredAt !== null) : undefined;
  if (menuParty) record.transferAnsweredAt = menuParty.answeredAt!;
  call.record = record;
  return { call, refs, parties, agentChannelId, consultPartyId, recordings, record };
}
