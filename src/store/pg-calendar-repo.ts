import type pg from 'pg';
import type { AuditEntry } from './audit-repo.ts';
import type { CalendarRepo, StoredSchedule } from './calendar-repo.ts';
import { inTransaction, rows } from './pg-store.ts';
import { insertAudit } from './pg-work-orders-repo.ts';

/** Calendar years on PostgreSQL (same behaviour as SqliteCalendarRepo). */
export class PgCalendarRepo implements CalendarRepo {
  constructor(private readonly pool: pg.Pool) {}

  async list(): Promise<StoredSchedule[]> {
    const r = await rows<{ year: number; scope: string; data: string; added_by: string; added_at: number }>(
      this.pool,
      'select year, scope, data, added_by, added_at from calendar_years order by year, scope collate "C"',
    );
    return r.map((x) => ({
      year: x.year,
      region: x.scope,
      data: JSON.parse(x.data) as unknown,
      addedBy: x.added_by,
      addedAt: x.added_at,
    }));
  }

  async save(s: StoredSchedule, audit: AuditEntry): Promise<void> {
    await inTransaction(this.pool, async (c) => {
      await c.query(
        `insert into calendar_years (year, scope, data, added_by, added_at) values ($1, $2, $3, $4, $5)
         on conflict (year, scope) do update set data = excluded.data, added_by = excluded.added_by, added_at = excluded.added_at`,
        [s.year, s.region, JSON.stringify(s.data), s.addedBy, s.addedAt],
      );
      await insertAudit(c, audit);
    });
  }
}
