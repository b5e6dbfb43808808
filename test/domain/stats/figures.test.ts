import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../../../src/domain/calls/call-record.ts';
import { liveFigures, periodFigures, supervisorFigures } from '../../../src/domain/stats/figures.ts';
import { shanghaiDayStart } from '../../../src/domain/stats/shanghai-day.ts';
import { loadIvrConfig } from '../../../src/ivr-config/load-ivr-config.ts';
import { Harness } from '../calls/harness.ts';

const S = 1000;
const NOW = Date.UTC(2026, 0, 5, 4, 0, 0); // 12:00 Asia/Shanghai

function rec(id: string, queuedAgoS: number | undefined, extra: Partial<CallRecord> = {}): CallRecord {
  const queuedAt = queuedAgoS === undefined ? undefined : NOW - queuedAgoS * S;
  return {
    callId: id,
    callerNumber: '13800000000',
    arrivedAt: (queuedAt ?? NOW) - 10 * S,
    ivrPath: [],
    ivrChoices: [],
    ivrInvalidInputs: 0,
    ivrTimeouts: 0,
    priority: 0,
    repeatCaller: false,
    offers: 0,
    failedOffers: [],
    outcome: 'in-progress',
    ...(queuedAt !== undefined ? { queuedAt, ivrExitAt: queuedAt, skill: 'mandarin' } : {}),
    ...extra,
  };
}

const answered = (id: string, agoS: number, answerS: number): CallRecord =>
  rec(id, agoS, {
    outcome: 'answered',
    answeredAt: NOW - agoS * S + answerS * S,
    answerMs: answerS * S,
    endedAt: NOW - 1,
  });

describe('period figures', () => {
  it.each([
    {
      name: 'all answered quickly',
      records: [answered('a', 600, 5), answered('b', 500, 20), answered('c', 400, 3)],
      want: {
        offered: 3,
        answered: 3,
        answeredWithinThreshold: 3,
        abandoned: 0,
        pending: 0,
        regulatorRate: 1,
        serviceLevel: 1,
        averageSpeedOfAnswerMs: (28 * S) / 3,
      },
    },
    {
      name: 'one late, one abandoned: the regulator rate counts the abandoned call, the service level does not',
      records: [
        answered('a', 600, 5),
        answered('b', 500, 25),
        rec('c', 400, { outcome: 'abandoned', endedAt: NOW - 390 * S }),
        answered('d', 300, 10),
      ],
      want: {
        offered: 4,
        answered: 3,
        answeredWithinThreshold: 2,
        abandoned: 1,
        regulatorRate: 2 / 4,
        serviceLevel: 2 / 3,
        averageSpeedOfAnswerMs: (40 * S) / 3,
      },
    },
    {
      name: 'a call still waiting under 20 s is pending; past 20 s it is offered and missed',
      records: [answered('a', 600, 5), rec('w1', 12), rec('w2', 25)],
      want: { offered: 2, answered: 1, answeredWithinThreshold: 1, pending: 1, regulatorRate: 1 / 2, serviceLevel: 1 },
    },
    {
      name: 'calls that ended in the menu are not offered',
      records: [
        rec('ivr1', undefined, { outcome: 'abandoned-in-ivr', endedAt: NOW }),
        rec('t', undefined, { outcome: 'transferred', ivrExitAt: NOW, endedAt: NOW }),
      ],
      want: { offered: 0, answered: 0, regulatorRate: null, serviceLevel: null, averageSpeedOfAnswerMs: null },
    },
    {
      name: 'exactly 20 s counts as within; 20.001 s does not',
      records: [
        answered('a', 600, 20),
        rec('b', 500, { outcome: 'answered', answeredAt: NOW - 500 * S + 20_001, answerMs: 20_001 }),
      ],
      want: { answered: 2, answeredWithinThreshold: 1, regulatorRate: 0.5 },
    },
  ])('$name', ({ records, want }) => {
    expect(periodFigures(records, NOW - 3600 * S, NOW, NOW, 20_000)).toMatchObject(want);
  });

  it('counts breaches by cause and IVR outcomes by arrival time', () => {
    const f = periodFigures(
      [
        rec('a', 100, { breach: { at: 0, cause: 'rona' }, outcome: 'answered', answeredAt: NOW, answerMs: 100 * S }),
        rec('b', 90, { breach: { at: 0, cause: 'nobody-ready' }, outcome: 'abandoned' }),
        rec('c', 80, { breach: { at: 0, cause: 'rona' }, outcome: 'abandoned' }),
        rec('i', undefined, { outcome: 'abandoned-in-ivr', ivrInvalidInputs: 2, ivrTimeouts: 1 }),
        rec('j', undefined, { outcome: 'callback-requested', ivrTimeouts: 1 }),
      ],
      NOW - 3600 * S,
      NOW,
      NOW,
      20_000,
    );
    expect(f.breaches).toBe(3);
    expect(f.breachCauses).toEqual({ rona: 2, 'nobody-ready': 1 });
    expect(f.ivr).toEqual({
      arrived: 5,
      abandoned: 1,
      invalidInputs: 2,
      timeouts: 2,
      transferred: 0,
      callbackRequested: 1,
      completed: 0,
    });
  });

  it('today starts at 00:00 Asia/Shanghai, the rolling window 24 h back', () => {
    expect(shanghaiDayStart(Date.UTC(2026, 0, 5, 4, 0))).toBe(Date.UTC(2026, 0, 4, 16, 0));
    expect(shanghaiDayStart(Date.UTC(2026, 0, 4, 16, 0))).toBe(Date.UTC(2026, 0, 4, 16, 0));
    expect(shanghaiDayStart(Date.UTC(2026, 0, 4, 15, 59, 59, 999))).toBe(Date.UTC(2026, 0, 3, 16, 0));
    const config = loadIvrConfig();
    const h = new Harness(config, NOW);
    // Yesterday 23:00 Shanghai (15:00 UTC) is in the rolling 24 h but not today.
    const lateYesterday = {
      ...answered('y', 0, 4),
      queuedAt: Date.UTC(2026, 0, 4, 15, 0),
      answerMs: 4 * S,
      answeredAt: Date.UTC(2026, 0, 4, 15, 0, 4),
    };
    const f = supervisorFigures(h.state, [lateYesterday, answered('t', 60, 30)], NOW);
    expect(f.today).toMatchObject({ offered: 1, answered: 1, answeredWithinThreshold: 0 });
    expect(f.rolling24h).toMatchObject({ offered: 2, answered: 2, answeredWithinThreshold: 1, regulatorRate: 0.5 });
  });
});

describe('live figures', () => {
  it('calls in the IVR, waiting per queue, longest wait, agents by state', () => {
    const config = loadIvrConfig();
    const h = new Harness({ ...config, acd: { ...config.acd, announceEveryMs: 0 } }, NOW);
    h.signIn('m1', ['mandarin']);
    h.signIn('z1', ['zhuang']);
    h.send({ type: 'agent-pause', agentId: 'z1', reason: 'lunch' });
    h.arrive('in-ivr');
    h.toQueue('m-a', '1'); // rings m1
    h.advance(4 * S);
    h.toQueue('m-b', '1');
    h.toQueue('z-a', '2');
    h.advance(3 * S);
    const live = liveFigures(h.state, h.now);
    expect(live).toMatchObject({
      inIvr: 1,
      waiting: { mandarin: 2, zhuang: 1, cantonese: 0 },
      waitingTotal: 3,
      longestWaitMs: 7 * S,
      longestWaitBySkill: { mandarin: 7 * S, zhuang: 3 * S, cantonese: 0 },
      agents: { ready: 0, reserved: 1, paused: 1, 'on-call': 0, 'wrap-up': 0, 'signed-out': 0 },
      pausedByReason: { lunch: 1 },
    });
    // The live calls' own records feed the period figures (pending while under 20 s).
    const f = supervisorFigures(h.state, [], h.now);
    expect(f.today).toMatchObject({ offered: 0, pending: 3 });
    h.advance(15 * S);
    expect(supervisorFigures(h.state, [], h.now).today).toMatchObject({ offered: 1, pending: 2, regulatorRate: 0 });
  });
});
