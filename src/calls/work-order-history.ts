import { mayHearStatusByPhone, type OrderVisibilityFacts } from '../domain/work-orders/visibility.ts';
import type { WorkOrder } from '../domain/work-orders/types.ts';
import type Database from 'better-sqlite3';
import type { WorkOrderSummary } from '../store/work-orders-repo.ts';
import type { CallerHistorySource, CallerOrder } from './caller-history.ts';

/** The synchronous reads of the SQLite work-order repository the call layer uses (structural, so tests can fake it). */
export interface WorkOrderReads {
  findByPhoneSync(phone: string, limit: number): WorkOrderSummary[];
  getSync(
    id: number,
  ): (Pick<WorkOrder, 'status' | 'confidential' | 'requester'> & Partial<Pick<WorkOrder, 'content'>>) | null;
  unitsOfSync(orderId: number): { unitId: string }[];
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

/** Work-order ids are positive integers; anything else names no order. */
function orderIdOf(text: string): number | null {
  return /^[1-9][0-9]{0,14}$/.test(text) ? Number(text) : null;
}

/** Chinese names of categories and units for the history rows (synchronous reads of the store). */
export interface HistoryNames {
  category(code: string): string | undefined;
  unit(id: string): string | undefined;
}

/** The names from the SQLite store's category tree and organisation. */
export function historyNamesFrom(sqlite: Pick<Database.Database, 'prepare'>): HistoryNames {
  const category = sqlite.prepare<[string], { name: string }>('select name from work_order_categories where code = ?');
  const unit = sqlite.prepare<[string], { name: string }>('select name from org_units where id = ?');
  return { category: (code) => category.get(code)?.name, unit: (id) => unit.get(id)?.name };
}

/** The first line of a demand, at most 40 characters: enough for the agent to recognise it. */
function firstLine(content: string | undefined): string {
  const line = (content ?? '').split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  return line.length > 40 ? `${line.slice(0, 40)}…` : line.trim();
}

/**
 * The caller's history and the ticket status self-service, read from the work-order store (issue 3). A caller
 * may key an order number or the tracking code an intake channel gave them (issue 13), with the same check.
 */
export function workOrderHistory(
  repo: WorkOrderReads,
  names?: HistoryNames,
  trackingCodes?: { orderIdOf(code: string): number | null },
): CallerHistorySource {
  return {
    ordersByPhone(phone: string, limit: number): CallerOrder[] {
      return repo.findByPhoneSync(phone, limit).map((o) => ({
        id: String(o.id),
        number: String(o.id),
        title: o.category,
        category: o.category,
        ...(names
          ? {
              categoryName: names.category(o.category) ?? null,
              summary: firstLine(repo.getSync(o.id)?.content),
              unitName: o.leadUnitId ? (names.unit(o.leadUnitId) ?? o.leadUnitId) : null,
            }
          : {}),
        status: o.status,
        open: !FINAL.has(o.status),
        confidential: o.confidential,
        createdAt: o.createdAt,
        unitIds: repo.unitsOfSync(o.id).map((u) => u.unitId),
      }));
    },
    ticketStatus(ticketNumber: string, callerNumber: string): string | null {
      // A caller may key leading zeros (as before this check existed); a link must name the order exactly.
      const id = trackingCodes?.orderIdOf(ticketNumber) ?? orderIdOf(ticketNumber.replace(/^0+(?=[0-9])/, ''));
      if (id === null) return null;
      const order = repo.getSync(id);
      // "Not found" for an order the caller may not hear, so the menu cannot be used to learn which orders exist.
      if (
        !order ||
        !mayHearStatusByPhone(
          {
            confidential: order.confidential,
            requesterPhone: order.requester.phone,
            contactPhone: order.requester.contactPhone,
          },
          callerNumber,
        )
      ) {
        return null;
      }
      return SPOKEN[order.status] ?? order.status;
    },
    orderFacts(workOrderId: string): OrderVisibilityFacts | null {
      const id = orderIdOf(workOrderId);
      if (id === null) return null;
      const order = repo.getSync(id);
      if (!order) return null;
      return { confidential: order.confidential, unitIds: repo.unitsOfSync(id).map((u) => u.unitId) };
    },
  };
}
