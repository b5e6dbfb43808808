import type { OrderVisibilityFacts } from '../domain/work-orders/visibility.ts';

/** One earlier work order of the caller, as the screen-pop shows it. */
export interface HistoryOrder {
  id: string;
  /** The human-readable work-order number. */
  number: string;
  title: string;
  category: string | null;
  /** The category's Chinese name (the category tree), when known. */
  categoryName?: string | null;
  /** The first line of the demand's content, shortened. */
  summary?: string;
  /** The unit handling it now (the lead unit's name), once dispatched. */
  unitName?: string | null;
  status: string;
  /** Not yet closed. */
  open: boolean;
  /** 保密: shown only to desks the visibility rule lets see it (art. 22). */
  confidential: boolean;
  createdAt: number;
}

/** A history entry with what the visibility rule needs; the unit list never leaves the server. */
export interface CallerOrder extends HistoryOrder {
  unitIds: readonly string[];
}

/**
 * What the call layer needs from the work-order store (either store, through its repositories): the caller's
 * history for the screen-pop and repeat-caller priority, a ticket's status for the voice self-service, and an
 * order's visibility facts when a desk links it to a call. Asynchronous: on PostgreSQL each is a round trip, so
 * the call layer reads them before a decision needs them (caller-history-lookups.ts), never inside one.
 */
export interface CallerHistorySource {
  /** Newest first, unfiltered: each desk's pop is filtered for its own principal (screen-pop-builder). */
  ordersByPhone(phone: string, limit: number): Promise<CallerOrder[]>;
  /**
   * A status code the voice menu has prompts for, or null when no such work order exists or the caller may not
   * hear it (not the requester's or contact number, or confidential): the menu cannot tell these apart.
   */
  ticketStatus(ticketNumber: string, callerNumber: string): Promise<string | null>;
  /** The visibility facts of an order, or null when there is no such order. */
  orderFacts(workOrderId: string): Promise<OrderVisibilityFacts | null>;
}

export const emptyHistory: CallerHistorySource = {
  ordersByPhone: async () => [],
  ticketStatus: async () => null,
  orderFacts: async () => null,
};
