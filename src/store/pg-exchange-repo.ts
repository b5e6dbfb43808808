import type pg from 'pg';
import {
  OUTBOX_ERROR_MAX,
  type ExchangeRepo,
  type IntakeReceipt,
  type OutboxFigures,
  type OutboxRow,
} from './exchange-repo.ts';
import { changed, one, rows } from './pg-store.ts';

type Row = Record<string, unknown>;

/** The oldest record of each order only: a later one waits until the earlier is acknowledged (per-order order). */
const HEAD = 'not exists (select 1 from exchange_outbox e where e.order_id = o.order_id and e.id < o.id)';

const toOutboxRow = (r: Row): OutboxRow => ({
  id: r['id'] as number,
  orderId: r['order_id'] as number,
  orderVersion: r['order_version'] as number,
  record: r['record'] as string,
  createdAt: r['created_at'] as number,
  attempts: r['attempts'] as number,
  nextAttemptAt: r['next_attempt_at'] as number,
  lastError: (r['last_error'] as string | null) ?? null,
});

/** Any key, the same in every instance: the one instance holding it pushes the outbox. */
const SENDER_LOCK = 0x12_3451;

/** The session lock that makes one instance the exchange sender; `lost` resolves when its connection ends. */
export interface SenderLock {
  readonly lost: Promise<void>;
  /** Asks the database whether this session still holds the lock (false: stop pushing). */
  held(): Promise<boolean>;
  release(): Promise<void>;
}

/**
 * The exchange outbox, inbound regional ids and intake receipts on PostgreSQL (issue 12), behaving like
 * SqliteExchangeRepo. Tables: schema-pg/exchange.ts.
 */
export class PgExchangeRepo implements ExchangeRepo {
  constructor(private readonly pool: pg.Pool) {}

  /** Adds one record on the order's own transaction (PgWorkOrderRepo's write hook), after the order row. */
  static async appendIn(c: pg.PoolClient, orderId: number, version: number, record: string, at: number) {
    await c.query({
      name: 'outbox-append',
      text: 'insert into exchange_outbox (order_id, order_version, record, created_at, next_attempt_at) values ($1, $2, $3, $4, $4)',
      values: [orderId, version, record, at],
    });
  }

  async due(now: number, limit: number): Promise<OutboxRow[]> {
    const r = await rows<Row>(
      this.pool,
      {
        name: 'outbox-due',
        text: `select o.* from exchange_outbox o where o.next_attempt_at <= $1 and ${HEAD} order by o.id limit $2`,
      },
      [now, limit],
    );
    return r.map(toOutboxRow);
  }

  async ackAll(ids: readonly number[]): Promise<number> {
    if (ids.length === 0) return 0;
    // One statement is one transaction: all or none of the group leaves.
    return changed(this.pool, 'delete from exchange_outbox where id = any($1::bigint[])', [ids]);
  }

  async fail(id: number, at: number, error: string, nextAttemptAt: number): Promise<void> {
    await this.pool.query(
      'update exchange_outbox set attempts = attempts + 1, last_attempt_at = $1, last_error = $2, next_attempt_at = $3 where id = $4',
      [at, error.slice(0, OUTBOX_ERROR_MAX), nextAttemptAt, id],
    );
  }

  async nextHeadAttemptAt(): Promise<number | null> {
    const r = await one<{ t: number | null }>(
      this.pool,
      `select min(o.next_attempt_at) as t from exchange_outbox o where ${HEAD}`,
    );
    return r?.t ?? null;
  }

  async figures(): Promise<OutboxFigures> {
    const r = await one<{ pending: number; failed: number | null; oldest: number | null }>(
      this.pool,
      'select count(*) as pending, count(*) filter (where attempts > 0) as failed, min(created_at) as oldest from exchange_outbox',
    );
    return { pending: r?.pending ?? 0, failed: r?.failed ?? 0, oldestCreatedAt: r?.oldest ?? null };
  }

  async inboundOrder(regionalId: string): Promise<number | null> {
    const r = await one<{ order_id: number }>(
      this.pool,
      'select order_id from exchange_inbound where regional_id = $1',
      [regionalId],
    );
    return r?.order_id ?? null;
  }

  async inbound(regionalId: string): Promise<{ orderId: number; receivedAt: number } | null> {
    const r = await one<{ order_id: number; received_at: number }>(
      this.pool,
      'select order_id, received_at from exchange_inbound where regional_id = $1',
      [regionalId],
    );
    return r ? { orderId: r.order_id, receivedAt: r.received_at } : null;
  }

  async claimInbound(regionalId: string, at: number): Promise<boolean> {
    // The primary key decides between instances taking the same regional id at once.
    const n = await changed(
      this.pool,
      'insert into exchange_inbound (regional_id, order_id, received_at) values ($1, 0, $2) on conflict (regional_id) do nothing',
      [regionalId, at],
    );
    return n === 1;
  }

  async setInbound(regionalId: string, orderId: number): Promise<void> {
    await this.pool.query('update exchange_inbound set order_id = $1 where regional_id = $2', [orderId, regionalId]);
  }

  async orderCreatedBy(createdBy: string): Promise<number | null> {
    const r = await one<{ id: number }>(
      this.pool,
      'select id from work_orders where created_by = $1 order by id limit 1',
      [createdBy],
    );
    return r?.id ?? null;
  }

  async addReceipt(r: IntakeReceipt): Promise<boolean> {
    const n = await changed(
      this.pool,
      `insert into intake_receipts (tracking_code, order_id, channel, credential_id, created_at)
       values ($1, $2, $3, $4, $5) on conflict (tracking_code) do nothing`,
      [r.trackingCode, r.orderId, r.channel, r.credentialId, r.createdAt],
    );
    return n === 1;
  }

  async receipt(trackingCode: string): Promise<IntakeReceipt | null> {
    const r = await one<Row>(this.pool, 'select * from intake_receipts where tracking_code = $1', [trackingCode]);
    if (!r) return null;
    return {
      trackingCode: r['tracking_code'] as string,
      orderId: r['order_id'] as number,
      channel: r['channel'] as string,
      credentialId: r['credential_id'] as string,
      createdAt: r['created_at'] as number,
    };
  }

  /**
   * Tries to become the instance that pushes the outbox: a session advisory lock on a connection of its own,
   * held until `release()` or until that connection ends (the instance died or was cut off: PostgreSQL then
   * frees the lock and another instance takes it). Null when another instance holds it.
   */
  async trySenderLock(): Promise<SenderLock | null> {
    const c = await this.pool.connect();
    let got = false;
    try {
      const r = await one<{ ok: boolean }>(c, 'select pg_try_advisory_lock($1) as ok', [SENDER_LOCK]);
      got = r?.ok === true;
    } finally {
      if (!got) c.release();
    }
    if (!got) return null;
    let ended = false;
    let markLost: () => void = () => undefined;
    const lost = new Promise<void>((resolve) => {
      markLost = resolve;
    });
    const onError = () => {
      if (ended) return;
      ended = true;
      markLost();
      // A broken connection must not go back to the pool.
      c.release(true);
    };
    c.on('error', onError);
    return {
      lost,
      async held() {
        if (ended) return false;
        try {
          const r = await one<{ n: number }>(
            c,
            `select count(*) as n from pg_locks where locktype = 'advisory' and granted
               and pid = pg_backend_pid() and ((classid::bigint << 32) | objid::bigint) = $1`,
            [SENDER_LOCK],
          );
          if (r?.n === 1) return true;
        } catch {
          // The session is gone: so is its lock.
        }
        onError();
        return false;
      },
      async release() {
        if (ended) return;
        ended = true;
        c.off('error', onError);
        try {
          await c.query('select pg_advisory_unlock($1)', [SENDER_LOCK]);
          c.release();
        } catch {
          c.release(true);
        }
        markLost();
      },
    };
  }
}
