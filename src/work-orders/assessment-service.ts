import {
  appealAllowed,
  assessUnits,
  assessmentCycle,
  assessmentMonth,
  cycleYearOf,
  type UnitFigures,
} from '../domain/work-orders/assessment.ts';
import type { Clock } from '../shared/clock.ts';
import type { AuditRepo } from '../store/audit-repo.ts';
import type { AppealRecord, WorkOrderRepo } from '../store/work-orders-repo.ts';
import type { CalendarService } from './calendar-service.ts';
import { badInput, conflict, notFound, notYours } from './service-error.ts';
import type { Caller } from './work-order-service.ts';

export interface FiguresQuery {
  year: number;
  /** 1–12 for a month; absent for the whole cycle (1 December of year-1 to 30 November of year, art. 30). */
  month?: number;
  unitId?: string;
}

/** Monthly and yearly figures per unit (art. 30–33) and appeals against them. */
export class AssessmentService {
  constructor(
    private readonly repo: WorkOrderRepo,
    private readonly calendar: CalendarService,
    private readonly audit: AuditRepo,
    private readonly clock: Clock,
    /** Called after an appeal is accepted (art. 32): recomputes and republishes the months it touches. */
    private readonly onAccepted?: (appeal: AppealRecord, caller: Caller) => Promise<unknown[]>,
  ) {}

  async figures(
    q: FiguresQuery,
    caller: Caller,
  ): Promise<{ period: { label: string; start: number; end: number }; units: UnitFigures[] }> {
    let unitId = q.unitId;
    if (caller.role === 'unit_handler') {
      if (unitId !== undefined && unitId !== caller.unitId)
        throw notYours('not-your-unit', `you may read the figures of unit ${caller.unitId ?? '-'} only`);
      unitId = caller.unitId ?? '\u0000none';
    }
    const period = q.month === undefined ? assessmentCycle(q.year) : assessmentMonth(q.year, q.month);
    const rows = await this.repo.forAssessment(period.start, period.end);
    const units = assessUnits(
      rows.map((r) => r.state),
      period,
      this.clock.now(),
    ).filter((f) => unitId === undefined || f.unitId === unitId);
    return { period, units };
  }

  /** Art. 33: a unit appeals its figures of a cycle until 7 working days after the cycle ends. */
  async appeal(
    input: { cycleYear: number; orderId?: number; reason: string; unitId?: string },
    caller: Caller,
  ): Promise<AppealRecord> {
    const unitId = caller.role === 'unit_handler' ? caller.unitId : input.unitId;
    if (!unitId) throw badInput('unit-required', 'body.unitId is required');
    const now = this.clock.now();
    if (input.cycleYear > cycleYearOf(now))
      throw conflict('cycle-not-started', `cycle ${input.cycleYear} has not started`);
    const w = appealAllowed(this.calendar.calendar, input.cycleYear, now);
    if (!w.allowed) {
      throw conflict(
        'appeal-window-closed',
        `appeals against cycle ${input.cycleYear} were accepted until ${new Date(w.deadline.at).toISOString()} (7 working days after the cycle, art. 33)`,
      );
    }
    const a = await this.repo.addAppeal({
      unitId,
      cycle: String(input.cycleYear),
      orderId: input.orderId ?? null,
      reason: input.reason,
      filedBy: caller.id,
      filedAt: now,
    });
    await this.audit.append({
      entity: 'assessment_appeal',
      entityId: String(a.id),
      action: 'file',
      actorId: caller.id,
      actorRole: caller.role,
      at: now,
      reason: input.reason,
      data: { unitId, cycle: a.cycle },
    });
    return a;
  }

  async decide(
    id: number,
    d: { status: 'accepted' | 'rejected'; decision: string },
    caller: Caller,
  ): Promise<AppealRecord & { republished?: { month: string; version: number }[] }> {
    const existing = await this.repo.appeal(id);
    if (!existing) throw notFound('appeal-not-found', `no appeal ${id}`);
    const now = this.clock.now();
    const r = await this.repo.decideAppeal(
      id,
      { ...d, decidedBy: caller.id, decidedAt: now },
      {
        entity: 'assessment_appeal',
        entityId: String(id),
        action: d.status,
        actorId: caller.id,
        actorRole: caller.role,
        at: now,
        reason: d.decision,
      },
    );
    if (!r) throw conflict('appeal-decided', `appeal ${id} was decided already`);
    if (r.status !== 'accepted' || !this.onAccepted) return r;
    const republished = (await this.onAccepted(r, caller)) as { month: string; version: number }[];
    return { ...r, republished: republished.map((p) => ({ month: p.month, version: p.version })) };
  }

  appeals(filter: { unitId?: string; cycle?: string }, caller: Caller): Promise<AppealRecord[]> {
    if (caller.role === 'unit_handler') return this.repo.appeals({ ...filter, unitId: caller.unitId ?? '\u0000none' });
    return this.repo.appeals(filter);
  }
}
