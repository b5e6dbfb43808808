import { describe, expect, it } from 'vitest';
import type { AssessmentContribution } from '../../../src/domain/work-orders/assessment.ts';
import {
  DEFAULT_WEIGHTS,
  knowledgeUpkeep,
  scoreUnits,
  weightProblems,
} from '../../../src/domain/work-orders/assessment-score.ts';

const c = (orderId: number, unitId: string, over: Partial<AssessmentContribution> = {}): AssessmentContribution => ({
  orderId,
  unitId,
  sign: 'on-time',
  completion: 'on-time',
  returned: false,
  extended: false,
  satisfaction: 'satisfied',
  satisfiedByDefault: false,
  ...over,
});

describe('100-point scores (art. 30–31)', () => {
  it('earns each rate its weight in proportion, return and extension inversely, and ranks ties together', () => {
    const scores = scoreUnits(
      {
        contributions: [
          c(1, 'a'),
          c(2, 'a', { completion: 'late', satisfaction: 'dissatisfied' }),
          c(3, 'b'),
          c(4, 'c', { returned: true, completion: null, satisfaction: null }),
          c(5, 'c'),
        ],
        knowledge: [{ unitId: 'b', expiring: 2, renewedInTime: 1, questionsDue: 2, answeredInTime: 1 }],
        manual: [
          { unitId: 'c', item: 'ledgers', points: 5, evidence: '台账齐全', enteredBy: 's', enteredAt: 0 },
          { unitId: 'b', item: 'testCalls', points: 99, evidence: '超出权重', enteredBy: 's', enteredAt: 0 },
        ],
        excluded: [],
      },
      DEFAULT_WEIGHTS,
    );
    const by = Object.fromEntries(scores.map((s) => [s.unitId, s]));
    // a: half its completions late (−10), half its requesters dissatisfied (−12.5).
    expect(by.a!.total).toBe(77.5);
    // b: half its knowledge items kept (−5); a manual score above the weight is capped at the weight.
    expect(by.b!.items.testCalls).toBe(5);
    expect(by.b!.total).toBe(95);
    // c: one of two returned (−5).
    expect(by.c!.total).toBe(95);
    expect(by.c!.manualMissing).toEqual(['materialReview', 'testCalls']);
    expect(scores.map((s) => [s.unitId, s.rank])).toEqual([
      ['b', 1],
      ['c', 1],
      ['a', 3],
    ]);
  });

  it('takes excluded assignments out before scoring', () => {
    const inputs = {
      contributions: [c(1, 'a', { returned: true, completion: null }), c(2, 'a')],
      knowledge: [],
      manual: [],
      excluded: [{ orderId: 1, unitId: 'a', appealId: 7 }],
    };
    expect(scoreUnits(inputs, DEFAULT_WEIGHTS)[0]).toMatchObject({ total: 100, figures: { counted: 1, returned: 0 } });
  });

  it('checks that weights cover every item and add up to 100', () => {
    expect(weightProblems(DEFAULT_WEIGHTS)).toEqual([]);
    expect(weightProblems({ ...DEFAULT_WEIGHTS, ledgers: 6 })).toEqual(['the weights add up to 101, not 100']);
    expect(weightProblems({ ...DEFAULT_WEIGHTS, extra: 1 })).toContain('extra is no item');
  });

  it('judges knowledge upkeep only once a validity or a question deadline has passed', () => {
    const end = Date.UTC(2026, 0, 31, 16); // 1 Feb 00:00 Shanghai
    const k = knowledgeUpkeep(
      [
        { unitId: 'u', validTo: '2026-01-10', renewedAt: Date.UTC(2026, 0, 10, 15) }, // renewed 23:00 the last day
        { unitId: 'u', validTo: '2026-01-20', renewedAt: Date.UTC(2026, 0, 20, 17) }, // renewed the day after
        { unitId: 'u', validTo: '2026-01-31', renewedAt: null }, // still valid at `now`
      ],
      [
        { unitId: 'u', dueAt: end - 1000, answeredAt: end - 2000 },
        { unitId: 'u', dueAt: end - 1000, answeredAt: null },
      ],
      end - 10,
    );
    expect(k).toEqual([{ unitId: 'u', expiring: 2, renewedInTime: 1, questionsDue: 2, answeredInTime: 1 }]);
  });
});
