import type pg from 'pg';
import type { AssessmentWeights, ManualScore } from '../domain/work-orders/assessment-score.ts';
import {
  toPublication,
  type AssessmentRepo,
  type NewPublication,
  type PublicationRecord,
  type PublicationRow,
  type StoredWeights,
} from './assessment-repo.ts';
import type { AuditEntry } from './audit-repo.ts';
import { inTransaction, one, rows } from './pg-store.ts';
import { insertAudit } from './pg-work-orders-repo.ts';

/** PostgreSQL's unique_violation: the (month, version) of a publication exists already. */
const UNIQUE_VIOLATION = '23505';

/**
 * The 100-point assessment on PostgreSQL (art. 30–33), behaving like SqliteAssessmentRepo. Publications are
 * append-only by the table's triggers (drizzle-pg custom migration), so an appeal republishes as a new version.
 */
export class PgAssessmentRepo implements AssessmentRepo {
  constructor(private readonly pool: pg.Pool) {}

  async weights(cycle: number): Promise<StoredWeights | null> {
    const r = await one<{ weights: string; set_by: string; set_at: number }>(
      this.pool,
      'select weights, set_by, set_at from assessment_weights where cycle = $1',
      [cycle],
    );
    return r ? { weights: JSON.parse(r.weights) as AssessmentWeights, setBy: r.set_by, setAt: r.set_at } : null;
  }

  async setWeights(cycle: number, weights: AssessmentWeights, by: string, at: number, audit: AuditEntry) {
    await inTransaction(this.pool, async (c) => {
      await c.query(
        `insert into assessment_weights (cycle, weights, set_by, set_at) values ($1, $2, $3, $4)
         on conflict (cycle) do update set weights = excluded.weights, set_by = excluded.set_by, set_at = excluded.set_at`,
        [cycle, JSON.stringify(weights), by, at],
      );
      await insertAudit(c, audit);
    });
  }

  async manualScores(month: string): Promise<ManualScore[]> {
    const r = await rows<{
      unit_id: string;
      item: string;
      points_centi: number;
      evidence: string;
      entered_by: string;
      entered_at: number;
    }>(
      this.pool,
      // Byte order of the unit ids and items, as SQLite sorts them.
      'select * from assessment_manual_scores where month = $1 order by unit_id collate "C", item collate "C"',
      [month],
    );
    return r.map((x) => ({
      unitId: x.unit_id,
      item: x.item as ManualScore['item'],
      points: x.points_centi / 100,
      evidence: x.evidence,
      enteredBy: x.entered_by,
      enteredAt: x.entered_at,
    }));
  }

  async setManualScore(month: string, s: ManualScore, audit: AuditEntry) {
    await inTransaction(this.pool, async (c) => {
      await c.query(
        `insert into assessment_manual_scores (month, unit_id, item, points_centi, evidence, entered_by, entered_at)
         values ($1, $2, $3, $4, $5, $6, $7)
         on conflict (month, unit_id, item) do update set points_centi = excluded.points_centi,
           evidence = excluded.evidence, entered_by = excluded.entered_by, entered_at = excluded.entered_at`,
        [month, s.unitId, s.item, Math.round(s.points * 100), s.evidence, s.enteredBy, s.enteredAt],
      );
      await insertAudit(c, audit);
    });
  }

  async expiringEntries(fromDate: string, toDate: string) {
    const r = await rows<{ unit_id: string; valid_to: string; renewed_at: number | null }>(
      this.pool,
      `select e.unit_id, e.valid_to,
         (select min(n.created_at) from knowledge_entries n where n.entry_key = e.entry_key and n.version > e.version) as renewed_at
       from knowledge_entries e where e.valid_to >= $1 and e.valid_to <= $2`,
      [fromDate, toDate],
    );
    return r.map((x) => ({ unitId: x.unit_id, validTo: x.valid_to, renewedAt: x.renewed_at }));
  }

  async questionsDue(from: number, to: number) {
    const r = await rows<{ unit_id: string; due_at: number; answered_at: number | null }>(
      this.pool,
      'select unit_id, due_at, answered_at from knowledge_questions where due_at >= $1 and due_at < $2',
      [from, to],
    );
    return r.map((x) => ({ unitId: x.unit_id, dueAt: x.due_at, answeredAt: x.answered_at }));
  }

  async publish(p: NewPublication, audit: AuditEntry): Promise<PublicationRecord | 'conflict'> {
    try {
      const id = await inTransaction(this.pool, async (c) => {
        const r = await one<{ id: number }>(
          c,
          `insert into assessment_publications (month, cycle, version, published_at, published_by, note, appeal_id, weights, inputs, results)
           values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id`,
          [
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
          ],
        );
        await insertAudit(c, { ...audit, entityId: p.month });
        return r!.id;
      });
      return { ...p, id };
    } catch (err) {
      if ((err as { code?: string }).code === UNIQUE_VIOLATION) return 'conflict';
      throw err;
    }
  }

  async publication(month: string, version?: number): Promise<PublicationRecord | null> {
    const r =
      version === undefined
        ? await one<PublicationRow>(
            this.pool,
            'select * from assessment_publications where month = $1 order by version desc limit 1',
            [month],
          )
        : await one<PublicationRow>(
            this.pool,
            'select * from assessment_publications where month = $1 and version = $2',
            [month, version],
          );
    return r ? toPublication(r) : null;
  }

  async publications(cycle: number): Promise<PublicationRecord[]> {
    const r = await rows<PublicationRow>(
      this.pool,
      'select * from assessment_publications where cycle = $1 order by month collate "C", version',
      [cycle],
    );
    return r.map(toPublication);
  }
}
