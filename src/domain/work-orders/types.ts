/**
 * The work order (工单) as plain data, the commands that move it, and what a decision returns.
 * Glossary: src/domain/glossary.md. Article numbers refer to the Guangxi 12345 hotline measures (2021).
 */

/** Intake channels of art. 2 / art. 25(1). */
export const CHANNELS = [
  'phone',
  'website',
  'wechat',
  'mobile-app',
  'chairman-mailbox',
  'government-service-platform',
  'gov-cn',
] as const;
export type Channel = (typeof CHANNELS)[number];

/** Demand types of art. 20 and art. 25(1). */
export const ORDER_TYPES = ['consultation', 'help', 'suggestion', 'complaint', 'report', 'praise'] as const;
export type OrderType = (typeof ORDER_TYPES)[number];

/** Reasons a demand is not accepted (art. 21, items 1–5). */
export const NOT_ACCEPTED_REASONS = [
  /** 21(1) outside the region's administrative jurisdiction */
  'outside-jurisdiction',
  /** 21(2) litigation, arbitration, administrative review, information disclosure, or already a petition (信访) */
  'other-legal-procedure',
  /** 21(2) party, people's congress, CPPCC, discipline inspection, courts, procuratorate, army, armed police */
  'outside-administrative-remit',
  /** 21(3) state secrets, trade secrets, personal privacy */
  'secret-or-privacy',
  /** 21(3) matters for the emergency lines (110, 119, 120, 122) */
  'emergency-line-matter',
  /** 21(4) insults, defamation, against public order and good morals */
  'insult-or-public-order',
  /** 21(4) lawfully closed, raised again on the same facts and grounds */
  'repeat-of-closed-matter',
  /** 21(5) other cases set by laws and regulations */
  'other-legal-exclusion',
] as const;
export type NotAcceptedReason = (typeof NOT_ACCEPTED_REASONS)[number];

export const WORK_ORDER_STATUSES = [
  /** accepted, waiting to be dispatched (or re-dispatched after a review) */
  'registered',
  /** not accepted (art. 21); final */
  'not-accepted',
  /** responsibility disputed; waiting for the joint decision (art. 19) */
  'disputed',
  /** sent to the lead unit, not yet signed */
  'dispatched',
  /** signed (签收) by the lead unit, being handled */
  'signed',
  /** handed back (退单) by the unit; the hotline re-dispatches */
  'returned',
  /** the lead unit has replied; the hotline checks and closes */
  'replied',
  /** closed (办结); the satisfaction survey may still be open */
  'closed',
  /** the requester was dissatisfied: the hotline reviews the result and calls back (art. 27(3)) */
  'under-review',
  /** merged into another open order on the same matter; final */
  'merged',
] as const;
export type WorkOrderStatus = (typeof WORK_ORDER_STATUSES)[number];

/** Statuses in which the matter is still open: a new demand on the same matter merges into such an order. */
export const OPEN_STATUSES: readonly WorkOrderStatus[] = Object.freeze([
  'registered',
  'disputed',
  'dispatched',
  'signed',
  'returned',
  'replied',
  'under-review',
]);

export type ActorKind = 'agent' | 'supervisor' | 'unit' | 'requester' | 'system';

/** Who acts. A unit's user carries `unitId`. */
export interface Actor {
  kind: ActorKind;
  id: string;
  unitId?: string;
}

/** A category of the category tree; `fastResponse` marks the 接诉即办 categories of art. 15. */
export interface CategoryRef {
  code: string;
  fastResponse: boolean;
}

export interface Requester {
  name?: string;
  /** The number the demand came from (caller id), if any. */
  phone?: string;
  /** The number to answer on, if different. */
  contactPhone?: string;
}

/** A file already stored by the adapter (photo, video — art. 26(4)); the domain only keeps the reference. */
export interface AttachmentRef {
  id: string;
  fileName: string;
  mimeType: string;
}

/** A deadline instant (epoch ms). `provisional` when it falls in a year without calendar data (raise an alert). */
export interface Deadline {
  at: number;
  provisional: boolean;
}

/** The length of a handling clock: working days on the calendar, or clock time for emergencies. */
export type HandlingLimit = { unit: 'working-days'; amount: number } | { unit: 'ms'; amount: number };

export interface ExtensionRequest {
  requestedAt: number;
  requestedBy: string;
  /** In the limit's unit: working days, or ms for an emergency order. */
  extra: number;
  reason: string;
  decision?: { approved: boolean; at: number; by: string; reason?: string };
}

export interface AssistOpinion {
  unitId: string;
  at: number;
  by: string;
  opinion: string;
}

export interface Reply {
  at: number;
  by: string;
  content: string;
  attachments: AttachmentRef[];
}

/** One dispatch of the order to a lead unit (主办) with its assisting units (协办); a re-dispatch adds another. */
export interface Assignment {
  round: number;
  leadUnitId: string;
  assistingUnitIds: string[];
  dispatchedAt: number;
  dispatchedBy: string;
  limit: HandlingLimit | null;
  signDue: Deadline;
  /** The completion deadline now in force (moved by an approved extension); null for praise. */
  completionDue: Deadline | null;
  originalCompletionDue: Deadline | null;
  signedAt?: number;
  signedBy?: string;
  /** End of the return window (art. 26(3)), set on signing. */
  returnDue?: Deadline;
  returned?: { at: number; by: string; reason: string };
  /** Art. 8: a county workstation passed the order on to a unit below it; the next assignment is that unit's. */
  forwarded?: { at: number; by: string; toUnitId: string; note: string };
  /** Set on an assignment made by forwarding: the workstation it came from. */
  forwardedFrom?: string;
  extensions: ExtensionRequest[];
  opinions: AssistOpinion[];
  /** Art. 27(1): an overdue unit states why. */
  overdueExplanations: { at: number; by: string; reason: string }[];
  reply?: Reply;
  /** Replies the hotline sent back as inadequate. */
  rejectedReplies: (Reply & { rejectedAt: number; rejectedBy: string; rejectReason: string })[];
  /**
   * The requester's verdict on this assignment's answer, kept here as well as on the order so that a
   * re-dispatch after a dissatisfied review does not lose it for the assessment of the first unit.
   */
  satisfaction?: { result: SatisfactionLevel; byDefault: boolean; at: number };
}

export type SatisfactionLevel = 'satisfied' | 'basically-satisfied' | 'dissatisfied';

export interface Satisfaction {
  surveySentAt: number;
  /** No reply by this instant counts as satisfied (art. 27(2)). */
  replyDueAt: number;
  result?: SatisfactionLevel;
  /** True when the result comes from silence, not a reply. */
  byDefault?: boolean;
  answeredAt?: number;
  replyText?: string;
  /** Replies that could not be read, kept for the manual check. */
  unreadReplies: { at: number; text: string }[];
}

export interface DisputeRecord {
  raisedAt: number;
  raisedBy: string;
  unitIds: string[];
  reason: string;
  decision?: { at: number; by: string; leadUnitId: string; assistingUnitIds: string[]; minutes: string };
}

export interface WorkOrder {
  id: number;
  status: WorkOrderStatus;
  channel: Channel;
  type: OrderType;
  emergency: boolean;
  confidential: boolean;
  category: CategoryRef;
  requester: Requester;
  content: string;
  location?: string;
  /** Administrative area code (region, city or county/district of config/areas.json), for statistics. */
  area?: string;
  /** The call this order was taken on (phone channel). */
  callId?: string;
  receivedAt: number;
  receivedBy: string;
  /** Art. 25(2): dispatched within 24 h of intake (restarted when a unit hands the order back). */
  dispatchDue: Deadline;
  /** Art. 21(4): the same requester raised the same matter as this lawfully closed order. */
  repeatOfClosedOrderId?: number;
  mergedIntoOrderId?: number;
  mergedOrderIds: number[];
  notAccepted?: { reason: NotAcceptedReason; note: string; at: number; by: string };
  directAnswer?: { at: number; by: string; answer: string };
  disputes: DisputeRecord[];
  assignments: Assignment[];
  closedAt?: number;
  closedBy?: string;
  satisfaction?: Satisfaction;
  review?: { startedAt: number; outcome?: 'upheld' | 'redispatch'; at?: number; by?: string; note?: string };
  /** Incremented by every transition (optimistic locking in the store). */
  version: number;
}

/** What the agent records at intake. */
export interface IntakeData {
  id: number;
  channel: Channel;
  type: OrderType;
  emergency: boolean;
  confidential: boolean;
  category: CategoryRef;
  requester: Requester;
  content: string;
  location?: string;
  /** Administrative area code; the application checks it against the area tree. */
  area?: string;
  callId?: string;
  /** From findRepeat(): the closed order this repeats (art. 21(4)). */
  repeatOfClosedOrderId?: number;
}

export type WorkOrderCommand =
  | { action: 'intake'; order: IntakeData }
  | { action: 'not-accept'; reasonCode: NotAcceptedReason; note?: string }
  | { action: 'answer-directly'; answer: string }
  | { action: 'dispatch'; leadUnitId: string; assistingUnitIds?: string[] }
  | { action: 'raise-dispute'; unitIds: string[]; reason: string }
  | { action: 'resolve-dispute'; leadUnitId: string; assistingUnitIds?: string[]; minutes: string }
  | { action: 'sign' }
  /** Art. 8: a county workstation (the lead unit) passes a city order on to a handling unit below it. */
  | { action: 'forward'; toUnitId: string; assistingUnitIds?: string[]; note?: string }
  | { action: 'return'; reason: string }
  | { action: 'request-extension'; extra: number; reason: string }
  | { action: 'approve-extension' }
  | { action: 'refuse-extension'; reason: string }
  | { action: 'assist-opinion'; opinion: string }
  | { action: 'explain-overdue'; reason: string }
  | { action: 'reply'; content: string; attachments?: AttachmentRef[] }
  | { action: 'reject-reply'; reason: string }
  | { action: 'close' }
  | { action: 'record-satisfaction'; replyText: string }
  | { action: 'satisfaction-timeout' }
  | { action: 'conclude-review'; outcome: 'upheld' | 'redispatch'; note: string }
  | { action: 'merge-into'; targetOrderId: number }
  /** Records on the surviving order that another order was merged into it. */
  | { action: 'absorb'; mergedOrderId: number };

export type WorkOrderAction = WorkOrderCommand['action'];

/** A command with who gives it. */
export type WorkOrderInput = WorkOrderCommand & { actor: Actor };

export type AlertKind =
  | 'provisional-deadline'
  | 'order-returned'
  | 'unread-satisfaction-reply'
  | 'repeat-of-closed-order'
  | 'dispute-raised'
  | 'late-sign'
  | 'late-reply'
  | 'extension-requested';

/** Side effects as plain data, carried out by adapters. */
export type WorkOrderEffect =
  | { type: 'notify-unit'; orderId: number; unitId: string; role: 'lead' | 'assisting'; emergency: boolean }
  /** Art. 25(2): an emergency order is phoned through to the unit at once. */
  | { type: 'notify-unit-by-phone'; orderId: number; unitId: string }
  | { type: 'send-sms'; orderId: number; to: string; purpose: 'satisfaction-survey'; text: string }
  | { type: 'schedule'; orderId: number; at: number; action: 'satisfaction-timeout' }
  | { type: 'create-task'; orderId: number; task: 'manual-callback' | 'review-result' | 're-dispatch'; unitId?: string }
  | { type: 'forward-opinion'; orderId: number; fromUnitId: string; toUnitId: string; opinion: string }
  | { type: 'alert'; orderId: number; kind: AlertKind; message: string };

/** One line of the append-only audit trail. */
export interface AuditEntry {
  orderId: number;
  action: WorkOrderAction;
  actor: Actor;
  at: number;
  /** The reason or note given with the action, if any. */
  reason: string | null;
  fromStatus: WorkOrderStatus | null;
  toStatus: WorkOrderStatus;
  /** The version the order has after this transition. */
  version: number;
  details?: Record<string, unknown>;
}

export const REFUSAL_CODES = [
  /** the command's data is malformed (the HTTP layer maps this to 400) */
  'invalid-input',
  /** intake on an order that already exists */
  'already-exists',
  /** any command but intake without an order */
  'no-order',
  /** the action is not allowed in the order's status */
  'invalid-state',
  /** this kind of actor may not take this action */
  'actor-not-allowed',
  /** only the lead unit of the current assignment may do this */
  'not-lead-unit',
  /** only an assisting unit of the current assignment may do this */
  'not-assisting-unit',
  /** the return window after signing has passed (art. 26(3)) */
  'return-window-passed',
  /** an extension must be asked before the deadline (art. 26(2)9) */
  'deadline-passed',
  /** extensions may total at most the original length (art. 26(2)9) */
  'extension-too-long',
  'extension-pending',
  'no-extension-pending',
  /** this order has no handling clock (praise) */
  'no-deadline',
  /** an overdue explanation for an order that is not overdue */
  'not-overdue',
  'satisfaction-already-recorded',
  /** the 24-hour reply window (art. 27(2)) has not yet passed */
  'satisfaction-window-open',
  'merge-into-self',
  /** a lead unit listed among its own assisting units, or listed twice */
  'unit-conflict',
  /** only a county workstation forwards, and only to a unit it may forward to (art. 8) */
  'forward-not-allowed',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

/** Why a transition was refused (the HTTP layer answers 409, or 400 for `invalid-input`). */
export interface Refusal {
  code: RefusalCode;
  message: string;
  action: WorkOrderAction;
  status: WorkOrderStatus | null;
}

export type WorkOrderDecision =
  | { ok: true; state: WorkOrder; effects: WorkOrderEffect[]; audit: AuditEntry }
  | { ok: false; refusal: Refusal };
