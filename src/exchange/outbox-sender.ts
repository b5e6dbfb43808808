import type { Clock, TimerId } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { signWebhook } from '../sms/webhook-signature.ts';
import type { ExchangeRepo, OutboxFigures, OutboxRow } from '../store/exchange-repo.ts';

/** What the supervisor figures show of the exchange with the regional platform (art. 5). */
export interface ExchangeFigures {
  /** Records written and not yet acknowledged. */
  pending: number;
  /** Of those, records whose last push failed (retried with backoff). */
  failed: number;
  /** Age of the oldest unacknowledged record, in ms (0 when nothing waits). */
  lagMs: number;
  /** Records acknowledged since the server started. */
  acknowledged: number;
}

export interface OutboxSenderOptions {
  repo: Pick<ExchangeRepo, 'due' | 'ackAll' | 'fail' | 'figures' | 'nextHeadAttemptAt'>;
  /** The regional platform's receiving URL. */
  endpoint: string;
  /** Shared HMAC secret; the signature covers `${timestamp}.${body}` like the SMS webhook. */
  secret: string;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** A push not answered within this time counts as failed (and is sent again later). */
  timeoutMs?: number;
  /** Pushes in flight at once (never two of the same order). */
  concurrency?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** Look at the outbox at least this often even when nothing woke the sender. */
  idlePollMs?: number;
}

/** Without a listener, the outbox figures are read at most this often (each read scans the outbox). */
const FIGURES_EVERY_MS = 1_000;

/** Delay before attempt n+1 after n failed attempts: base · 2^(n−1), at most max. */
export function backoffDelay(failedAttempts: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(30, failedAttempts - 1)));
}

/**
 * Pushes the exchange outbox to the regional platform (art. 5, 16): each record is POSTed with its outbox id
 * (`x-exchange-id`), signed (`x-exchange-timestamp`, `x-exchange-signature: sha256=<hex>`), and leaves the
 * outbox only when the platform answers 2xx with `{"ack": <that id>}`. Records of one order go one at a time
 * and in order; a failure keeps the record and retries it with exponential backoff. Delivery is at least once:
 * after a crash mid-push the record is sent again, and the receiver drops it by its id.
 *
 * The store is asynchronous (PostgreSQL, issue 12): one look at the outbox runs at a time, and a look ignores the
 * records whose push ended while it was reading (its rows may predate their acknowledgement or backoff).
 */
export class OutboxSender {
  private readonly inFlight = new Map<number, { id: number; abort: AbortController }>();
  private readonly settled = new Set<Promise<void>>();
  private timer: TimerId | undefined;
  private stopped = true;
  private wakeQueued = false;
  /** Acknowledged records waiting for the next grouped delete (one transaction, one fsync for all). */
  private acks: { id: number; done: () => void }[] = [];
  private acknowledged = 0;
  /** The outbox figures as last read (the wallboard asks synchronously; `refreshFigures` reads them now). */
  private last: OutboxFigures = { pending: 0, failed: 0, oldestCreatedAt: null };
  private looking = false;
  private reading = false;
  private readAgain = false;
  private lastReadAt: number | undefined;
  private lookAgain = false;
  /** Records whose push ended during the current look: its rows of them are stale. */
  private endedDuringLook: Set<number> | null = null;
  private readonly timeoutMs: number;
  private readonly concurrency: number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly idlePollMs: number;
  /** Told when the figures changed (records acknowledged or failed), e.g. to push the wallboard. */
  onChange: (() => void) | undefined;

  constructor(private readonly o: OutboxSenderOptions) {
    this.timeoutMs = o.timeoutMs ?? 10_000;
    this.concurrency = Math.max(1, o.concurrency ?? 4);
    this.baseMs = o.backoffBaseMs ?? 1_000;
    this.maxMs = o.backoffMaxMs ?? 300_000;
    this.idlePollMs = o.idlePollMs ?? 30_000;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.wake();
  }

  /** Look at the outbox soon (after the current turn, so a transaction that just wrote has committed). */
  wake(): void {
    if (this.stopped || this.wakeQueued) return;
    this.wakeQueued = true;
    setImmediate(() => {
      this.wakeQueued = false;
      this.pump();
    });
  }

  /** Stops pushing; pushes in flight are abandoned (their records stay and go again at the next start). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    for (const f of this.inFlight.values()) f.abort.abort();
    await Promise.allSettled([...this.settled]);
  }

  /** Resolves when nothing is in flight and no look at the outbox is running or queued (the retry timer is set). */
  async idle(): Promise<void> {
    for (;;) {
      if (this.settled.size > 0) await Promise.allSettled([...this.settled]);
      else if (this.wakeQueued) await new Promise((r) => setImmediate(r));
      else return;
    }
  }

  /** The figures as last read from the store (see noteChange for when they are read). */
  figures(): ExchangeFigures {
    const f = this.last;
    const now = this.o.clock.now();
    return {
      pending: f.pending,
      failed: f.failed,
      lagMs: f.oldestCreatedAt === null ? 0 : Math.max(0, now - f.oldestCreatedAt),
      acknowledged: this.acknowledged,
    };
  }

  /** Reads the figures from the store now. */
  async refreshFigures(): Promise<ExchangeFigures> {
    this.lastReadAt = this.o.clock.now();
    try {
      this.last = await this.o.repo.figures();
    } catch (err) {
      this.o.logger.warn({ err: errText(err) }, 'exchange: outbox figures not read');
    }
    return this.figures();
  }

  /**
   * The figures changed (records acknowledged or failed). Reading them scans the outbox, so they are read after
   * each change only when someone listens (`onChange`, the wallboard), one read at a time; otherwise at most
   * once every FIGURES_EVERY_MS.
   */
  private noteChange(): void {
    if (this.onChange) this.read(true);
    else this.readIfDue();
  }

  private readIfDue(): void {
    if (this.lastReadAt === undefined || this.o.clock.now() - this.lastReadAt >= FIGURES_EVERY_MS) this.read(false);
  }

  /** One read at a time; a change noted during a read is read again after it (and told to the listener). */
  private read(tell: boolean): void {
    if (this.reading) {
      if (tell) this.readAgain = true;
      return;
    }
    this.reading = true;
    const p = this.refreshFigures()
      .then(() => {
        if (tell) this.onChange?.();
      })
      .finally(() => {
        this.reading = false;
        this.settled.delete(p);
        if (this.readAgain) {
          this.readAgain = false;
          this.read(true);
        }
      });
    this.settled.add(p);
  }

  private pump(): void {
    if (this.stopped) return;
    if (this.looking) {
      this.lookAgain = true;
      return;
    }
    this.looking = true;
    const p = this.look().finally(() => {
      this.looking = false;
      this.settled.delete(p);
      if (this.lookAgain) {
        this.lookAgain = false;
        this.pump();
      }
    });
    this.settled.add(p);
  }

  private async look(): Promise<void> {
    try {
      const room = this.concurrency - this.inFlight.size;
      if (room > 0) {
        const ended = new Set<number>();
        this.endedDuringLook = ended;
        let due: OutboxRow[];
        try {
          due = await this.o.repo.due(this.o.clock.now(), room + this.inFlight.size);
        } finally {
          this.endedDuringLook = null;
        }
        for (const row of due) {
          if (this.stopped || this.inFlight.size >= this.concurrency) break;
          if (this.inFlight.has(row.orderId) || ended.has(row.id)) continue;
          this.launch(row);
        }
      }
      this.readIfDue();
      await this.arm();
    } catch (err) {
      // The store is unreachable: look again at the next poll (the records stay where they are).
      this.o.logger.warn({ err: errText(err) }, 'exchange: outbox not read; trying again later');
      this.setTimer(Math.min(this.idlePollMs, 5_000));
    }
  }

  /** Sets the timer for the next retry; with pushes in flight their completion wakes the sender instead. */
  private async arm(): Promise<void> {
    if (this.stopped) return;
    let next: number | null = null;
    if (this.inFlight.size === 0) next = await this.o.repo.nextHeadAttemptAt();
    const now = this.o.clock.now();
    this.setTimer(next === null ? this.idlePollMs : Math.min(this.idlePollMs, Math.max(0, next - now)));
  }

  private setTimer(delay: number): void {
    this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped) return;
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, delay);
  }

  private launch(row: OutboxRow): void {
    const abort = new AbortController();
    this.inFlight.set(row.orderId, { id: row.id, abort });
    const p = this.push(row, abort).finally(() => {
      this.endedDuringLook?.add(row.id);
      this.inFlight.delete(row.orderId);
      this.settled.delete(p);
      this.wake();
    });
    this.settled.add(p);
  }

  /**
   * Deletes acknowledged records in groups: acks arriving in the same turn share one transaction. The order
   * stays "in flight" until its record's delete is durable, so its next record never overtakes it, even
   * across a crash.
   */
  private recordAck(id: number): Promise<void> {
    return new Promise((resolve) => {
      this.acks.push({ id, done: resolve });
      if (this.acks.length > 1) return;
      setImmediate(async () => {
        const batch = this.acks;
        this.acks = [];
        try {
          // Read the count after the await: groups overlap on an asynchronous store, and `x += await …` would
          // add to the value read before the wait and lose the other group's count.
          const deleted = await this.o.repo.ackAll(batch.map((a) => a.id));
          this.acknowledged += deleted;
        } catch (err) {
          // The records stay and go again (the receiver drops them by id).
          this.o.logger.error(
            { err: errText(err), records: batch.length },
            'exchange: acknowledged records not deleted',
          );
        } finally {
          for (const a of batch) a.done();
          this.noteChange();
        }
      });
    });
  }

  private async push(row: OutboxRow, abort: AbortController): Promise<void> {
    const clock = this.o.clock;
    const timer = clock.setTimeout(
      () => abort.abort(new Error(`no answer within ${this.timeoutMs} ms`)),
      this.timeoutMs,
    );
    try {
      const ts = String(clock.now());
      const res = await fetch(this.o.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'x-exchange-id': String(row.id),
          'x-exchange-timestamp': ts,
          'x-exchange-signature': signWebhook(this.o.secret, ts, row.record),
        },
        body: row.record,
        signal: abort.signal,
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const ack = ackOf(text);
      // A stale or duplicated acknowledgement of another record must not take this one out of the outbox.
      if (ack !== String(row.id)) throw new Error(`acknowledgement names ${ack ?? 'nothing'} instead of ${row.id}`);
      await this.recordAck(row.id);
    } catch (err) {
      const now = clock.now();
      const attempts = row.attempts + 1;
      const reason = abort.signal.aborted ? String((abort.signal.reason as Error)?.message ?? 'aborted') : errText(err);
      try {
        await this.o.repo.fail(row.id, now, reason, now + backoffDelay(attempts, this.baseMs, this.maxMs));
      } catch (dbErr) {
        // Not recorded (the store is closing): the record is still there and goes again at the next start.
        this.o.logger.error({ outboxId: row.id, err: errText(dbErr) }, 'exchange: failed push not recorded');
      }
      this.noteChange();
      // Ids and counts only: the record holds personal data.
      this.o.logger.warn(
        { outboxId: row.id, orderId: row.orderId, attempts, reason },
        'exchange: push to the regional platform failed; kept for retry',
      );
    } finally {
      clock.clearTimeout(timer);
    }
  }
}

function ackOf(text: string): string | null {
  try {
    const v = (JSON.parse(text) as { ack?: unknown }).ack;
    return typeof v === 'number' || typeof v === 'string' ? String(v) : null;
  } catch {
    return null;
  }
}

function errText(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  return [e?.message ?? String(err), e?.cause?.code ?? e?.cause?.message].filter(Boolean).join(': ');
}
