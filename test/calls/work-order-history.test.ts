import { describe, expect, it } from 'vitest';
import { workOrderHistory, type WorkOrderReads } from '../../src/calls/work-order-history.ts';
import type { WorkOrder } from '../../src/domain/work-orders/types.ts';

type Stored = Pick<WorkOrder, 'status' | 'confidential' | 'requester'>;

/** The store as the adapter reads it: order 42 (requester 138…, contact 0771…), order 43 confidential of the same requester. */
function reads(): WorkOrderReads {
  const orders = new Map<number, Stored>([
    [
      42,
      { status: 'dispatched', confidential: false, requester: { phone: '13812341234', contactPhone: '07711234567' } },
    ],
    [43, { status: 'signed', confidential: true, requester: { phone: '13812341234' } }],
  ]);
  return {
    findByPhone: async () => [],
    statesByPhone: async () => [],
    get: async (id) => orders.get(id) ?? null,
    unitsOf: async (id) => (id === 43 ? [{ unitId: 'u1' }] : []),
  };
}

describe('work-order history adapter: the status self-service and link facts', () => {
  const history = workOrderHistory(reads());

  it('given the requester or the contact number, when the order is looked up, then its spoken status comes back', async () => {
    expect(await history.ticketStatus('42', '13812341234')).toBe('dispatched');
    expect(await history.ticketStatus('0042', '+86 138 1234 1234')).toBe('dispatched');
    expect(await history.ticketStatus('42', '0771-1234567')).toBe('dispatched');
  });

  it('given another number, a confidential order, an unknown or malformed number, then the answer is the same null', async () => {
    expect(await history.ticketStatus('42', '13900000000')).toBeNull();
    expect(await history.ticketStatus('43', '13812341234')).toBeNull();
    expect(await history.ticketStatus('99', '13812341234')).toBeNull();
    expect(await history.ticketStatus('4*2', '13812341234')).toBeNull();
  });

  it('given an order id, when link facts are read, then confidentiality and units come back; unknown or non-canonical ids give null', async () => {
    expect(await history.orderFacts('43')).toEqual({ confidential: true, unitIds: ['u1'] });
    expect(await history.orderFacts('42')).toEqual({ confidential: false, unitIds: [] });
    for (const id of ['99', '042', 'abc', '']) expect(await history.orderFacts(id)).toBeNull();
  });
});
