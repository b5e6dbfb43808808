import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CLOCK_POLICY,
  DEFAULT_SUPERVISION_POLICY,
  parseClockPolicy,
  parseSupervisionPolicy,
} from '../../../src/domain/work-orders/index.ts';

describe('parseClockPolicy', () => {
  it('keeps the measures’ defaults for keys left out', () => {
    expect(parseClockPolicy(undefined)).toEqual({ ok: true, value: DEFAULT_CLOCK_POLICY });
    const r = parseClockPolicy({
      signWorkingDays: 2,
      workingDaysByType: { complaint: 7 },
      workingDaysByCategory: { 'market.food': 15 },
    });
    expect(r.ok && r.value).toMatchObject({
      signWorkingDays: 2,
      returnWorkingDays: 1,
      workingDaysByType: { consultation: 2, complaint: 7, praise: null },
      workingDaysByCategory: { 'market.food': 15 },
    });
  });

  it('names every bad key', () => {
    const r = parseClockPolicy(
      {
        signWorkingDays: 0,
        emergencySignMs: 'soon',
        workingDaysByType: { rant: 3, help: 2.5 },
        workingDaysByCategory: { x: -1 },
        colour: 'red',
      },
      'workOrders.clocks.',
    );
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues.map((i) => i.path).sort()).toEqual([
        'workOrders.clocks.colour',
        'workOrders.clocks.emergencySignMs',
        'workOrders.clocks.signWorkingDays',
        'workOrders.clocks.workingDaysByCategory.x',
        'workOrders.clocks.workingDaysByType.help',
        'workOrders.clocks.workingDaysByType.rant',
      ]);
    }
    expect(parseClockPolicy(42)).toEqual({ ok: false, issues: [{ path: '$', message: 'must be an object' }] });
  });
});

describe('parseSupervisionPolicy', () => {
  it('defaults, overrides and errors', () => {
    expect(parseSupervisionPolicy(undefined)).toEqual({ ok: true, value: DEFAULT_SUPERVISION_POLICY });
    expect(parseSupervisionPolicy({ redAfterOverdueWorkingDays: 5 })).toEqual({
      ok: true,
      value: { ...DEFAULT_SUPERVISION_POLICY, redAfterOverdueWorkingDays: 5 },
    });
    const r = parseSupervisionPolicy({ warnFraction: 2, yellow: 1 });
    expect(!r.ok && r.issues.map((i) => i.path).sort()).toEqual(['warnFraction', 'yellow']);
  });
});
