import { and, asc, desc, eq, gt, gte, inArray, isNotNull, isNull, lt, lte, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { auditValues, type AuditEntry } from './audit-repo.ts';
import { CHAIN_COLUMNS } from './hash-chain.ts';
import { auditLog } from './schema/audit.ts';
import { recordingIndex, recordings, type RecordingIndexRow, type RecordingRow } from './schema/calls.ts';

export interface ArchivedFacts {
  path: string;
  sha256: string;
  bytes: number;
  /** Defaults: wav, and the original is the archived file itself. */
  format?: 'wav' | 'ogg-opus';
  originalSha256?: string;
  originalBytes?: number;
  durationMs: number;
  durationCheck: 'ok' | 'mismatch';
  archivedAt: number;
  retainUntil: number;
}

/**
 * Recording rows. The lifecycle is recording → pending (Asterisk finished the file, or the call
 * ended) → archived (our copy is written, hashed and committed). `failed` keeps the reason; it is
 * retried like `pending`. The only way a row goes is `purgeBatch` (art. 28: after retain_until, never
 * while held), which the database enforces (migration 0011).
 */
export class RecordingsRepo {
  constructor(private readonly db: BetterSQLite3Database) {}

  /** Written before the recording is asked of Asterisk, so a crash right after still knows its name. */
  insertRecording(row: { name: string; callId: string; startedAt: number }): void {
    this.db
      .insert(recordings)
      .values({ ...row, status: 'recording' })
      .onConflictDoNothing()
      .run();
  }

  get(name: string): RecordingRow | undefined {
    return this.db.select().from(recordings).where(eq(recordings.name, name)).get();
  }

  byCall(callId: string): RecordingRow[] {
    return this.db.select().from(recordings).where(eq(recordings.callId, callId)).all();
  }

  /** The call ended (or Asterisk finished the file): archive it next. Idempotent. */
  markPending(name: string, facts: { stoppedAt: number; talkMs: number | null }): void {
    this.db
      .update(recordings)
      .set({ status: 'pending', stoppedAt: facts.stoppedAt, talkMs: facts.talkMs })
      .where(and(eq(recordings.name, name), inArray(recordings.status, ['recording', 'pending', 'failed'])))
      .run();
  }

  markArchived(name: string, facts: ArchivedFacts): void {
    this.db
      .update(recordings)
      .set({
        status: 'archived',
        ...facts,
        format: facts.format ?? 'wav',
        originalSha256: facts.originalSha256 ?? facts.sha256,
        originalBytes: facts.originalBytes ?? facts.bytes,
        lastError: null,
      })
      .where(eq(recordings.name, name))
      .run();
  }

  markDeletedFromPbx(name: string, at: number): void {
    this.db.update(recordings).set({ deletedFromPbxAt: at }).where(eq(recordings.name, name)).run();
  }

  markAttemptFailed(name: string, error: string, final: boolean): void {
    this.db
      .update(recordings)
      .set({
        attempts: sql`${recordings.attempts} + 1`,
        lastError: error.slice(0, 500),
        ...(final ? { status: 'failed' as const } : {}),
      })
      .where(eq(recordings.name, name))
      .run();
  }

  /** Marks a pending or failed recording `lost` (the PBX does not have it); false when it was not in those states. */
  markLost(name: string, error: string): boolean {
    return (
      this.db
        .update(recordings)
        .set({ status: 'lost', lastError: error.slice(0, 500) })
        .where(and(eq(recordings.name, name), inArray(recordings.status, ['pending', 'failed'])))
        .run().changes > 0
    );
  }

  /** Recordings whose call ended but which are not archived: pending, failed or lost (looked up again on the PBX). */
  notArchivedAfterCall(): RecordingRow[] {
    return this.db
      .select()
      .from(recordings)
      .where(inArray(recordings.status, ['pending', 'failed', 'lost']))
      .orderBy(asc(recordings.startedAt))
      .all();
  }

  /** Everything not yet archived: still recording (a call this process lost track of), pending or failed. */
  unarchived(): RecordingRow[] {
    return this.db
      .select()
      .from(recordings)
      .where(inArray(recordings.status, ['recording', 'pending', 'failed']))
      .orderBy(asc(recordings.startedAt))
      .all();
  }

  countUnarchived(): number {
    return this.db
      .select({ n: sql<number>`count(*)` })
      .from(recordings)
      .where(inArray(recordings.status, ['recording', 'pending', 'failed']))
      .get()!.n;
  }

  /** Archived, but the PBX copy was not yet confirmed deleted. */
  archivedStillOnPbx(): RecordingRow[] {
    return this.db
      .select()
      .from(recordings)
      .where(and(eq(recordings.status, 'archived'), sql`${recordings.deletedFromPbxAt} is null`))
      .all();
  }

  list(opts: { from?: number; to?: number; callId?: string; limit?: number; offset?: number } = {}): RecordingRow[] {
    const conds = [];
    if (opts.from !== undefined) conds.push(gte(recordings.startedAt, opts.from));
    if (opts.to !== undefined) conds.push(lt(recordings.startedAt, opts.to));
    if (opts.callId !== undefined) conds.push(eq(recordings.callId, opts.callId));
    return this.db
      .select()
      .from(recordings)
      .where(conds.length ? and(...conds) : undefined)
      .orderBy(desc(recordings.startedAt))
      .limit(Math.min(opts.limit ?? 100, 1000))
      .offset(opts.offset ?? 0)
      .all();
  }

  /** Places a legal hold; false when the recording is already held. The audit row commits with it. */
  hold(name: string, h: { at: number; by: string; reason: string; caseRef: string }, audit: AuditEntry): boolean {
    return this.db.transaction((tx) => {
      const r = tx
        .update(recordings)
        .set({ heldAt: h.at, heldBy: h.by, holdReason: h.reason, holdCaseRef: h.caseRef })
        .where(and(eq(recordings.name, name), isNull(recordings.heldAt)))
        .run();
      if (r.changes === 0) return false;
      tx.insert(auditLog).values(auditValues(audit)).run();
      return true;
    });
  }

  /** Lifts a legal hold; false when the recording is not held. The audit row commits with it. */
  release(name: string, audit: AuditEntry): boolean {
    return this.db.transaction((tx) => {
      const r = tx
        .update(recordings)
        .set({ heldAt: null, heldBy: null, holdReason: null, holdCaseRef: null })
        .where(and(eq(recordings.name, name), isNotNull(recordings.heldAt)))
        .run();
      if (r.changes === 0) return false;
      tx.insert(auditLog).values(auditValues(audit)).run();
      return true;
    });
  }

  /** Archived recordings past retain_until and not held, oldest retention first. */
  purgeCandidates(now: number, limit: number): RecordingRow[] {
    return this.db
      .select()
      .from(recordings)
      .where(and(eq(recordings.status, 'archived'), isNull(recordings.heldAt), lte(recordings.retainUntil, now)))
      .orderBy(asc(recordings.retainUntil), asc(recordings.name))
      .limit(limit)
      .all();
  }

  countPurgeCandidates(now: number): number {
    return this.db
      .select({ n: sql<number>`count(*)` })
      .from(recordings)
      .where(and(eq(recordings.status, 'archived'), isNull(recordings.heldAt), lte(recordings.retainUntil, now)))
      .get()!.n;
  }

  /**
   * The purge path, in one transaction: for each recording a chained `purged` index entry (the marker
   * the delete trigger requires), the row's deletion, and one audit row for the batch. A recording
   * held or placed under retention meanwhile makes the trigger abort the whole batch.
   */
  purgeBatch(rows: readonly RecordingRow[], at: number, audit: AuditEntry): void {
    const cols = sql.raw(`${CHAIN_COLUMNS.recording_index.join(', ')}, prev_hash, row_hash`);
    this.db.transaction((tx) => {
      for (const row of rows) {
        tx.run(sql`insert into recording_index (${cols})
          select s.seq, 'purged', r.name, r.call_id, r.started_at, r.path, r.sha256, r.bytes, r.format, r.original_sha256,
            r.duration_ms, r.archived_at, r.retain_until, ${at}, s.prev,
            chain_hash('recording_index', s.prev, s.seq, 'purged', r.name, r.call_id, r.started_at, r.path, r.sha256, r.bytes,
              r.format, r.original_sha256, r.duration_ms, r.archived_at, r.retain_until, ${at})
          from recordings r, (select coalesce((select max(seq) from recording_index), 0) + 1 as seq,
            (select row_hash from recording_index order by seq desc limit 1) as prev) s
          where r.name = ${row.name}`);
        tx.delete(recordings).where(eq(recordings.name, row.name)).run();
      }
      tx.insert(auditLog).values(auditValues(audit)).run();
    });
  }

  /** The recording index in chain order, in pages (verify). */
  *indexFrom(afterSeq = 0): Generator<RecordingIndexRow> {
    let cursor = afterSeq;
    for (;;) {
      const page = this.db
        .select()
        .from(recordingIndex)
        .where(gt(recordingIndex.seq, cursor))
        .orderBy(asc(recordingIndex.seq))
        .limit(1000)
        .all();
      if (page.length === 0) return;
      yield* page;
      cursor = page[page.length - 1]!.seq;
    }
  }

  /** The latest index entry for a recording. */
  indexEntry(name: string): RecordingIndexRow | undefined {
    return this.db
      .select()
      .from(recordingIndex)
      .where(eq(recordingIndex.name, name))
      .orderBy(desc(recordingIndex.seq))
      .limit(1)
      .get();
  }

  /** Archived rows in name order (verify walks them for the file check). */
  *archivedRows(afterName = ''): Generator<RecordingRow> {
    let cursor = afterName;
    for (;;) {
      const page = this.db
        .select()
        .from(recordings)
        .where(and(eq(recordings.status, 'archived'), gt(recordings.name, cursor)))
        .orderBy(asc(recordings.name))
        .limit(1000)
        .all();
      if (page.length === 0) return;
      yield* page;
      cursor = page[page.length - 1]!.name;
    }
  }

  /** Rows of a read-only query (the integrity check's chain walk). */
  rawRows<T>(sqlText: string): T[] {
    return this.db.all<T>(sql.raw(sqlText));
  }

  countArchived(): number {
    return this.db.select({ n: sql<number>`count(*)` }).from(recordings).where(eq(recordings.status, 'archived')).get()!
      .n;
  }
}
