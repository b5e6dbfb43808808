import type pg from 'pg';
import type { Logger } from '../shared/logger.ts';

/**
 * A PostgreSQL session-level advisory lock held on one connection of the pool, for a job that must run on one
 * of several instances (the work-order supervision scanner). The lock lives as long as that connection: an
 * instance that dies (kill -9) closes it and PostgreSQL releases the lock, so another instance's next `held()`
 * gets it. Nothing here depends on a clock, so tests on a FakeClock keep working.
 */
export class PgSessionLock {
  private client: pg.PoolClient | undefined;
  private trying: Promise<boolean> | undefined;
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    /** The lock's name; hashed to the lock key by PostgreSQL (`hashtext`). */
    private readonly name: string,
    private readonly logger: Pick<Logger, 'info' | 'warn'>,
  ) {}

  /** True while this instance holds the lock; tries to take it when not. */
  held(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (this.client) return Promise.resolve(true);
    this.trying ??= this.tryTake().finally(() => {
      this.trying = undefined;
    });
    return this.trying;
  }

  private async tryTake(): Promise<boolean> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      this.logger.warn({ err: String(err), lock: this.name }, 'advisory lock: no database connection');
      return false;
    }
    try {
      const r = await client.query<{ ok: boolean }>('select pg_try_advisory_lock(hashtext($1)) as ok', [this.name]);
      if (!r.rows[0]?.ok || this.closed) {
        if (r.rows[0]?.ok) await client.query('select pg_advisory_unlock(hashtext($1))', [this.name]);
        client.release();
        return false;
      }
    } catch (err) {
      client.release(true);
      this.logger.warn({ err: String(err), lock: this.name }, 'advisory lock: query failed');
      return false;
    }
    // A broken connection has lost the lock with it: forget it, the next held() tries again.
    client.on('error', () => {
      if (this.client !== client) return;
      this.client = undefined;
      client.release(true);
      this.logger.warn({ lock: this.name }, 'advisory lock: connection lost, lock given up');
    });
    this.client = client;
    this.logger.info({ lock: this.name }, 'advisory lock taken: this instance runs the job');
    return true;
  }

  /** Gives the lock back (a clean shutdown), so another instance takes the job at its next try. */
  async close(): Promise<void> {
    this.closed = true;
    await this.trying?.catch(() => false);
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    try {
      await client.query('select pg_advisory_unlock(hashtext($1))', [this.name]);
      client.release();
    } catch {
      client.release(true);
    }
  }
}
