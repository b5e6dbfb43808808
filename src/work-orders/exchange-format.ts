import type { WorkOrder } from '../domain/work-orders/types.ts';

export const EXCHANGE_FORMAT_VERSION = '12345-exchange/1';

/**
 * The record passed to the regional platform (rules art. 5, 16): flat, stable field names, ISO-8601 times
 * with the +08:00 offset, and the personal data of the view it was built from (masked unless the caller may
 * see numbers in full). The format is documented field by field in docs/work-orders.md.
 */
export interface ExchangeRecord {
  format: typeof EXCHANGE_FORMAT_VERSION;
  orderId: number;
  status: string;
  channel: string;
  type: string;
  category: string;
  fastResponse: boolean;
  emergency: boolean;
  confidential: boolean;
  content: string;
  location: string | null;
  callId: string | null;
  requester: { name: string | null; phone: string | null; contactPhone: string | null };
  receivedAt: string;
  dispatchDueAt: string;
  leadUnitId: string | null;
  assistingUnitIds: string[];
  dispatchedAt: string | null;
  signedAt: string | null;
  completionDueAt: string | null;
  completionDueProvisional: boolean;
  repliedAt: string | null;
  reply: string | null;
  attachments: { id: string; fileName: string; mimeType: string }[];
  closedAt: string | null;
  directAnswer: string | null;
  notAcceptedReason: string | null;
  satisfaction: string | null;
  satisfactionByDefault: boolean | null;
  repeatOfOrderId: number | null;
  mergedIntoOrderId: number | null;
  version: number;
}

/** An instant as ISO-8601 in Asia/Shanghai time, e.g. 2026-02-24T23:59:59.999+08:00. */
export function shanghaiIso(ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().replace('Z', '+08:00');
}

const iso = (ms: number | undefined | null): string | null =>
  ms === undefined || ms === null ? null : shanghaiIso(ms);

export function toExchangeRecord(o: WorkOrder): ExchangeRecord {
  const a = o.assignments[o.assignments.length - 1];
  return {
    format: EXCHANGE_FORMAT_VERSION,
    orderId: o.id,
    status: o.status,
    channel: o.channel,
    type: o.type,
    category: o.category.code,
    fastResponse: o.category.fastResponse,
    emergency: o.emergency,
    confidential: o.confidential,
    content: o.content,
    location: o.location ?? null,
    callId: o.callId ?? null,
    requester: {
      name: o.requester.name ?? null,
      phone: o.requester.phone ?? null,
      contactPhone: o.requester.contactPhone ?? null,
    },
    receivedAt: shanghaiIso(o.receivedAt),
    dispatchDueAt: shanghaiIso(o.dispatchDue.at),
    leadUnitId: a?.leadUnitId ?? null,
    assistingUnitIds: a?.assistingUnitIds ?? [],
    dispatchedAt: iso(a?.dispatchedAt),
    signedAt: iso(a?.signedAt),
    completionDueAt: iso(a?.completionDue?.at),
    completionDueProvisional: a?.completionDue?.provisional ?? false,
    repliedAt: iso(a?.reply?.at),
    reply: a?.reply?.content ?? null,
    attachments: a?.reply?.attachments ?? [],
    closedAt: iso(o.closedAt),
    directAnswer: o.directAnswer?.answer ?? null,
    notAcceptedReason: o.notAccepted?.reason ?? null,
    satisfaction: o.satisfaction?.result ?? null,
    satisfactionByDefault: o.satisfaction?.result ? (o.satisfaction.byDefault ?? false) : null,
    repeatOfOrderId: o.repeatOfClosedOrderId ?? null,
    mergedIntoOrderId: o.mergedIntoOrderId ?? null,
    version: o.version,
  };
}
