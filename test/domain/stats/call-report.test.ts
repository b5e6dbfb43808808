import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../../../src/domain/calls/call-record.ts';
import { callReport } from '../../../src/domain/stats/call-report.ts';
import { periodFigures, supervisorFigures } from '../../../src/domain/stats/figures.ts';
import { loadIvrConfig } from '../../../src/ivr-config/load-ivr-config.ts';
import { Harness } from '../calls/harness.ts';

const S = 1000;
const H = 3_600_000;
// 5 Jan 2026 00:00 Asia/Shanghai.
const DAY = Date.UTC(2026, 0, 4, 16, 0);
const T = 20 * S;

function call(id: string, queuedAt: number, extra: Partial<CallRecord> = {}): CallRecord {
  return {
    callId: id,
    callerNumber: '13800000000',
    arrivedAt: queuedAt - 15 * S,
    ivrExitAt: queuedAt,
    queuedAt,
    skill: 'mandarin',
    ivrPath: [],
    ivrChoices: [],
    ivrInvalidInputs: 0,
    ivrTimeouts: 0,
    priority: 0,
    repeatCaller: false,
    offers: 1,
    failedOffers: [],
    outcome: 'in-progress',
    ...extra,
  };
}

const answered = (id: string, q: number, answerS: number, talkS: number, agentId = 'li.na'): CallRecord =>
  call(id, q, {
    outcome: 'answered',
    answeredAt: q + answerS * S,
    answerMs: answerS * S,
    endedAt: q + answerS * S + talkS * S,
    agentId,
  });

/** The PeriodFigures fields of a report row (everything but the report's own additions). */
function figuresOf(row: Record<string, unknown>): Record<string, unknown> {
  const { key: _key, handled: _handled, averageHandleTimeMs: _aht, from: _f, to: _t, ...rest } = row;
  return rest;
}

describe('call report (issue 13 item 4)', () => {
  it('counts a day per hour and per agent with ASA and AHT', () => {
    // Given three answered calls (two within 20 s) and one abandoned call on 5 Jan, and one call the day after.
    const records = [
      answered('a', DAY + 9 * H, 5, 120, 'li.na'),
      answered('b', DAY + 9 * H + 600 * S, 25, 60, 'zhang.wei'),
      answered('c', DAY + 14 * H, 10, 300, 'li.na'),
      call('d', DAY + 14 * H + 60 * S, { outcome: 'abandoned', endedAt: DAY + 14 * H + 90 * S }),
      answered('next-day', DAY + 30 * H, 3, 30),
    ];
    // When the report for that day is made the evening after.
    const r = callReport(records, DAY, DAY + 24 * H, DAY + 40 * H, T);
    // Then the day's totals follow the wallboard's definitions.
    expect(r.total).toMatchObject({
      offered: 4,
      answered: 3,
      answeredWithinThreshold: 2,
      regulatorRate: 0.5,
      abandoned: 1,
      averageSpeedOfAnswerMs: (40 * S) / 3,
      handled: 3,
      averageHandleTimeMs: (480 * S) / 3,
    });
    expect(r.days.map((d) => d.key)).toEqual(['2026-01-05']);
    expect(r.hours).toHaveLength(24);
    expect(r.hours[9]).toMatchObject({ key: '09', offered: 2, answered: 2, answeredWithinThreshold: 1 });
    expect(r.hours[14]).toMatchObject({ key: '14', offered: 2, answered: 1, abandoned: 1 });
    expect(r.hours.filter((h) => h.offered > 0).map((h) => h.key)).toEqual(['09', '14']);
    expect(r.agents.map((a) => [a.key, a.answered, a.averageHandleTimeMs])).toEqual([
      ['li.na', 2, 210 * S],
      ['zhang.wei', 1, 60 * S],
    ]);
  });

  it('a month has a row for every day, and the day rows add up to the month', () => {
    const feb = Date.UTC(2026, 0, 31, 16, 0); // 1 Feb 2026 00:00 Shanghai
    const mar = Date.UTC(2026, 1, 28, 16, 0);
    const records = [answered('x', feb + 2 * H, 4, 10), answered('y', mar - 1, 4, 10), answered('z', mar, 4, 10)];
    const r = callReport(records, feb, mar, mar + 48 * H, T);
    expect(r.days).toHaveLength(28);
    expect(r.days[0]!.key).toBe('2026-02-01');
    expect(r.days[27]!.key).toBe('2026-02-28');
    expect(r.total.answered).toBe(2);
    expect(r.days.reduce((s, d) => s + d.answered, 0)).toBe(2);
  });

  it('refuses a period that does not start and end at Shanghai midnight', () => {
    expect(() => callReport([], DAY + 1, DAY + 24 * H, DAY, T)).toThrow(RangeError);
  });

  it("today's row equals the wallboard's today figures (one definition for both)", () => {
    const config = loadIvrConfig();
    const outcome = fc.constantFrom('answered', 'abandoned', 'abandoned-in-ivr', 'in-progress', 'callback-requested');
    const rec = fc.record({
      queuedOffsetS: fc.integer({ min: -3600, max: 12 * 3600 }),
      ivrS: fc.integer({ min: 1, max: 120 }),
      answerS: fc.integer({ min: 0, max: 90 }),
      talkS: fc.integer({ min: 1, max: 900 }),
      outcome,
      agent: fc.constantFrom('a1', 'a2', 'a3'),
      queued: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(rec, { maxLength: 60 }), fc.integer({ min: 12 * 3600, max: 23 * 3600 }), (gens, nowS) => {
        const now = DAY + nowS * S;
        const records: CallRecord[] = gens
          .map((g, i) => {
            const q = DAY + g.queuedOffsetS * S;
            const base = call(`c${i}`, q, { arrivedAt: q - g.ivrS * S });
            if (!g.queued || g.outcome === 'abandoned-in-ivr' || g.outcome === 'callback-requested') {
              const { queuedAt: _q, ivrExitAt: _e, ...ivrOnly } = base;
              return {
                ...ivrOnly,
                outcome: g.outcome === 'in-progress' ? 'abandoned-in-ivr' : g.outcome,
              } as CallRecord;
            }
            if (g.outcome === 'answered')
              return { ...answered(`c${i}`, q, g.answerS, g.talkS, g.agent), arrivedAt: q - g.ivrS * S };
            return { ...base, outcome: g.outcome } as CallRecord;
          })
          // The wallboard only knows the past.
          .filter((r) => r.arrivedAt <= now && (r.queuedAt ?? 0) <= now && (r.answeredAt ?? 0) <= now)
          .map((r) => (r.endedAt !== undefined && r.endedAt > now ? { ...r, endedAt: now } : r));
        const h = new Harness(config, now);
        const live = supervisorFigures(h.state, records, now, T);
        const report = callReport(records, DAY, DAY + 24 * H, now, T);
        expect(figuresOf(report.days[0] as never)).toEqual(figuresOf(live.today as never));
        expect(figuresOf(report.total as never)).toEqual(
          figuresOf(periodFigures(records, DAY, DAY + 24 * H - 1, now, T) as never),
        );
        // Hours of the day partition the day: their counts add up to the day's.
        for (const k of ['offered', 'answered', 'answeredWithinThreshold', 'abandoned', 'pending'] as const)
          expect(report.hours.reduce((s, x) => s + x[k], 0)).toBe(report.days[0]![k]);
        expect(report.hours.reduce((s, x) => s + x.ivr.arrived, 0)).toBe(report.days[0]!.ivr.arrived);
      }),
      { numRuns: 150 },
    );
  });
});
