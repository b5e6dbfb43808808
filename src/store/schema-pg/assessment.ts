// PostgreSQL twin of ../schema/assessment.ts (the 100-point assessment, art. 30-33), checked by
// src/store/schema-parity.ts.
import { bigint, index, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';

export const assessmentWeights = pgTable('assessment_weights', {
  cycle: bigint('cycle', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
  weights: text('weights').notNull(),
  setBy: text('set_by').notNull(),
  setAt: bigint('set_at', { mode: 'number' }).notNull(),
});

export const assessmentManualScores = pgTable(
  'assessment_manual_scores',
  {
    month: text('month').notNull(),
    unitId: text('unit_id').notNull(),
    item: text('item').notNull(),
    points: bigint('points_centi', { mode: 'number' }).notNull(),
    evidence: text('evidence').notNull(),
    enteredBy: text('entered_by').notNull(),
    enteredAt: bigint('entered_at', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.month, t.unitId, t.item] })],
);

export const assessmentPublications = pgTable(
  'assessment_publications',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    month: text('month').notNull(),
    cycle: bigint('cycle', { mode: 'number' }).notNull(),
    version: bigint('version', { mode: 'number' }).notNull(),
    publishedAt: bigint('published_at', { mode: 'number' }).notNull(),
    publishedBy: text('published_by').notNull(),
    note: text('note'),
    appealId: bigint('appeal_id', { mode: 'number' }),
    weights: text('weights').notNull(),
    inputs: text('inputs').notNull(),
    results: text('results').notNull(),
  },
  (t) => [
    uniqueIndex('assessment_publications_month_version_uq').on(t.month, t.version),
    index('assessment_publications_cycle_idx').on(t.cycle, t.month),
  ],
);
