import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Category tree; `fast_response` marks the 接诉即办 categories of rules art. 15. */
export const workOrderCategories = sqliteTable(
  'work_order_categories',
  {
    code: text('code').primaryKey(),
    name: text('name').notNull(),
    parentCode: text('parent_code'),
    fastResponse: integer('fast_response', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [index('work_order_categories_parent_idx').on(t.parentCode)],
);

/**
 * One citizen demand (工单). Columns hold what is queried (phone look-up, unit lists, the deadline scan);
 * `state` holds the domain's full state as JSON so that the domain decides every transition.
 * `next_deadline_at` is the pending deadline the order is waiting on (dispatch, sign, completion, or the end
 * of the satisfaction reply window), kept by the service on every transition and null when nothing is
 * pending, so one partial index serves the supervision and satisfaction-timeout scans.
 */
export const workOrders = sqliteTable(
  'work_orders',
  {
    id: integer('id').primaryKey(),
    channel: text('channel').notNull(),
    callId: text('call_id'),
    requesterName: text('requester_name'),
    requesterPhone: text('requester_phone'),
    contactPhone: text('contact_phone'),
    content: text('content').notNull(),
    category: text('category').notNull(),
    fastResponse: integer('fast_response', { mode: 'boolean' }).notNull().default(false),
    type: text('type').notNull(),
    emergency: integer('emergency', { mode: 'boolean' }).notNull().default(false),
    confidential: integer('confidential', { mode: 'boolean' }).notNull().default(false),
    location: text('location'),
    /** Administrative area code (config/areas.json): hot-topic statistics group by it (art. 17). */
    area: text('area'),
    status: text('status').notNull(),
    leadUnitId: text('lead_unit_id'),
    repeatOfId: integer('repeat_of_id'),
    mergedIntoId: integer('merged_into_id'),
    nextDeadlineAt: integer('next_deadline_at'),
    nextDeadlineKind: text('next_deadline_kind'),
    /** When the supervision scanner should next look at the order (levels change at known instants); null = never. */
    nextCheckAt: integer('next_check_at'),
    supervisionLevel: integer('supervision_level').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    closedAt: integer('closed_at'),
    createdBy: text('created_by').notNull(),
    version: integer('version').notNull().default(1),
    /** The domain state, compressed JSON (src/store/state-codec.ts); SQLite keeps the BLOB as stored. */
    state: text('state').notNull(),
  },
  (t) => [
    index('work_orders_phone_idx').on(t.requesterPhone, t.createdAt),
    index('work_orders_lead_unit_idx').on(t.leadUnitId, t.createdAt),
    index('work_orders_deadline_idx').on(t.nextDeadlineAt).where(sql`${t.nextDeadlineAt} is not null`),
    index('work_orders_check_idx').on(t.nextCheckAt).where(sql`${t.nextCheckAt} is not null`),
    index('work_orders_closed_idx').on(t.closedAt),
    // Hot-topic statistics (art. 17) count intakes over a period.
    index('work_orders_created_idx').on(t.createdAt),
    index('work_orders_area_idx').on(t.area, t.createdAt),
  ],
);

/** Lead (主办) and assisting (协办) units of an order (art. 18); assisting units' opinions go to the lead. */
export const workOrderUnits = sqliteTable(
  'work_order_units',
  {
    orderId: integer('order_id').notNull(),
    unitId: text('unit_id').notNull(),
    role: text('role').notNull(), // lead | assist
    opinion: text('opinion'),
    opinionAt: integer('opinion_at'),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.unitId] }), index('work_order_units_unit_idx').on(t.unitId, t.orderId)],
);

/** Files attached to a reply (photos, video — art. 26); the bytes live under DATA_DIR. */
export const workOrderAttachments = sqliteTable(
  'work_order_attachments',
  {
    id: integer('id').primaryKey(),
    orderId: integer('order_id').notNull(),
    fileName: text('file_name').notNull(),
    mimeType: text('mime_type').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    storagePath: text('storage_path').notNull(),
    uploadedBy: text('uploaded_by').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('work_order_attachments_order_idx').on(t.orderId)],
);

/** Work for people the system creates: emergency phone notifications (art. 25), manual callbacks (art. 27), overdue explanations (art. 27). */
export const workOrderTasks = sqliteTable(
  'work_order_tasks',
  {
    id: integer('id').primaryKey(),
    orderId: integer('order_id').notNull(),
    kind: text('kind').notNull(),
    unitId: text('unit_id'),
    status: text('status').notNull(), // open | done
    note: text('note'),
    createdAt: integer('created_at').notNull(),
    doneAt: integer('done_at'),
    doneBy: text('done_by'),
  },
  (t) => [index('work_order_tasks_open_idx').on(t.status, t.kind), index('work_order_tasks_order_idx').on(t.orderId)],
);

/** Supervision notices sent to units (art. 27, 34): SMS warning, yellow card, red card. */
export const supervisionNotices = sqliteTable(
  'supervision_notices',
  {
    id: integer('id').primaryKey(),
    orderId: integer('order_id').notNull(),
    unitId: text('unit_id'),
    level: text('level').notNull(),
    deadlineKind: text('deadline_kind').notNull(),
    deadlineAt: integer('deadline_at').notNull(),
    createdAt: integer('created_at').notNull(),
    reason: text('reason'),
    reasonAt: integer('reason_at'),
    reasonBy: text('reason_by'),
  },
  (t) => [
    index('supervision_notices_order_idx').on(t.orderId),
    index('supervision_notices_unit_idx').on(t.unitId, t.createdAt),
  ],
);

/** SMS sent and received (satisfaction surveys, unit warnings). Phone numbers stored in full, shown masked. */
export const smsMessages = sqliteTable(
  'sms_messages',
  {
    id: integer('id').primaryKey(),
    direction: text('direction').notNull(), // out | in
    orderId: integer('order_id'),
    purpose: text('purpose').notNull(), // satisfaction | supervision | reply
    phone: text('phone').notNull(),
    body: text('body').notNull(),
    gatewayId: text('gateway_id'),
    status: text('status').notNull(), // queued | sent | failed | received
    error: text('error'),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('sms_messages_phone_idx').on(t.phone, t.createdAt), index('sms_messages_order_idx').on(t.orderId)],
);

/** Appeals against an assessment cycle's figures, accepted until 7 working days after the cycle (art. 33). */
export const assessmentAppeals = sqliteTable(
  'assessment_appeals',
  {
    id: integer('id').primaryKey(),
    unitId: text('unit_id').notNull(),
    cycle: text('cycle').notNull(), // e.g. "2026" (1 Dec 2025 – 30 Nov 2026) or "2026-03"
    orderId: integer('order_id'),
    reason: text('reason').notNull(),
    filedBy: text('filed_by').notNull(),
    filedAt: integer('filed_at').notNull(),
    status: text('status').notNull(), // open | accepted | rejected
    decision: text('decision'),
    decidedBy: text('decided_by'),
    decidedAt: integer('decided_at'),
  },
  (t) => [index('assessment_appeals_unit_idx').on(t.unitId, t.cycle)],
);
