// PostgreSQL twin of ../schema/knowledge.ts: the same tables and column names, checked by src/store/schema-parity.ts.
// Epoch-millisecond times are bigint (number mode), flags are boolean; comments on the columns live in the SQLite file.
import { sql } from 'drizzle-orm';
import { bigint, boolean, index, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * Knowledge base kept by the units (rules art. 29). Each edit is a new row (version n+1 of the same
 * entry_key); only the newest version is `current`. The search index (pg_trgm and a bigram array) lives in a custom migration.
 */
export const knowledgeEntries = pgTable(
  'knowledge_entries',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    entryKey: text('entry_key').notNull(),
    version: bigint('version', { mode: 'number' }).notNull(),
    unitId: text('unit_id').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    category: text('category'),
    validFrom: text('valid_from').notNull(), // YYYY-MM-DD, Asia/Shanghai
    validTo: text('valid_to'), // inclusive, null = open-ended
    current: boolean('current').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    createdBy: text('created_by').notNull(),
  },
  (t) => [
    uniqueIndex('knowledge_entries_key_version_uq').on(t.entryKey, t.version),
    index('knowledge_entries_current_key_idx').on(t.entryKey).where(sql`${t.current}`),
    index('knowledge_entries_unit_idx').on(t.unitId),
  ],
);

/** A knowledge question put to a unit; it must be answered within 3 working days (art. 29). */
export const knowledgeQuestions = pgTable(
  'knowledge_questions',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    unitId: text('unit_id').notNull(),
    question: text('question').notNull(),
    askedBy: text('asked_by').notNull(),
    askedAt: bigint('asked_at', { mode: 'number' }).notNull(),
    dueAt: bigint('due_at', { mode: 'number' }).notNull(),
    dueProvisional: boolean('due_provisional').notNull().default(false),
    answer: text('answer'),
    answeredBy: text('answered_by'),
    answeredAt: bigint('answered_at', { mode: 'number' }),
    entryKey: text('entry_key'),
  },
  (t) => [index('knowledge_questions_unit_idx').on(t.unitId, t.answeredAt)],
);
