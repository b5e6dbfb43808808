import type pg from 'pg';
import type { AuditEntry } from './audit-repo.ts';
import { inTransaction, one, rows } from './pg-store.ts';
import { insertAudit } from './pg-work-orders-repo.ts';
import type { NewRotaRow, RotaRepo, RotaRow } from './rota-repo.ts';

type Row = {
  id: number;
  date: string;
  start_time: string;
  end_time: string;
  username: string;
  seat: string;
  skill: string | null;
  created_by: string;
  created_at: number;
};

const toRow = (r: Row): RotaRow => ({
  id: r.id,
  date: r.date,
  startTime: r.start_time,
  endTime: r.end_time,
  username: r.username,
  seat: r.seat,
  skill: r.skill,
  createdBy: r.created_by,
  createdAt: r.created_at,
});

/** The leader rota on PostgreSQL (same behaviour as SqliteRotaRepo; dates and times compare in byte order). */
export class PgRotaRepo implements RotaRepo {
  constructor(private readonly pool: pg.Pool) {}

  async between(fromDate: string, toDate: string): Promise<RotaRow[]> {
    const r = await rows<Row>(
      this.pool,
      `select * from leader_rota where date >= $1 and date <= $2
       order by date collate "C", start_time collate "C", id`,
      [fromDate, toDate],
    );
    return r.map(toRow);
  }

  async get(id: number): Promise<RotaRow | undefined> {
    const r = await one<Row>(this.pool, 'select * from leader_rota where id = $1', [id]);
    return r ? toRow(r) : undefined;
  }

  async add(row: NewRotaRow, audit: (id: number) => AuditEntry): Promise<RotaRow> {
    return inTransaction(this.pool, async (c) => {
      const created = await one<Row>(
        c,
        `insert into leader_rota (date, start_time, end_time, username, seat, skill, created_by, created_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning *`,
        [row.date, row.startTime, row.endTime, row.username, row.seat, row.skill, row.createdBy, row.createdAt],
      );
      await insertAudit(c, audit(created!.id));
      return toRow(created!);
    });
  }

  async remove(id: number, audit: AuditEntry): Promise<boolean> {
    return inTransaction(this.pool, async (c) => {
      const gone = await one<{ id: number }>(c, 'delete from leader_rota where id = $1 returning id', [id]);
      if (!gone) return false;
      await insertAudit(c, audit);
      return true;
    });
  }
}
