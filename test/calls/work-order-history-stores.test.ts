import { describe, expect, it } from 'vitest';
import { permissionsOf } from '../../src/auth/permissions.ts';
import { historyNamesFrom, workOrderHistory } from '../../src/calls/work-order-history.ts';
import { FakeClock } from '../../src/shared/clock.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { openStore } from '../../src/store/db.ts';
import { createWorkOrderModule } from '../../src/work-orders/module.ts';
import type { Caller } from '../../src/work-orders/work-order-service.ts';
import { STORE_KINDS, storeFactory } from '../support/stores.ts';

const CALLER = '13812341234';
/** The demand's first line: 48 characters. */
const LINE = '小区门口夜间施工噪音扰民，每晚十一点后仍在施工，严重影响休息，请城管部门尽快处理并书面答复来电人。';
const taker: Caller = { id: '1', role: 'supervisor', unitId: null, permissions: permissionsOf('supervisor') };

/** Issue 12: the call layer's caller history reads the work-order repositories of either store, names included. */
describe.each(STORE_KINDS)('the caller history on %s', (kind) => {
  const stores = storeFactory(kind);

  it('given a plain order dispatched to a unit and a confidential one, when the history, a ticket status and link facts are read, then each comes from the repositories with its names', async () => {
    const s = await stores.fresh();
    const clock = new FakeClock(Date.UTC(2026, 0, 5, 2, 0, 0));
    const lite = openStore({ dataDir: ':memory:' });
    try {
      const m = createWorkOrderModule({
        store: lite,
        repos: s.repos,
        clock,
        logger: createLogger({ level: 'silent', pretty: false }),
        dataDir: ':memory:',
        startScanner: false,
      });
      for (const [id, name] of [
        ['u1', '市城管局'],
        ['u2', '市公安局'],
      ] as const)
        await s.repos.organisation.insert(
          { id, kind: 'handling_unit', name, parentId: null, acceptsPublicRequests: true, contacts: [] },
          clock.now(),
        );
      const plain = (
        await m.orders.intake(
          {
            channel: 'website',
            type: 'complaint',
            requesterPhone: CALLER,
            content: `\n${LINE}\n第二行`,
            category: 'environment.noise',
          },
          taker,
        )
      ).order.id;
      await m.orders.act(plain, { action: 'dispatch', leadUnitId: 'u1' }, taker);
      clock.advance(1000);
      const secret = (
        await m.orders.intake(
          {
            channel: 'website',
            type: 'report',
            requesterPhone: CALLER,
            content: '举报',
            category: 'other',
            confidential: true,
          },
          taker,
        )
      ).order.id;
      await m.orders.act(secret, { action: 'dispatch', leadUnitId: 'u2' }, taker);
      const history = workOrderHistory(m.repo, historyNamesFrom(s.repos));

      const rows = await history.ordersByPhone(CALLER, 20);
      expect(rows.map((o) => [o.number, o.confidential, o.unitIds, o.unitName, o.categoryName, o.open])).toEqual([
        [String(secret), true, ['u2'], '市公安局', '其他', true],
        [String(plain), false, ['u1'], '市城管局', '噪声扰民', true],
      ]);
      // The first non-empty line, cut at 40 characters.
      expect(rows[1]!.summary).toBe(`${LINE.slice(0, 40)}…`);
      expect(await history.ordersByPhone('13900000000', 20)).toEqual([]);
      expect(await history.ticketStatus(String(plain), CALLER)).toBe('dispatched');
      expect(await history.ticketStatus(String(secret), CALLER)).toBeNull();
      expect(await history.orderFacts(String(secret))).toEqual({ confidential: true, unitIds: ['u2'] });
      expect(await history.orderFacts('99999')).toBeNull();
    } finally {
      lite.close();
    }
  }, 30_000);
});
