import type { WorkOrderStatus } from '../domain/work-orders/types.ts';
import type { WorkOrderSummary } from '../store/work-orders-repo.ts';
import type { CallerHistorySource, HistoryOrder } from './caller-history.ts';

/** The synchronous reads of the SQLite work-order repository the call layer uses (structural, so tests can fake it). */
export interface WorkOrderReads {
  findByPhoneSync(phone: string, limit: number): WorkOrderSummary[];
  getSync(id: number): { status: WorkOrderStatus } | null;
}

const FINAL: ReadonlySet<string> = new Set(['closed', 'not-accepted', 'merged']);

/** Work-order statuses as the voice menu reads them back (config/ivr.json prompts.statuses). */
const SPOKEN: Record<string, string> = {
  registered: 'received',
  disputed: 'in-progress',
  dispatched: 'dispatched',
  signed: 'in-progress',
  returned: 'returned',
  replied: 'replied',
  'under-review': 'in-progress',
  closed: 'closed',
  'not-accepted': 'closed',
  merged: 'closed',
};

/** The caller's history and the ticket status self-service, read from the work-order store (issue 3). */
export function workOrderHistory(repo: WorkOrderReads): CallerHistorySource {
  return {
    ordersByPhone(phone: string, limit: number): HistoryOrder[] {
      return repo.findByPhoneSync(phone, limit).map((o) => ({
        id: String(o.id),
        number: String(o.id),
        title: o.category,
        category: o.category,
        status: o.status,
        open: !FINAL.has(o.status),
        createdAt: o.createdAt,
      }));
    },
    ticketStatus(ticketNumber: string): string | null {
      if (!/^[0-9]{1,15}$/.test(ticketNumber)) return null;
      const order = repo.getSync(Number(ticketNumber));
      if (!order) return null;
      return SPOKEN[order.status] ?? order.status;
    },
  };
}
