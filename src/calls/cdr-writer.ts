import type { CallRecords } from '../store/call-records.ts';
import type { CallPatch, LegPatch, NewCall, NewLeg } from '../store/calls-repo.ts';

interface Pending<I, P> {
  insert?: I;
  patch: P;
}

/**
 * Write-behind for the call detail records: a call's many small changes within 100 ms
 * (every domain decision touches its record) become one row write, and all rows changed in that
 * window are committed in one transaction, so one fsync (synchronous=FULL) serves them all instead
 * of blocking the event loop once per change. `flush()` commits at once where order matters: before
 * a row that references the call and before reading it back; `committed()` lets the recording
 * intent wait for its call row without blocking.
 */
export class CdrWriter {
  private readonly calls = new Map<string, Pending<NewCall, CallPatch>>();
  private readonly legs = new Map<string, Pending<NewLeg, LegPatch>>();
  private readonly ops: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;
  private waiters: Array<() => void> = [];
  /** Told the duration of each commit in ms (metrics: store commit latency). */
  onCommit: ((ms: number) => void) | undefined;

  constructor(
    private readonly repo: CallRecords,
    private readonly onError: (err: unknown) => void,
    /** How long changes may wait for their commit (real time: this batches disk writes, it is not call logic). */
    private readonly batchMs = 100,
  ) {}

  /** Resolves once everything written so far is committed. */
  committed(): Promise<void> {
    if (this.calls.size === 0 && this.legs.size === 0 && this.ops.length === 0) return Promise.resolve();
    this.schedule();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Runs a write now, in one transaction with everything pending (for an intent that must precede a request). */
  now(write: () => void): void {
    this.ops.push(write);
    this.flush();
  }

  /**
   * Runs another write (a recording or callback row) inside the next batch, after the call and leg
   * rows it may reference, and resolves once it is committed.
   */
  later(write: () => void): Promise<void> {
    this.ops.push(write);
    return this.committed();
  }

  insertCall(row: NewCall): void {
    this.calls.set(row.id, { insert: row, patch: {} });
    this.schedule();
  }

  updateCall(id: string, patch: CallPatch): void {
    const p = this.calls.get(id);
    if (p) Object.assign(p.patch, patch);
    else this.calls.set(id, { patch: { ...patch } });
    this.schedule();
  }

  insertLeg(row: NewLeg): void {
    if (!this.legs.has(row.channelId)) this.legs.set(row.channelId, { insert: row, patch: {} });
    this.schedule();
  }

  updateLeg(channelId: string, patch: LegPatch): void {
    const p = this.legs.get(channelId);
    if (p) Object.assign(p.patch, patch);
    else this.legs.set(channelId, { patch: { ...patch } });
    this.schedule();
  }

  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const waiters = this.waiters.splice(0);
    if (this.calls.size === 0 && this.legs.size === 0 && this.ops.length === 0) {
      for (const w of waiters) w();
      return;
    }
    const calls = [...this.calls.entries()];
    const legs = [...this.legs.entries()];
    const ops = this.ops.splice(0);
    this.calls.clear();
    this.legs.clear();
    const started = performance.now();
    try {
      this.repo.transaction(() => {
        for (const [id, p] of calls) {
          if (p.insert) this.repo.insertCall({ ...p.insert, ...p.patch });
          else this.repo.updateCall(id, p.patch);
        }
        for (const [id, p] of legs) {
          if (p.insert) this.repo.insertLeg({ ...p.insert, ...p.patch });
          else this.repo.updateLeg(id, p.patch);
        }
        for (const op of ops) op();
      });
      this.onCommit?.(performance.now() - started);
    } catch (err) {
      this.onError(err);
    }
    for (const w of waiters) w();
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.batchMs);
    this.timer.unref?.();
  }
}
