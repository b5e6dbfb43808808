import { and, asc, desc, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { recordings, type RecordingRow } from './schema/calls.ts';

export interface ArchivedFacts {
  path: string;
  sha256: string;
  bytes: number;
  durationMs: number;
  durationCheck: 'ok' | 'mismatch';
  archivedAt: number;
  retainUntil: number;
}

/**
 * Recording rows. The lifecycle is recording → pending (Asterisk finished the file, or the call
 * ended) → archived (our copy is written, hashed and committed). `failed` keeps the reason; it is
 * retried like `pending`. There is deliberately no delete method (art. 28).
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
      .set({ status: 'archived', ...facts, lastError: null })
      .where(eq(recordings.name, name))
      .run();
  }

  markDeletedFromPbx(name: string, at: number): void {
    this.db.update(recordings).set({ deletedFromPbxAt: at }).where(eq(recordings.name, name)).run();
  }

  markAttemptFailed(name: string, error: string, final: boolean): void {
    this.db
      .update(recordings)
      .set({ attempts: sql`${recordings.attempts} + 1`, lastError: error.slice(0, 500), ...(final ? { status: 'failed' as const } : {}) })
      .where(eq(recordings.name, name))
      .run();
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
}
