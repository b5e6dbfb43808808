import { CalendarDataError, parseYearSchedule } from '../domain/calendar/year-schedule.ts';
import { shippedSchedules } from '../domain/calendar/shipped-calendar.ts';
import { WorkingCalendar } from '../domain/calendar/working-calendar.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { AuditRepo } from '../store/audit-repo.ts';
import type { CalendarRepo } from '../store/calendar-repo.ts';
import { badInput, conflict } from './service-error.ts';

export interface CalendarAlert {
  at: number;
  year: number;
  subject: string;
  message: string;
}

/**
 * Holds the working-day calendar in force: shipped years plus the years admins added (persisted). Adding a
 * year swaps the immutable calendar; a deadline computed in a year without data raises an alert (issue 3 item 6).
 */
export class CalendarService {
  private cal: WorkingCalendar;
  private readonly recentAlerts: CalendarAlert[] = [];
  private readonly alertedYears = new Set<number>();

  private readonly repo: CalendarRepo;
  private readonly audit: AuditRepo;
  private readonly clock: Clock;
  private readonly logger: Pick<Logger, 'warn'> | undefined;

  /** Starts with the shipped years; `init()` adds the years stored by admins. `regions`: e.g. ['guangxi']. */
  constructor(deps: {
    repo: CalendarRepo;
    audit: AuditRepo;
    clock: Clock;
    regions: readonly string[];
    logger?: Pick<Logger, 'warn'>;
  }) {
    this.cal = WorkingCalendar.create(shippedSchedules, { regions: deps.regions });
    this.repo = deps.repo;
    this.audit = deps.audit;
    this.clock = deps.clock;
    this.logger = deps.logger;
  }

  async init(): Promise<void> {
    let cal = this.cal;
    for (const s of await this.repo.list()) cal = cal.withSchedule(s.data, { replace: true });
    this.cal = cal;
  }

  get calendar(): WorkingCalendar {
    return this.cal;
  }

  /** Adds (or with `replace`, corrects) one year's schedule for the nation or a region. */
  async addYear(
    raw: unknown,
    actor: { id: string; role: string },
    replace = false,
  ): Promise<{ year: number; region: string; coveredYears: number[] }> {
    const parsed = parseYearSchedule(raw);
    if (!parsed.ok) throw badInput('invalid-calendar', parsed.issues.map((i) => `${i.path}: ${i.message}`).join('; '));
    let next: WorkingCalendar;
    try {
      next = this.cal.withSchedule(parsed.value, { replace });
    } catch (err) {
      if (err instanceof CalendarDataError) {
        const msg = err.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
        if (err.issues.some((i) => i.message.includes('already loaded')))
          throw conflict('calendar-year-exists', msg + ' (send replace: true to correct it)');
        throw badInput('invalid-calendar', msg);
      }
      throw err;
    }
    const now = this.clock.now();
    await this.repo.save(
      { year: parsed.value.year, region: parsed.value.region, data: parsed.value, addedBy: actor.id, addedAt: now },
      {
        entity: 'calendar',
        entityId: `${parsed.value.region}:${parsed.value.year}`,
        action: replace ? 'replace-year' : 'add-year',
        actorId: actor.id,
        actorRole: actor.role,
        at: now,
        data: { holidays: parsed.value.holidays.length, makeUpWorkdays: parsed.value.makeUpWorkdays.length },
      },
    );
    this.cal = next;
    return { year: parsed.value.year, region: parsed.value.region, coveredYears: next.coveredYears() };
  }

  /**
   * Called whenever a deadline was computed provisionally. Each uncovered year raises one audited alert per
   * process (and a log warning), so admins learn they must add the year before real deadlines depend on it.
   */
  async provisionalDeadline(year: number, subject: string): Promise<void> {
    const alert: CalendarAlert = {
      at: this.clock.now(),
      year,
      subject,
      message: `deadline for ${subject} falls in ${year}, which has no working-day calendar data: it is provisional (Mon–Fri assumed); add the year via POST /calendar/years`,
    };
    this.recentAlerts.push(alert);
    if (this.recentAlerts.length > 200) this.recentAlerts.shift();
    if (this.alertedYears.has(year)) return;
    this.alertedYears.add(year);
    this.logger?.warn({ year, subject }, alert.message);
    await this.audit.append({
      entity: 'calendar',
      entityId: String(year),
      action: 'provisional-deadline-alert',
      actorId: 'system',
      actorRole: 'system',
      at: alert.at,
      reason: alert.message,
    });
  }

  alerts(): CalendarAlert[] {
    return [...this.recentAlerts];
  }
}
