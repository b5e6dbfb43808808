import { ROTA_DAY_MS, shanghaiDate, spanOf, type RotaSpan } from '../domain/acd/rota.ts';
import { shanghaiDayStart } from '../domain/stats/shanghai-day.ts';
import type { Rejection } from '../domain/calls/decide.ts';
import type { Clock, TimerId } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { RotaRepo } from '../store/rota-repo.ts';

/**
 * Hands the leader rota (art. 23) to the domain: the entries dated yesterday (overnight spans run
 * into today), today and tomorrow (the 10-min warning of a span just after midnight). Loaded at
 * start, after every change by an admin, and again each midnight Asia/Shanghai on the injected clock.
 *
 * The rows are read asynchronously (PostgreSQL with DATABASE_URL); the domain gets them as one input once
 * read and keeps deciding with the previous rota meanwhile. When loads overlap, only the latest one is fed.
 */
export class RotaFeed {
  private timer: TimerId | undefined;
  private generation = 0;
  private closed = false;

  constructor(
    private readonly o: {
      repo: RotaRepo;
      clock: Clock;
      logger: Pick<Logger, 'error'>;
      feed: (spans: RotaSpan[]) => Rejection | undefined;
    },
  ) {}

  start(): void {
    void this.reload();
  }

  async reload(): Promise<void> {
    const generation = ++this.generation;
    const now = this.o.clock.now();
    const today = shanghaiDayStart(now);
    this.o.clock.clearTimeout(this.timer);
    this.timer = this.o.clock.setTimeout(() => void this.reload(), today + ROTA_DAY_MS - now);
    let rows: Awaited<ReturnType<RotaRepo['between']>>;
    try {
      rows = await this.o.repo.between(shanghaiDate(today - ROTA_DAY_MS), shanghaiDate(today + ROTA_DAY_MS));
    } catch (err) {
      // The domain keeps the rota it has; the next change or midnight loads again.
      this.o.logger.error({ err: String(err) }, 'rota: could not load the leader rota');
      return;
    }
    if (this.closed || generation !== this.generation) return;
    this.o.feed(rows.map(spanOf));
  }

  close(): void {
    this.closed = true;
    this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
