import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open, rename } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { Clock } from '../shared/clock.ts';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../shared/private-files.ts';
import { writeInBatch, type RecordingsStore } from '../store/recordings-store.ts';
import type { RecordingRow } from '../store/schema/calls.ts';
import { readWavInfo, WavFormatError } from './wav-info.ts';

/** Where Asterisk keeps finished recordings (ARI `/recordings/stored`). */
export interface StoredRecordingSource {
  /** The stored file's bytes, or null when Asterisk has no such recording (404). */
  fetch(name: string): Promise<Uint8Array | null>;
  /** Deletes the stored recording; a missing one is not an error. */
  remove(name: string): Promise<void>;
  /** Names of every stored recording. */
  list(): Promise<string[]>;
}

export interface ArchiveOptions {
  dataDir: string;
  /** The archive's directory (RECORDINGS_DIR); default DATA_DIR/recordings. */
  dir?: string;
  repo: RecordingsStore;
  source: StoredRecordingSource;
  clock: Clock;
  logger?: Logger;
  /** Allowed difference between the file's duration and talk time. Asterisk starts recording a few ms after answer. */
  durationToleranceMs?: number;
  /** Attempts before a recording is marked failed (it is still retried at every start). */
  maxAttempts?: number;
  /** First retry delay; doubles per attempt. */
  retryBaseMs?: number;
  /** Offset of the hotline's local time from UTC, for the YYYY/MM/DD folders (China: +8 h, no DST). */
  utcOffsetMinutes?: number;
  /** Years kept (art. 28: at least 3; the config refuses less). */
  retentionYears?: number;
  /** How the archived file is written; default: the WAV as Asterisk wrote it. */
  encoder?: ArchiveEncoder;
  /**
   * Runs a row write and resolves once it is committed; the call layer batches them with its CDR
   * writes (one fsync for many). Default: write at once.
   */
  commit?: (write: () => void) => Promise<void>;
}

export interface EncodedRecording {
  bytes: Uint8Array;
  format: 'wav' | 'ogg-opus';
  /** File name extension, without the dot. */
  extension: string;
}

/** Turns Asterisk's WAV into the archived file (Opus in Ogg, or the WAV itself). */
export interface ArchiveEncoder {
  encode(wav: Uint8Array, facts: { originalSha256: string }): Promise<EncodedRecording>;
}

/** Keeps the lossless WAV (RECORDING_ARCHIVE_FORMAT=wav). */
export const wavEncoder: ArchiveEncoder = { encode: async (wav) => ({ bytes: wav, format: 'wav', extension: 'wav' }) };

export type ArchiveResult =
  | { status: 'archived'; row: RecordingRow }
  | { status: 'already-archived'; row: RecordingRow }
  | { status: 'not-found' }
  | { status: 'unknown-recording' }
  | { status: 'error'; error: string };

/** A recording the PBX no longer has after every attempt (issue 11 item 2): never dropped silently. */
export interface LostRecording {
  name: string;
  callId: string;
  attempts: number;
  lastError: string | null;
}

// lastError texts of a recording Asterisk does not have (as opposed to a fetch or write that failed).
const NOT_FOUND = 'not found on the PBX';
const NOT_ON_PBX_AT_RECOVERY = 'not on the PBX at recovery';

/** `years` (at least 3, art. 28) calendar years after the recording started, plus a day so no local-time rounding shortens it. */
export function retentionEnd(startedAt: number, years = 3): number {
  if (!Number.isInteger(years) || years < 3)
    throw new RangeError(`retention must be at least 3 years (art. 28), got ${years}`);
  const d = new Date(startedAt);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d.getTime() + 86_400_000;
}

/**
 * Moves finished recordings from Asterisk into this server's store (art. 28): fetch, hash, check the
 * duration, write durably, commit the row, and only then delete the PBX copy. Each step can be
 * repeated after a crash: the PBX copy stays until the row says archived, and a half-written file is
 * rewritten from the PBX copy.
 */
export class RecordingArchive {
  private readonly root: string;
  private readonly inFlight = new Map<string, Promise<ArchiveResult>>();
  private readonly retryTimers = new Map<string, unknown>();
  /** Names whose retry is being decided (the row is read first): one decision at a time per name. */
  private readonly scheduling = new Set<string>();
  private closed = false;
  /** Told once per recording marked lost; the server raises a supervisor alert (kind recording-lost). */
  onLost: ((lost: LostRecording) => void) | undefined;

  constructor(private readonly opts: ArchiveOptions) {
    this.root = archiveRoot(opts.dataDir, opts.dir);
  }

  /** A row write inside the call layer's batch (when given), resolved once committed in the recordings' store. */
  private commit(write: () => Promise<void>): Promise<void> {
    return writeInBatch(this.opts.commit ?? ((w) => w()), write);
  }

  /** Absolute path of an archived file, refusing anything outside the archive root. */
  resolveFile(row: RecordingRow): string | null {
    return archivedFilePath(this.root, row);
  }

  openFile(row: RecordingRow): Readable | null {
    const abs = this.resolveFile(row);
    if (!abs || !existsSync(abs)) return null;
    return createReadStream(abs);
  }

  /** Archives one recording now; concurrent calls for the same name share one attempt. */
  archive(name: string): Promise<ArchiveResult> {
    const running = this.inFlight.get(name);
    if (running) return running;
    const p = this.archiveOnce(name).finally(() => this.inFlight.delete(name));
    this.inFlight.set(name, p);
    return p;
  }

  /** Archives and, on a transient failure, retries later on the clock with doubling delays. */
  archiveWithRetry(name: string): Promise<ArchiveResult> {
    return this.archive(name).then(async (res) => {
      if (res.status === 'error' || res.status === 'not-found') await this.scheduleRetry(name);
      return res;
    });
  }

  /**
   * Start-up recovery: archive every recording that was pending or failed, and delete PBX copies of
   * recordings archived before a crash. Recordings still marked `recording` belong to calls the call
   * layer adopts or closes; it calls markPending + archive for those itself.
   */
  async recover(opts: { includeRecording?: (row: RecordingRow) => boolean } = {}): Promise<ArchiveResult[]> {
    const out: ArchiveResult[] = [];
    let stored: Set<string> | null = null;
    try {
      stored = new Set(await this.opts.source.list());
    } catch (err) {
      this.opts.logger?.warn(
        { err: String(err) },
        'recordings: cannot list stored recordings on the PBX; archiving known names',
      );
    }
    for (const row of await this.opts.repo.unarchived()) {
      if (row.status === 'recording' && !(opts.includeRecording?.(row) ?? false)) continue;
      if (row.status === 'recording')
        await this.opts.repo.markPending(row.name, { stoppedAt: this.opts.clock.now(), talkMs: row.talkMs });
      if (stored && !stored.has(row.name)) {
        await this.opts.repo.markAttemptFailed(row.name, NOT_ON_PBX_AT_RECOVERY, false);
        await this.scheduleRetry(row.name);
        out.push({ status: 'not-found' });
        continue;
      }
      out.push(await this.archiveWithRetry(row.name));
    }
    for (const row of await this.opts.repo.archivedStillOnPbx()) {
      if (stored && !stored.has(row.name)) {
        await this.opts.repo.markDeletedFromPbx(row.name, this.opts.clock.now());
        continue;
      }
      await this.deleteFromPbx(row.name);
    }
    return out;
  }

  /**
   * After (re)connecting to ARI: looks up every recording not yet archived (pending, failed or lost) by
   * name in Asterisk's stored recordings and archives those it finds. A PBX restart can leave a call's
   * recording in the spool while this server's attempts during the outage all found nothing.
   */
  async rediscover(): Promise<{ found: string[] }> {
    if (this.closed) return { found: [] };
    const waiting = await this.opts.repo.notArchivedAfterCall();
    if (waiting.length === 0) return { found: [] };
    let stored: Set<string>;
    try {
      stored = new Set(await this.opts.source.list());
    } catch (err) {
      this.opts.logger?.warn(
        { err: errText(err) },
        'recordings: cannot list stored recordings on the PBX to look for lost ones',
      );
      return { found: [] };
    }
    const found = waiting.filter((r) => stored.has(r.name) && !this.inFlight.has(r.name));
    for (const r of found) {
      const t = this.retryTimers.get(r.name);
      if (t !== undefined) this.opts.clock.clearTimeout(t as never);
      this.retryTimers.delete(r.name);
      if (r.status === 'lost')
        this.opts.logger?.warn(
          { recording: r.name, callId: r.callId },
          'recordings: a lost recording is back on the PBX; archiving it',
        );
    }
    await Promise.all(found.map((r) => this.archiveWithRetry(r.name)));
    return { found: found.map((r) => r.name) };
  }

  close(): void {
    this.closed = true;
    for (const t of this.retryTimers.values()) this.opts.clock.clearTimeout(t as never);
    this.retryTimers.clear();
  }

  /** Waits for every archive attempt running now (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight.values()]);
  }

  private async scheduleRetry(name: string): Promise<void> {
    if (this.closed || this.retryTimers.has(name) || this.scheduling.has(name)) return;
    this.scheduling.add(name);
    try {
      await this.scheduleRetryOf(name);
    } finally {
      this.scheduling.delete(name);
    }
  }

  private async scheduleRetryOf(name: string): Promise<void> {
    const row = await this.opts.repo.get(name);
    if (!row || row.status === 'archived' || this.closed) return;
    const max = this.opts.maxAttempts ?? 8;
    if (row.attempts >= max) {
      // Asterisk never had it (or lost it in a restart): `lost`, with an alert; looked up again at each reconnect.
      if (row.lastError === NOT_FOUND || row.lastError === NOT_ON_PBX_AT_RECOVERY) {
        if (await this.opts.repo.markLost(name, `${row.lastError} after ${row.attempts} attempts`)) {
          this.opts.logger?.error(
            { recording: name, callId: row.callId, attempts: row.attempts },
            'recordings: recording lost (not on the PBX)',
          );
          this.onLost?.({ name, callId: row.callId, attempts: row.attempts, lastError: row.lastError });
        }
        return;
      }
      await this.opts.repo.markAttemptFailed(name, row.lastError ?? 'gave up', true);
      this.opts.logger?.error(
        { recording: name, attempts: row.attempts },
        'recordings: archive gave up; will retry at next start',
      );
      return;
    }
    const delay = (this.opts.retryBaseMs ?? 1000) * 2 ** Math.min(row.attempts, 10);
    const t = this.opts.clock.setTimeout(() => {
      this.retryTimers.delete(name);
      void this.archiveWithRetry(name);
    }, delay);
    this.retryTimers.set(name, t);
  }

  private async archiveOnce(name: string): Promise<ArchiveResult> {
    const { repo, source, clock, logger } = this.opts;
    const row = await repo.get(name);
    if (!row) return { status: 'unknown-recording' };
    if (row.status === 'archived') {
      if (row.deletedFromPbxAt === null) await this.deleteFromPbx(name);
      return { status: 'already-archived', row: (await repo.get(name))! };
    }
    let bytes: Uint8Array | null;
    try {
      bytes = await source.fetch(name);
    } catch (err) {
      const msg = `fetch failed: ${errText(err)}`;
      await repo.markAttemptFailed(name, msg, false);
      logger?.warn({ recording: name, err: msg }, 'recordings: fetch failed');
      return { status: 'error', error: msg };
    }
    if (bytes === null) {
      await repo.markAttemptFailed(name, NOT_FOUND, false);
      return { status: 'not-found' };
    }
    let durationMs: number;
    try {
      durationMs = readWavInfo(bytes).durationMs;
    } catch (err) {
      const msg = err instanceof WavFormatError ? `invalid WAV: ${err.message}` : errText(err);
      await repo.markAttemptFailed(name, msg, false);
      return { status: 'error', error: msg };
    }
    const originalSha256 = sha256Hex(bytes);
    const encoder = this.opts.encoder ?? wavEncoder;
    let encoded: EncodedRecording;
    try {
      encoded = await encoder.encode(bytes, { originalSha256 });
    } catch (err) {
      const msg = `encode failed: ${errText(err)}`;
      await repo.markAttemptFailed(name, msg, false);
      logger?.error({ recording: name, err: msg }, 'recordings: cannot encode the archive file');
      return { status: 'error', error: msg };
    }
    const file = encoded.bytes;
    const sha256 = sha256Hex(file);
    const relPath = this.relativePathFor(row, encoded.extension);
    const abs = join(this.root, relPath);
    try {
      await writeDurably(abs, file);
    } catch (err) {
      const msg = `write failed: ${errText(err)}`;
      await repo.markAttemptFailed(name, msg, false);
      logger?.error({ recording: name, err: msg }, 'recordings: cannot write archive file');
      return { status: 'error', error: msg };
    }
    const tolerance = this.opts.durationToleranceMs ?? 2000;
    const durationCheck = row.talkMs === null || Math.abs(durationMs - row.talkMs) <= tolerance ? 'ok' : 'mismatch';
    if (durationCheck === 'mismatch') {
      logger?.warn({ recording: name, durationMs, talkMs: row.talkMs }, 'recordings: duration differs from talk time');
    }
    const now = clock.now();
    await this.commit(() =>
      repo.markArchived(name, {
        path: relative(this.root, abs).split(sep).join('/'),
        sha256,
        bytes: file.byteLength,
        format: encoded.format,
        originalSha256,
        originalBytes: bytes.byteLength,
        durationMs,
        durationCheck,
        archivedAt: now,
        retainUntil: retentionEnd(row.startedAt, this.opts.retentionYears ?? 3),
      }),
    );
    await this.deleteFromPbx(name);
    return { status: 'archived', row: (await repo.get(name))! };
  }

  private async deleteFromPbx(name: string): Promise<void> {
    try {
      await this.opts.source.remove(name);
      const at = this.opts.clock.now();
      await this.commit(() => this.opts.repo.markDeletedFromPbx(name, at));
    } catch (err) {
      // The archive is safe; the PBX copy is removed at the next recovery.
      this.opts.logger?.warn(
        { recording: name, err: errText(err) },
        'recordings: PBX delete failed; retried at next start',
      );
    }
  }

  private relativePathFor(row: RecordingRow, extension: string): string {
    const local = new Date(row.startedAt + (this.opts.utcOffsetMinutes ?? 480) * 60_000);
    const y = String(local.getUTCFullYear());
    const m = String(local.getUTCMonth() + 1).padStart(2, '0');
    const d = String(local.getUTCDate()).padStart(2, '0');
    const safe = row.name.replace(/[^A-Za-z0-9._-]/g, '_');
    return join(y, m, d, `${safe}.${extension}`);
  }
}

/** RECORDINGS_DIR when set (shared between instances), else `DATA_DIR/recordings`; absolute. */
export function archiveRoot(dataDir: string, dir?: string): string {
  return dir ? resolve(dir) : resolve(dataDir, 'recordings');
}

/** Absolute path of an archived file under `root`, or null for a row without one or a path that leaves the root. */
export function archivedFilePath(root: string, row: Pick<RecordingRow, 'path'>): string | null {
  if (!row.path) return null;
  const abs = resolve(root, row.path);
  if (!abs.startsWith(root + sep)) return null;
  return abs;
}

/** Written off the event loop (fs.promises runs on the thread pool): a slow disk's fsync must not stall calls. */
async function writeDurably(abs: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(abs), { recursive: true, mode: PRIVATE_DIR_MODE });
  const tmp = `${abs}.part`;
  const fh = await open(tmp, 'w', PRIVATE_FILE_MODE);
  try {
    await fh.chmod(PRIVATE_FILE_MODE); // a .part left by a crash keeps its old mode otherwise
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, abs);
  // The rename itself must survive a power cut.
  const dir = await open(dirname(abs), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
