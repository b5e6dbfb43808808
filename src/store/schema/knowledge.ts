import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * Knowledge base kept by the units (rules art. 29). Each edit is a new row (version n+1 of the same
 * entry_key); only the newest version is `current`. The FTS5 index lives in a custom migration.
 */
export const knowledgeEntries = sqliteTable(
  'knowledge_entries',
  {
    id: integer('id').primaryKey(),
    entryKey: text('entry_key').notNull(),
    version: integer('version').notNull(),
    unitId: text('unit_id').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    category: text('category'),
    validFrom: text('valid_from').notNull(), // YYYY-MM-DD, Asia/Shanghai
    validTo: text('valid_to'), // inclusive, null = open-ended
    current: integer('current', { mode: 'boolean' }).notNull(),
    createdAt: integer('created_at').notNull(),
    createdBy: text('created_by').notNull(),
  },
  (t) => [
    uniqueIndex('knowledge_entries_key_version_uq').on(t.entryKey, t.version),
    index('knowledge_entries_current_key_idx').on(t.entryKey).where(sql`${t.current} = 1`),
    index('knowledge_entries_unit_idx').on(t.unitId),
  ],
);

/** A knowledge question put to a unit; it must be answered within 3 working days (art. 29). */
export const knowledgeQuestions = sqliteTable(
  'knowledge_questions',
  {
    id: integer('id').primaryKey(),
    unitId: text('unit_id').notNull(),
    question: text('question').notNull(),
    askedBy: text('asked_by').notNull(),
    askedAt: integer('asked_at').notNull(),
    dueAt: integer('due_at').notNull(),
    dueProvisional: integer('due_provisional', { mode: 'boolean' }).notNull().default(false),
    answer: text('answer'),
    answeredBy: text('answered_by'),
    answeredAt: integer('answered_at'),
    entryKey: text('entry_key'),
  },
  (t) => [index('knowledge_questions_unit_idx').on(t.unitId, t.answeredAt)],
);
