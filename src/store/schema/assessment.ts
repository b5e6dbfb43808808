import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** The 100-point assessment's item weights for a cycle (art. 31: the regional bureau sets them every year). */
export const assessmentWeights = sqliteTable('assessment_weights', {
  cycle: integer('cycle').primaryKey(),
  /** JSON object item → points, adding up to 100. */
  weights: text('weights').notNull(),
  setBy: text('set_by').notNull(),
  setAt: integer('set_at').notNull(),
});

/** A supervisor's score for a manual item (material review, ledgers, test calls) of a unit in a month, with evidence. */
export const assessmentManualScores = sqliteTable(
  'assessment_manual_scores',
  {
    month: text('month').notNull(), // YYYY-MM
    unitId: text('unit_id').notNull(),
    item: text('item').notNull(),
    points: integer('points_centi').notNull(), // hundredths of a point
    evidence: text('evidence').notNull(),
    enteredBy: text('entered_by').notNull(),
    enteredAt: integer('entered_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.month, t.unitId, t.item] })],
);

/**
 * Published monthly results (art. 30: 月度公布), frozen with the weights and inputs they were computed from. A
 * correction after an accepted appeal (art. 32) is a new version with a note; rows are never changed (triggers
 * in the migration refuse UPDATE and DELETE).
 */
export const assessmentPublications = sqliteTable(
  'assessment_publications',
  {
    id: integer('id').primaryKey(),
    month: text('month').notNull(), // YYYY-MM
    cycle: integer('cycle').notNull(),
    version: integer('version').notNull(),
    publishedAt: integer('published_at').notNull(),
    publishedBy: text('published_by').notNull(),
    note: text('note'),
    appealId: integer('appeal_id'),
    weights: text('weights').notNull(),
    /** JSON ScoreInputs: contributions per assignment, knowledge upkeep, manual scores, exclusions. */
    inputs: text('inputs').notNull(),
    /** JSON UnitScore[] with ranks. */
    results: text('results').notNull(),
  },
  (t) => [
    uniqueIndex('assessment_publications_month_version_uq').on(t.month, t.version),
    index('assessment_publications_cycle_idx').on(t.cycle, t.month),
  ],
);
