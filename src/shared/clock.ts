/**
 * The clock port. Every piece of logic with a deadline or a timer takes a Clock, so that tests run
 * on FakeClock without sleeping and production runs on systemClock.
 */
export type TimerId = { readonly __timer: unique symbol } | number | object;

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerId;
  clearTimeout(id: TimerId | undefined): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // A pending deadline must never keep a stopping process alive.
    t.unref?.();
    return t;
  },
  clearTimeout: (id) => {
    if (id !== undefined) clearTimeout(id as NodeJS.Timeout);
  },
};

type Pending = { id: number; at: number; fn: () => void };

/** A clock that only moves when told to. Timers fire in deadline order, ties in creation order. */
export class FakeClock implements Clock {
  private current: number;
  private seq = 0;
  private pending: Pending[] = [];

  constructor(start: number | Date = Date.UTC(2026, 0, 5, 1, 0, 0)) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerId {
    const id = ++this.seq;
    this.pending.push({ id, at: this.current + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(id: TimerId | undefined): void {
    this.pending = this.pending.filter((p) => p.id !== id);
  }

  /** Number of timers waiting to fire. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /** Moves time forward by ms, firing each due timer at its own instant (timers set while firing included). */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const next = this.nextDue(target);
      if (!next) break;
      this.pending = this.pending.filter((p) => p !== next);
      this.current = next.at;
      next.fn();
    }
    this.current = target;
  }

  /** Like advance, but lets promise callbacks run between timers (for async code driven by timers). */
  async advanceAsync(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      await flushMicrotasks();
      const next = this.nextDue(target);
      if (!next) break;
      this.pending = this.pending.filter((p) => p !== next);
      this.current = next.at;
      next.fn();
    }
    this.current = target;
    await flushMicrotasks();
  }

  setTime(ms: number): void {
    if (ms < this.current) throw new Error('FakeClock cannot go backwards');
    this.advance(ms - this.current);
  }

  private nextDue(limit: number): Pending | undefined {
    let best: Pending | undefined;
    for (const p of this.pending) {
      if (p.at <= limit && (!best || p.at < best.at || (p.at === best.at && p.id < best.id))) best = p;
    }
    return best;
  }
}

async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
  await new Promise<void>((r) => setImmediate(r));
}
