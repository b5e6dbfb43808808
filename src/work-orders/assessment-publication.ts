import { assessmentContributions, assessmentMonth, cycleYearOf } from '../domain/work-orders/assessment.ts';
import {
  DEFAULT_WEIGHTS,
  knowledgeUpkeep,
  MANUAL_ITEMS,
  scoreUnits,
  weightProblems,
  type AssessmentWeights,
  type ManualItem,
  type ScoreInputs,
} from '../domain/work-orders/assessment-score.ts';
import type { Clock } from '../shared/clock.ts';
import type { AssessmentRepo, PublicationRecord } from '../store/assessment-repo.ts';
import type { AppealRecord, WorkOrderRepo } from '../store/work-orders-repo.ts';
import { badInput, conflict, notFound, notYours } from './service-error.ts';
import type { Caller } from './work-order-service.ts';

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The period and cycle of `YYYY-MM`; 400 naming `field` otherwise. */
export function parseMonth(month: string, field: string) {
  const m = MONTH.exec(month);
  if (!m) throw badInput('invalid-month', `${field} must be a month YYYY-MM`);
  const period = assessmentMonth(Number(m[1]), Number(m[2]));
  return { period, cycle: cycleYearOf(period.start) };
}

const pad = (n: number) => String(n).padStart(2, '0');
/** The last civil day of a month period (YYYY-MM-DD), for the knowledge entries' `valid_to`. */
function lastDay(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return `${month}-${pad(new Date(Date.UTC(y, m, 0)).getUTCDate())}`;
}

/**
 * Monthly publication of the 100-point assessment (art. 30–33): per-cycle weights, manual items with evidence,
 * the month frozen with its inputs at publication, and a new version with a note when an accepted appeal
 * changes it.
 */
export class AssessmentPublisher {
  constructor(
    private readonly deps: {
      repo: AssessmentRepo;
      orders: WorkOrderRepo;
      clock: Clock;
    },
  ) {}

  async weights(cycle: number): Promise<{ cycle: number; weights: AssessmentWeights; configured: boolean }> {
    const w = await this.deps.repo.weights(cycle);
    return { cycle, weights: w?.weights ?? DEFAULT_WEIGHTS, configured: w !== null };
  }

  async setWeights(cycle: number, weights: AssessmentWeights, caller: Caller) {
    const problems = weightProblems(weights);
    if (problems.length > 0) throw badInput('invalid-weights', `body: ${problems.join('; ')}`);
    const now = this.deps.clock.now();
    await this.deps.repo.setWeights(cycle, weights, caller.id, now, {
      entity: 'assessment_weights',
      entityId: String(cycle),
      action: 'set',
      actorId: caller.id,
      actorRole: caller.role,
      at: now,
      data: { weights },
    });
    return this.weights(cycle);
  }

  async setManualScore(
    input: { month: string; unitId: string; item: ManualItem; points: number; evidence: string },
    caller: Caller,
  ) {
    const { cycle } = parseMonth(input.month, 'body.month');
    if (!(MANUAL_ITEMS as readonly string[]).includes(input.item))
      throw badInput('invalid-item', `body.item must be one of ${MANUAL_ITEMS.join(', ')}`);
    const max = (await this.weights(cycle)).weights[input.item];
    if (!(input.points >= 0 && input.points <= max))
      throw badInput(
        'points-out-of-range',
        `body.points must be 0–${max} (the weight of ${input.item} in cycle ${cycle})`,
      );
    const now = this.deps.clock.now();
    const score = {
      unitId: input.unitId,
      item: input.item,
      points: input.points,
      evidence: input.evidence,
      enteredBy: caller.id,
      enteredAt: now,
    };
    await this.deps.repo.setManualScore(input.month, score, {
      entity: 'assessment_manual_score',
      entityId: `${input.month}/${input.unitId}/${input.item}`,
      action: 'set',
      actorId: caller.id,
      actorRole: caller.role,
      at: now,
      reason: input.evidence,
      data: { points: input.points },
    });
    return { month: input.month, ...score };
  }

  async manualScores(month: string, caller: Caller) {
    parseMonth(month, 'querystring.month');
    const all = await this.deps.repo.manualScores(month);
    return caller.role === 'unit_handler' ? all.filter((m) => m.unitId === caller.unitId) : all;
  }

  /** The month's inputs as the store holds them now. */
  private async currentInputs(month: string, excludedBy: AppealRecord[]): Promise<ScoreInputs> {
    const { period } = parseMonth(month, 'month');
    const now = this.deps.clock.now();
    const rows = await this.deps.orders.forAssessment(period.start, period.end);
    const contributions = assessmentContributions(
      rows.map((r) => r.state),
      period,
      now,
    );
    const knowledge = knowledgeUpkeep(
      await this.deps.repo.expiringEntries(`${month}-01`, lastDay(month)),
      await this.deps.repo.questionsDue(period.start, period.end),
      now,
    );
    return {
      contributions,
      knowledge,
      manual: await this.deps.repo.manualScores(month),
      excluded: exclusions(contributions, excludedBy),
    };
  }

  /** Art. 30: publish a month once it is over; its figures are frozen with their inputs. */
  async publish(month: string, caller: Caller): Promise<PublicationRecord> {
    const { period, cycle } = parseMonth(month, 'body.month');
    const now = this.deps.clock.now();
    if (now < period.end)
      throw conflict(
        'month-not-over',
        `${month} is not over yet; it can be published from ${new Date(period.end).toISOString()}`,
      );
    if (await this.deps.repo.publication(month))
      throw conflict('already-published', `${month} is published already; an accepted appeal republishes it`);
    const accepted = (await this.deps.orders.appeals({ cycle: String(cycle) })).filter((a) => a.status === 'accepted');
    const inputs = await this.currentInputs(month, accepted);
    return this.write({ month, cycle, version: 1, note: null, appealId: null, inputs, caller });
  }

  private async write(p: {
    month: string;
    cycle: number;
    version: number;
    note: string | null;
    appealId: number | null;
    inputs: ScoreInputs;
    caller: Caller;
    weights?: AssessmentWeights;
  }): Promise<PublicationRecord> {
    const weights = p.weights ?? (await this.weights(p.cycle)).weights;
    const now = this.deps.clock.now();
    const r = await this.deps.repo.publish(
      {
        month: p.month,
        cycle: p.cycle,
        version: p.version,
        publishedAt: now,
        publishedBy: p.caller.id,
        note: p.note,
        appealId: p.appealId,
        weights,
        inputs: p.inputs,
        results: scoreUnits(p.inputs, weights),
      },
      {
        entity: 'assessment_publication',
        entityId: p.month,
        action: p.version === 1 ? 'publish' : 'republish',
        actorId: p.caller.id,
        actorRole: p.caller.role,
        at: now,
        reason: p.note,
        data: { version: p.version, ...(p.appealId !== null ? { appealId: p.appealId } : {}) },
      },
    );
    if (r === 'conflict') throw conflict('already-published', `${p.month} version ${p.version} exists already`);
    return r;
  }

  /**
   * Art. 32: an accepted appeal recomputes the published months it touches from their frozen inputs and
   * republishes them as a new version with a note. An appeal naming an order takes that order out of the unit's
   * figures in the months that counted it; an appeal naming none re-reads the unit's manual items (the
   * supervisor corrects them before accepting) in every published month of the cycle.
   */
  async appealAccepted(appeal: AppealRecord, caller: Caller): Promise<PublicationRecord[]> {
    const cycle = Number(appeal.cycle.slice(0, 4));
    const latest = new Map<string, PublicationRecord>();
    for (const p of await this.deps.repo.publications(cycle)) latest.set(p.month, p);
    const out: PublicationRecord[] = [];
    for (const p of latest.values()) {
      if (appeal.cycle.length === 7 && p.month !== appeal.cycle) continue;
      const inputs: ScoreInputs = structuredClone(p.inputs);
      let what: string;
      if (appeal.orderId !== null) {
        const hit = inputs.contributions.some((c) => c.orderId === appeal.orderId && c.unitId === appeal.unitId);
        const already = inputs.excluded.some((e) => e.orderId === appeal.orderId && e.unitId === appeal.unitId);
        if (!hit || already) continue;
        inputs.excluded.push({ orderId: appeal.orderId, unitId: appeal.unitId, appealId: appeal.id });
        what = `工单 ${appeal.orderId} 不再计入 ${appeal.unitId} 的考核`;
      } else {
        inputs.manual = [
          ...inputs.manual.filter((m) => m.unitId !== appeal.unitId),
          ...(await this.deps.repo.manualScores(p.month)).filter((m) => m.unitId === appeal.unitId),
        ];
        what = `重新采用 ${appeal.unitId} 的人工考核分`;
      }
      const note = `根据申诉 #${appeal.id}（${appeal.unitId}）重新计算并发布：${what}。申诉处理意见：${appeal.decision ?? ''}`;
      out.push(
        await this.write({
          month: p.month,
          cycle,
          version: p.version + 1,
          note,
          appealId: appeal.id,
          inputs,
          caller,
          // A republication keeps the month's weights: only the appeal's correction changes the result.
          weights: p.weights,
        }),
      );
    }
    return out;
  }

  /** The newest version of each published month of a cycle, with every version's note (for the page). */
  async list(cycle: number) {
    const months = new Map<string, PublicationRecord[]>();
    for (const p of await this.deps.repo.publications(cycle)) months.set(p.month, [...(months.get(p.month) ?? []), p]);
    return {
      cycle,
      weights: await this.weights(cycle),
      months: [...months.entries()].map(([month, versions]) => {
        const last = versions.at(-1)!;
        return {
          month,
          version: last.version,
          publishedAt: last.publishedAt,
          results: last.results.map((r) => ({ unitId: r.unitId, rank: r.rank, total: r.total, items: r.items })),
          history: versions.map((v) => ({
            version: v.version,
            publishedAt: v.publishedAt,
            note: v.note,
            appealId: v.appealId,
          })),
        };
      }),
    };
  }

  /** One version (default the newest) with its frozen inputs; a unit handler sees its own unit's inputs only. */
  async get(month: string, version: number | undefined, caller: Caller): Promise<PublicationRecord> {
    parseMonth(month, 'params.month');
    const p = await this.deps.repo.publication(month, version);
    if (!p)
      throw notFound(
        'not-published',
        version === undefined ? `${month} is not published` : `${month} has no version ${version}`,
      );
    if (caller.role !== 'unit_handler') return p;
    if (!caller.unitId) throw notYours('not-your-unit', 'your account belongs to no unit');
    const own = <T extends { unitId: string }>(xs: T[]) => xs.filter((x) => x.unitId === caller.unitId);
    return {
      ...p,
      inputs: {
        contributions: own(p.inputs.contributions),
        knowledge: own(p.inputs.knowledge),
        manual: own(p.inputs.manual),
        excluded: own(p.inputs.excluded),
      },
    };
  }
}

/** The (order, unit) pairs accepted appeals take out of a month's contributions. */
function exclusions(contributions: ScoreInputs['contributions'], accepted: AppealRecord[]): ScoreInputs['excluded'] {
  const out: ScoreInputs['excluded'] = [];
  for (const a of accepted) {
    if (a.orderId === null) continue;
    if (contributions.some((c) => c.orderId === a.orderId && c.unitId === a.unitId))
      out.push({ orderId: a.orderId, unitId: a.unitId, appealId: a.id });
  }
  return out;
}
