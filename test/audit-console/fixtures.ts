import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningServer } from '../../src/server.ts';
import { encodeWav, synthesizeTone } from '../../src/simulator/wav.ts';
import { CallsRepo } from '../../src/store/calls-repo.ts';
import { RecordingsRepo } from '../../src/store/recordings-repo.ts';

export interface ArchivedCall {
  callId: string;
  name: string;
  callerNumber: string;
  agentId: string;
  arrivedAt: number;
  durationMs: number;
  outcome?: string;
  fallback?: boolean;
  /** Adds a transfer leg to this number after the answer. */
  transferTo?: string;
}

/**
 * Puts an ended, answered call with an archived recording into a running server's store: the CDR row,
 * a caller leg, an agent leg, a real 8 kHz WAV tone of `durationMs` under DATA_DIR/recordings, and the
 * recording row marked archived with the file's SHA-256. Returns the WAV's bytes.
 */
export function archiveCall(s: RunningServer, c: ArchivedCall): Buffer {
  const calls = new CallsRepo(s.store.db);
  const recs = new RecordingsRepo(s.store.db);
  const answeredAt = c.arrivedAt + 30_000;
  const endedAt = answeredAt + c.durationMs;
  calls.insertCall({
    id: c.callId,
    callerChannelId: `${c.callId}-caller`,
    callerNumber: c.callerNumber,
    status: 'ended',
    phase: 'ended',
    arrivedAt: c.arrivedAt,
    ivrExitAt: c.arrivedAt + 12_000,
    queuedAt: c.arrivedAt + 12_000,
    skill: 'mandarin',
    firstOfferedAt: c.arrivedAt + 14_000,
    answeredAt,
    endedAt,
    outcome: c.outcome ?? 'answered',
    agentId: c.agentId,
    answerMs: answeredAt - (c.arrivedAt + 12_000),
    ivrPath: JSON.stringify([
      { node: 'desk-choice', digit: '1', label: '普通话' },
      { node: 'emergency-advice', digit: '0', label: '人工服务' },
    ]),
    fallback: c.fallback ?? false,
    transferNumber: c.transferTo ?? null,
  });
  calls.insertLeg({
    channelId: `${c.callId}-caller`,
    callId: c.callId,
    kind: 'caller',
    number: c.callerNumber,
    createdAt: c.arrivedAt,
    answeredAt: c.arrivedAt,
    endedAt,
    outcome: 'hungup',
  });
  calls.insertLeg({
    channelId: `${c.callId}-agent`,
    callId: c.callId,
    kind: 'agent',
    agentId: c.agentId,
    endpoint: 'PJSIP/1001',
    createdAt: c.arrivedAt + 14_000,
    answeredAt,
    endedAt,
    outcome: 'answered',
  });
  if (c.transferTo) {
    calls.insertLeg({
      channelId: `${c.callId}-xfer`,
      callId: c.callId,
      kind: 'transfer',
      number: c.transferTo,
      createdAt: answeredAt + 5_000,
      answeredAt: answeredAt + 8_000,
      endedAt,
      outcome: 'answered',
    });
  }
  const wav = encodeWav(synthesizeTone(c.durationMs, [440]));
  const day = new Date(c.arrivedAt).toISOString().slice(0, 10).replace(/-/g, '/');
  const rel = `${day}/${c.name}.wav`;
  mkdirSync(join(s.config.server.dataDir, 'recordings', day), { recursive: true });
  writeFileSync(join(s.config.server.dataDir, 'recordings', rel), wav);
  recs.insertRecording({ name: c.name, callId: c.callId, startedAt: answeredAt });
  recs.markPending(c.name, { stoppedAt: endedAt, talkMs: c.durationMs });
  recs.markArchived(c.name, {
    path: rel,
    sha256: createHash('sha256').update(wav).digest('hex'),
    bytes: wav.length,
    durationMs: c.durationMs,
    durationCheck: 'ok',
    archivedAt: endedAt + 1_000,
    retainUntil: endedAt + 3 * 366 * 86_400_000,
  });
  return wav;
}

/** Entries of a ustar archive (regular files only), as the evidence package writes them. */
export function untar(buf: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (let off = 0; off + 512 <= buf.length; ) {
    const h = buf.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const name = h.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const size = Number.parseInt(h.subarray(124, 136).toString('ascii').replace(/\0.*$/s, ''), 8);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
    if (sum !== Number.parseInt(h.subarray(148, 156).toString('ascii'), 8))
      throw new Error(`bad tar header checksum for ${name}`);
    out.set(name, Buffer.from(buf.subarray(off + 512, off + 512 + size)));
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}
