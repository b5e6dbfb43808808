import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import type pg from 'pg';

/** What a queued write runs on: the batch's connection, raw and through drizzle. */
export interface BatchConnection {
  readonly client: pg.PoolClient;
  readonly db: NodePgDatabase;
}

export interface QueuedWrite {
  run(c: BatchConnection): Promise<unknown>;
  /** Told the write's result once its batch is committed. */
  done?(result: unknown): void;
  /** Told when the write will never be committed (dropped by a stop, or refused by the database itself). */
  fail?(err: unknown): void;
}

type Log = { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };

export interface WriteQueueOptions {
  logger?: Log;
  /** First wait before a failed batch is tried again; doubles up to `retryMaxMs` (real time: I/O, not call logic). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Told each committed batch: how long its transaction took (ms, from connect to commit) and its writes. */
  onCommit?: (ms: number, writes: number) => void;
}

const silent: Log = { warn() {}, error() {} };

/**
 * SQLSTATE classes a retry cannot cure: data exceptions (22) and integrity-constraint violations (23). A batch
 * failing with one is retried write by write under savepoints, so that only the refused write is left out;
 * anything else (a lost connection, a restarting server) retries the whole batch, in order, until it commits.
 */
const PERMANENT = /^(22|23)/;

/** The SQLSTATE of a failed query; drizzle wraps the driver's error (DrizzleQueryError) with it as the cause. */
function sqlState(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 3; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** The driver's message (drizzle's own repeats the SQL and its parameters, which may hold a caller's number). */
function messageOf(err: unknown): string {
  let e = err;
  while (e && typeof e === 'object' && (e as { cause?: unknown }).cause) e = (e as { cause?: unknown }).cause;
  return e instanceof Error ? e.message : String(e);
}

/**
 * One ordered queue of writes, committed by one connection at a time (issue 12, call records on PostgreSQL).
 * The writes pushed during one turn of the event loop form one batch and one transaction (group commit: the
 * call layer writes a lot, and a round trip per commit per write would cost more than the calls' logic). Batches
 * commit in order; a failed one is retried with backoff, never reordered or dropped. Error logs carry the SQL
 * state and message only, never parameters (caller numbers).
 */
export class WriteQueue {
  private pending: QueuedWrite[] = [];
  private running: Promise<void> | undefined;
  private scheduled = false;
  private stopped: string | undefined;
  /** Writes pushed, and writes settled (committed, refused or dropped), counted since the start. */
  private pushedCount = 0;
  private settledCount = 0;
  private waiters: Array<{ upTo: number; resolve: () => void }> = [];
  private readonly log: Log;

  constructor(
    private readonly pool: pg.Pool,
    private readonly opts: WriteQueueOptions = {},
  ) {
    this.log = opts.logger ?? silent;
  }

  push(w: QueuedWrite): void {
    if (this.stopped !== undefined) {
      w.fail?.(new Error(`call records: not written (${this.stopped})`));
      return;
    }
    this.pending.push(w);
    this.pushedCount++;
    this.schedule();
  }

  /** Pushes a write and resolves with its result once committed. */
  pushWithResult<T>(run: (c: BatchConnection) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) =>
      this.push({ run, done: (r) => resolve(r as T), fail: (err) => reject(err) }),
    );
  }

  /**
   * Resolves once every write pushed so far is settled (committed, or refused, or dropped after a stop). Writes
   * pushed later do not hold it back, so a read under a steady stream of writes waits for at most two batches.
   */
  flushed(): Promise<void> {
    const upTo = this.pushedCount;
    if (this.settledCount >= upTo) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ upTo, resolve }));
  }

  private settled(n: number): void {
    this.settledCount += n;
    const ready = this.waiters.filter((w) => w.upTo <= this.settledCount);
    this.waiters = this.waiters.filter((w) => w.upTo > this.settledCount);
    for (const w of ready) w.resolve();
  }

  /**
   * Stops writing: a deposed call owner's state is stale, and the new owner writes the same rows from ARI's
   * snapshot. What is queued is dropped (counted in the log); a batch in flight is rolled back if not yet
   * committed.
   */
  stop(why: string): void {
    if (this.stopped !== undefined) return;
    this.stopped = why;
    const dropped = this.pending.splice(0);
    for (const w of dropped) w.fail?.(new Error(`call records: not written (${why})`));
    if (dropped.length) this.log.warn({ dropped: dropped.length, why }, 'call records: queued writes dropped');
    this.settled(dropped.length);
  }

  /** Commits what is queued (retrying as usual, so a database that is away holds the close until it is back). */
  close(): Promise<void> {
    return this.flushed();
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    // setImmediate: after this turn's I/O callbacks, so everything they wrote joins the same batch.
    setImmediate(() => {
      this.scheduled = false;
      if (!this.running) this.drain();
    });
  }

  private drain(): void {
    this.running = (async () => {
      while (this.pending.length > 0 && this.stopped === undefined) {
        const batch = this.pending.splice(0);
        try {
          await this.commitWithRetry(batch);
        } finally {
          this.settled(batch.length);
        }
      }
    })()
      .catch((err: unknown) => this.log.error({ err: messageOf(err) }, 'call records: write queue failed'))
      .finally(() => {
        this.running = undefined;
        if (this.pending.length > 0 && this.stopped === undefined) this.schedule();
      });
  }

  private async commitWithRetry(batch: QueuedWrite[]): Promise<void> {
    let wait = this.opts.retryBaseMs ?? 200;
    let savepoints = false;
    for (let attempt = 1; ; attempt++) {
      if (this.stopped !== undefined) {
        for (const w of batch) w.fail?.(new Error(`call records: not written (${this.stopped})`));
        this.log.warn({ dropped: batch.length, why: this.stopped }, 'call records: queued writes dropped');
        return;
      }
      try {
        const started = performance.now();
        const results = await this.commit(batch, savepoints);
        this.opts.onCommit?.(performance.now() - started, batch.length);
        batch.forEach((w, i) => {
          const r = results[i]!;
          if (r.ok) w.done?.(r.value);
          else w.fail?.(r.err);
        });
        return;
      } catch (err) {
        const code = sqlState(err);
        if (!savepoints && code !== undefined && PERMANENT.test(code)) {
          // One write the database refuses must not hold back (or take down) the others.
          savepoints = true;
          continue;
        }
        this.log.error(
          {
            attempt,
            writes: batch.length,
            code,
            err: err instanceof Error ? err.message : String(err),
            retryInMs: wait,
          },
          'call records: commit failed; retrying in order',
        );
        await new Promise((r) => setTimeout(r, wait).unref?.());
        wait = Math.min(wait * 2, this.opts.retryMaxMs ?? 5000);
      }
    }
  }

  private async commit(
    batch: QueuedWrite[],
    savepoints: boolean,
  ): Promise<Array<{ ok: true; value: unknown } | { ok: false; err: unknown }>> {
    const client = await this.pool.connect();
    let broken = false;
    try {
      const c: BatchConnection = { client, db: drizzle(client) };
      await client.query('begin');
      const results: Array<{ ok: true; value: unknown } | { ok: false; err: unknown }> = [];
      for (const w of batch) {
        if (!savepoints) {
          results.push({ ok: true, value: await w.run(c) });
          continue;
        }
        await client.query('savepoint w');
        try {
          results.push({ ok: true, value: await w.run(c) });
          await client.query('release savepoint w');
        } catch (err) {
          const code = sqlState(err);
          if (code === undefined || !PERMANENT.test(code)) throw err;
          await client.query('rollback to savepoint w');
          this.log.error(
            { code, err: messageOf(err) },
            'call records: a write was refused by the database and left out',
          );
          // The caller logs it: the driver's message only, not drizzle's, which lists the parameters (numbers).
          results.push({ ok: false, err: Object.assign(new Error(`write refused: ${messageOf(err)}`), { code }) });
        }
      }
      if (this.stopped !== undefined) throw new Error(`call records: not committed (${this.stopped})`);
      await client.query('commit');
      return results;
    } catch (err) {
      await client.query('rollback').catch(() => {
        broken = true;
      });
      throw err;
    } finally {
      client.release(broken ? true : undefined);
    }
  }
}
