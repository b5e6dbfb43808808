import { orderVisibility, type OrderViewer } from '../domain/work-orders/visibility.ts';
import type { CallRecords } from '../store/call-records.ts';
import type { CallerHistorySource } from './caller-history.ts';

/** A link refused: the HTTP route and the socket.io ack answer with this status and code. */
export class LinkRefusal extends Error {
  constructor(
    readonly statusCode: 403 | 404,
    readonly code: 'call-not-found' | 'work-order-not-found' | 'confidential' | 'not-your-unit',
    message: string,
  ) {
    super(message);
    this.name = 'LinkRefusal';
  }
}

/** 204 when the link is new (the route's answer before issue 7), 200 when it already existed (idempotent). */
export type LinkResult = { statusCode: 204; alreadyLinked: false } | { statusCode: 200; alreadyLinked: true };

export interface WorkOrderLinkerDeps {
  /** Does the call exist, live or recorded? */
  callExists(callId: string): Promise<boolean>;
  calls: Pick<CallRecords, 'workOrdersOf'>;
  orders: Pick<CallerHistorySource, 'orderFacts'>;
  /** Writes the link (the call controller, which flushes the call's pending CDR row first). */
  link(callId: string, workOrderId: string): Promise<void>;
}

/**
 * Links a work order to the call it was made during, for `POST /calls/:id/work-orders` and the desktop's
 * `link-work-order`: the call and the order must exist (404), the principal must be allowed to see the order by
 * the one visibility rule (403, art. 22; checked before the idempotency so that a hidden link is not confirmed).
 */
export class WorkOrderLinker {
  constructor(private readonly d: WorkOrderLinkerDeps) {}

  async link(viewer: OrderViewer, callId: string, workOrderId: string): Promise<LinkResult> {
    if (!(await this.d.callExists(callId)))
      throw new LinkRefusal(404, 'call-not-found', `call ${callId} does not exist`);
    // The order is read from the work-order store (PostgreSQL or SQLite): a round trip, outside any call decision.
    const facts = await this.d.orders.orderFacts(workOrderId);
    if (!facts) throw new LinkRefusal(404, 'work-order-not-found', `work order ${workOrderId} does not exist`);
    const v = orderVisibility(viewer, facts);
    if (!v.visible) throw new LinkRefusal(403, v.code, `work order ${workOrderId}: ${v.reason}`);
    if ((await this.d.calls.workOrdersOf(callId)).includes(workOrderId))
      return { statusCode: 200, alreadyLinked: true };
    await this.d.link(callId, workOrderId);
    return { statusCode: 204, alreadyLinked: false };
  }
}
