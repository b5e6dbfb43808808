import { ROTA_DAY_MS, shanghaiDate, spanOf, type RotaSpan } from '../domain/acd/rota.ts';
import { shanghaiDayStart } from '../domain/stats/shanghai-day.ts';
import type { Rejection } from '../domain/calls/decide.ts';
import type { Clock, TimerId } from '../shared/clock.ts';
import type { RotaRepo } from '../store/rota-repo.ts';

/**
 * Hands the leader rota (art. 23) to the domain: the entries dated yesterday (overnight spans run
 * into today), today and tomorrow (the 10-min warning of a span just after midnight). Loaded at
 * start, after every change by an admin, and again each midnight Asia/Shanghai on the injected clock.
 */
export class RotaFeed {
  private timer: TimerId | undefined;

  constructor(
    private readonly o: { repo: RotaRepo; clock: Clock; feed: (spans: RotaSpan[]) => Rejection | undefined },
  ) {}

  start(): void {
    this.reload();
  }

  reload(): void {
    const now = this.o.clock.now();
    const today = shanghaiDayStart(now);
    const rows = this.o.repo.between(shanghaiDate(today - ROTA_DAY_MS), shanghaiDate(today + ROTA_DAY_MS));
    this.o.feed(rows.map(spanOf));
    this.o.clock.clearTimeout(this.timer);
    this.timer = this.o.clock.setTimeout(() => this.reload(), today + ROTA_DAY_MS - now);
  }

  close(): void {
    this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
