import { randomInt } from 'node:crypto';
import { normalisePhone } from '../domain/work-orders/repeat-detection.ts';
import { mayHearStatusByPhone } from '../domain/work-orders/visibility.ts';
import type { Channel, OrderType, WorkOrder } from '../domain/work-orders/types.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { maskPhone } from '../shared/phone-mask.ts';
import type { ExchangeRepo } from '../store/exchange-repo.ts';
import type { WorkOrderRepo } from '../store/work-orders-repo.ts';
import { ATTACHMENT_TYPES, type AttachmentStore } from '../work-orders/attachment-store.ts';
import { shanghaiIso } from '../work-orders/exchange-format.ts';
import { badInput } from '../work-orders/service-error.ts';
import type { Caller, WorkOrderService } from '../work-orders/work-order-service.ts';
import type { SlidingWindowLimiter } from './rate-limiter.ts';

/** What a citizen sends through a channel (web form, WeChat official account, mobile app). */
export interface CitizenSubmission {
  type: OrderType;
  category: string;
  content: string;
  phone: string;
  name?: string;
  contactPhone?: string;
  location?: string;
  attachments?: { fileName: string; mimeType: string; contentBase64: string }[];
}

export interface IntakeReceiptView {
  /** The citizen's reference: with their phone number it reads the status (GET /intake/status, the voice menu). */
  trackingCode: string;
  status: string;
  receivedAt: string;
  /** The 24-hour dispatch clock (art. 25). */
  dispatchDueAt: string;
}

export interface StatusView {
  trackingCode: string;
  status: string;
  /** The status in words for the citizen. */
  statusText: string;
  receivedAt: string;
  closedAt: string | null;
  /** The answer given (direct answer or the unit's reply), once there is one. */
  answer: string | null;
}

/** Image, video, audio and PDF, as for replies (art. 26). */
export const INTAKE_ATTACHMENT_TYPES = ATTACHMENT_TYPES;

const STATUS_TEXT: Record<string, string> = {
  registered: '已受理，等待派单',
  disputed: '办理中',
  dispatched: '已派单至承办单位',
  signed: '承办单位办理中',
  returned: '重新派单中',
  replied: '承办单位已答复，回访中',
  'under-review': '办理中',
  closed: '已办结',
  'not-accepted': '不予受理',
  merged: '已并入同一诉求办理',
};

const TRACKING_CODE = /^[0-9]{10}$/;

/** A rate limit reached: answered 429 with Retry-After. */
export class RateLimited extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
    this.name = 'RateLimited';
  }
}

export interface IntakeServiceDeps {
  orders: WorkOrderService;
  repo: Pick<WorkOrderRepo, 'get' | 'addAttachment'>;
  receipts: Pick<ExchangeRepo, 'addReceipt' | 'receipt'>;
  attachments: AttachmentStore;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn'>;
  perNumber: SlidingWindowLimiter;
  perCredential: SlidingWindowLimiter;
  maxAttachments: number;
  maxAttachmentBytes: number;
}

/**
 * Citizen intake through the web form, the WeChat official account and the mobile app (art. 2, 25): checks
 * the attachments and the rate limits, takes the order (it lands `registered` with its 24-hour dispatch
 * clock), stores the files and hands back a tracking code.
 */
export class IntakeService {
  constructor(private readonly d: IntakeServiceDeps) {}

  async submit(channel: Channel, credentialId: string, s: CitizenSubmission): Promise<IntakeReceiptView> {
    const phone = normalisePhone(s.phone);
    if (phone === undefined || phone.length < 5 || phone.length > 20)
      throw badInput('invalid-phone', 'body.phone must hold 5 to 20 digits');
    const files = this.checkAttachments(s.attachments ?? []);
    const credWait = this.d.perCredential.take(credentialId);
    if (credWait !== null)
      throw new RateLimited('credential-rate-limited', `too many submissions on credential ${credentialId}`, credWait);
    const phoneWait = this.d.perNumber.take(phone);
    if (phoneWait !== null)
      throw new RateLimited('number-rate-limited', 'too many submissions from this phone number', phoneWait);

    const caller: Caller = { id: `intake:${credentialId}`, role: 'system', unitId: null, permissions: new Set() };
    const taken = await this.d.orders.intake(
      {
        channel,
        type: s.type,
        content: s.content,
        category: s.category,
        requesterPhone: phone,
        ...(s.name ? { requesterName: s.name } : {}),
        ...(s.contactPhone ? { contactPhone: s.contactPhone } : {}),
        ...(s.location ? { location: s.location } : {}),
      },
      caller,
    );
    const order = taken.order;
    const now = this.d.clock.now();
    for (const f of files) {
      const stored = this.d.attachments.save(order.id, f.fileName, f.bytes);
      await this.d.repo.addAttachment(
        { orderId: order.id, fileName: f.fileName, mimeType: f.mimeType, ...stored, uploadedBy: caller.id },
        now,
      );
    }
    let code = drawCode();
    while (
      !(await this.d.receipts.addReceipt({
        trackingCode: code,
        orderId: order.id,
        channel,
        credentialId,
        createdAt: now,
      }))
    )
      code = drawCode();
    this.d.logger.info(
      { orderId: order.id, channel, credentialId, attachments: files.length, phone: maskPhone(phone) },
      'intake: citizen submission taken',
    );
    return {
      trackingCode: code,
      status: order.status,
      receivedAt: shanghaiIso(order.receivedAt),
      dispatchDueAt: shanghaiIso(order.dispatchDue.at),
    };
  }

  /**
   * The status for a tracking code and the phone number given with it. A wrong pair, an unknown code and a
   * confidential order all answer "not found", so the pair cannot be used to learn which orders exist (art. 22).
   */
  async status(trackingCode: string, phone: string): Promise<StatusView | null> {
    const orderId = await this.trackingOrder(trackingCode);
    if (orderId === null) return null;
    let order = await this.d.repo.get(orderId);
    if (
      !order ||
      !mayHearStatusByPhone(
        {
          confidential: order.confidential,
          requesterPhone: order.requester.phone,
          contactPhone: order.requester.contactPhone,
        },
        phone,
      )
    )
      return null;
    // A demand merged into an open order on the same matter is handled there: show that order's progress.
    if (order.status === 'merged' && order.mergedIntoOrderId !== undefined) {
      const target = await this.d.repo.get(order.mergedIntoOrderId);
      if (target && !target.confidential) order = target;
    }
    return {
      trackingCode,
      status: order.status,
      statusText: STATUS_TEXT[order.status] ?? order.status,
      receivedAt: shanghaiIso(order.receivedAt),
      closedAt: order.closedAt === undefined ? null : shanghaiIso(order.closedAt),
      answer: answerOf(order),
    };
  }

  /** The order behind a tracking code, from either store. */
  async trackingOrder(trackingCode: string): Promise<number | null> {
    if (!TRACKING_CODE.test(trackingCode)) return null;
    return (await this.d.receipts.receipt(trackingCode))?.orderId ?? null;
  }

  /** The same for the voice menu's ticket status (the caller history reads it beside the call). */
  orderIdOf(trackingCode: string): Promise<number | null> {
    return this.trackingOrder(trackingCode);
  }

  private checkAttachments(list: readonly { fileName: string; mimeType: string; contentBase64: string }[]) {
    if (list.length > this.d.maxAttachments)
      throw badInput('too-many-attachments', `body.attachments: at most ${this.d.maxAttachments} files`);
    return list.map((a, i) => {
      const where = `body.attachments[${i}]`;
      if (!(INTAKE_ATTACHMENT_TYPES as readonly string[]).includes(a.mimeType))
        throw badInput(
          'unsupported-attachment',
          `${where}.mimeType must be one of ${INTAKE_ATTACHMENT_TYPES.join(', ')}`,
        );
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(a.contentBase64))
        throw badInput('invalid-base64', `${where}.contentBase64 is not base64`);
      const bytes = Buffer.from(a.contentBase64, 'base64');
      if (bytes.length === 0) throw badInput('empty-attachment', `${where}.contentBase64 is empty`);
      if (bytes.length > this.d.maxAttachmentBytes)
        throw badInput(
          'attachment-too-large',
          `${where} is ${bytes.length} bytes; the limit is ${this.d.maxAttachmentBytes}`,
        );
      return { fileName: a.fileName, mimeType: a.mimeType, bytes };
    });
  }
}

/** Ten digits, so that it can be keyed on a phone; drawn at random so codes cannot be enumerated from order ids. */
function drawCode(): string {
  return String(randomInt(1_000_000_000, 10_000_000_000));
}

function answerOf(o: WorkOrder): string | null {
  if (o.directAnswer) return o.directAnswer.answer;
  const reply = o.assignments[o.assignments.length - 1]?.reply;
  return o.status === 'closed' || o.status === 'replied' ? (reply?.content ?? null) : null;
}
