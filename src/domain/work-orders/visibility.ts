import { normalisePhone } from './repeat-detection.ts';

/**
 * Who may see a work order (art. 22: personal information and non-public results stay confidential).
 * This is the ONE place that decides it: the HTTP routes (through the work-order service), the screen-pop
 * and its draft, the agent's socket.io commands and the voice self-service all ask these functions.
 */

/** The permission that opens confidential orders to roles other than the assigned units (see src/auth/permissions.ts). */
export const SEE_CONFIDENTIAL = 'work-orders:see-confidential';

/** Who looks: a signed-in user (role, unit, permissions) or the system itself. */
export interface OrderViewer {
  role: string;
  unitId: string | null;
  permissions: ReadonlySet<string>;
}

/** What about an order decides who may see it. */
export interface OrderVisibilityFacts {
  confidential: boolean;
  /** Units the order is or was assigned to (lead, assisting, forwarded); only read for unit handlers. */
  unitIds: readonly string[];
}

export type OrderVisibility =
  | { visible: true }
  | { visible: false; code: 'confidential' | 'not-your-unit'; reason: string };

/** Unit handlers are judged by assignment, so callers must load `unitIds` for them (and may skip it for others). */
export function visibilityNeedsUnits(viewer: OrderViewer): boolean {
  return viewer.role === 'unit_handler';
}

/**
 * - the system and the requester's own SMS reply see their order;
 * - a unit handler sees the orders assigned to their unit, confidential ones included (they must handle them),
 *   and no other;
 * - everyone else sees non-confidential orders, and confidential ones only with work-orders:see-confidential.
 */
export function orderVisibility(viewer: OrderViewer, order: OrderVisibilityFacts): OrderVisibility {
  if (viewer.role === 'system' || viewer.role === 'requester') return { visible: true };
  if (viewer.role === 'unit_handler') {
    if (viewer.unitId !== null && order.unitIds.includes(viewer.unitId)) return { visible: true };
    return { visible: false, code: 'not-your-unit', reason: 'the order is not assigned to your unit' };
  }
  if (order.confidential && !viewer.permissions.has(SEE_CONFIDENTIAL)) {
    return {
      visible: false,
      code: 'confidential',
      reason: 'the order is confidential; your role may not see it (art. 22)',
    };
  }
  return { visible: true };
}

export function maySeeOrder(viewer: OrderViewer, order: OrderVisibilityFacts): boolean {
  return orderVisibility(viewer, order).visible;
}

/** What the voice self-service knows about the order a caller keyed. */
export interface SpokenStatusFacts {
  confidential: boolean;
  requesterPhone?: string | undefined;
  contactPhone?: string | undefined;
}

/**
 * May an anonymous caller hear this order's status over the phone? Only from the requester's own number or the
 * contact number given at intake, and never for a confidential order: the calling number is the only proof of
 * identity the voice menu has, so anyone else must not learn that the order exists (art. 22).
 */
export function mayHearStatusByPhone(order: SpokenStatusFacts, callerNumber: string): boolean {
  if (order.confidential) return false;
  const caller = normalisePhone(callerNumber);
  if (caller === undefined) return false;
  return [order.requesterPhone, order.contactPhone].some((p) => p !== undefined && normalisePhone(p) === caller);
}
