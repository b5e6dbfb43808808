// PostgreSQL twin of ../schema/work-orders.ts: the same tables and column names, checked by src/store/schema-parity.ts.
// Epoch-millisecond times are bigint (number mode), flags are boolean; comments on the columns live in the SQLite file.
import { sql } from 'drizzle-orm';
import { bigint, boolean, customType, index, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';

/**
 * The compressed state (src/store/state-codec.ts) is binary: bytea here. Typed as string like the SQLite column (which
 * keeps the BLOB in a text-affinity column) so that the row types stay equal; repositories pass and read Buffers.
 */
const stateBytes = customType<{ data: string; driverData: Buffer }>({ dataType: () => 'bytea' });

/** Category tree; `fast_response` marks the 接诉即办 categories of rules art. 15. */
export const workOrderCategories = pgTable(
  'work_order_categories',
  {
    code: text('code').primaryKey(),
    name: text('name').notNull(),
    parentCode: text('parent_code'),
    fastResponse: boolean('fast_response').notNull().default(false),
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
export const workOrders = pgTable(
  'work_orders',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    channel: text('channel').notNull(),
    callId: text('call_id'),
    requesterName: text('requester_name'),
    requesterPhone: text('requester_phone'),
    contactPhone: text('contact_phone'),
    content: text('content').notNull(),
    category: text('category').notNull(),
    fastResponse: boolean('fast_response').notNull().default(false),
    type: text('type').notNull(),
    emergency: boolean('emergency').notNull().default(false),
    confidential: boolean('confidential').notNull().default(false),
    location: text('location'),
    area: text('area'),
    status: text('status').notNull(),
    leadUnitId: text('lead_unit_id'),
    repeatOfId: bigint('repeat_of_id', { mode: 'number' }),
    mergedIntoId: bigint('merged_into_id', { mode: 'number' }),
    nextDeadlineAt: bigint('next_deadline_at', { mode: 'number' }),
    nextDeadlineKind: text('next_deadline_kind'),
    /** When the supervision scanner should next look at the order (levels change at known instants); null = never. */
    nextCheckAt: bigint('next_check_at', { mode: 'number' }),
    supervisionLevel: bigint('supervision_level', { mode: 'number' }).notNull().default(0),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
    closedAt: bigint('closed_at', { mode: 'number' }),
    createdBy: text('created_by').notNull(),
    version: bigint('version', { mode: 'number' }).notNull().default(1),
    /** The domain state, compressed JSON (src/store/state-codec.ts); SQLite keeps the BLOB as stored. */
    state: stateBytes('state').notNull(),
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
export const workOrderUnits = pgTable(
  'work_order_units',
  {
    orderId: bigint('order_id', { mode: 'number' }).notNull(),
    unitId: text('unit_id').notNull(),
    role: text('role').notNull(), // lead | assist
    opinion: text('opinion'),
    opinionAt: bigint('opinion_at', { mode: 'number' }),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.unitId] }), index('work_order_units_unit_idx').on(t.unitId, t.orderId)],
);

/** Files attached to a reply (photos, video — art. 26); the bytes live under DATA_DIR. */
export const workOrderAttachments = pgTable(
  'work_order_attachments',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    orderId: bigint('order_id', { mode: 'number' }).notNull(),
    fileName: text('file_name').notNull(),
    mimeType: text('mime_type').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    sha256: text('sha256').notNull(),
    storagePath: text('storage_path').notNull(),
    uploadedBy: text('uploaded_by').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('work_order_attachments_order_idx').on(t.orderId)],
);

/** Work for people the system creates: emergency phone notifications (art. 25), manual callbacks (art. 27), overdue explanations (art. 27). */
export const workOrderTasks = pgTable(
  'work_order_tasks',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    orderId: bigint('order_id', { mode: 'number' }).notNull(),
    kind: text('kind').notNull(),
    unitId: text('unit_id'),
    status: text('status').notNull(), // open | done
    note: text('note'),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    doneAt: bigint('done_at', { mode: 'number' }),
    doneBy: text('done_by'),
  },
  (t) => [index('work_order_tasks_open_idx').on(t.status, t.kind), index('work_order_tasks_order_idx').on(t.orderId)],
);

/** Supervision notices sent to units (art. 27, 34): SMS warning, yellow card, red card. */
export const supervisionNotices = pgTable(
  'supervision_notices',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    orderId: bigint('order_id', { mode: 'number' }).notNull(),
    unitId: text('unit_id'),
    level: text('level').notNull(),
    deadlineKind: text('deadline_kind').notNull(),
    deadlineAt: bigint('deadline_at', { mode: 'number' }).notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    reason: text('reason'),
    reasonAt: bigint('reason_at', { mode: 'number' }),
    reasonBy: text('reason_by'),
  },
  (t) => [
    index('supervision_notices_order_idx').on(t.orderId),
    index('supervision_notices_unit_idx').on(t.unitId, t.createdAt),
  ],
);

/** SMS sent and received (satisfaction surveys, unit warnings). Phone numbers stored in full, shown masked. */
export const smsMessages = pgTable(
  'sms_messages',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    direction: text('direction').notNull(), // out | in
    orderId: bigint('order_id', { mode: 'number' }),
    purpose: text('purpose').notNull(), // satisfaction | supervision | reply
    phone: text('phone').notNull(),
    body: text('body').notNull(),
    gatewayId: text('gateway_id'),
    status: text('status').notNull(), // queued | sent | failed | received
    error: text('error'),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('sms_messages_phone_idx').on(t.phone, t.createdAt), index('sms_messages_order_idx').on(t.orderId)],
);

/** Appeals against an assessment cycle's figures, accepted until 7 working days after the cycle (art. 33). */
export const assessmentAppeals = pgTable(
  'assessment_appeals',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    unitId: text('unit_id').notNull(),
    cycle: text('cycle').notNull(), // e.g. "2026" (1 Dec 2025 – 30 Nov 2026) or "2026-03"
    orderId: bigint('order_id', { mode: 'number' }),
    reason: text('reason').notNull(),
    filedBy: text('filed_by').notNull(),
    filedAt: bigint('filed_at', { mode: 'number' }).notNull(),
    status: text('status').notNull(), // open | accepted | rejected
    decision: text('decision'),
    decidedBy: text('decided_by'),
    decidedAt: bigint('decided_at', { mode: 'number' }),
  },
  (t) => [index('assessment_appeals_unit_idx').on(t.unitId, t.cycle)],
);
