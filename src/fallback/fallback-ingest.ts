import type { Logger } from 'pino';
import type { RecordingArchive, StoredRecordingSource } from '../recordings/archive.ts';
import type { Clock } from '../shared/clock.ts';
import type { CallsRepo } from '../store/calls-repo.ts';
import type { RecordingsRepo } from '../store/recordings-repo.ts';

/**
 * `hotline-fallback-<epoch seconds>-<caller digits>-<unique id>`: the name MixMonitor gives a fallback
 * recording in dialplan/extensions-hotline.conf ([hotline-fallback]). The unique id is Asterisk's
 * `<epoch>.<sequence>`.
 */
const FALLBACK_NAME = /^hotline-fallback-(\d{9,11})-(\d{0,20})-([0-9]+\.[0-9]+)$/;

export interface FallbackRecordingName {
  name: string;
  startedAt: number;
  callerNumber: string;
  uniqueId: string;
}

export function parseFallbackName(name: string): FallbackRecordingName | null {
  const m = FALLBACK_NAME.exec(name);
  if (!m) return null;
  return { name, startedAt: Number(m[1]) * 1000, callerNumber: m[2]!, uniqueId: m[3]! };
}

export type FallbackIngestResult =
  | { name: string; callId: string; status: 'archived' | 'already-archived' }
  | { name: string; callId: string; status: 'retrying'; error: string };

export interface FallbackIngestOptions {
  calls: CallsRepo;
  recordings: RecordingsRepo;
  archive: RecordingArchive;
  source: StoredRecordingSource;
  clock: Clock;
  logger?: Logger;
}

/**
 * Calls the dialplan answered while this server was down (issue 11 item 2). When the ARI connection is
 * back, every `hotline-fallback-…` file Asterisk holds becomes a call record marked `fallback`
 * (id `fallback-<unique id>`, caller and time from the file name) and a recording row, and is archived
 * like the server's own recordings: fetched, hashed, its duration read, written durably, committed, and
 * only then deleted from Asterisk. Running it again is harmless: rows are created once, and the archive
 * step is idempotent.
 *
 * What the file name cannot tell (which agent answered, how long the caller queued) is left empty; the
 * outcome is `fallback`. Asterisk's own CDR (userfield `hotline-fallback`) keeps the rest.
 */
export class FallbackIngest {
  private running: Promise<FallbackIngestResult[]> | undefined;

  constructor(private readonly o: FallbackIngestOptions) {}

  /** One pass over the PBX's stored recordings; concurrent calls share the pass. */
  run(): Promise<FallbackIngestResult[]> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(): Promise<FallbackIngestResult[]> {
    let names: string[];
    try {
      names = await this.o.source.list();
    } catch (err) {
      this.o.logger?.warn({ err: String(err) }, 'fallback recordings: cannot list stored recordings; tried again at the next connection');
      return [];
    }
    const out: FallbackIngestResult[] = [];
    for (const f of names.map(parseFallbackName)) {
      if (f) out.push(await this.ingest(f));
    }
    if (out.length) this.o.logger?.info({ count: out.length, archived: out.filter((r) => r.status === 'archived').length }, 'fallback recordings ingested');
    return out;
  }

  private async ingest(f: FallbackRecordingName): Promise<FallbackIngestResult> {
    const { calls, recordings, archive } = this.o;
    const callId = `fallback-${f.uniqueId}`;
    if (!calls.getCall(callId)) {
      calls.insertCall({
        id: callId,
        callerChannelId: `fallback:${f.uniqueId}`,
        callerNumber: f.callerNumber,
        dialedNumber: null,
        status: 'ended',
        phase: 'ended',
        arrivedAt: f.startedAt,
        // The fallback dialplan answers before it starts MixMonitor.
        answeredAt: f.startedAt,
        outcome: 'fallback',
        recordingName: f.name,
        fallback: true,
      });
    }
    recordings.insertRecording({ name: f.name, callId, startedAt: f.startedAt });
    const row = recordings.get(f.name);
    if (row?.status === 'recording') recordings.markPending(f.name, { stoppedAt: this.o.clock.now(), talkMs: null });
    const res = await archive.archiveWithRetry(f.name);
    if (res.status === 'archived' || res.status === 'already-archived') {
      const call = calls.getCall(callId);
      if (call && call.endedAt === null && res.row.durationMs !== null) calls.updateCall(callId, { endedAt: f.startedAt + res.row.durationMs });
      return { name: f.name, callId, status: res.status };
    }
    const error = res.status === 'error' ? res.error : res.status;
    this.o.logger?.warn({ recording: f.name, error }, 'fallback recording not archived yet; retrying');
    return { name: f.name, callId, status: 'retrying', error };
  }
}
