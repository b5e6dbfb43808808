import type { Logger } from 'pino';
import { RecordingArchive, type StoredRecordingSource } from '../recordings/archive.ts';
import type { Clock } from '../shared/clock.ts';
import type { CallRecords } from '../store/call-records.ts';
import type { RecordingsStore } from '../store/recordings-store.ts';

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

/**
 * The name this server gives a fallback recording (and its call): the unique id only. The PBX file's
 * name carries the caller's number, which must not travel on in recording names, URLs, the access log
 * or evidence packages shown to roles without `phone:see-full` (art. 22).
 */
export const fallbackRowName = (f: FallbackRecordingName): string => `fallback-${f.uniqueId}`;

export type FallbackIngestResult =
  | { name: string; callId: string; status: 'archived' | 'already-archived' }
  | { name: string; callId: string; status: 'retrying'; error: string };

export interface FallbackIngestOptions {
  calls: CallRecords;
  recordings: RecordingsStore;
  /** Asterisk's stored recordings (ARI /recordings/stored). */
  pbx: StoredRecordingSource;
  /** DATA_DIR: archived files go under its recordings/ like the server's own, or under `recordingsDir`. */
  dataDir: string;
  /** RECORDINGS_DIR when set. */
  recordingsDir?: string;
  clock: Clock;
  logger?: Logger;
  retryBaseMs?: number;
}

/**
 * Calls the dialplan answered while this server was down (issue 11 item 2). When the ARI connection is
 * back, every `hotline-fallback-…` file Asterisk holds becomes a call record marked `fallback`
 * (id `fallback-<unique id>`, caller and time from the file name) and a recording row of the same name
 * (without the number), and is archived
 * like the server's own recordings: fetched, hashed, its duration read, written durably, committed, and
 * only then deleted from Asterisk. Running it again is harmless: rows are created once, and the archive
 * step is idempotent.
 *
 * What the file name cannot tell (which agent answered, how long the caller queued) is left empty; the
 * outcome is `fallback`. Asterisk's own CDR (userfield `hotline-fallback`) keeps the rest.
 */
export class FallbackIngest {
  private running: Promise<FallbackIngestResult[]> | undefined;
  /** Row name → the PBX file's name, as last listed. */
  private readonly pbxNames = new Map<string, string>();
  private readonly archive: RecordingArchive;

  constructor(private readonly o: FallbackIngestOptions) {
    // The archive's own steps (fetch, hash, duration, durable write, commit, delete, retries) under the
    // row's name; this source translates it to the PBX file's name.
    const pbxName = (row: string) => this.pbxNames.get(row);
    const source: StoredRecordingSource = {
      fetch: async (name) => {
        const p = pbxName(name);
        return p === undefined ? null : o.pbx.fetch(p);
      },
      remove: async (name) => {
        const p = pbxName(name);
        if (p !== undefined) await o.pbx.remove(p);
      },
      list: async () => {
        this.remember(await o.pbx.list());
        return [...this.pbxNames.keys()];
      },
    };
    this.archive = new RecordingArchive({
      dataDir: o.dataDir,
      dir: o.recordingsDir,
      repo: o.recordings,
      source,
      clock: o.clock,
      logger: o.logger,
      retryBaseMs: o.retryBaseMs,
    });
  }

  private remember(names: string[]): FallbackRecordingName[] {
    const found: FallbackRecordingName[] = [];
    for (const f of names.map(parseFallbackName)) {
      if (!f) continue;
      this.pbxNames.set(fallbackRowName(f), f.name);
      found.push(f);
    }
    return found;
  }

  /** Stops the archive's retry timers (shutdown). */
  close(): void {
    this.archive.close();
  }

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
      names = await this.o.pbx.list();
    } catch (err) {
      this.o.logger?.warn(
        { err: String(err) },
        'fallback recordings: cannot list stored recordings; tried again at the next connection',
      );
      return [];
    }
    const out: FallbackIngestResult[] = [];
    for (const f of this.remember(names)) out.push(await this.ingest(f));
    if (out.length)
      this.o.logger?.info(
        { count: out.length, archived: out.filter((r) => r.status === 'archived').length },
        'fallback recordings ingested',
      );
    return out;
  }

  private async ingest(f: FallbackRecordingName): Promise<FallbackIngestResult> {
    const { calls, recordings } = this.o;
    const name = fallbackRowName(f);
    const callId = name;
    if (!(await calls.getCall(callId))) {
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
        recordingName: name,
        fallback: true,
      });
    }
    await recordings.insertRecording({ name, callId, startedAt: f.startedAt });
    const row = await recordings.get(name);
    if (row?.status === 'recording')
      await recordings.markPending(name, { stoppedAt: this.o.clock.now(), talkMs: null });
    // Archived before, yet still listed: the PBX copy's delete failed (or another pass marked it gone by
    // its row name, which the PBX does not know). Delete it now.
    if (row?.status === 'archived' && row.deletedFromPbxAt !== null) {
      try {
        await this.o.pbx.remove(f.name);
      } catch (err) {
        this.o.logger?.warn(
          { recording: name, err: String(err) },
          'fallback recording: PBX delete failed; retried at the next connection',
        );
      }
      return { name, callId, status: 'already-archived' };
    }
    const res = await this.archive.archiveWithRetry(name);
    if (res.status === 'archived' || res.status === 'already-archived') {
      const call = await calls.getCall(callId);
      if (call && call.endedAt === null && res.row.durationMs !== null)
        calls.updateCall(callId, { endedAt: f.startedAt + res.row.durationMs });
      return { name, callId, status: res.status };
    }
    const error = res.status === 'error' ? res.error : res.status;
    this.o.logger?.warn({ recording: name, error }, 'fallback recording not archived yet; retrying');
    return { name, callId, status: 'retrying', error };
  }
}
