import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Records waiting to be pushed to the regional 12345 platform (rules art. 5, 16). One row per order
 * transition, written in the transaction of the transition itself, deleted once the platform acknowledges
 * it. `id` gives the order of pushes; the sender sends only the oldest row of each order.
 */
export const exchangeOutbox = sqliteTable(
  'exchange_outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    orderId: integer('order_id').notNull(),
    orderVersion: integer('order_version').notNull(),
    /** The `12345-exchange/1` record as JSON text: the exact bytes signed and sent. */
    record: text('record').notNull(),
    createdAt: integer('created_at').notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at').notNull(),
    lastAttemptAt: integer('last_attempt_at'),
    lastError: text('last_error'),
  },
  (t) => [
    index('exchange_outbox_order_idx').on(t.orderId, t.id),
    index('exchange_outbox_next_idx').on(t.nextAttemptAt),
  ],
);

/** Orders the regional platform assigned to this city, by their regional id (the webhook is idempotent on it). */
export const exchangeInbound = sqliteTable(
  'exchange_inbound',
  {
    regionalId: text('regional_id').primaryKey(),
    orderId: integer('order_id').notNull(),
    receivedAt: integer('received_at').notNull(),
  },
  (t) => [index('exchange_inbound_order_idx').on(t.orderId)],
);

/**
 * Tracking codes handed to citizens who submit through an intake channel (web form, WeChat, app). With the
 * order's phone number the code reads the status (GET /intake/status and the voice menu).
 */
export const intakeReceipts = sqliteTable(
  'intake_receipts',
  {
    trackingCode: text('tracking_code').primaryKey(),
    orderId: integer('order_id').notNull(),
    channel: text('channel').notNull(),
    credentialId: text('credential_id').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [index('intake_receipts_order_idx').on(t.orderId)],
);
