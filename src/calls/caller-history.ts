/** One earlier work order of the caller, as the screen-pop shows it. */
export interface HistoryOrder {
  id: string;
  /** The human-readable work-order number. */
  number: string;
  title: string;
  category: string | null;
  status: string;
  /** Not yet closed. */
  open: boolean;
  createdAt: number;
}

/**
 * What the call layer needs from the work-order store: the caller's history for the screen-pop
 * and repeat-caller priority, and a ticket's status for the voice self-service.
 */
export interface CallerHistorySource {
  /** Newest first. */
  ordersByPhone(phone: string, limit: number): HistoryOrder[];
  /** A status code the voice menu has prompts for, or null when no such work order exists. */
  ticketStatus(ticketNumber: string): string | null;
}

export const emptyHistory: CallerHistorySource = {
  ordersByPhone: () => [],
  ticketStatus: () => null,
};
