import type Database from 'better-sqlite3';
import type { AssessmentWeights, ManualScore, ScoreInputs, UnitScore } from '../domain/work-orders/assessment-score.ts';
import { auditValues, type AuditEntry } from './audit-repo.ts';

const INSERT_AUDIT_SQL = `insert into audit_log (entity, entity_id, action, actor_id, actor_role, at, reason, from_status, to_status, data)
  values (@entity, @entityId, @action, @actorId, @actorRole, @at, @reason, @fromStatus, @toStatus, @data)`;

export interface PublicationRecord {
  id: number;
  month: string;
  cycle: number;
  version: number;
  publishedAt: number;
  publishedBy: string;
  note: string | null;
  appealId: number | null;
  weights: AssessmentWeights;
  inputs: ScoreInputs;
  results: UnitScore[];
}

export type NewPublication = Omit<PublicationRecord, 'id'>;

export interface PublicationRow {
  id: number;
  month: string;
  cycle: number;
  version: number;
  published_at: number;
  published_by: string;
  note: string | null;
  appeal_id: number | null;
  weights: string;
  inputs: string;
  results: string;
}

export const toPublication = (r: PublicationRow): PublicationRecord => ({
  id: r.id,
  month: r.month,
  cycle: r.cycle,
  version: r.version,
  publishedAt: r.published_at,
  publishedBy: r.published_by,
  note: r.note,
  appealId: r.appeal_id,
  weights: JSON.parse(r.weights) as AssessmentWeights,
  inputs: JSON.parse(r.inputs) as ScoreInputs,
  results: JSON.parse(r.results) as UnitScore[],
});

export interface StoredWeights {
  weights: AssessmentWeights;
  setBy: string;
  setAt: number;
}

/**
 * Weights, manual scores and frozen monthly publications of the 100-point assessment (art. 30–33), on either
 * store. A publication is never edited (the database refuses UPDATE and DELETE): an accepted appeal publishes
 * the month again as the next version.
 */
export interface AssessmentRepo {
  weights(cycle: number): Promise<StoredWeights | null>;
  setWeights(cycle: number, weights: AssessmentWeights, by: string, at: number, audit: AuditEntry): Promise<void>;
  manualScores(month: string): Promise<ManualScore[]>;
  setManualScore(month: string, s: ManualScore, audit: AuditEntry): Promise<void>;
  /** Knowledge entry versions whose validity ends in [fromDate, toDate] (inclusive), with when they were renewed. */
  expiringEntries(
    fromDate: string,
    toDate: string,
  ): Promise<{ unitId: string; validTo: string; renewedAt: number | null }[]>;
  questionsDue(from: number, to: number): Promise<{ unitId: string; dueAt: number; answeredAt: number | null }[]>;
  /** Writes a new version of a month with its audit row; 'conflict' when that version exists already. */
  publish(p: NewPublication, audit: AuditEntry): Promise<PublicationRecord | 'conflict'>;
  /** The newest version of a month, or a given version. */
  publication(month: string, version?: number): Promise<PublicationRecord | null>;
  /** Every version of every month of a cycle, oldest first. */
  publications(cycle: number): Promise<PublicationRecord[]>;
}

export class SqliteAssessmentRepo implements AssessmentRepo {
  constructor(private readonly sqlite: Database.Database) {}

  async weights(cycle: number): Promise<StoredWeights | null> {
    const r = this.sqlite
      .prepare<[number], { weights: string; set_by: string; set_at: number }>(
        'select weights, set_by, set_at from assessment_weights where cycle = ?',
      )
      .get(cycle);
    return r ? { weights: JSON.parse(r.weights) as AssessmentWeights, setBy: r.set_by, setAt: r.set_at } : null;
  }

  async setWeights(
    cycle: number,
    weights: AssessmentWeights,
    by: string,
    at: number,
    audit: AuditEntry,
  ): Promise<void> {
    this.sqlite.transaction(() => {
      this.sqlite
        .prepare(
          `insert into assessment_weights (cycle, weights, set_by, set_at) values (?, ?, ?, ?)
           on conflict(cycle) do update set weights = excluded.weights, set_by = excluded.set_by, set_at = excluded.set_at`,
        )
        .run(cycle, JSON.stringify(weights), by, at);
      this.sqlite.prepare(INSERT_AUDIT_SQL).run(auditValues(audit));
    })();
  }

  async manualScores(month: string): Promise<ManualScore[]> {
    return this.sqlite
      .prepare<
        [string],
        {
          unit_id: string;
          item: string;
          points_centi: number;
          evidence: string;
          entered_by: string;
          entered_at: number;
        }
      >('select * from assessment_manual_scores where month = ? order by unit_id, item')
      .all(month)
      .map((r) => ({
        unitId: r.unit_id,
        item: r.item as ManualScore['item'],
        points: r.points_centi / 100,
        evidence: r.evidence,
        enteredBy: r.entered_by,
        enteredAt: r.entered_at,
      }));
  }

  async setManualScore(month: string, s: ManualScore, audit: AuditEntry): Promise<void> {
    this.sqlite.transaction(() => {
      this.sqlite
        .prepare(
          `insert into assessment_manual_scores (month, unit_id, item, points_centi, evidence, entered_by, entered_at)
           values (?, ?, ?, ?, ?, ?, ?)
           on conflict(month, unit_id, item) do update set points_centi = excluded.points_centi,
             evidence = excluded.evidence, entered_by = excluded.entered_by, entered_at = excluded.entered_at`,
        )
        .run(month, s.unitId, s.item, Math.round(s.points * 100), s.evidence, s.enteredBy, s.enteredAt);
      this.sqlite.prepare(INSERT_AUDIT_SQL).run(auditValues(audit));
    })();
  }

  async expiringEntries(
    fromDate: string,
    toDate: string,
  ): Promise<{ unitId: string; validTo: string; renewedAt: number | null }[]> {
    return this.sqlite
      .prepare<[string, string], { unit_id: string; valid_to: string; renewed_at: number | null }>(
        `select e.unit_id, e.valid_to,
           (select min(n.created_at) from knowledge_entries n where n.entry_key = e.entry_key and n.version > e.version) as renewed_at
         from knowledge_entries e where e.valid_to >= ? and e.valid_to <= ?`,
      )
      .all(fromDate, toDate)
      .map((r) => ({ unitId: r.unit_id, validTo: r.valid_to, renewedAt: r.renewed_at }));
  }

  async questionsDue(
    from: number,
    to: number,
  ): Promise<{ unitId: string; dueAt: number; answeredAt: number | null }[]> {
    return this.sqlite
      .prepare<[number, number], { unit_id: string; due_at: number; answered_at: number | null }>(
        'select unit_id, due_at, answered_at from knowledge_questions where due_at >= ? and due_at < ?',
      )
      .all(from, to)
      .map((r) => ({ unitId: r.unit_id, dueAt: r.due_at, answeredAt: r.answered_at }));
  }

  async publish(p: NewPublication, audit: AuditEntry): Promise<PublicationRecord | 'conflict'> {
    try {
      const id = this.sqlite.transaction(() => {
        const r = this.sqlite
          .prepare(
            `insert into assessment_publications (month, cycle, version, published_at, published_by, note, appeal_id, weights, inputs, results)
             values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            p.month,
            p.cycle,
            p.version,
            p.publishedAt,
            p.publishedBy,
            p.note,
            p.appealId,
            JSON.stringify(p.weights),
            JSON.stringify(p.inputs),
            JSON.stringify(p.results),
          );
        this.sqlite.prepare(INSERT_AUDIT_SQL).run(auditValues({ ...audit, entityId: p.month }));
        return Number(r.lastInsertRowid);
      })();
      return { ...p, id };
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return 'conflict';
      throw err;
    }
  }

  async publication(month: string, version?: number): Promise<PublicationRecord | null> {
    const r =
      version === undefined
        ? this.sqlite
            .prepare<[string], PublicationRow>(
              'select * from assessment_publications where month = ? order by version desc limit 1',
            )
            .get(month)
        : this.sqlite
            .prepare<[string, number], PublicationRow>(
              'select * from assessment_publications where month = ? and version = ?',
            )
            .get(month, version);
    return r ? toPublication(r) : null;
  }

  async publications(cycle: number): Promise<PublicationRecord[]> {
    return this.sqlite
      .prepare<[number], PublicationRow>(
        'select * from assessment_publications where cycle = ? order by month, version',
      )
      .all(cycle)
      .map(toPublication);
  }
}
