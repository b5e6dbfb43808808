import type { NodePgDatabase } from 'drizzle-orm/node-postgres';

/** A transaction (or savepoint) of drizzle over node-postgres. */
export type PgTx = Parameters<Parameters<NodePgDatabase['transaction']>[0]>[0];

interface Job {
  write: (tx: PgTx) => Promise<unknown>;
  /** The rows this write may reference, queued elsewhere before it (the call records' queue). */
  after: Promise<void> | undefined;
  resolve: (v: unknown) => void;
  reject: (err: unknown) => void;
}

/**
 * Ordered, group-committed writes on PostgreSQL for code that cannot wait on the database inside its event
 * handling (the call layer). Writes are applied in the order they were enqueued; everything enqueued while
 * the previous transaction was committing shares the next one (one WAL flush for many writes), each in its
 * own savepoint so that one failing write rejects only its own promise. A failed commit rejects the batch.
 */
export class PgRecordingsQueue {
  private pending: Job[] = [];
  private tail: Promise<void> = Promise.resolve();
  private scheduled = false;

  /**
   * `after`: resolves once the writes queued so far on another queue are settled. A recording references its call,
   * whose row goes through the call records' own queue; asked at enqueue time and awaited before the commit, it
   * keeps the order the call layer wrote them in (a recording queued in the same turn as its call would otherwise
   * commit first and be refused by the foreign key).
   */
  constructor(
    private readonly db: NodePgDatabase,
    private readonly after?: () => Promise<void>,
  ) {}

  enqueue<T>(write: (tx: PgTx) => Promise<T>): Promise<T> {
    const after = this.after?.();
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ write, after, resolve: resolve as (v: unknown) => void, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      this.tail = this.tail.then(() => this.flush());
    });
  }

  /** Resolves once every write enqueued so far is committed or has failed. */
  idle(): Promise<void> {
    return this.tail;
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; err: unknown }> = [];
    // (a refused call row is that queue's to report; this write then fails on its own reference)
    await Promise.all(batch.map((job) => job.after?.catch(() => undefined)));
    try {
      await this.db.transaction(async (tx) => {
        for (const job of batch) {
          try {
            outcomes.push({ ok: true, value: await tx.transaction((sp) => job.write(sp)) });
          } catch (err) {
            outcomes.push({ ok: false, err: driverError(err) });
          }
        }
      });
    } catch (err) {
      for (const job of batch) job.reject(driverError(err));
      return;
    }
    batch.forEach((job, i) => {
      const o = outcomes[i]!;
      if (o.ok) job.resolve(o.value);
      else job.reject(o.err);
    });
  }
}

/**
 * Drizzle wraps a refused statement in an error whose message lists the statement's parameters; the database's own
 * error (its `cause`) names the problem without them, so that is what a caller (and a log line) gets.
 */
function driverError(err: unknown): unknown {
  const cause = (err as { cause?: unknown } | null)?.cause;
  return cause instanceof Error ? cause : err;
}
