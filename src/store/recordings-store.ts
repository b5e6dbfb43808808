import type { AuditEntry } from './audit-repo.ts';
import type { ArchivedFacts, RecordingsRepo } from './recordings-repo.ts';
import type { RecordingIndexRow, RecordingRow } from './schema/calls.ts';

export type RecordingListQuery = { from?: number; to?: number; callId?: string; limit?: number; offset?: number };

/**
 * The recordings and their hash-chained index on either store (issue 12): `SqliteRecordingsStore` over the
 * SQLite file, `PgRecordingsStore` on PostgreSQL. Every method returns a promise. The writes the call layer
 * makes inside its event handling (`insertRecording`, `markPending`) are ordered: on SQLite they run at once
 * (inside the caller's CDR transaction when called from one, and a failure throws synchronously), on
 * PostgreSQL they join a group-committed queue and the promise resolves at its commit. Reads on PostgreSQL
 * first wait for this instance's queued writes, so an instance reads what it wrote.
 */
export interface RecordingsStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Written before the recording is asked of Asterisk, so a crash right after still knows its name. */
  insertRecording(row: { name: string; callId: string; startedAt: number }): Promise<void>;
  get(name: string): Promise<RecordingRow | undefined>;
  byCall(callId: string): Promise<RecordingRow[]>;
  /** The call ended (or Asterisk finished the file): archive it next. Idempotent. */
  markPending(name: string, facts: { stoppedAt: number; talkMs: number | null }): Promise<void>;
  markArchived(name: string, facts: ArchivedFacts): Promise<void>;
  markDeletedFromPbx(name: string, at: number): Promise<void>;
  markAttemptFailed(name: string, error: string, final: boolean): Promise<void>;
  /** Marks a pending or failed recording `lost`; false when it was not in those states. */
  markLost(name: string, error: string): Promise<boolean>;
  /** Pending, failed or lost: the call ended but the recording is not archived. */
  notArchivedAfterCall(): Promise<RecordingRow[]>;
  /** Still recording, pending or failed. */
  unarchived(): Promise<RecordingRow[]>;
  /** How many are still recording, pending or failed (the metrics gauge). */
  countUnarchived(): Promise<number>;
  archivedStillOnPbx(): Promise<RecordingRow[]>;
  list(opts?: RecordingListQuery): Promise<RecordingRow[]>;
  /** Places a legal hold; false when already held. The audit row commits with it. */
  hold(
    name: string,
    h: { at: number; by: string; reason: string; caseRef: string },
    audit: AuditEntry,
  ): Promise<boolean>;
  /** Lifts a legal hold; false when not held. The audit row commits with it. */
  release(name: string, audit: AuditEntry): Promise<boolean>;
  purgeCandidates(now: number, limit: number): Promise<RecordingRow[]>;
  countPurgeCandidates(now: number): Promise<number>;
  /** In one transaction: a `purged` index entry and the deletion per recording, one audit row for the batch. */
  purgeBatch(rows: readonly RecordingRow[], at: number, audit: AuditEntry): Promise<void>;
  /** The recording index in chain order, in pages. */
  indexFrom(afterSeq?: number): AsyncGenerator<RecordingIndexRow>;
  indexEntry(name: string): Promise<RecordingIndexRow | undefined>;
  /** Archived rows in name order, in pages. */
  archivedRows(afterName?: string): AsyncGenerator<RecordingRow>;
  countArchived(): Promise<number>;
  /**
   * Rows of a read-only query written in SQL both dialects accept (the integrity check walks the audit trail and
   * the index with it; the audit trail lives in the same store). Numbers come back as numbers on both.
   */
  rawRows<T>(sqlText: string): Promise<T[]>;
  /** Resolves once every write queued so far is committed (PostgreSQL); at once on SQLite. */
  flushed(): Promise<void>;
}

/**
 * Runs a recording write inside a batch the caller commits (the call layer's CDR writer) and resolves once it
 * is committed in the recordings' own store too: on SQLite the write joins the batch's transaction, on
 * PostgreSQL it is queued there and the batch only orders it.
 */
export async function writeInBatch(
  batch: (write: () => void) => Promise<void> | void,
  write: () => Promise<unknown>,
): Promise<void> {
  let done: Promise<unknown> = Promise.resolve();
  await batch(() => {
    done = write();
  });
  await done;
}

/** The SQLite store's recordings: the synchronous repository behind the promise interface. */
export class SqliteRecordingsStore implements RecordingsStore {
  readonly kind = 'sqlite';
  constructor(readonly repo: RecordingsRepo) {}

  // Not `async`: a failing write must throw synchronously so that the caller's transaction rolls back.
  insertRecording(row: { name: string; callId: string; startedAt: number }): Promise<void> {
    this.repo.insertRecording(row);
    return Promise.resolve();
  }
  markPending(name: string, facts: { stoppedAt: number; talkMs: number | null }): Promise<void> {
    this.repo.markPending(name, facts);
    return Promise.resolve();
  }
  markArchived(name: string, facts: ArchivedFacts): Promise<void> {
    this.repo.markArchived(name, facts);
    return Promise.resolve();
  }
  markDeletedFromPbx(name: string, at: number): Promise<void> {
    this.repo.markDeletedFromPbx(name, at);
    return Promise.resolve();
  }
  markAttemptFailed(name: string, error: string, final: boolean): Promise<void> {
    this.repo.markAttemptFailed(name, error, final);
    return Promise.resolve();
  }
  async markLost(name: string, error: string): Promise<boolean> {
    return this.repo.markLost(name, error);
  }
  async get(name: string): Promise<RecordingRow | undefined> {
    return this.repo.get(name);
  }
  async byCall(callId: string): Promise<RecordingRow[]> {
    return this.repo.byCall(callId);
  }
  async notArchivedAfterCall(): Promise<RecordingRow[]> {
    return this.repo.notArchivedAfterCall();
  }
  async unarchived(): Promise<RecordingRow[]> {
    return this.repo.unarchived();
  }
  async countUnarchived(): Promise<number> {
    return this.repo.countUnarchived();
  }
  async archivedStillOnPbx(): Promise<RecordingRow[]> {
    return this.repo.archivedStillOnPbx();
  }
  async list(opts?: RecordingListQuery): Promise<RecordingRow[]> {
    return this.repo.list(opts);
  }
  async hold(
    name: string,
    h: { at: number; by: string; reason: string; caseRef: string },
    audit: AuditEntry,
  ): Promise<boolean> {
    return this.repo.hold(name, h, audit);
  }
  async release(name: string, audit: AuditEntry): Promise<boolean> {
    return this.repo.release(name, audit);
  }
  async purgeCandidates(now: number, limit: number): Promise<RecordingRow[]> {
    return this.repo.purgeCandidates(now, limit);
  }
  async countPurgeCandidates(now: number): Promise<number> {
    return this.repo.countPurgeCandidates(now);
  }
  async purgeBatch(rows: readonly RecordingRow[], at: number, audit: AuditEntry): Promise<void> {
    this.repo.purgeBatch(rows, at, audit);
  }
  async *indexFrom(afterSeq = 0): AsyncGenerator<RecordingIndexRow> {
    yield* this.repo.indexFrom(afterSeq);
  }
  async indexEntry(name: string): Promise<RecordingIndexRow | undefined> {
    return this.repo.indexEntry(name);
  }
  async *archivedRows(afterName = ''): AsyncGenerator<RecordingRow> {
    yield* this.repo.archivedRows(afterName);
  }
  async countArchived(): Promise<number> {
    return this.repo.countArchived();
  }
  async rawRows<T>(sqlText: string): Promise<T[]> {
    return this.repo.rawRows<T>(sqlText);
  }
  flushed(): Promise<void> {
    return Promise.resolve();
  }
}
