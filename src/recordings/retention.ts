import { unlink } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Clock, TimerId } from '../shared/clock.ts';
import type { RecordingsStore } from '../store/recordings-store.ts';
import type { RecordingRow } from '../store/schema/calls.ts';

/** Who acts: a signed-in user, or the scheduled job (`system`). */
export interface Actor {
  username: string;
  role: string;
}

export const SYSTEM_ACTOR: Actor = { username: 'system', role: 'system' };

export type HoldOutcome =
  | { status: 'ok'; row: RecordingRow }
  | { status: 'not-found' }
  | { status: 'already-held' | 'not-held'; row: RecordingRow };

export interface PurgedRecording {
  name: string;
  callId: string;
  retainUntil: number | null;
  sha256: string | null;
  originalSha256: string | null;
}

export interface PurgeReport {
  dryRun: boolean;
  at: number;
  /** Recordings past retain_until and not held when the run started. */
  eligible: number;
  /** Removed (or, in a dry run, that would be removed by this run). */
  count: number;
  batches: number;
  recordings: PurgedRecording[];
  /** Files that could not be unlinked after their rows were committed (kept for an operator). */
  fileErrors: string[];
}

export interface RetentionOptions {
  repo: RecordingsStore;
  clock: Clock;
  /** Absolute path of an archived file (RecordingArchive.resolveFile). */
  resolveFile: (row: RecordingRow) => string | null;
  batchSize: number;
  /** Batches per run; the next run continues. */
  maxBatchesPerRun?: number;
  logger?: Logger;
  /** Scheduled purge period; default one day. */
  intervalMs?: number;
  /** Delay of the first scheduled purge after start. */
  firstDelayMs?: number;
  /**
   * Whether the scheduled purge runs on this instance now (several instances: the call owner's); asked at each
   * scheduled time. Default: always.
   */
  runsHere?: () => boolean;
}

/**
 * Legal holds and the purge (art. 28; issue 11 item 3). A recording is deleted only here, after its
 * retain_until, never while held; the database refuses every other delete (migration 0011).
 */
export class RecordingRetention {
  private timer: TimerId | undefined;
  private running: Promise<PurgeReport> | undefined;
  private closed = false;

  constructor(private readonly o: RetentionOptions) {}

  async hold(name: string, h: { reason: string; caseRef: string }, actor: Actor): Promise<HoldOutcome> {
    const row = await this.o.repo.get(name);
    if (!row) return { status: 'not-found' };
    const at = this.o.clock.now();
    const ok = await this.o.repo.hold(
      name,
      { at, by: actor.username, reason: h.reason, caseRef: h.caseRef },
      {
        entity: 'recording',
        entityId: name,
        action: 'hold',
        actorId: actor.username,
        actorRole: actor.role,
        at,
        reason: h.reason,
        data: { caseRef: h.caseRef, callId: row.callId },
      },
    );
    return ok ? { status: 'ok', row: (await this.o.repo.get(name))! } : { status: 'already-held', row };
  }

  async release(name: string, r: { reason: string }, actor: Actor): Promise<HoldOutcome> {
    const row = await this.o.repo.get(name);
    if (!row) return { status: 'not-found' };
    const ok = await this.o.repo.release(name, {
      entity: 'recording',
      entityId: name,
      action: 'release',
      actorId: actor.username,
      actorRole: actor.role,
      at: this.o.clock.now(),
      reason: r.reason,
      data: { caseRef: row.holdCaseRef, heldSince: row.heldAt, callId: row.callId },
    });
    return ok ? { status: 'ok', row: (await this.o.repo.get(name))! } : { status: 'not-held', row };
  }

  /** One purge run; concurrent calls share it unless one is a dry run. */
  purge(opts: { dryRun: boolean; actor?: Actor }): Promise<PurgeReport> {
    if (opts.dryRun) return this.dryRun();
    this.running ??= this.purgeOnce(opts.actor ?? SYSTEM_ACTOR).finally(() => (this.running = undefined));
    return this.running;
  }

  /** Schedules the purge on the clock: first after firstDelayMs, then every intervalMs. */
  start(): void {
    if (this.closed || this.timer !== undefined) return;
    this.schedule(this.o.firstDelayMs ?? 5 * 60_000);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  private schedule(ms: number): void {
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = undefined;
      // Several instances share one store: only the one that owns the calls runs the scheduled purge.
      if (!(this.o.runsHere?.() ?? true)) {
        if (!this.closed) this.schedule(this.o.intervalMs ?? 86_400_000);
        return;
      }
      void this.purge({ dryRun: false })
        .then((r) => {
          if (r.count > 0 || r.fileErrors.length > 0)
            this.o.logger?.info({ count: r.count, fileErrors: r.fileErrors.length }, 'recordings: purge done');
        })
        .catch((err: unknown) => this.o.logger?.error({ err: String(err) }, 'recordings: purge failed'))
        .finally(() => {
          if (!this.closed) this.schedule(this.o.intervalMs ?? 86_400_000);
        });
    }, ms);
  }

  private limit(): number {
    return this.o.batchSize * (this.o.maxBatchesPerRun ?? 20);
  }

  private async dryRun(): Promise<PurgeReport> {
    const at = this.o.clock.now();
    const rows = await this.o.repo.purgeCandidates(at, this.limit());
    return {
      dryRun: true,
      at,
      eligible: await this.o.repo.countPurgeCandidates(at),
      count: rows.length,
      batches: Math.ceil(rows.length / this.o.batchSize),
      recordings: rows.map(describe),
      fileErrors: [],
    };
  }

  private async purgeOnce(actor: Actor): Promise<PurgeReport> {
    const at = this.o.clock.now();
    const report: PurgeReport = {
      dryRun: false,
      at,
      eligible: await this.o.repo.countPurgeCandidates(at),
      count: 0,
      batches: 0,
      recordings: [],
      fileErrors: [],
    };
    const maxBatches = this.o.maxBatchesPerRun ?? 20;
    while (report.batches < maxBatches && !this.closed) {
      const rows = await this.o.repo.purgeCandidates(at, this.o.batchSize);
      if (rows.length === 0) break;
      const removed = rows.map(describe);
      // Rows first, files after the commit: a crash in between leaves an orphan file, never a row without its file.
      await this.o.repo.purgeBatch(rows, at, {
        entity: 'recording',
        entityId: `purge-${at}-${report.batches + 1}`,
        action: 'purge',
        actorId: actor.username,
        actorRole: actor.role,
        at,
        reason: 'retention period over (art. 28)',
        data: {
          count: removed.length,
          recordings: removed.map((r) => ({ name: r.name, sha256: r.sha256, originalSha256: r.originalSha256 })),
        },
      });
      report.batches++;
      report.count += rows.length;
      report.recordings.push(...removed);
      for (const row of rows) {
        const abs = this.o.resolveFile(row);
        if (!abs) continue;
        try {
          await unlink(abs);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') report.fileErrors.push(`${row.name}: ${String(err)}`);
        }
      }
    }
    return report;
  }
}

function describe(r: RecordingRow): PurgedRecording {
  return {
    name: r.name,
    callId: r.callId,
    retainUntil: r.retainUntil,
    sha256: r.sha256,
    originalSha256: r.originalSha256,
  };
}
