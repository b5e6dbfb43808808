import { describe, expect, it } from 'vitest';
import { CallEventHub } from '../../src/calls/call-events.ts';
import type { CallController } from '../../src/calls/call-controller.ts';
import { FiguresPublisher, type LiveFigures } from '../../src/calls/live-figures.ts';
import { createCallCenterState } from '../../src/domain/calls/call-center-state.ts';
import { loadIvrConfig } from '../../src/ivr-config/load-ivr-config.ts';
import { FakeClock } from '../../src/shared/clock.ts';
import { openStore } from '../../src/store/db.ts';
import { SqliteCallRecords } from '../../src/store/call-records.ts';
import { CallsRepo } from '../../src/store/calls-repo.ts';

describe('supervisor figures publisher', () => {
  it('pushes on change, coalescing a burst into at most one push per 250 ms of clock time, never on its own', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 5, 2, 0, 0));
    const store = openStore({ dataDir: ':memory:' });
    const events = new CallEventHub();
    const state = createCallCenterState(loadIvrConfig());
    const controller = { liveCalls: () => new Map() } as unknown as CallController;
    const pub = new FiguresPublisher({
      controller,
      state: () => state,
      repo: new SqliteCallRecords(new CallsRepo(store.db)),
      clock,
      events,
    });
    const pushes: Array<{ at: number; f: LiveFigures }> = [];
    pub.onFigures((f) => pushes.push({ at: clock.now(), f }));
    const t0 = clock.now();
    for (let i = 0; i < 10; i++) events.emit('changed');
    clock.advance(0);
    expect(pushes).toHaveLength(1);
    for (let i = 0; i < 10; i++) {
      clock.advance(20);
      events.emit('changed');
    }
    clock.advance(1000);
    // 10 changes spread over 200 ms after the first push: one more push, 250 ms after the first.
    expect(pushes.map((p) => p.at - t0)).toEqual([0, 250]);
    clock.advance(60_000);
    expect(pushes).toHaveLength(2);
    expect(pushes[0]!.f.live.agents.ready).toBe(0);
    expect(pushes[0]!.f.today.regulatorRate).toBeNull();
    pub.close();
    store.close();
  });

  it('given the exchange figures, when the outbox changes, then a push carries pending, failed and lag', () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 5, 2, 0, 0));
    const store = openStore({ dataDir: ':memory:' });
    const state = createCallCenterState(loadIvrConfig());
    const controller = { liveCalls: () => new Map() } as unknown as CallController;
    const pub = new FiguresPublisher({
      controller,
      state: () => state,
      repo: new SqliteCallRecords(new CallsRepo(store.db)),
      clock,
      events: new CallEventHub(),
    });
    const pushes: LiveFigures[] = [];
    pub.onFigures((f) => pushes.push(f));
    let outbox = { pending: 3, failed: 1, lagMs: 42_000, acknowledged: 7 };
    pub.setExchangeFigures(() => outbox);
    pub.refresh();
    clock.advance(0);
    expect(pushes.at(-1)?.exchange).toEqual({ pending: 3, failed: 1, lagMs: 42_000, acknowledged: 7 });
    outbox = { pending: 0, failed: 0, lagMs: 0, acknowledged: 10 };
    pub.refresh();
    clock.advance(1_000);
    expect(pushes).toHaveLength(2);
    expect(pushes.at(-1)?.exchange).toMatchObject({ pending: 0, acknowledged: 10 });
    pub.close();
    store.close();
  });
});

describe('supervisor figures publisher: pushes with nobody doing anything', () => {
  it('pushes as a call ages out of the rolling 24 h, on the injected clock', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 5, 2, 0, 0)); // 10:00 Asia/Shanghai
    const store = openStore({ dataDir: ':memory:' });
    const repo = new CallsRepo(store.db);
    // An abandoned call that left the menu 23 h 59 min ago.
    const queuedAt = clock.now() - 24 * 3_600_000 + 60_000;
    repo.insertCall({
      id: 'old-1',
      callerChannelId: 'ch-old-1',
      callerNumber: '13812341234',
      status: 'ended',
      phase: 'ended',
      arrivedAt: queuedAt - 5_000,
      ivrExitAt: queuedAt,
      queuedAt,
      skill: 'mandarin',
      outcome: 'abandoned',
      endedAt: queuedAt + 30_000,
    });
    const events = new CallEventHub();
    const state = createCallCenterState(loadIvrConfig());
    const controller = { liveCalls: () => new Map() } as unknown as CallController;
    const pub = new FiguresPublisher({
      controller,
      state: () => state,
      repo: new SqliteCallRecords(repo),
      clock,
      events,
    });
    await pub.loaded;
    const pushes: Array<{ at: number; f: LiveFigures }> = [];
    pub.onFigures((f) => pushes.push({ at: clock.now(), f }));
    expect(pub.current().rolling24h.offered).toBe(1);
    clock.advance(50_000);
    expect(pushes).toEqual([]);
    // Its arrival leaves the window first (the voice-menu figures), then its IVR exit (the answer figures).
    clock.advance(6_000);
    expect(pushes).toHaveLength(1);
    expect(pushes[0]!.f.rolling24h.ivr.arrived).toBe(0);
    expect(pushes[0]!.f.rolling24h.offered).toBe(1);
    clock.advance(5_000);
    expect(pushes).toHaveLength(2);
    expect(pushes[1]!.f.rolling24h.offered).toBe(0);
    expect(pushes[1]!.f.days.yesterday.total.offered).toBe(1);
    clock.advance(3_600_000);
    expect(pushes).toHaveLength(2);
    pub.close();
    store.close();
  });

  it('the pushed figures list the waiting callers, masked, with priority, repeat flag and their pre-warning and breach', () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 5, 2, 0, 0));
    const store = openStore({ dataDir: ':memory:' });
    const events = new CallEventHub();
    let state = createCallCenterState(loadIvrConfig());
    const now = clock.now();
    const waiting = (id: string, number: string, waitedMs: number, extra: Record<string, unknown> = {}) => ({
      callId: id,
      channelId: `ch-${id}`,
      phase: 'queued' as const,
      mohOn: true,
      timers: {},
      record: {
        callId: id,
        callerNumber: number,
        arrivedAt: now - waitedMs - 5_000,
        ivrPath: [],
        ivrChoices: [],
        ivrInvalidInputs: 0,
        ivrTimeouts: 0,
        priority: 0,
        repeatCaller: false,
        offers: 0,
        failedOffers: [],
        outcome: 'in-progress' as const,
        queuedAt: now - waitedMs,
        ...extra,
      },
      queue: {
        skill: 'mandarin',
        priority: 0,
        enqueuedAt: now - waitedMs,
        seq: 1,
        escalated: waitedMs >= 20_000,
        ...extra,
      },
    });
    state = {
      ...state,
      calls: new Map([
        ['c1', waiting('c1', '13812341234', 16_000)],
        ['c2', waiting('c2', '13912345678', 25_000)],
        ['c3', waiting('c3', '13700001111', 2_000, { priority: 5, repeatCaller: true })],
      ]),
    };
    const controller = { liveCalls: () => new Map() } as unknown as CallController;
    const pub = new FiguresPublisher({
      controller,
      state: () => state,
      repo: new SqliteCallRecords(new CallsRepo(store.db)),
      clock,
      events,
    });
    const list = pub.current().waitingCalls;
    expect(list.map((w) => [w.callId, w.number, w.priority, w.repeatCaller, w.prewarned, w.breached])).toEqual([
      ['c3', '137****1111', 5, true, false, false],
      ['c2', '139****5678', 0, false, true, true],
      ['c1', '138****1234', 0, false, true, false],
    ]);
    expect(JSON.stringify(pub.current())).not.toContain('13812341234');
    pub.close();
    store.close();
  });
});
