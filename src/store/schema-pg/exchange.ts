// PostgreSQL twin of ../schema/exchange.ts (intake receipts and the regional exchange, issue 13), checked by
// src/store/schema-parity.ts.
import { bigint, index, pgTable, text } from 'drizzle-orm/pg-core';

export const exchangeOutbox = pgTable(
  'exchange_outbox',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    orderId: bigint('order_id', { mode: 'number' }).notNull(),
    orderVersion: bigint('order_version', { mode: 'number' }).notNull(),
    record: text('record').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    attempts: bigint('attempts', { mode: 'number' }).notNull().default(0),
    nextAttemptAt: bigint('next_attempt_at', { mode: 'number' }).notNull(),
    lastAttemptAt: bigint('last_attempt_at', { mode: 'number' }),
    lastError: text('last_error'),
  },
  (t) => [
    index('exchange_outbox_order_idx').on(t.orderId, t.id),
    index('exchange_outbox_next_idx').on(t.nextAttemptAt),
  ],
);

export const exchangeInbound = pgTable(
  'exchange_inbound',
  {
    regionalId: text('regional_id').primaryKey(),
    orderId: bigint('order_id', { mode: 'number' }).notNull(),
    receivedAt: bigint('received_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('exchange_inbound_order_idx').on(t.orderId)],
);

export const intakeReceipts = pgTable(
  'intake_receipts',
  {
    trackingCode: text('tracking_code').primaryKey(),
    orderId: bigint('order_id', { mode: 'number' }).notNull(),
    channel: text('channel').notNull(),
    credentialId: text('credential_id').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
  },
  (t) => [index('intake_receipts_order_idx').on(t.orderId)],
);
