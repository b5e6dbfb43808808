import type { Clock, TimerId } from '../shared/clock.ts';

/**
 * Keyed timers with absolute deadlines on the injected Clock. The domain names a timer by key and
 * gives the instant it is due; setting a key again replaces the earlier deadline.
 */
export class TimerScheduler {
  private readonly timers = new Map<string, { at: number; id: TimerId }>();

  constructor(
    private readonly clock: Clock,
    private readonly fire: (key: string) => void,
  ) {}

  set(key: string, at: number): void {
    this.cancel(key);
    const id = this.clock.setTimeout(
      () => {
        const t = this.timers.get(key);
        if (!t || t.id !== id) return;
        this.timers.delete(key);
        this.fire(key);
      },
      Math.max(0, at - this.clock.now()),
    );
    this.timers.set(key, { at, id });
  }

  cancel(key: string): void {
    const t = this.timers.get(key);
    if (!t) return;
    this.clock.clearTimeout(t.id);
    this.timers.delete(key);
  }

  /** Cancels every timer whose key starts with the prefix (a call's timers when it ends). */
  cancelPrefix(prefix: string): void {
    for (const key of [...this.timers.keys()]) if (key.startsWith(prefix)) this.cancel(key);
  }

  has(key: string): boolean {
    return this.timers.has(key);
  }

  deadline(key: string): number | undefined {
    return this.timers.get(key)?.at;
  }

  get size(): number {
    return this.timers.size;
  }

  clear(): void {
    for (const t of this.timers.values()) this.clock.clearTimeout(t.id);
    this.timers.clear();
  }
}
