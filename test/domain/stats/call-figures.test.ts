import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../../../src/domain/calls/call-record.ts';
import { agentFigures, callFigures, dayFigures } from '../../../src/domain/stats/call-figures.ts';

const S = 1000;
const MIN = 60 * S;
const DAY0 = Date.UTC(2026, 0, 4, 16, 0, 0); // 2026-01-05 00:00 Asia/Shanghai
const at = (h: number, m = 0, s = 0) => DAY0 + h * 3_600_000 + m * MIN + s * S;

function call(id: string, queuedAt: number, extra: Partial<CallRecord> = {}): CallRecord {
  return {
    callId: id,
    callerNumber: '13800000000',
    arrivedAt: queuedAt - 10 * S,
    ivrPath: [],
    ivrChoices: [],
    ivrInvalidInputs: 0,
    ivrTimeouts: 0,
    priority: 0,
    repeatCaller: false,
    offers: 1,
    failedOffers: [],
    outcome: 'in-progress',
    queuedAt,
    ivrExitAt: queuedAt,
    skill: 'mandarin',
    ...extra,
  };
}

/** Answered by `agent` after `answerS` seconds, talking `talkS` seconds. */
const answered = (
  id: string,
  q: number,
  agent: string,
  answerS: number,
  talkS: number,
  extra: Partial<CallRecord> = {},
) =>
  call(id, q, {
    outcome: 'answered',
    agentId: agent,
    answeredAt: q + answerS * S,
    answerMs: answerS * S,
    endedAt: q + answerS * S + talkS * S,
    ...extra,
  });

const abandoned = (id: string, q: number) => call(id, q, { outcome: 'abandoned', endedAt: q + 30 * S });

describe('call figures: answer rate over offered calls, ASA, AHT, abandon rate, RONA', () => {
  it('given answered, abandoned and waiting calls, then each figure follows its definition', () => {
    const now = at(10, 30);
    const records = [
      answered('a1', at(9), 'zhang', 10, 200),
      answered('a2', at(9, 10), 'li', 30, 100, {
        failedOffers: [{ agentId: 'zhang', at: at(9, 10) + 10 * S, cause: 'rona' }],
      }),
      abandoned('x1', at(9, 20)),
      // Waiting 40 s, past the 20-s target: offered, not answered.
      call('w1', now - 40 * S),
      // Waiting 5 s: not known yet, left out.
      call('w2', now - 5 * S),
      // Another day.
      answered('old', DAY0 - 60 * MIN, 'zhang', 5, 60),
    ];
    const f = callFigures(records, DAY0, now + 1, now, 20 * S);
    expect(f).toEqual({
      offered: 4,
      answered: 2,
      answeredWithinThreshold: 1,
      abandoned: 1,
      answerRate: 2 / 4,
      regulatorRate: 1 / 4,
      abandonRate: 1 / 4,
      asaMs: 20 * S,
      ahtMs: 150 * S,
      rona: 1,
    });
  });

  it('with nothing offered every rate is null, never 0 or 100 %', () => {
    expect(callFigures([], DAY0, DAY0 + 1, DAY0, 20 * S)).toMatchObject({
      offered: 0,
      answerRate: null,
      regulatorRate: null,
      abandonRate: null,
      asaMs: null,
      ahtMs: null,
    });
  });

  it('by agent: offers are answers plus ring-no-answers; abandoned calls are nobody’s', () => {
    const records = [
      answered('a1', at(9), 'zhang', 10, 200),
      answered('a2', at(9, 10), 'li', 30, 100, {
        failedOffers: [
          { agentId: 'zhang', at: at(9, 10) + 10 * S, cause: 'rona' },
          { agentId: 'wang', at: at(9, 10) + 20 * S, cause: 'unreachable' },
        ],
      }),
      abandoned('x1', at(9, 20)),
    ];
    expect(agentFigures(records, DAY0, DAY0 + 86_400_000, 20 * S)).toEqual([
      {
        agentId: 'li',
        offered: 1,
        answered: 1,
        answeredWithinThreshold: 0,
        answerRate: 1,
        asaMs: 30 * S,
        ahtMs: 100 * S,
        rona: 0,
      },
      {
        agentId: 'wang',
        offered: 1,
        answered: 0,
        answeredWithinThreshold: 0,
        answerRate: 0,
        asaMs: null,
        ahtMs: null,
        rona: 0,
      },
      {
        agentId: 'zhang',
        offered: 2,
        answered: 1,
        answeredWithinThreshold: 1,
        answerRate: 0.5,
        asaMs: 10 * S,
        ahtMs: 200 * S,
        rona: 1,
      },
    ]);
  });

  it('by hour (Asia/Shanghai): each call in the hour it left the menu; today stops at now', () => {
    const now = at(10, 30);
    const records = [
      answered('a1', at(9, 59, 59), 'zhang', 10, 60),
      abandoned('x1', at(10, 0)),
      answered('a2', at(0, 0), 'li', 5, 5),
    ];
    const d = dayFigures(records, now, now, 20 * S);
    expect(d.from).toBe(DAY0);
    expect(d.hours.map((h) => h.hour)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(d.hours[0]).toMatchObject({ from: DAY0, offered: 1, answered: 1 });
    expect(d.hours[9]).toMatchObject({ offered: 1, answered: 1, abandoned: 0 });
    expect(d.hours[10]).toMatchObject({ offered: 1, answered: 0, abandoned: 1, abandonRate: 1 });
    expect(d.total).toMatchObject({ offered: 3, answered: 2, abandoned: 1 });
    const yesterday = dayFigures(records, DAY0 - 1, now, 20 * S);
    expect(yesterday.hours).toHaveLength(24);
    expect(yesterday.total.offered).toBe(0);
  });
});
