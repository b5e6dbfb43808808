import { describe, expect, it } from 'vitest';
import { shanghaiInstant } from '../../../src/domain/calendar/index.ts';
import {
  appealAllowed,
  assessUnits,
  assessmentCycle,
  assessmentMonth,
  countingInstant,
  cycleMonths,
  cycleYearOf,
  decide,
  type Actor,
  type OrderType,
  type WorkOrder,
  type WorkOrderCommand,
  type WorkOrderInput,
} from '../../../src/domain/work-orders/index.ts';
import { agent, env, intakeData, ok, requester, supervisor, system } from './fixtures.ts';

const at = (date: string, h = 10) => shanghaiInstant(date, h);
const unit = (unitId: string): Actor => ({ kind: 'unit', id: `${unitId}-clerk`, unitId });

type Step = [WorkOrderCommand & { actor?: Actor }, string, number?];

function build(id: number, type: OrderType, steps: Step[]): WorkOrder {
  let s: WorkOrder | null = null;
  for (const [cmd, date, h] of steps) {
    const input = { actor: agent, ...cmd } as WorkOrderInput;
    s = ok(s, input.action === 'intake' ? { ...input, order: intakeData({ id, type }) } : input, at(date, h)).state;
  }
  return s as WorkOrder;
}

const intake: Step[0] = { action: 'intake', order: intakeData() };
const dispatch = (u: string): Step[0] => ({ action: 'dispatch', leadUnitId: u });
const sign = (u: string): Step[0] => ({ action: 'sign', actor: unit(u) });
const reply = (u: string): Step[0] => ({ action: 'reply', actor: unit(u), content: '已办理' });
const close: Step[0] = { action: 'close' };
const rate = (text: string): Step[0] => ({ action: 'record-satisfaction', actor: requester, replyText: text });

// March–April 2026 (Qingming 4–6 April).
const A = build(1, 'consultation', [
  [intake, '2026-03-02', 9],
  [dispatch('housing'), '2026-03-02'],
  [sign('housing'), '2026-03-02', 11],
  [reply('housing'), '2026-03-03'],
  [close, '2026-03-03', 11],
  [rate('1'), '2026-03-03', 12],
]);
// complaint due 9 April; signed late; unfinished at the end of March, so it belongs to April
const B = build(2, 'complaint', [
  [intake, '2026-03-25', 9],
  [dispatch('housing'), '2026-03-25'],
  [sign('housing'), '2026-03-27'],
  [reply('housing'), '2026-04-08'],
]);
// consultation due 12 March, answered 2 April: counts in March as late, not again in April
const C = build(3, 'consultation', [
  [intake, '2026-03-10', 9],
  [dispatch('housing'), '2026-03-10'],
  [sign('housing'), '2026-03-10', 11],
  [reply('housing'), '2026-04-02'],
]);
// returned by water, re-dispatched to housing, answered, requester dissatisfied, review upheld
const D = build(4, 'consultation', [
  [intake, '2026-03-05', 9],
  [dispatch('water'), '2026-03-05'],
  [sign('water'), '2026-03-05', 11],
  [{ action: 'return', actor: unit('water'), reason: '非本单位职责' }, '2026-03-05', 12],
  [dispatch('housing'), '2026-03-06'],
  [sign('housing'), '2026-03-06', 11],
  [reply('housing'), '2026-03-06', 15],
  [close, '2026-03-06', 16],
  [rate('3'), '2026-03-06', 18],
  [{ action: 'conclude-review', actor: supervisor, outcome: 'upheld', note: '依政策答复' }, '2026-03-09'],
]);
// help due 19 March, extended by 2 working days to 23 March, answered 20 March; survey unanswered → satisfied by default
const E = build(5, 'help', [
  [intake, '2026-03-16', 9],
  [dispatch('housing'), '2026-03-16'],
  [sign('housing'), '2026-03-16', 11],
  [{ action: 'request-extension', actor: unit('housing'), extra: 2, reason: '需现场核查' }, '2026-03-18'],
  [{ action: 'approve-extension', actor: supervisor }, '2026-03-18', 11],
  [reply('housing'), '2026-03-20'],
  [close, '2026-03-20', 11],
  [{ action: 'satisfaction-timeout', actor: system }, '2026-03-21', 12],
]);
// due 1 April, never signed or answered
const F = build(6, 'consultation', [
  [intake, '2026-03-30', 9],
  [dispatch('water'), '2026-03-30'],
]);
const orders = [A, B, C, D, E, F];

describe('periods (art. 30)', () => {
  it('the cycle runs 1 December to 30 November, Asia/Shanghai', () => {
    const c = assessmentCycle(2026);
    expect(new Date(c.start).toISOString()).toBe('2025-11-30T16:00:00.000Z');
    expect(new Date(c.end).toISOString()).toBe('2026-11-30T16:00:00.000Z');
    const months = cycleMonths(2026);
    expect(months.map((m) => m.label)).toEqual([
      '2025-12',
      '2026-01',
      '2026-02',
      '2026-03',
      '2026-04',
      '2026-05',
      '2026-06',
      '2026-07',
      '2026-08',
      '2026-09',
      '2026-10',
      '2026-11',
    ]);
    expect(months[0]?.start).toBe(c.start);
    expect(months[11]?.end).toBe(c.end);
    for (let i = 1; i < months.length; i++) expect(months[i]?.start).toBe(months[i - 1]?.end);
  });

  it('December belongs to the next year’s cycle', () => {
    expect(cycleYearOf(shanghaiInstant('2025-12-01', 0))).toBe(2026);
    expect(cycleYearOf(shanghaiInstant('2025-11-30', 23, 59))).toBe(2025);
    expect(() => assessmentMonth(2026, 13)).toThrow(RangeError);
  });

  it('appeals are open until the end of the 7th working day after 30 November (art. 32)', () => {
    expect(appealAllowed(env.calendar, 2026, shanghaiInstant('2026-12-09', 23, 59)).allowed).toBe(true);
    expect(appealAllowed(env.calendar, 2026, shanghaiInstant('2026-12-10', 0, 0)).allowed).toBe(false);
  });
});

describe('counting instant', () => {
  it('is the answer when on time, the deadline when late or unfinished, the return when handed back', () => {
    expect(countingInstant(A.assignments[0]!)).toBe(at('2026-03-03'));
    expect(countingInstant(C.assignments[0]!)).toBe(C.assignments[0]!.completionDue!.at);
    expect(countingInstant(D.assignments[0]!)).toBe(at('2026-03-05', 12));
    expect(countingInstant(F.assignments[0]!)).toBe(shanghaiInstant('2026-04-02') - 1);
  });
});

describe('assessUnits', () => {
  it('March, seen on 15 April', () => {
    const [housing, water] = assessUnits(orders, assessmentMonth(2026, 3), at('2026-04-15'));
    expect(housing).toEqual({
      unitId: 'housing',
      counted: 4, // A, C, D (round 2), E; B is not yet due at the end of March
      signCounted: 4,
      signedOnTime: 4,
      signOnTimeRate: 1,
      completionCounted: 4,
      completedOnTime: 3, // C was late
      completionOnTimeRate: 0.75,
      returned: 0,
      returnRate: 0,
      extended: 1, // E
      extensionRate: 0.25,
      rated: 3, // A satisfied, D dissatisfied, E satisfied by silence
      satisfied: 2,
      satisfiedByDefault: 1,
      basicallySatisfied: 0,
      dissatisfied: 1,
      satisfactionRate: 2 / 3,
    });
    expect(water).toMatchObject({
      unitId: 'water',
      counted: 1,
      returned: 1,
      returnRate: 1,
      signedOnTime: 1,
      completionCounted: 0,
      completionOnTimeRate: null,
      rated: 0,
      satisfactionRate: null,
    });
  });

  it('April: the order carried over from March counts, the late March one does not count again', () => {
    const [housing, water] = assessUnits(orders, assessmentMonth(2026, 4), at('2026-04-15'));
    expect(housing).toMatchObject({
      counted: 1,
      signCounted: 1,
      signedOnTime: 0,
      completionCounted: 1,
      completedOnTime: 1,
    });
    expect(water).toMatchObject({
      counted: 1,
      signCounted: 1,
      signedOnTime: 0,
      completionCounted: 1,
      completedOnTime: 0,
    });
  });

  it('as seen at the end of March, orders not yet due wait for the next period', () => {
    const figures = assessUnits(orders, assessmentMonth(2026, 3), shanghaiInstant('2026-03-31', 23));
    expect(figures.find((f) => f.unitId === 'water')?.counted).toBe(1); // only D's return; F is due in April
    expect(figures.find((f) => f.unitId === 'housing')?.counted).toBe(4);
  });

  it('the yearly cycle adds the months up', () => {
    const year = assessUnits(orders, assessmentCycle(2026), at('2026-04-15'));
    const months = cycleMonths(2026).map((m) => assessUnits(orders, m, at('2026-04-15')));
    for (const f of year) {
      const sum = months
        .flat()
        .filter((m) => m.unitId === f.unitId)
        .reduce((n, m) => n + m.counted, 0);
      expect(f.counted).toBe(sum);
    }
    expect(year.map((f) => [f.unitId, f.counted])).toEqual([
      ['housing', 5],
      ['water', 2],
    ]);
  });

  it('a dissatisfied verdict stays with the unit that answered, after a review sends the order to another unit', () => {
    const G = build(7, 'consultation', [
      [intake, '2026-03-02', 9],
      [dispatch('water'), '2026-03-02'],
      [sign('water'), '2026-03-02', 11],
      [reply('water'), '2026-03-02', 12],
      [close, '2026-03-02', 13],
      [rate('不满意'), '2026-03-02', 14],
      [
        { action: 'conclude-review', actor: supervisor, outcome: 'redispatch', note: '答复未解决问题' },
        '2026-03-02',
        15,
      ],
      [dispatch('housing'), '2026-03-02', 16],
      [sign('housing'), '2026-03-02', 17],
      [reply('housing'), '2026-03-03'],
      [close, '2026-03-03', 11],
      [rate('满意'), '2026-03-03', 12],
    ]);
    const figures = assessUnits([G], assessmentMonth(2026, 3), at('2026-04-15'));
    expect(figures.map((f) => [f.unitId, f.counted, f.rated, f.satisfied, f.dissatisfied])).toEqual([
      ['housing', 1, 1, 1, 0],
      ['water', 1, 1, 0, 1],
    ]);
  });

  it('a workstation that forwarded is scored on signing only; the unit below on the answer (art. 8)', () => {
    const wsEnv = { ...env, mayForward: () => true };
    let s = build(8, 'consultation', [
      [intake, '2026-03-02', 9],
      [dispatch('county'), '2026-03-02'],
      [sign('county'), '2026-03-02', 11],
    ]);
    const step = (input: WorkOrderInput, date: string, h: number) => {
      const r = decide(s, input, at(date, h), wsEnv);
      if (!r.ok) throw new Error(r.refusal.message);
      s = r.state;
    };
    step({ action: 'forward', actor: unit('county'), toUnitId: 'township' }, '2026-03-02', 12);
    step({ action: 'sign', actor: unit('township') }, '2026-03-02', 13);
    step({ action: 'reply', actor: unit('township'), content: '已处理' }, '2026-03-03', 10);
    step({ action: 'close', actor: agent }, '2026-03-03', 11);
    step({ action: 'record-satisfaction', actor: requester, replyText: '1' }, '2026-03-03', 12);
    const figures = assessUnits([s], assessmentMonth(2026, 3), at('2026-04-15'));
    expect(
      figures.map((f) => [
        f.unitId,
        f.counted,
        f.signedOnTime,
        f.completionCounted,
        f.completedOnTime,
        f.returned,
        f.rated,
      ]),
    ).toEqual([
      ['county', 1, 1, 0, 0, 0, 0],
      ['township', 1, 1, 1, 1, 0, 1],
    ]);
  });

  it('an order closed by the agent without dispatch has no unit to score', () => {
    const direct = build(9, 'consultation', [
      [intake, '2026-03-02', 9],
      [{ action: 'answer-directly', answer: '已解答' }, '2026-03-02'],
    ]);
    expect(assessUnits([direct], assessmentMonth(2026, 3), at('2026-04-15'))).toEqual([]);
  });
});
