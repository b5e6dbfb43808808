import { describe, expect, it } from 'vitest';
import type { CallRecord } from '../../src/domain/calls/call-record.ts';
import { HotlineMetrics } from '../../src/metrics/hotline-metrics.ts';

const none = () => new Map<string, number>();
function metrics(talkingByQueue: () => ReadonlyMap<string, number> = none) {
  return new HotlineMetrics({
    instanceId: 't',
    owner: () => true,
    waitingByQueue: none,
    talkingByQueue,
    agentsByState: none,
    ariConnected: () => true,
    ariReconnects: () => 0,
    smsByStatus: async () => none(),
    recordingsPendingArchive: () => 0,
  });
}
const base = (id: string): CallRecord => ({
  callId: id,
  callerNumber: '13800000000',
  arrivedAt: 0,
  ivrPath: [],
  ivrChoices: [],
  ivrInvalidInputs: 0,
  ivrTimeouts: 0,
  priority: 0,
  repeatCaller: false,
  offers: 0,
  failedOffers: [],
  outcome: 'in-progress',
});
/** The value of the series `name` whose labels include all of `labels` (0 when absent). */
function value(text: string, name: string, labels: Record<string, string>): number {
  const hit = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return hit ? Number(hit.slice(hit.lastIndexOf(' ') + 1)) : 0;
}

describe('call counters from the call records (art. 25 figures by queue)', () => {
  it('counts each call once as offered, answered (within 20 s or not) and abandoned, however often its record changes', async () => {
    const m = metrics();
    // Given a call answered after 12 s, one after 25 s, and one abandoned, each record seen several times
    const quick = { ...base('q'), skill: 'mandarin', ivrExitAt: 1000, queuedAt: 1000 };
    m.onRecord(quick);
    m.onRecord({ ...quick, answeredAt: 13_000, answerMs: 12_000 });
    m.onRecord({ ...quick, answeredAt: 13_000, answerMs: 12_000 });
    m.onRecord({ ...quick, answeredAt: 13_000, answerMs: 12_000, outcome: 'answered', endedAt: 90_000 });
    m.onRecord({ ...quick, answeredAt: 13_000, answerMs: 12_000, outcome: 'answered', endedAt: 90_000 });
    const slow = { ...base('s'), skill: 'mandarin', ivrExitAt: 0, queuedAt: 0 };
    m.onRecord({ ...slow, answeredAt: 25_000, answerMs: 25_000 });
    const gone = { ...base('g'), skill: 'zhuang', ivrExitAt: 0, queuedAt: 0 };
    m.onRecord(gone);
    m.onRecord({ ...gone, outcome: 'abandoned', endedAt: 8000 });
    m.onRecord({ ...gone, outcome: 'abandoned', endedAt: 8000 });
    // When Prometheus scrapes
    const text = await m.text();
    // Then
    expect(value(text, 'hotline_calls_offered_total', { queue: 'mandarin' })).toBe(2);
    expect(value(text, 'hotline_calls_offered_total', { queue: 'zhuang' })).toBe(1);
    expect(value(text, 'hotline_calls_answered_total', { queue: 'mandarin' })).toBe(2);
    expect(value(text, 'hotline_calls_answered_within_20s_total', { queue: 'mandarin' })).toBe(1);
    expect(value(text, 'hotline_calls_abandoned_total', { queue: 'zhuang' })).toBe(1);
    expect(value(text, 'hotline_calls_abandoned_total', { queue: 'mandarin' })).toBe(0);
    expect(value(text, 'hotline_call_answer_seconds_bucket', { le: '20', queue: 'mandarin' })).toBe(1);
    expect(value(text, 'hotline_call_answer_seconds_count', { queue: 'mandarin' })).toBe(2);
  });

  it('reports the calls talking now by queue, read at scrape time (the takeover bench counts calls with it)', async () => {
    // Given 3 calls talking on the mandarin desk and 1 adopted call whose queue is unknown
    let talking = new Map([
      ['mandarin', 3],
      ['none', 1],
    ]);
    const m = metrics(() => talking);
    // When Prometheus scrapes, and again after two of them ended
    const first = await m.text();
    talking = new Map([['mandarin', 2]]);
    const second = await m.text();
    // Then each scrape shows the state of that moment
    expect(value(first, 'hotline_calls_talking', { queue: 'mandarin' })).toBe(3);
    expect(value(first, 'hotline_calls_talking', { queue: 'none' })).toBe(1);
    expect(value(second, 'hotline_calls_talking', { queue: 'mandarin' })).toBe(2);
    expect(second).not.toContain('hotline_calls_talking{queue="none"');
  });
});
