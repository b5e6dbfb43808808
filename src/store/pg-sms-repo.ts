import type pg from 'pg';
import { one, rows } from './pg-store.ts';
import type { SmsRecord, SmsRepo } from './sms-repo.ts';

type Row = {
  id: number;
  direction: string;
  order_id: number | null;
  purpose: string;
  phone: string;
  body: string;
  gateway_id: string | null;
  status: string;
  error: string | null;
  created_at: number;
};

const toRecord = (r: Row): SmsRecord => ({
  id: r.id,
  direction: r.direction as SmsRecord['direction'],
  orderId: r.order_id,
  purpose: r.purpose,
  phone: r.phone,
  body: r.body,
  gatewayId: r.gateway_id,
  status: r.status as SmsRecord['status'],
  error: r.error,
  createdAt: r.created_at,
});

/** SMS records on PostgreSQL (same behaviour as SqliteSmsRepo). */
export class PgSmsRepo implements SmsRepo {
  constructor(private readonly pool: pg.Pool) {}

  async insert(m: Omit<SmsRecord, 'id'>): Promise<number> {
    const r = await one<{ id: number }>(
      this.pool,
      `insert into sms_messages (direction, order_id, purpose, phone, body, gateway_id, status, error, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id`,
      [m.direction, m.orderId, m.purpose, m.phone, m.body, m.gatewayId, m.status, m.error, m.createdAt],
    );
    return r!.id;
  }
  async markSent(id: number, gatewayId: string | null): Promise<void> {
    await this.pool.query("update sms_messages set status = 'sent', gateway_id = $1 where id = $2", [gatewayId, id]);
  }
  async markFailed(id: number, error: string): Promise<void> {
    await this.pool.query("update sms_messages set status = 'failed', error = $1 where id = $2", [error, id]);
  }
  async latestSurveyTo(phone: string): Promise<SmsRecord | null> {
    const r = await one<Row>(
      this.pool,
      "select * from sms_messages where phone = $1 and direction = 'out' and purpose = 'satisfaction' order by created_at desc, id desc limit 1",
      [phone],
    );
    return r ? toRecord(r) : null;
  }
  async listForOrder(orderId: number): Promise<SmsRecord[]> {
    return (await rows<Row>(this.pool, 'select * from sms_messages where order_id = $1 order by id', [orderId])).map(
      toRecord,
    );
  }

  async countOutgoingByStatus(): Promise<Map<string, number>> {
    const r = await rows<{ status: string; n: number }>(
      this.pool,
      "select status, count(*)::int as n from sms_messages where direction = 'out' group by status",
    );
    return new Map(r.map((x) => [x.status, x.n]));
  }
}
