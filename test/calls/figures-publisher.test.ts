import { describe, expect, it } from 'vitest';
import { CallEventHub } from '../../src/calls/call-events.ts';
import type { CallController } from '../../src/calls/call-controller.ts';
import { FiguresPublisher, type LiveFigures } from '../../src/calls/live-figures.ts';
import { createCallCenterState } from '../../src/domain/calls/call-center-state.ts';
import { loadIvrConfig } from '../../src/ivr-config/load-ivr-config.ts';
import { FakeClock } from '../../src/shared/clock.ts';
import { openStore } from '../../src/store/db.ts';
import { CallsRepo } from '../../src/store/calls-repo.ts';

describe('supervisor figures publisher', () => {
  it('pushes on change, coalescing a burst into at most one push per 250 ms of clock time, never on its own', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 5, 2, 0, 0));
    const store = openStore({ dataDir: ':memory:' });
    const events = new CallEventHub();
    const state = createCallCenterState(loadIvrConfig());
    const controller = { liveCalls: () => new Map() } as unknown as CallController;
    const pub = new FiguresPublisher({ controller, state: () => state, repo: new CallsRepo(store.db), clock, events });
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
      repo: new CallsRepo(store.db),
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
