import { shanghaiDayOf, startOfShanghaiDay } from '../domain/calendar/civil-date.ts';
import {
  DEFAULT_SUPERVISION_POLICY,
  SUPERVISION_LEVELS,
  newSupervisionNotices,
  superviseOrder,
  type IssuedNotice,
  type SupervisedDeadline,
  type SupervisionLevel,
  type SupervisionPolicy,
} from '../domain/work-orders/supervision.ts';
import { DEFAULT_CLOCK_POLICY } from '../domain/work-orders/handling-clock.ts';
import type { WorkOrder } from '../domain/work-orders/types.ts';
import type { Clock, TimerId } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { OrganisationRepo } from '../store/organisation-repo.ts';
import type { NewNotice, NewTask, StoredOrder, WorkOrderRepo } from '../store/work-orders-repo.ts';
import type { CalendarService } from './calendar-service.ts';
import type { SatisfactionSms } from './satisfaction-sms.ts';
import { SYSTEM_CALLER, pendingDeadline, type WorkOrderService } from './work-order-service.ts';

export interface ScanResult {
  checked: number;
  notices: number;
  tasks: number;
  satisfactionTimeouts: number;
  errors: number;
}

export interface ScannerDeps {
  repo: WorkOrderRepo;
  orders: WorkOrderService;
  org: OrganisationRepo;
  calendar: CalendarService;
  sms: SatisfactionSms;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  intervalMs?: number;
  batch?: number;
  policy?: SupervisionPolicy;
  /** Told of each notice once it is recorded (the unit inbox's live refresh). */
  onNotice?: (notice: NewNotice) => void;
  /**
   * Several instances on one PostgreSQL: the timer's pass runs only where this says so (the holder of an advisory
   * lock), so that one instance texts the units and records the cards. Asked at each tick, so another instance
   * takes the job over when the holder dies. Default: always (a single instance).
   */
  runsHere?: () => Promise<boolean>;
}

const LEVEL_TEXT: Record<SupervisionLevel, string> = {
  'sms-warning': '短信预警',
  'yellow-card': '黄牌督办',
  'red-card': '红牌督办',
};
const DEADLINE_TEXT: Record<SupervisedDeadline, string> = { dispatch: '派单', sign: '签收', completion: '办结' };

/**
 * Supervision (art. 27, 34) and the satisfaction timeout (art. 27(2)), driven by the injected Clock: every
 * `intervalMs` it takes the orders whose check time has come, asks the domain which escalation level each
 * deadline has reached, records new notices (SMS warning, yellow card, red card) and "state your reason" tasks
 * for overdue units, texts the unit's contacts, and counts 24 hours of silence after a survey as satisfied.
 */
export class SupervisionScanner {
  private timer: TimerId | undefined;
  private running: Promise<ScanResult> | undefined;
  private stopped = true;

  constructor(private readonly d: ScannerDeps) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    this.d.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Resolves when a scan in progress (if any) has finished. */
  async idle(): Promise<void> {
    await this.running;
  }

  private arm(): void {
    if (this.stopped) return;
    this.timer = this.d.clock.setTimeout(() => {
      void this.scanOnce({ timer: true })
        .catch((err: unknown) => this.d.logger.error({ err }, 'supervision scan failed'))
        .finally(() => this.arm());
    }, this.d.intervalMs ?? 60_000);
  }

  /** One pass over every order whose check time has come. Concurrent calls share the pass in progress. */
  scanOnce(opts: { timer?: boolean } = {}): Promise<ScanResult> {
    this.running ??= (opts.timer ? this.gatedPass() : this.pass()).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** The timer's pass: only on the instance that runs the job (`runsHere`); elsewhere nothing is checked. */
  private async gatedPass(): Promise<ScanResult> {
    if (this.d.runsHere && !(await this.d.runsHere()))
      return { checked: 0, notices: 0, tasks: 0, satisfactionTimeouts: 0, errors: 0 };
    return this.pass();
  }

  private async pass(): Promise<ScanResult> {
    const result: ScanResult = { checked: 0, notices: 0, tasks: 0, satisfactionTimeouts: 0, errors: 0 };
    const batch = this.d.batch ?? 500;
    const now = this.d.clock.now();
    for (let round = 0; round < 1000; round++) {
      const due = await this.d.repo.dueForCheck(now, batch);
      for (const s of due) {
        result.checked++;
        try {
          await this.checkOne(s, now, result);
        } catch (err) {
          result.errors++;
          this.d.logger.error({ err, orderId: s.order.id }, 'supervision of one order failed');
          // Look again tomorrow rather than failing the same order on every pass.
          await this.d.repo.recordSupervision({
            orderId: s.order.id,
            version: s.order.version,
            supervisionLevel: s.supervisionLevel,
            nextCheckAt: nextDayStart(now),
            notices: [],
            tasks: [],
            audit: [],
            at: now,
          });
        }
      }
      if (due.length < batch) break;
    }
    if (result.notices > 0 || result.satisfactionTimeouts > 0) this.d.logger.info({ ...result }, 'supervision scan');
    return result;
  }

  private async checkOne(s: StoredOrder, now: number, result: ScanResult): Promise<void> {
    const o = s.order;
    const pending = pendingDeadline(o);
    if (pending?.kind === 'satisfaction') {
      if (now >= pending.at) {
        await this.d.orders.act(o.id, { action: 'satisfaction-timeout' }, SYSTEM_CALLER);
        result.satisfactionTimeouts++;
      } else {
        await this.d.repo.recordSupervision({
          orderId: o.id,
          version: o.version,
          supervisionLevel: 0,
          nextCheckAt: pending.at,
          notices: [],
          tasks: [],
          audit: [],
          at: now,
        });
      }
      return;
    }
    const policy = this.d.policy ?? DEFAULT_SUPERVISION_POLICY;
    const findings = superviseOrder(o, now, { calendar: this.d.calendar.calendar, policy });
    const issued: IssuedNotice[] = (await this.d.repo.notices(o.id)).map((n) => ({
      orderId: n.orderId,
      deadline: n.deadlineKind as SupervisedDeadline,
      dueAt: n.deadlineAt,
      level: n.level as SupervisionLevel,
    }));
    const effects = newSupervisionNotices(findings, issued);
    const notices: NewNotice[] = [];
    const tasks: NewTask[] = [];
    for (const e of effects) {
      if (e.type === 'supervision-notice')
        notices.push({
          orderId: e.orderId,
          unitId: e.unitId,
          level: e.level,
          deadlineKind: e.deadline,
          deadlineAt: e.dueAt,
        });
      else
        tasks.push({
          orderId: e.orderId,
          kind: 'explain-overdue',
          unitId: e.unitId,
          note: 'art. 27(1): the overdue unit states its reason',
        });
    }
    const level = Math.max(0, ...findings.map((f) => SUPERVISION_LEVELS.indexOf(f.level) + 1));
    await this.d.repo.recordSupervision({
      orderId: o.id,
      version: o.version,
      supervisionLevel: level,
      nextCheckAt: pending === null ? null : nextCheck(o, now, policy),
      notices,
      tasks,
      audit: notices.map((n) => ({
        entity: 'work_order',
        entityId: String(o.id),
        action: `supervision:${n.level}`,
        actorId: 'system',
        actorRole: 'system',
        at: now,
        reason: `${n.deadlineKind} deadline ${new Date(n.deadlineAt).toISOString()}`,
        data: { unitId: n.unitId, level: n.level, deadline: n.deadlineKind, dueAt: n.deadlineAt },
      })),
      at: now,
    });
    result.notices += notices.length;
    result.tasks += tasks.length;
    for (const n of notices) await this.textUnit(o, n);
    for (const n of notices) this.d.onNotice?.(n);
  }

  private async textUnit(o: WorkOrder, n: NewNotice): Promise<void> {
    if (n.unitId === null) return;
    const unit = await this.d.org.get(n.unitId);
    const contacts = unit?.contacts ?? [];
    const text = `【12345热线】${LEVEL_TEXT[n.level as SupervisionLevel]}：工单${o.id}${DEADLINE_TEXT[n.deadlineKind as SupervisedDeadline]}时限${new Date(n.deadlineAt + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ')}，请及时办理。`;
    for (const c of contacts.slice(0, 3)) await this.d.sms.send('supervision', o.id, c.phone, text);
  }
}

function nextDayStart(now: number): number {
  return startOfShanghaiDay(shanghaiDayOf(now) + 1);
}

/**
 * The next instant at which a level can change: working-day levels change at midnight (Asia/Shanghai) or at
 * the deadline itself; clock-time levels at the warning fraction, the deadline and the red threshold.
 */
export function nextCheck(o: WorkOrder, now: number, policy: SupervisionPolicy = DEFAULT_SUPERVISION_POLICY): number {
  const candidates = [nextDayStart(now)];
  const clock = (start: number, due: number) => {
    const len = Math.max(1, due - start);
    candidates.push(due - len * policy.warnFraction, due + 1, due + len * policy.redAfterOverdueFraction);
  };
  const a = o.assignments[o.assignments.length - 1];
  if (o.status === 'registered' || o.status === 'returned' || o.status === 'disputed')
    clock(o.dispatchDue.at - DEFAULT_CLOCK_POLICY.dispatchMs, o.dispatchDue.at);
  if (a && o.status === 'dispatched') {
    if (o.emergency) clock(a.dispatchedAt, a.signDue.at);
    else candidates.push(a.signDue.at + 1);
  }
  if (a?.completionDue && (o.status === 'dispatched' || o.status === 'signed')) {
    if (a.limit?.unit === 'ms') clock(a.dispatchedAt, a.completionDue.at);
    else candidates.push(a.completionDue.at + 1);
  }
  return Math.ceil(Math.min(...candidates.filter((t) => t > now)));
}
