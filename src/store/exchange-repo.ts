import type Database from 'better-sqlite3';

/** A record waiting in the outbox. */
export interface OutboxRow {
  id: number;
  orderId: number;
  orderVersion: number;
  record: string;
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
}

export interface OutboxFigures {
  /** Records not yet acknowledged by the regional platform. */
  pending: number;
  /** Of those, records whose last push failed (they are retried with backoff). */
  failed: number;
  /** When the oldest unacknowledged record was written; null when nothing waits. */
  oldestCreatedAt: number | null;
}

export interface IntakeReceipt {
  trackingCode: string;
  orderId: number;
  channel: string;
  credentialId: string;
  createdAt: number;
}

/**
 * The exchange outbox (art. 5, 16), the regional ids of orders taken in from the regional platform, and the
 * citizens' tracking codes, on either store (issue 12). The outbox records themselves are appended by the
 * work-order repository inside the order's own transaction (SQLite `appendSync`, PostgreSQL `appendIn`), so a
 * transition and its record commit or roll back together.
 */
export interface ExchangeRepo {
  /** Records that may be pushed now: the oldest of each order, if its next attempt is due. */
  due(now: number, limit: number): Promise<OutboxRow[]>;
  /** The platform acknowledged these records: they leave the outbox, in one transaction. Returns how many were still there. */
  ackAll(ids: readonly number[]): Promise<number>;
  fail(id: number, at: number, error: string, nextAttemptAt: number): Promise<void>;
  /** The earliest next attempt among the records that may go (the oldest of each order); null when empty. */
  nextHeadAttemptAt(): Promise<number | null>;
  figures(): Promise<OutboxFigures>;
  /** The local order made from a regional id: its id, 0 while claimed (being taken in, or cut short by a crash), null if never seen. */
  inboundOrder(regionalId: string): Promise<number | null>;
  /** The claim of a regional id: its order (0 while being taken in) and when it was claimed; null if never seen. */
  inbound(regionalId: string): Promise<{ orderId: number; receivedAt: number } | null>;
  /** Marks a regional id as being taken in (before its order is written); false if it was seen before. */
  claimInbound(regionalId: string, at: number): Promise<boolean>;
  setInbound(regionalId: string, orderId: number): Promise<void>;
  /** The order written by this creator (work_orders.created_by), for the rare recovery of a claim a crash cut short. */
  orderCreatedBy(createdBy: string): Promise<number | null>;
  /** False when the code is taken (the caller draws another). */
  addReceipt(r: IntakeReceipt): Promise<boolean>;
  receipt(trackingCode: string): Promise<IntakeReceipt | null>;
}

/** The last push error is kept to this many characters. */
export const OUTBOX_ERROR_MAX = 500;

/**
 * The SQLite exchange repository. Tables: src/store/schema/exchange.ts. `appendSync` runs inside the work-order
 * transaction (SqliteWorkOrderRepo's `onWrite`), so a transition and its outbox record commit together.
 */
export class SqliteExchangeRepo implements ExchangeRepo {
  private readonly s;

  constructor(private readonly sqlite: Database.Database) {
    const p = <T = unknown>(q: string) => sqlite.prepare<unknown[], T>(q);
    this.s = {
      append: p(
        'insert into exchange_outbox (order_id, order_version, record, created_at, next_attempt_at) values (?, ?, ?, ?, ?)',
      ),
      // Only the oldest record of each order may go: a later one waits until the earlier is acknowledged.
      due: p<Record<string, unknown>>(
        `select o.* from exchange_outbox o where o.next_attempt_at <= ?
           and not exists (select 1 from exchange_outbox e where e.order_id = o.order_id and e.id < o.id)
         order by o.id limit ?`,
      ),
      ack: p('delete from exchange_outbox where id = ?'),
      fail: p(
        'update exchange_outbox set attempts = attempts + 1, last_attempt_at = ?, last_error = ?, next_attempt_at = ? where id = ?',
      ),
      nextHeadAt: p<{ t: number | null }>(
        `select min(o.next_attempt_at) as t from exchange_outbox o
          where not exists (select 1 from exchange_outbox e where e.order_id = o.order_id and e.id < o.id)`,
      ),
      figures: p<{ pending: number; failed: number | null; oldest: number | null }>(
        'select count(*) as pending, sum(attempts > 0) as failed, min(created_at) as oldest from exchange_outbox',
      ),
      inbound: p<{ order_id: number; received_at: number }>(
        'select order_id, received_at from exchange_inbound where regional_id = ?',
      ),
      claimInbound: p('insert or ignore into exchange_inbound (regional_id, order_id, received_at) values (?, 0, ?)'),
      setInbound: p('update exchange_inbound set order_id = ? where regional_id = ?'),
      createdBy: p<{ id: number }>('select id from work_orders where created_by = ? order by id limit 1'),
      addReceipt: p(
        'insert into intake_receipts (tracking_code, order_id, channel, credential_id, created_at) values (?, ?, ?, ?, ?)',
      ),
      receipt: p<Record<string, unknown>>('select * from intake_receipts where tracking_code = ?'),
    };
  }

  /** Adds one record; called inside the transaction that writes the order's new state. */
  appendSync(orderId: number, orderVersion: number, record: string, at: number): void {
    this.s.append.run(orderId, orderVersion, record, at, at);
  }

  async due(now: number, limit: number): Promise<OutboxRow[]> {
    return this.s.due.all(now, limit).map((r) => ({
      id: r['id'] as number,
      orderId: r['order_id'] as number,
      orderVersion: r['order_version'] as number,
      record: r['record'] as string,
      createdAt: r['created_at'] as number,
      attempts: r['attempts'] as number,
      nextAttemptAt: r['next_attempt_at'] as number,
      lastError: (r['last_error'] as string | null) ?? null,
    }));
  }

  async ackAll(ids: readonly number[]): Promise<number> {
    return this.sqlite.transaction(() => {
      let n = 0;
      for (const id of ids) n += this.s.ack.run(id).changes;
      return n;
    })();
  }

  async fail(id: number, at: number, error: string, nextAttemptAt: number): Promise<void> {
    this.s.fail.run(at, error.slice(0, OUTBOX_ERROR_MAX), nextAttemptAt, id);
  }

  async nextHeadAttemptAt(): Promise<number | null> {
    return this.s.nextHeadAt.get()?.t ?? null;
  }

  async figures(): Promise<OutboxFigures> {
    const r = this.s.figures.get();
    return { pending: r?.pending ?? 0, failed: r?.failed ?? 0, oldestCreatedAt: r?.oldest ?? null };
  }

  async inboundOrder(regionalId: string): Promise<number | null> {
    return this.s.inbound.get(regionalId)?.order_id ?? null;
  }

  async inbound(regionalId: string): Promise<{ orderId: number; receivedAt: number } | null> {
    const r = this.s.inbound.get(regionalId);
    return r ? { orderId: r.order_id, receivedAt: r.received_at } : null;
  }

  async claimInbound(regionalId: string, at: number): Promise<boolean> {
    return this.s.claimInbound.run(regionalId, at).changes === 1;
  }

  async setInbound(regionalId: string, orderId: number): Promise<void> {
    this.s.setInbound.run(orderId, regionalId);
  }

  /** Not indexed, so only used for the rare recovery. */
  async orderCreatedBy(createdBy: string): Promise<number | null> {
    return this.s.createdBy.get(createdBy)?.id ?? null;
  }

  async addReceipt(r: IntakeReceipt): Promise<boolean> {
    try {
      this.s.addReceipt.run(r.trackingCode, r.orderId, r.channel, r.credentialId, r.createdAt);
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return false;
      throw err;
    }
  }

  async receipt(trackingCode: string): Promise<IntakeReceipt | null> {
    const r = this.s.receipt.get(trackingCode);
    if (!r) return null;
    return {
      trackingCode: r['tracking_code'] as string,
      orderId: r['order_id'] as number,
      channel: r['channel'] as string,
      credentialId: r['credential_id'] as string,
      createdAt: r['created_at'] as number,
    };
  }
}
