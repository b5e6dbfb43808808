import { and, asc, desc, eq, gt, gte, inArray, isNotNull, isNull, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import { auditValues, type AuditEntry } from './audit-repo.ts';
import { PgRecordingsQueue, type PgTx } from './pg-recordings-queue.ts';
import type { ArchivedFacts } from './recordings-repo.ts';
import type { RecordingListQuery, RecordingsStore } from './recordings-store.ts';
import { auditLog } from './schema-pg/audit.ts';
import { recordingIndex, recordings } from './schema-pg/calls.ts';
import type { RecordingIndexRow, RecordingRow } from './schema/calls.ts';

const NOT_ARCHIVED_AFTER_CALL = ['pending', 'failed', 'lost'] as const;
const UNARCHIVED = ['recording', 'pending', 'failed'] as const;

/**
 * The recordings on PostgreSQL (issue 12), behaving as `RecordingsRepo` does on SQLite. Every write goes through
 * one ordered queue (the call layer's writes cannot wait), so a recording's rows change in the order this
 * instance decided them; every read first waits for the queue. The index is chained and guarded by the
 * triggers of drizzle-pg/0004: archiving a row appends its `archived` entry, the purge appends `purged`.
 */
export class PgRecordingsStore implements RecordingsStore {
  readonly kind = 'postgres';
  private readonly queue: PgRecordingsQueue;

  /** `pool` answers `rawRows` with its int8 parser (bigint columns as numbers, as the chain's JSON needs). */
  constructor(
    private readonly db: NodePgDatabase,
    private readonly pool: pg.Pool,
    /** The call records' writes queued so far are settled (see PgRecordingsQueue). */
    callsFlushed?: () => Promise<void>,
  ) {
    this.queue = new PgRecordingsQueue(db, callsFlushed);
  }

  flushed(): Promise<void> {
    return this.queue.idle();
  }

  private write<T>(fn: (tx: PgTx) => Promise<T>): Promise<T> {
    return this.queue.enqueue(fn);
  }

  private async read<T>(fn: (db: NodePgDatabase) => Promise<T>): Promise<T> {
    await this.queue.idle();
    return fn(this.db);
  }

  insertRecording(row: { name: string; callId: string; startedAt: number }): Promise<void> {
    return this.write(async (tx) => {
      await tx
        .insert(recordings)
        .values({ ...row, status: 'recording' })
        .onConflictDoNothing();
    });
  }

  get(name: string): Promise<RecordingRow | undefined> {
    return this.read(async (db) => (await db.select().from(recordings).where(eq(recordings.name, name)))[0]);
  }

  byCall(callId: string): Promise<RecordingRow[]> {
    return this.read((db) => db.select().from(recordings).where(eq(recordings.callId, callId)));
  }

  markPending(name: string, facts: { stoppedAt: number; talkMs: number | null }): Promise<void> {
    return this.write(async (tx) => {
      await tx
        .update(recordings)
        .set({ status: 'pending', stoppedAt: facts.stoppedAt, talkMs: facts.talkMs })
        .where(and(eq(recordings.name, name), inArray(recordings.status, ['recording', 'pending', 'failed'])));
    });
  }

  markArchived(name: string, facts: ArchivedFacts): Promise<void> {
    return this.write(async (tx) => {
      await tx
        .update(recordings)
        .set({
          status: 'archived',
          ...facts,
          format: facts.format ?? 'wav',
          originalSha256: facts.originalSha256 ?? facts.sha256,
          originalBytes: facts.originalBytes ?? facts.bytes,
          lastError: null,
        })
        .where(eq(recordings.name, name));
    });
  }

  markDeletedFromPbx(name: string, at: number): Promise<void> {
    return this.write(async (tx) => {
      await tx.update(recordings).set({ deletedFromPbxAt: at }).where(eq(recordings.name, name));
    });
  }

  markAttemptFailed(name: string, error: string, final: boolean): Promise<void> {
    return this.write(async (tx) => {
      await tx
        .update(recordings)
        .set({
          attempts: sql`${recordings.attempts} + 1`,
          lastError: error.slice(0, 500),
          ...(final ? { status: 'failed' as const } : {}),
        })
        .where(eq(recordings.name, name));
    });
  }

  markLost(name: string, error: string): Promise<boolean> {
    return this.write(async (tx) => {
      const r = await tx
        .update(recordings)
        .set({ status: 'lost', lastError: error.slice(0, 500) })
        .where(and(eq(recordings.name, name), inArray(recordings.status, ['pending', 'failed'])))
        .returning({ name: recordings.name });
      return r.length > 0;
    });
  }

  notArchivedAfterCall(): Promise<RecordingRow[]> {
    return this.read((db) =>
      db
        .select()
        .from(recordings)
        .where(inArray(recordings.status, [...NOT_ARCHIVED_AFTER_CALL]))
        .orderBy(asc(recordings.startedAt)),
    );
  }

  unarchived(): Promise<RecordingRow[]> {
    return this.read((db) =>
      db
        .select()
        .from(recordings)
        .where(inArray(recordings.status, [...UNARCHIVED]))
        .orderBy(asc(recordings.startedAt)),
    );
  }

  countUnarchived(): Promise<number> {
    return this.read(async (db) => {
      const r = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(recordings)
        .where(inArray(recordings.status, [...UNARCHIVED]));
      return r[0]!.n;
    });
  }

  archivedStillOnPbx(): Promise<RecordingRow[]> {
    return this.read((db) =>
      db
        .select()
        .from(recordings)
        .where(and(eq(recordings.status, 'archived'), isNull(recordings.deletedFromPbxAt))),
    );
  }

  list(opts: RecordingListQuery = {}): Promise<RecordingRow[]> {
    const conds: SQL[] = [];
    if (opts.from !== undefined) conds.push(gte(recordings.startedAt, opts.from));
    if (opts.to !== undefined) conds.push(lt(recordings.startedAt, opts.to));
    if (opts.callId !== undefined) conds.push(eq(recordings.callId, opts.callId));
    return this.read((db) =>
      db
        .select()
        .from(recordings)
        .where(conds.length ? and(...conds) : undefined)
        // The name breaks ties so that pages are stable (SQLite returns equal start times in insertion order).
        .orderBy(desc(recordings.startedAt), asc(recordings.name))
        .limit(Math.min(opts.limit ?? 100, 1000))
        .offset(opts.offset ?? 0),
    );
  }

  hold(
    name: string,
    h: { at: number; by: string; reason: string; caseRef: string },
    audit: AuditEntry,
  ): Promise<boolean> {
    return this.write(async (tx) => {
      const r = await tx
        .update(recordings)
        .set({ heldAt: h.at, heldBy: h.by, holdReason: h.reason, holdCaseRef: h.caseRef })
        .where(and(eq(recordings.name, name), isNull(recordings.heldAt)))
        .returning({ name: recordings.name });
      if (r.length === 0) return false;
      await tx.insert(auditLog).values(auditValues(audit) as typeof auditLog.$inferInsert);
      return true;
    });
  }

  release(name: string, audit: AuditEntry): Promise<boolean> {
    return this.write(async (tx) => {
      const r = await tx
        .update(recordings)
        .set({ heldAt: null, heldBy: null, holdReason: null, holdCaseRef: null })
        .where(and(eq(recordings.name, name), isNotNull(recordings.heldAt)))
        .returning({ name: recordings.name });
      if (r.length === 0) return false;
      await tx.insert(auditLog).values(auditValues(audit) as typeof auditLog.$inferInsert);
      return true;
    });
  }

  purgeCandidates(now: number, limit: number): Promise<RecordingRow[]> {
    return this.read((db) =>
      db
        .select()
        .from(recordings)
        .where(and(eq(recordings.status, 'archived'), isNull(recordings.heldAt), lte(recordings.retainUntil, now)))
        .orderBy(asc(recordings.retainUntil), asc(recordings.name))
        .limit(limit),
    );
  }

  countPurgeCandidates(now: number): Promise<number> {
    return this.read(async (db) => {
      const r = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(recordings)
        .where(and(eq(recordings.status, 'archived'), isNull(recordings.heldAt), lte(recordings.retainUntil, now)));
      return r[0]!.n;
    });
  }

  /**
   * One transaction (one savepoint of the queue's): per recording a `purged` index entry (chained and guarded by
   * the insert trigger) and the row's deletion (allowed by the delete trigger only after that entry), then one
   * audit row. A recording held meanwhile makes the guard abort the whole batch.
   */
  purgeBatch(rows: readonly RecordingRow[], at: number, audit: AuditEntry): Promise<void> {
    return this.write(async (tx) => {
      for (const row of rows) {
        await tx.execute(sql`insert into recording_index (seq, event, name, call_id, started_at, path, sha256, bytes, format,
            original_sha256, duration_ms, archived_at, retain_until, at, row_hash)
          select 0, 'purged', r.name, r.call_id, r.started_at, r.path, r.sha256, r.bytes, r.format, r.original_sha256,
            r.duration_ms, r.archived_at, r.retain_until, ${at}::bigint, ''
          from recordings r where r.name = ${row.name}`);
        await tx.delete(recordings).where(eq(recordings.name, row.name));
      }
      await tx.insert(auditLog).values(auditValues(audit) as typeof auditLog.$inferInsert);
    });
  }

  async *indexFrom(afterSeq = 0): AsyncGenerator<RecordingIndexRow> {
    let cursor = afterSeq;
    for (;;) {
      const page = await this.read((db) =>
        db
          .select()
          .from(recordingIndex)
          .where(gt(recordingIndex.seq, cursor))
          .orderBy(asc(recordingIndex.seq))
          .limit(1000),
      );
      if (page.length === 0) return;
      yield* page;
      cursor = page[page.length - 1]!.seq;
    }
  }

  indexEntry(name: string): Promise<RecordingIndexRow | undefined> {
    return this.read(
      async (db) =>
        (
          await db
            .select()
            .from(recordingIndex)
            .where(eq(recordingIndex.name, name))
            .orderBy(desc(recordingIndex.seq))
            .limit(1)
        )[0],
    );
  }

  async *archivedRows(afterName = ''): AsyncGenerator<RecordingRow> {
    let cursor = afterName;
    for (;;) {
      const page = await this.read((db) =>
        db
          .select()
          .from(recordings)
          // Byte order, as SQLite compares text, so that the file check's cursor walks the same sequence.
          .where(and(eq(recordings.status, 'archived'), sql`${recordings.name} collate "C" > ${cursor}`))
          .orderBy(sql`${recordings.name} collate "C"`)
          .limit(1000),
      );
      if (page.length === 0) return;
      yield* page;
      cursor = page[page.length - 1]!.name;
    }
  }

  async rawRows<T>(sqlText: string): Promise<T[]> {
    await this.queue.idle();
    return (await this.pool.query(sqlText)).rows as T[];
  }

  countArchived(): Promise<number> {
    return this.read(async (db) => {
      const r = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(recordings)
        .where(eq(recordings.status, 'archived'));
      return r[0]!.n;
    });
  }
}
