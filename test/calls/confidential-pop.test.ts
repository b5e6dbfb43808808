import { afterEach, describe, expect, it } from 'vitest';
import { permissionsOf } from '../../src/auth/permissions.ts';
import { workOrderHistory } from '../../src/calls/work-order-history.ts';
import { FakeClock } from '../../src/shared/clock.ts';
import { createLogger } from '../../src/shared/logger.ts';
import type { Store } from '../../src/store/db.ts';
import { createWorkOrderModule, type WorkOrderModule } from '../../src/work-orders/module.ts';
import type { Caller } from '../../src/work-orders/work-order-service.ts';
import { Harness, type Desktop } from './harness.ts';

const CALLER = '13812341234';
const intakeAgent: Caller = { id: '1', role: 'agent', unitId: null, permissions: permissionsOf('agent') };

/**
 * Issue 7 item 1: the screen-pop is filtered for the principal of the desk it is offered to, by the same
 * visibility rule as GET /work-orders/by-phone (art. 22).
 */
describe('confidential orders in the screen-pop', () => {
  let h: Harness | undefined;
  let orders: WorkOrderModule | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  /** Two open orders of CALLER: a plain one, then a newer confidential one. */
  /** A harness whose call layer reads the work-order store of the harness's own database. */
  async function startWithStore(): Promise<void> {
    const clock = new FakeClock(Date.UTC(2026, 0, 5, 2, 0, 0));
    h = await Harness.start({
      clock,
      history: (store: Store) => {
        orders = createWorkOrderModule({
          store,
          clock,
          logger: createLogger({ level: 'silent', pretty: false }),
          dataDir: ':memory:',
          startScanner: false,
        });
        return workOrderHistory(orders.repo);
      },
    });
  }

  async function withOrders(): Promise<{ plain: number; secret: number }> {
    await startWithStore();
    const plain = await orders!.orders.intake(
      {
        channel: 'website',
        type: 'complaint',
        requesterPhone: CALLER,
        content: '小区门口夜间施工噪音扰民',
        category: 'environment.noise',
      },
      intakeAgent,
    );
    await h!.run(1000);
    const secret = await orders!.orders.intake(
      {
        channel: 'website',
        type: 'report',
        requesterPhone: CALLER,
        content: '举报某单位负责人收受红包',
        category: 'traffic.congestion',
        confidential: true,
      },
      intakeAgent,
    );
    expect(secret.mergedInto).toBeUndefined();
    return { plain: plain.order.id, secret: secret.order.id };
  }

  async function popOf(desk: Desktop): Promise<any> {
    const placed = h!.sim.control.placeCall({ from: CALLER, to: '12345' });
    await h!.until(() => desk.received('screen-pop').length > 0, 'pop');
    await h!.until(() => desk.received('call-update').some((u: any) => u.state === 'answered'), 'answered');
    const pop = desk.last('screen-pop');
    h!.sim.control.hangupCall(placed.callerChannelId);
    await h!.until(() => h!.layer.controller.liveCalls().size === 0, 'ended');
    await h!.until(() => h!.recordings.list().every((r) => r.status === 'archived'), 'archived');
    return pop;
  }

  it("given a caller with a confidential open order, when an agent is offered the call, then the pop's history and draft show only the plain order", async () => {
    const { plain, secret } = await withOrders();
    const agent = await h!.agent('a1', '1001', { answerAfterMs: 1000 });
    const pop = await popOf(agent);
    expect(pop.history.map((o: any) => o.number)).toEqual([String(plain)]);
    expect(pop.openOrders).toBe(1);
    expect(pop.draft.repeatOf).toBe(String(plain));
    expect(JSON.stringify(pop.history)).not.toContain('unitIds');
    // The same agent's GET /work-orders/by-phone answers from the same rule.
    const byPhone = await orders!.orders.findByPhone(CALLER, intakeAgent);
    expect(byPhone.map((o) => o.id)).toEqual([plain]);
    expect(byPhone.map((o) => o.id)).not.toContain(secret);
  });

  it('given the same caller, when a supervisor (work-orders:see-confidential) takes the call, then the pop shows the confidential order and the draft repeats it', async () => {
    const { plain, secret } = await withOrders();
    h!.sim.control.setPhone('1005', { answerAfterMs: 1000 });
    const lead = await h!.desktop('leader', 'supervisor');
    expect(await lead.call('sign-in', { extension: '1005', skills: ['mandarin'] })).toEqual({ ok: true });
    const pop = await popOf(lead);
    expect(pop.history.map((o: any) => [o.number, o.confidential])).toEqual([
      [String(secret), true],
      [String(plain), false],
    ]);
    expect(pop.openOrders).toBe(2);
    expect(pop.draft.repeatOf).toBe(String(secret));
  });

  it('given a caller whose only open order is confidential, when an agent is offered the call, then no history, no repeat and no repeat-caller mark reach the desk', async () => {
    await startWithStore();
    await orders!.orders.intake(
      {
        channel: 'website',
        type: 'report',
        requesterPhone: CALLER,
        content: '举报违规',
        category: 'environment.noise',
        confidential: true,
      },
      intakeAgent,
    );
    const agent = await h!.agent('a1', '1001', { answerAfterMs: 1000 });
    const pop = await popOf(agent);
    expect(pop.history).toEqual([]);
    expect(pop.openOrders).toBe(0);
    expect(pop.draft.repeatOf).toBeNull();
    expect(pop.repeatCaller).toBe(false);
  });
});
