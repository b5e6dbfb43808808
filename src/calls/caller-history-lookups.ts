import type { Logger } from 'pino';
import type { Clock, TimerId } from '../shared/clock.ts';
import type { HistoryOrder } from './caller-history.ts';
import { errText } from './call-context.ts';

/** How long a read of the caller history may take before the call goes on without it. */
export const DEFAULT_HISTORY_TIMEOUT_MS = 2000;

/** The first read of a caller's history at arrival: the repeat-caller flag is taken from this many orders. */
export const ARRIVAL_HISTORY_LIMIT = 20;

/** How many orders a screen-pop lists. */
export const POP_HISTORY_LIMIT = 10;

/**
 * The work-order store's answers for the call layer, which decides synchronously: each read runs beside the
 * call with a deadline on the injected clock, and its answer comes back as a later input or push. A read that
 * fails or misses the deadline is logged and the call goes on without it ("no history", "not found"), so a slow
 * or unreachable PostgreSQL never holds a caller in the menu or a desk without its pop.
 */
export class HistoryLookups {
  private readonly pending = new Map<number, { timer: TimerId; settle: () => void }>();
  private seq = 0;
  private closed = false;

  constructor(
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly timeoutMs: number = DEFAULT_HISTORY_TIMEOUT_MS,
  ) {}

  /**
   * Runs `read`; resolves with its answer, or with `undefined` when it failed, missed the deadline or the call
   * layer closed meanwhile (each logged once, naming `what`; the log masks numbers in error texts).
   */
  read<T>(what: string, read: () => Promise<T>): Promise<T | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    const id = ++this.seq;
    return new Promise<T | undefined>((resolve) => {
      const finish = (value: T | undefined) => {
        const entry = this.pending.get(id);
        if (!entry) return;
        this.pending.delete(id);
        this.clock.clearTimeout(entry.timer);
        resolve(value);
      };
      const timer = this.clock.setTimeout(() => {
        this.log.warn({ what, timeoutMs: this.timeoutMs }, `calls: ${what} lookup timed out; going on without it`);
        finish(undefined);
      }, this.timeoutMs);
      this.pending.set(id, { timer, settle: () => finish(undefined) });
      // A source that throws at once (not a rejected promise) is the same failure.
      Promise.resolve()
        .then(read)
        .then(
          (value) => finish(value),
          (err: unknown) => {
            if (this.pending.has(id))
              this.log.warn({ err: errText(err), what }, `calls: ${what} lookup failed; going on without it`);
            finish(undefined);
          },
        );
    });
  }

  /** Reads in flight. */
  get size(): number {
    return this.pending.size;
  }

  /** The call layer is closing: every read in flight resolves with `undefined` now, later ones at once. */
  close(): void {
    this.closed = true;
    for (const entry of [...this.pending.values()]) entry.settle();
  }
}

/** Whether two reads of a caller's history show the same rows (a pop is pushed again only when they differ). */
export function sameHistory(a: readonly HistoryOrder[], b: readonly HistoryOrder[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
