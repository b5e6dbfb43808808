import { mayHearStatusByPhone, type OrderVisibilityFacts } from '../domain/work-orders/visibility.ts';
import type { WorkOrder } from '../domain/work-orders/types.ts';
import type { OrganisationRepo } from '../store/organisation-repo.ts';
import type { WorkOrderRepo, WorkOrderSummary } from '../store/work-orders-repo.ts';
import type { CallerHistorySource, CallerOrder } from './caller-history.ts';

/**
 * The reads of the work-order repository (either store) the call layer uses; structural, so tests can fake it.
 * Only `get` is needed for the status self-service and link facts, the others for the screen-pop history.
 */
export interface WorkOrderReads {
  findByPhone(phone: string, limit: number): Promise<WorkOrderSummary[]>;
  /** The states of the same orders, for the demand's first line. */
  statesByPhone(phone: string, limit: number): Promise<Pick<WorkOrder, 'id' | 'content'>[]>;
  get(
    id: number,
  ): Promise<(Pick<WorkOrder, 'status' | 'confidential' | 'requester'> & Partial<Pick<WorkOrder, 'content'>>) | null>;
  unitsOf(orderId: number): Promise<{ unitId: string }[]>;
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

/** Chinese names of categories and units for the history rows. */
export interface HistoryNames {
  /** Code → name of every category (one read per history lookup). */
  categories(): Promise<ReadonlyMap<string, string>>;
  unit(id: string): Promise<string | undefined>;
}

/** The names from the store's category tree and organisation, through the repositories (either store). */
export function historyNamesFrom(repos: {
  workOrders: Pick<WorkOrderRepo, 'categories'>;
  organisation: Pick<OrganisationRepo, 'get'>;
}): HistoryNames {
  return {
    categories: async () => new Map((await repos.workOrders.categories()).map((c) => [c.code, c.name])),
    unit: async (id) => (await repos.organisation.get(id))?.name,
  };
}

/** The first line of a demand, at most 40 characters: enough for the agent to recognise it. */
function firstLine(content: string | undefined): string {
  const line = (content ?? '').split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  return line.length > 40 ? `${line.slice(0, 40)}…` : line.trim();
}

/**
 * The caller's history and the ticket status self-service, read from the work-order repository of either store
 * (issue 3, issue 12). A caller may key an order number or the tracking code an intake channel gave them
 * (issue 13), with the same check.
 */
export function workOrderHistory(
  repo: WorkOrderReads,
  names?: HistoryNames,
  trackingCodes?: { orderIdOf(code: string): number | null | Promise<number | null> },
): CallerHistorySource {
  return {
    async ordersByPhone(phone: string, limit: number): Promise<CallerOrder[]> {
      // The reads of one lookup go out together: on PostgreSQL they share the pool instead of queueing.
      const [found, states, categories] = await Promise.all([
        repo.findByPhone(phone, limit),
        names ? repo.statesByPhone(phone, limit) : [],
        names?.categories(),
      ]);
      const contentOf = new Map(states.map((o) => [o.id, o.content]));
      const unitNames = new Map<string, Promise<string | undefined>>();
      const unitName = (id: string) => {
        const known = unitNames.get(id);
        if (known) return known;
        const name = names!.unit(id);
        unitNames.set(id, name);
        return name;
      };
      return Promise.all(
        found.map(
          async (o): Promise<CallerOrder> => ({
            id: String(o.id),
            number: String(o.id),
            title: o.category,
            category: o.category,
            ...(names
              ? {
                  categoryName: categories?.get(o.category) ?? null,
                  summary: firstLine(contentOf.get(o.id)),
                  unitName: o.leadUnitId ? ((await unitName(o.leadUnitId)) ?? o.leadUnitId) : null,
                }
              : {}),
            status: o.status,
            open: !FINAL.has(o.status),
            confidential: o.confidential,
            createdAt: o.createdAt,
            unitIds: (await repo.unitsOf(o.id)).map((u) => u.unitId),
          }),
        ),
      );
    },
    async ticketStatus(ticketNumber: string, callerNumber: string): Promise<string | null> {
      // A caller may key leading zeros (as before this check existed); a link must name the order exactly.
      const id = (await trackingCodes?.orderIdOf(ticketNumber)) ?? orderIdOf(ticketNumber.replace(/^0+(?=[0-9])/, ''));
      if (id === null) return null;
      const order = await repo.get(id);
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
    async orderFacts(workOrderId: string): Promise<OrderVisibilityFacts | null> {
      const id = orderIdOf(workOrderId);
      if (id === null) return null;
      const [order, units] = await Promise.all([repo.get(id), repo.unitsOf(id)]);
      if (!order) return null;
      return { confidential: order.confidential, unitIds: units.map((u) => u.unitId) };
    },
  };
}
