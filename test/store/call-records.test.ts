// The call records' contract (issue 12 gap 1), run on SQLite and on PostgreSQL: calls, legs, call↔work-order
// links, callbacks with their attempts and alerts give the same answers on both stores, writes made synchronously
// by the call layer are read back in order, and the callback list's take / outcome check state in one transaction.
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_PLAN } from '../../src/domain/callbacks/retry-plan.ts';
import type { CallRecords } from '../../src/store/call-records.ts';
import { CallbackStateError } from '../../src/store/calls-repo.ts';
import { STORE_KINDS, storeFactory, type StoreUnderTest } from '../support/stores.ts';

// 10:00 Beijing time: inside the plan's calling hours.
const NOW = Date.UTC(2026, 2, 2, 2, 0, 0);
const CALLER = '13800138000';

function insertCall(calls: CallRecords, id: string, at = NOW): void {
  calls.insertCall({
    id,
    callerChannelId: `${id}-c`,
    callerNumber: CALLER,
    dialedNumber: '12345',
    status: 'active',
    phase: 'ivr',
    arrivedAt: at,
  });
}

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof CallbackStateError) return err.code;
    throw err;
  }
  return 'no refusal';
}

describe.each(STORE_KINDS)('call records on %s', (kind) => {
  const stores = storeFactory(kind);
  const open = async (): Promise<{ s: StoreUnderTest; calls: CallRecords }> => {
    const s = await stores.fresh();
    return { s, calls: s.repos.calls };
  };

  it('given a call written and changed in one turn, when it is read, then the row has every change (read-your-writes)', async () => {
    const { calls } = await open();
    insertCall(calls, 'c1');
    calls.updateCall('c1', { phase: 'queued', queuedAt: NOW + 5_000, skill: 'general', repeatCaller: true });
    calls.updateCall('c1', { phase: 'talking', answeredAt: NOW + 9_000, agentId: 'agent-1', answerMs: 4_000 });

    const row = await calls.getCall('c1');

    expect(row).toMatchObject({
      id: 'c1',
      callerNumber: CALLER,
      status: 'active',
      phase: 'talking',
      queuedAt: NOW + 5_000,
      answeredAt: NOW + 9_000,
      agentId: 'agent-1',
      answerMs: 4_000,
      skill: 'general',
      repeatCaller: true,
      priority: 0,
      ivrPath: '[]',
    });
    expect(await calls.getCall('nope')).toBeUndefined();
  });

  it('given times with a fraction of a millisecond (a clock may give them), when written, then nothing is refused and the times read back to the millisecond', async () => {
    const { calls } = await open();
    insertCall(calls, 'c1', NOW + 0.75);
    calls.updateCall('c1', { answeredAt: NOW + 9_000.5, answerMs: 4_000.25 });
    calls.insertLeg({ channelId: 'l1', callId: 'c1', kind: 'caller', createdAt: NOW + 0.4 });
    const alert = await calls.addAlert({ callId: 'c1', kind: 'answer-breach', at: NOW + 20_000.6, cause: null });
    const cb = await calls.addCallback({
      callId: 'c1',
      number: CALLER,
      reason: 'requested',
      createdAt: NOW + 1.5,
      waitedMs: 2.5,
    });

    const row = (await calls.getCall('c1'))!;
    expect(Math.round(row.arrivedAt)).toBe(NOW + 1);
    expect(row.answeredAt).toBeCloseTo(NOW + 9_000.5, -0.5);
    expect((await calls.legs('c1')).length).toBe(1);
    expect(Math.round(alert.at)).toBe(NOW + 20_001);
    expect(Math.round(cb.createdAt)).toBe(NOW + 2);
  });

  it('given active and ended calls, when the active ones are listed, then only they come, oldest first', async () => {
    const { calls } = await open();
    insertCall(calls, 'late', NOW + 2_000);
    insertCall(calls, 'early', NOW);
    insertCall(calls, 'done', NOW + 1_000);
    calls.updateCall('done', { status: 'ended', phase: 'ended', endedAt: NOW + 3_000, outcome: 'answered' });

    expect((await calls.activeCalls()).map((c) => c.id)).toEqual(['early', 'late']);
    expect((await calls.listCalls({})).map((c) => c.id)).toEqual(['late', 'done', 'early']);
    expect((await calls.listCalls({ from: NOW + 1_000, to: NOW + 2_000 })).map((c) => c.id)).toEqual(['done']);
    expect((await calls.callsSince(NOW + 1_000)).map((c) => c.id).sort()).toEqual(['done', 'late']);
  });

  it('given legs inserted twice and changed, when read, then each leg is there once with its changes and the open ones are told apart', async () => {
    const { calls } = await open();
    insertCall(calls, 'c1');
    calls.insertLeg({ channelId: 'ch-caller', callId: 'c1', kind: 'caller', number: CALLER, createdAt: NOW });
    calls.insertLeg({ channelId: 'ch-a1', callId: 'c1', kind: 'agent', agentId: 'a1', createdAt: NOW + 1_000 });
    calls.insertLeg({ channelId: 'ch-a1', callId: 'c1', kind: 'agent', agentId: 'a1', createdAt: NOW + 1_000 });
    calls.insertLeg({ channelId: 'ch-a2', callId: 'c1', kind: 'agent', agentId: 'a2', createdAt: NOW + 2_000 });
    calls.updateLeg('ch-a1', { endedAt: NOW + 16_000, outcome: 'no_answer' });
    calls.updateLeg('ch-a2', { answeredAt: NOW + 3_000, outcome: 'answered' });
    calls.updateLeg('ch-a2', {});

    expect((await calls.legs('c1')).map((l) => [l.channelId, l.outcome])).toEqual([
      ['ch-caller', null],
      ['ch-a1', 'no_answer'],
      ['ch-a2', 'answered'],
    ]);
    expect((await calls.openLegs('c1')).map((l) => l.channelId).sort()).toEqual(['ch-a2', 'ch-caller']);
    expect((await calls.unansweredAgentLegsSince(NOW)).map((l) => l.channelId)).toEqual(['ch-a1']);
  });

  it('given a work order linked twice to a call, when the links are read, then it is there once, in link order', async () => {
    const { calls } = await open();
    insertCall(calls, 'c1');
    calls.linkWorkOrder('c1', '202603020002', NOW + 2_000);
    calls.linkWorkOrder('c1', '202603020001', NOW + 1_000);
    calls.linkWorkOrder('c1', '202603020002', NOW + 3_000);

    expect(await calls.workOrdersOf('c1')).toEqual(['202603020001', '202603020002']);
  });

  it('given alerts added right after the call row, when read, then they are stored in order with their ids', async () => {
    const { calls } = await open();
    insertCall(calls, 'c1');
    const pre = calls.addAlert({ callId: 'c1', kind: 'answer-prewarning', at: NOW + 15_000, cause: null });
    const breach = calls.addAlert({ callId: 'c1', kind: 'answer-breach', at: NOW + 20_000, cause: 'nobody-ready' });

    const [a, b] = await Promise.all([pre, breach]);

    expect(b.id).toBeGreaterThan(a.id);
    expect((await calls.alertsSince(NOW + 16_000)).map((x) => [x.kind, x.cause])).toEqual([
      ['answer-breach', 'nobody-ready'],
    ]);
  });

  it('given a callback requested twice for one call, when listed, then the first entry is kept', async () => {
    const { calls } = await open();
    insertCall(calls, 'c1');
    const first = await calls.addCallback({
      callId: 'c1',
      number: CALLER,
      reason: 'abandoned_queue',
      createdAt: NOW,
      waitedMs: 30_000,
    });
    const second = await calls.addCallback({
      callId: 'c1',
      number: CALLER,
      reason: 'requested',
      createdAt: NOW + 1_000,
      waitedMs: null,
    });

    expect(second).toEqual(first);
    expect(await calls.listCallbacks({ status: 'pending' })).toEqual([first]);
    expect(await calls.listCallbacks({ status: 'done' })).toEqual([]);
  });

  it('given a pending callback, when two agents take it, then the second is refused and a release gives it back', async () => {
    const { calls } = await open();
    insertCall(calls, 'c1');
    const cb = await calls.addCallback({
      callId: 'c1',
      number: CALLER,
      reason: 'abandoned_queue',
      createdAt: NOW,
      waitedMs: 30_000,
    });

    const [taken, second] = await Promise.allSettled([
      calls.takeCallback(cb.id, 'a1', 'cb-1', NOW + 60_000, DEFAULT_RETRY_PLAN),
      calls.takeCallback(cb.id, 'a2', 'cb-2', NOW + 60_000, DEFAULT_RETRY_PLAN),
    ]);

    expect(taken).toMatchObject({ status: 'fulfilled', value: { diallingBy: 'a1', lastCallId: 'cb-1' } });
    expect(second.status).toBe('rejected');
    expect((second as PromiseRejectedResult).reason).toBeInstanceOf(CallbackStateError);
    expect((second as PromiseRejectedResult).reason.code).toBe('taken');
    expect((await calls.callbackAttempts(cb.id)).map((a) => a.agentId)).toEqual(['a1']);

    calls.releaseCallback(cb.id, 'cb-1');

    expect(await calls.getCallback(cb.id)).toMatchObject({ diallingBy: null, status: 'pending', tries: 0 });
    expect(await calls.callbackAttempts(cb.id)).toEqual([]);
    expect(await refusal(calls.takeCallback(999, 'a1', 'cb-3', NOW, DEFAULT_RETRY_PLAN))).toBe('not_found');
  });

  it('given a callback being dialled, when outcomes are recorded, then only its agent may, a final one closes it, and the try is kept', async () => {
    const { calls } = await open();
    insertCall(calls, 'c1');
    const cb = await calls.addCallback({
      callId: 'c1',
      number: CALLER,
      reason: 'requested',
      createdAt: NOW,
      waitedMs: null,
    });
    await calls.takeCallback(cb.id, 'a1', 'cb-1', NOW + 60_000, DEFAULT_RETRY_PLAN);

    expect(
      await refusal(calls.recordCallbackOutcome(cb.id, 'reached', 'a2', NOW + 90_000, null, DEFAULT_RETRY_PLAN, false)),
    ).toBe('not_yours');
    const done = await calls.recordCallbackOutcome(cb.id, 'reached', 'a1', NOW + 90_000, '已答复', DEFAULT_RETRY_PLAN);

    expect(done).toMatchObject({ status: 'done', outcome: 'reached', handledBy: 'a1', tries: 1, diallingBy: null });
    expect(await calls.callbackAttempts(cb.id)).toMatchObject([
      { callId: 'cb-1', agentId: 'a1', outcome: 'reached', note: '已答复', recordedAt: NOW + 90_000 },
    ]);
    expect(await refusal(calls.recordCallbackOutcome(cb.id, 'busy', 'a1', NOW + 95_000, null))).toBe('already_done');
    expect(await refusal(calls.recordCallbackOutcome(404, 'busy', 'a1', NOW, null))).toBe('not_found');
  });

  it('given many writes to one call across turns, when read after each, then the last write wins every time (order kept under group commit)', async () => {
    const { calls } = await open();
    insertCall(calls, 'c1');
    for (let i = 1; i <= 40; i++) {
      calls.updateCall('c1', { offers: i, ronaCount: i - 1 });
      calls.updateCall('c1', { offers: i + 1000 });
      calls.updateCall('c1', { offers: i });
      if (i % 10 === 0) expect((await calls.getCall('c1'))!.offers).toBe(i);
      // Some writes land in the next turn, while a batch may be in flight.
      if (i % 3 === 0) await new Promise((r) => setImmediate(r));
    }
    calls.updateCall('c1', { status: 'ended', phase: 'ended', endedAt: NOW + 1 });
    await calls.flushed();

    expect(await calls.getCall('c1')).toMatchObject({ offers: 40, ronaCount: 39, status: 'ended' });
  });

  it('given a leg that references a call written in the same turn, when committed, then the foreign key holds (call rows go first)', async () => {
    const { calls, s } = await open();
    insertCall(calls, 'c1');
    calls.insertLeg({ channelId: 'x', callId: 'c1', kind: 'caller', createdAt: NOW });
    calls.linkWorkOrder('c1', '1', NOW);
    await calls.flushed();

    expect(await s.query('select count(*) as n from call_legs')).toEqual([{ n: 1 }]);
    await calls.close();
  });
});
