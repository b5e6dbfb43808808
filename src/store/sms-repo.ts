import type Database from 'better-sqlite3';

export interface SmsRecord {
  id: number;
  direction: 'out' | 'in';
  orderId: number | null;
  purpose: string;
  phone: string;
  body: string;
  gatewayId: string | null;
  status: 'queued' | 'sent' | 'failed' | 'received';
  error: string | null;
  createdAt: number;
}

/** SMS sent and received. Full numbers are stored (the callback needs them) and masked on the way out. */
export interface SmsRepo {
  insert(m: Omit<SmsRecord, 'id'>): Promise<number>;
  markSent(id: number, gatewayId: string | null): Promise<void>;
  markFailed(id: number, error: string): Promise<void>;
  /** The newest outgoing satisfaction survey to this number, to match a reply to its order. */
  latestSurveyTo(phone: string): Promise<SmsRecord | null>;
  listForOrder(orderId: number): Promise<SmsRecord[]>;
  /** Outgoing messages by status (sent, failed, queued): the SMS gauge of GET /metrics. */
  countOutgoingByStatus(): Promise<Map<string, number>>;
}

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

export class SqliteSmsRepo implements SmsRepo {
  private readonly stmt;
  constructor(sqlite: Database.Database) {
    this.stmt = {
      insert: sqlite.prepare(
        `insert into sms_messages (direction, order_id, purpose, phone, body, gateway_id, status, error, created_at)
         values (@direction, @orderId, @purpose, @phone, @body, @gatewayId, @status, @error, @createdAt)`,
      ),
      sent: sqlite.prepare<[string | null, number]>(
        "update sms_messages set status = 'sent', gateway_id = ? where id = ?",
      ),
      failed: sqlite.prepare<[string, number]>("update sms_messages set status = 'failed', error = ? where id = ?"),
      latest: sqlite.prepare<[string], Row>(
        "select * from sms_messages where phone = ? and direction = 'out' and purpose = 'satisfaction' order by created_at desc, id desc limit 1",
      ),
      forOrder: sqlite.prepare<[number], Row>('select * from sms_messages where order_id = ? order by id'),
      outByStatus: sqlite.prepare<[], { status: string; n: number }>(
        "select status, count(*) as n from sms_messages where direction = 'out' group by status",
      ),
    };
  }

  async insert(m: Omit<SmsRecord, 'id'>): Promise<number> {
    return Number(this.stmt.insert.run(m).lastInsertRowid);
  }
  async markSent(id: number, gatewayId: string | null): Promise<void> {
    this.stmt.sent.run(gatewayId, id);
  }
  async markFailed(id: number, error: string): Promise<void> {
    this.stmt.failed.run(error, id);
  }
  async latestSurveyTo(phone: string): Promise<SmsRecord | null> {
    const r = this.stmt.latest.get(phone);
    return r ? toRecord(r) : null;
  }
  async listForOrder(orderId: number): Promise<SmsRecord[]> {
    return this.stmt.forOrder.all(orderId).map(toRecord);
  }
  async countOutgoingByStatus(): Promise<Map<string, number>> {
    return new Map(this.stmt.outByStatus.all().map((r) => [r.status, r.n]));
  }
}
