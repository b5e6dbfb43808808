import type { Clock, TimerId } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { SenderLock } from '../store/pg-exchange-repo.ts';
import type { OutboxSender } from './outbox-sender.ts';

/**
 * Several instances on one PostgreSQL (issue 12): only the instance holding the sender lock pushes the outbox;
 * the others try again every `retryMs` and take over when the holder's session ends (kill -9, a cut network:
 * PostgreSQL frees the lock with the session). The new holder simply starts reading the outbox: a record leaves
 * it only once acknowledged, and an order's next record is read only after that, so the takeover resumes each
 * order where it stopped. A push the old holder had in flight may reach the platform twice; the receiver drops
 * the second by its id (at least once, as after a crash of a single instance).
 *
 * The holder asks the database every `retryMs` whether its session still holds the lock and stops pushing when
 * it does not; even a stale holder cannot reorder an order's records, since it reads only the head record.
 */
export class SenderDuty {
  private lock: SenderLock | null = null;
  private timer: TimerId | undefined;
  private running = false;
  private busy = false;
  private readonly retryMs: number;

  constructor(
    private readonly o: {
      sender: OutboxSender;
      tryLock: () => Promise<SenderLock | null>;
      clock: Clock;
      logger: Pick<Logger, 'info' | 'warn'>;
      retryMs?: number;
    },
  ) {
    this.retryMs = o.retryMs ?? 2_000;
  }

  /** Whether this instance pushes the outbox now. */
  get holding(): boolean {
    return this.lock !== null;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.tick();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.o.sender.stop();
    const lock = this.lock;
    this.lock = null;
    await lock?.release();
  }

  /** One try (standing by) or one check (holding); resolves when done. Exposed for tests. */
  async tick(): Promise<void> {
    if (!this.running || this.busy) return;
    this.busy = true;
    try {
      if (this.lock) {
        if (!(await this.lock.held())) await this.lose('the database no longer shows this session holding the lock');
      } else {
        const lock = await this.o.tryLock();
        if (lock && !this.running) await lock.release();
        else if (lock) {
          this.lock = lock;
          void lock.lost.then(() => {
            if (this.lock === lock) void this.lose('the lock connection ended');
          });
          this.o.logger.info('exchange: this instance pushes the outbox (sender lock taken)');
          this.o.sender.start();
        }
      }
    } catch (err) {
      this.o.logger.warn({ err: String(err) }, 'exchange: sender lock not checked; trying again');
    } finally {
      this.busy = false;
      if (this.running) {
        this.o.clock.clearTimeout(this.timer);
        this.timer = this.o.clock.setTimeout(() => void this.tick(), this.retryMs);
      }
    }
  }

  private async lose(why: string): Promise<void> {
    const lock = this.lock;
    if (!lock) return;
    this.lock = null;
    this.o.logger.warn({ why }, 'exchange: sender lock lost; this instance stops pushing');
    await this.o.sender.stop();
    await lock.release().catch(() => undefined);
  }
}
