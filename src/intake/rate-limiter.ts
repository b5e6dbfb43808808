import type { Clock } from '../shared/clock.ts';

/**
 * At most `limit` events per key within any `windowMs` (a sliding log of the last `limit` instants per key).
 * Keys are forgotten once their window has passed, so memory stays bounded by the keys active in one window.
 */
export class SlidingWindowLimiter {
  private readonly log = new Map<string, number[]>();
  private lastSweep = 0;

  constructor(
    private readonly clock: Clock,
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Counts one event for the key; null if allowed, else ms until the next event would be allowed. */
  take(key: string): number | null {
    const now = this.clock.now();
    this.sweep(now);
    const from = now - this.windowMs;
    const times = (this.log.get(key) ?? []).filter((t) => t > from);
    if (times.length >= this.limit) {
      this.log.set(key, times);
      return Math.max(1, times[0]! + this.windowMs - now);
    }
    times.push(now);
    this.log.set(key, times);
    return null;
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    for (const [k, times] of this.log) if ((times[times.length - 1] ?? 0) <= now - this.windowMs) this.log.delete(k);
  }
}

/**
 * Remembers signatures already accepted while their timestamp is inside the accepted window, so a captured
 * request cannot be replayed within the window either (after it, the timestamp check refuses it).
 */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly windowMs: number,
  ) {}

  /** True the first time a signature is seen; false for a replay. */
  firstUse(signature: string): boolean {
    const now = this.clock.now();
    for (const [s, at] of this.seen) {
      if (at > now - 2 * this.windowMs) break; // insertion order: the rest are newer
      this.seen.delete(s);
    }
    if (this.seen.has(signature)) return false;
    this.seen.set(signature, now);
    return true;
  }
}
