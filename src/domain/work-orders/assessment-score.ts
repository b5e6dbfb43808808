import { DAY_MS, dayNumberOf, startOfShanghaiDay } from '../calendar/civil-date.ts';
import { figuresFromContributions, type AssessmentContribution, type UnitFigures } from './assessment.ts';

/**
 * The 100-point assessment (art. 30–31). The regional bureau sets the items' weights every year (art. 31), so
 * they are configured per cycle; they must add up to 100.
 */
export const SCORE_ITEMS = [
  'signOnTime',
  'completionOnTime',
  'returnRate',
  'extensionRate',
  'satisfaction',
  'knowledgeUpkeep',
  'materialReview',
  'ledgers',
  'testCalls',
] as const;
export type ScoreItem = (typeof SCORE_ITEMS)[number];
export type AssessmentWeights = Record<ScoreItem, number>;

/** Items a supervisor scores by hand with an evidence note (art. 30: 材料审核、台账记录、人工拨测). */
export const MANUAL_ITEMS = ['materialReview', 'ledgers', 'testCalls'] as const satisfies readonly ScoreItem[];
export type ManualItem = (typeof MANUAL_ITEMS)[number];

export const SCORE_ITEM_NAMES: Record<ScoreItem, string> = {
  signOnTime: '按时签收',
  completionOnTime: '按时办结',
  returnRate: '退单率',
  extensionRate: '延期率',
  satisfaction: '满意度',
  knowledgeUpkeep: '知识库维护',
  materialReview: '材料审核',
  ledgers: '台账记录',
  testCalls: '人工拨测',
};

/** Used for a cycle until its weights are configured (the publication records which weights it used). */
export const DEFAULT_WEIGHTS: AssessmentWeights = {
  signOnTime: 15,
  completionOnTime: 20,
  returnRate: 10,
  extensionRate: 5,
  satisfaction: 25,
  knowledgeUpkeep: 10,
  materialReview: 5,
  ledgers: 5,
  testCalls: 5,
};

/** Problems with a set of weights (empty when valid): each item 0–100, in total exactly 100. */
export function weightProblems(w: Partial<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  let sum = 0;
  for (const item of SCORE_ITEMS) {
    const v = w[item];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 100) problems.push(`${item} must be 0–100`);
    else sum += v;
  }
  for (const k of Object.keys(w)) if (!(SCORE_ITEMS as readonly string[]).includes(k)) problems.push(`${k} is no item`);
  if (problems.length === 0 && Math.abs(sum - 100) > 1e-9) problems.push(`the weights add up to ${sum}, not 100`);
  return problems;
}

/** Knowledge-base upkeep of one unit in a month (art. 29). */
export interface KnowledgeUpkeep {
  unitId: string;
  /** Entry versions whose validity ended in the month. */
  expiring: number;
  /** Of those, renewed by a new version no later than the last day of their validity. */
  renewedInTime: number;
  /** Questions due in the month (3 working days after they were asked). */
  questionsDue: number;
  answeredInTime: number;
}

/** The knowledge rows the store reads for a month; this turns them into per-unit upkeep. */
export function knowledgeUpkeep(
  entries: readonly { unitId: string; validTo: string; renewedAt: number | null }[],
  questions: readonly { unitId: string; dueAt: number; answeredAt: number | null }[],
  now: number,
): KnowledgeUpkeep[] {
  const byUnit = new Map<string, KnowledgeUpkeep>();
  const get = (unitId: string) => {
    let k = byUnit.get(unitId);
    if (!k) {
      k = { unitId, expiring: 0, renewedInTime: 0, questionsDue: 0, answeredInTime: 0 };
      byUnit.set(unitId, k);
    }
    return k;
  };
  for (const e of entries) {
    const endOfValidity = startOfShanghaiDay(dayNumberOf(e.validTo)) + DAY_MS;
    // A validity that has not ended yet is not judged.
    if (endOfValidity > now) continue;
    const k = get(e.unitId);
    k.expiring++;
    if (e.renewedAt !== null && e.renewedAt < endOfValidity) k.renewedInTime++;
  }
  for (const q of questions) {
    if (q.dueAt > now && q.answeredAt === null) continue;
    const k = get(q.unitId);
    k.questionsDue++;
    if (q.answeredAt !== null && q.answeredAt <= q.dueAt) k.answeredInTime++;
  }
  return [...byUnit.values()];
}

/** A supervisor's score for a manual item, with the evidence it rests on. */
export interface ManualScore {
  unitId: string;
  item: ManualItem;
  points: number;
  evidence: string;
  enteredBy: string;
  enteredAt: number;
}

/** Everything a month's scores are computed from; frozen with the publication. */
export interface ScoreInputs {
  contributions: AssessmentContribution[];
  knowledge: KnowledgeUpkeep[];
  manual: ManualScore[];
  /** Assignments taken out by accepted appeals (art. 32). */
  excluded: { orderId: number; unitId: string; appealId: number }[];
}

export interface UnitScore {
  unitId: string;
  rank: number;
  total: number;
  items: Record<ScoreItem, number>;
  /** Manual items with no entry: scored in full (nothing found against the unit), listed so it shows. */
  manualMissing: ManualItem[];
  figures: UnitFigures;
  knowledge: KnowledgeUpkeep;
}

const round2 = (x: number) => Math.round(x * 100) / 100;
/** A rate scored on `w` points; with nothing counted the unit loses nothing. */
const ofRate = (w: number, r: number | null) => (r === null ? w : w * r);

/**
 * Scores and ranks the units of a month from frozen inputs. Pure, so a published month can be recomputed
 * exactly from what it froze. Rates earn their weight in proportion (return and extension rates inversely);
 * a rate with nothing counted earns the full weight. Ranks are shared on equal totals (1, 1, 3).
 */
export function scoreUnits(inputs: ScoreInputs, weights: AssessmentWeights): UnitScore[] {
  const excluded = new Set(inputs.excluded.map((e) => `${e.orderId}|${e.unitId}`));
  const figures = figuresFromContributions(
    inputs.contributions.filter((c) => !excluded.has(`${c.orderId}|${c.unitId}`)),
  );
  const units = new Set<string>([
    ...inputs.contributions.map((c) => c.unitId),
    ...inputs.knowledge.map((k) => k.unitId),
    ...inputs.manual.map((m) => m.unitId),
  ]);
  const scores: UnitScore[] = [];
  for (const unitId of [...units].sort()) {
    const f = figures.find((x) => x.unitId === unitId) ?? emptyFigures(unitId);
    const k = inputs.knowledge.find((x) => x.unitId === unitId) ?? {
      unitId,
      expiring: 0,
      renewedInTime: 0,
      questionsDue: 0,
      answeredInTime: 0,
    };
    const kDen = k.expiring + k.questionsDue;
    const items = {
      signOnTime: ofRate(weights.signOnTime, f.signOnTimeRate),
      completionOnTime: ofRate(weights.completionOnTime, f.completionOnTimeRate),
      returnRate: ofRate(weights.returnRate, f.returnRate === null ? null : 1 - f.returnRate),
      extensionRate: ofRate(weights.extensionRate, f.extensionRate === null ? null : 1 - f.extensionRate),
      satisfaction: ofRate(weights.satisfaction, f.satisfactionRate),
      knowledgeUpkeep: ofRate(weights.knowledgeUpkeep, kDen === 0 ? null : (k.renewedInTime + k.answeredInTime) / kDen),
    } as Record<ScoreItem, number>;
    const manualMissing: ManualItem[] = [];
    for (const item of MANUAL_ITEMS) {
      const m = inputs.manual.find((x) => x.unitId === unitId && x.item === item);
      if (m) items[item] = Math.min(m.points, weights[item]);
      else {
        items[item] = weights[item];
        manualMissing.push(item);
      }
    }
    for (const item of SCORE_ITEMS) items[item] = round2(items[item]);
    const total = round2(SCORE_ITEMS.reduce((s, i) => s + items[i], 0));
    scores.push({ unitId, rank: 0, total, items, manualMissing, figures: f, knowledge: k });
  }
  scores.sort((a, b) => b.total - a.total || a.unitId.localeCompare(b.unitId));
  scores.forEach((s, i) => {
    s.rank = i > 0 && scores[i - 1]!.total === s.total ? scores[i - 1]!.rank : i + 1;
  });
  return scores;
}

function emptyFigures(unitId: string): UnitFigures {
  return {
    unitId,
    counted: 0,
    signCounted: 0,
    signedOnTime: 0,
    signOnTimeRate: null,
    completionCounted: 0,
    completedOnTime: 0,
    completionOnTimeRate: null,
    returned: 0,
    returnRate: null,
    extended: 0,
    extensionRate: null,
    rated: 0,
    satisfied: 0,
    satisfiedByDefault: 0,
    basicallySatisfied: 0,
    dissatisfied: 0,
    satisfactionRate: null,
  };
}
