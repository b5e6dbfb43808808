import type { WorkOrder } from '../domain/work-orders/types.ts';
import { maskPhone } from '../shared/phone-mask.ts';
import type { WorkOrderSummary } from '../store/work-orders-repo.ts';
import type { Caller } from './work-order-service.ts';

/** Phone numbers in full only for roles holding phone:see-full; masked as 138****1234 for everyone else (art. 22). */
export function seesFullPhone(caller: Caller): boolean {
  return caller.permissions.has('phone:see-full');
}

export function orderView(o: WorkOrder, caller: Caller): WorkOrder {
  if (seesFullPhone(caller)) return o;
  const v = structuredClone(o);
  if (v.requester.phone !== undefined) v.requester.phone = maskPhone(v.requester.phone);
  if (v.requester.contactPhone !== undefined) v.requester.contactPhone = maskPhone(v.requester.contactPhone);
  return v;
}

export function summaryView(s: WorkOrderSummary, caller: Caller): WorkOrderSummary {
  if (seesFullPhone(caller) || s.requesterPhone === null) return s;
  return { ...s, requesterPhone: maskPhone(s.requesterPhone) };
}
