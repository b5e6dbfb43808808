import { afterEach, describe, expect, it } from 'vitest';
import type { CallerHistorySource, CallerOrder } from '../../src/calls/caller-history.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { Harness } from './harness.ts';

const CALLER = '13812341234';

const order = (id: string, confidential: boolean, createdAt: number): CallerOrder => ({
  id,
  number: id,
  title: 'environment.noise',
  category: 'environment.noise',
  status: 'dispatched',
  open: true,
  confidential,
  createdAt,
  unitIds: ['u1'],
});

/** The caller's orders: a plain open one (7) and a newer confidential open one (8). */
const ORDERS = [order('8', true, Date.UTC(2025, 11, 2)), order('7', false, Date.UTC(2025, 11, 1))];

/** A work-order store whose reads wait until the test lets them answer (a slow PostgreSQL). */
function heldStore() {
  const held: Array<() => void> = [];
  const source: CallerHistorySource = {
    ordersByPhone: (phone) =>
      new Promise((resolve) => held.push(() => resolve(phone === CALLER ? ORDERS.map((o) => ({ ...o })) : []))),
    ticketStatus: async () => null,
    orderFacts: async () => null,
  };
  return {
    source,
    held: () => held.length,
    answerAll: () => {
      for (const answer of held.splice(0)) answer();
    },
  };
}

function capture() {
  const raw: string[] = [];
  return {
    logger: createLogger({ level: 'warn', pretty: false, destination: { write: (s: string) => void raw.push(s) } }),
    text: () => raw.join(''),
  };
}

/**
 * Issue 12: the call layer never waits on the work-order store. A slow store's history reaches the desk after the
 * pop (cut for the desk, art. 22); a store that does not answer costs the caller only the repeat-caller priority.
 */
describe('a slow or silent work-order store under the call layer', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('given a store that answers only after the offer, when an agent is offered the call, then the pop goes out without history and the history follows as pop-history, without the confidential order', async () => {
    const store = heldStore();
    h = await Harness.start({ history: store.source });
    const agent = await h.agent('a1', '1001', { answerAfterMs: 3000 });
    const placed = h.sim.control.placeCall({ from: CALLER, to: '12345' });
    await h.until(() => agent.received('screen-pop').length > 0, 'pop');
    const pop = agent.last('screen-pop');
    expect(pop.history).toEqual([]);
    expect(pop.repeatCaller).toBe(false);
    expect(agent.received('pop-history')).toEqual([]);

    // The arrival read and the pop's own read both answer now.
    expect(store.held()).toBe(2);
    store.answerAll();
    await h.until(() => agent.received('pop-history').length > 0, 'pop-history');

    const later = agent.last('pop-history');
    expect(later.callId).toBe(pop.callId);
    expect(later.history.map((o: any) => o.number)).toEqual(['7']);
    expect(JSON.stringify(later)).not.toContain('unitIds');
    expect(later.openOrders).toBe(1);
    expect(later.draft.repeatOf).toBe('7');
    expect(later.repeatCaller).toBe(true);
    expect(later.callerNumber).toBe('138****1234');
    // A desktop reconnecting now gets the pop with its history.
    const again = await h.desktop('a1');
    expect(again.last('current-call').pop.history.map((o: any) => o.number)).toEqual(['7']);
    await h.until(() => agent.received('call-update').some((u: any) => u.state === 'answered'), 'answered');
    h.sim.control.hangupCall(placed.callerChannelId);
    await h.until(() => h!.layer.controller.liveCalls().size === 0, 'ended');
    await h.until(() => h!.recordings.list().every((r) => r.status === 'archived'), 'archived');
  });

  it('given a store that never answers, when a repeat caller calls, then after the 2 s deadline the call goes on to an agent without priority or history, and the timeout is logged', async () => {
    const store = heldStore();
    const log = capture();
    h = await Harness.start({ history: store.source, logger: log.logger });
    const agent = await h.agent('a1', '1001', { answerAfterMs: 1000 });
    const placed = h.sim.control.placeCall({ from: CALLER, to: '12345' });
    await h.until(() => agent.received('call-update').some((u: any) => u.state === 'answered'), 'answered');
    await h.run(2500);

    const pop = agent.last('screen-pop');
    expect(pop.priority).toBe(0);
    expect(pop.repeatCaller).toBe(false);
    expect(pop.history).toEqual([]);
    expect(agent.received('pop-history')).toEqual([]);
    expect(log.text()).toContain('calls: caller history lookup timed out; going on without it');
    expect(log.text()).toContain('calls: screen-pop history lookup timed out; going on without it');
    expect(log.text()).not.toContain(CALLER);
    h.sim.control.hangupCall(placed.callerChannelId);
    await h.until(() => h!.layer.controller.liveCalls().size === 0, 'ended');
    await h.until(() => h!.recordings.list().every((r) => r.status === 'archived'), 'archived');
  });
});
