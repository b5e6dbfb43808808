import type pg from 'pg';
import type { Clock, TimerId } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';

/**
 * Thrown before an ARI request of an instance that does not hold the call-ownership lease (any more): the
 * fence that keeps a deposed owner from commanding the PBX once a new owner may have started.
 */
export class FencedError extends Error {
  constructor(instanceId: string) {
    super(`instance ${instanceId} does not own the calls (lease not held): ARI request refused`);
    this.name = 'FencedError';
  }
}

export interface CallOwnershipOptions {
  pool: pg.Pool;
  instanceId: string;
  /** Lease length without renewal; a dead owner's calls wait at most this long for a new owner. */
  ttlMs: number;
  clock: Clock;
  logger: Logger;
  /** Lease name: one per PBX (docs/scale-out.md). Default `calls`. */
  name?: string;
}

type Listener = (token: number) => void;

/**
 * The call-ownership lease: one row per PBX in PostgreSQL, held by one instance at a time.
 *
 * Why a lease and not only an advisory lock: a session lock is released when PostgreSQL notices the session is
 * gone, which for a cut network can take the TCP keep-alive time (minutes), and the holder cannot tell when the
 * others may start. A lease has an expiry both sides can reason about:
 * - the database's clock decides when the lease is free (`expires_at <= clock_timestamp()`, one clock for all);
 * - the owner counts its own deadline from the moment it *sent* the renewal that succeeded, minus a margin, so its
 *   deadline always falls before the expiry the database recorded (which was stamped later);
 * - every ARI request checks that deadline first (`fence()`), so a partitioned owner stops commanding before the
 *   lease can be taken. Each new term carries a higher fencing token (logged, shown in /health).
 */
export class CallOwnership {
  private readonly o: CallOwnershipOptions;
  private readonly log: Logger;
  private readonly name: string;
  private token: number | undefined;
  private validUntil = 0;
  private timer: TimerId | undefined;
  private deadlineTimer: TimerId | undefined;
  private running = false;
  private inFlight = false;
  private readonly acquired = new Set<Listener>();
  private readonly lost = new Set<Listener>();
  /** Clock time of the last loss of the lease (fencing took effect), for /health and tests. */
  lastFencedAt: number | undefined;
  /** Clock time the current term began. */
  acquiredAt: number | undefined;

  constructor(o: CallOwnershipOptions) {
    this.o = o;
    this.name = o.name ?? 'calls';
    this.log = o.logger.child({ component: 'cluster', instance: o.instanceId });
  }

  get instanceId(): string {
    return this.o.instanceId;
  }

  /** The fencing token of the current term, while the lease is held. */
  get fencingToken(): number | undefined {
    return this.isOwner() ? this.token : undefined;
  }

  /** Held, and this side's deadline not passed (checked on every call: no timer needs to have fired). */
  isOwner(): boolean {
    return this.token !== undefined && this.o.clock.now() < this.validUntil;
  }

  /** Throws FencedError unless this instance holds the lease now. Called before each ARI request. */
  fence(): void {
    if (!this.isOwner()) {
      if (this.token !== undefined) this.depose('deadline passed before renewal');
      throw new FencedError(this.o.instanceId);
    }
  }

  onAcquired(listener: Listener): () => void {
    this.acquired.add(listener);
    return () => this.acquired.delete(listener);
  }

  onLost(listener: Listener): () => void {
    this.lost.add(listener);
    return () => this.lost.delete(listener);
  }

  /** Creates the table if needed and starts trying (as a standby) or renewing (as the owner). */
  async start(): Promise<void> {
    await this.o.pool.query(
      `CREATE TABLE IF NOT EXISTS cti_call_lease (
         name text PRIMARY KEY,
         owner text NOT NULL,
         token bigint NOT NULL,
         expires_at timestamptz NOT NULL,
         renewed_at timestamptz NOT NULL
       )`,
    );
    this.running = true;
    await this.tick();
  }

  /** Who holds the lease now according to the database (null: nobody, or expired). */
  async currentOwner(): Promise<{ owner: string; token: number } | null> {
    const r = await this.o.pool.query<{ owner: string; token: string }>(
      'SELECT owner, token FROM cti_call_lease WHERE name = $1 AND expires_at > clock_timestamp()',
      [this.name],
    );
    const row = r.rows[0];
    return row ? { owner: row.owner, token: Number(row.token) } : null;
  }

  /**
   * Stops renewing. `release`: the caller has already stopped commanding the PBX, so the lease is given back
   * at once and a standby takes over without waiting for the expiry (a clean shutdown).
   */
  async stop(opts: { release: boolean }): Promise<void> {
    this.running = false;
    this.o.clock.clearTimeout(this.timer);
    this.o.clock.clearTimeout(this.deadlineTimer);
    const held = this.token !== undefined;
    if (held) this.depose('stopping');
    if (held && opts.release) {
      await this.o.pool
        .query('DELETE FROM cti_call_lease WHERE name = $1 AND owner = $2', [this.name, this.o.instanceId])
        .catch((err: unknown) => this.log.warn({ err: String(err) }, 'lease not released; it expires by itself'));
    }
  }

  private interval(): number {
    // The owner renews four times per lease; a standby looks eight times per lease, so a free lease is taken
    // within ttl/8 of its expiry.
    return this.token !== undefined ? Math.floor(this.o.ttlMs / 4) : Math.floor(this.o.ttlMs / 8);
  }

  private schedule(): void {
    if (!this.running) return;
    this.o.clock.clearTimeout(this.timer);
    this.timer = this.o.clock.setTimeout(() => void this.tick(), this.interval());
  }

  private async tick(): Promise<void> {
    if (!this.running || this.inFlight) return;
    this.inFlight = true;
    const sentAt = this.o.clock.now();
    try {
      // One statement takes a free or expired lease, or renews our own; a term that lapsed gets a new token.
      const r = await this.o.pool.query<{ token: string }>(
        `INSERT INTO cti_call_lease AS l (name, owner, token, expires_at, renewed_at)
         VALUES ($1, $2, 1, clock_timestamp() + $3 * interval '1 millisecond', clock_timestamp())
         ON CONFLICT (name) DO UPDATE SET
           owner = EXCLUDED.owner,
           token = CASE WHEN l.owner = EXCLUDED.owner AND l.expires_at > clock_timestamp() THEN l.token ELSE l.token + 1 END,
           expires_at = EXCLUDED.expires_at,
           renewed_at = EXCLUDED.renewed_at
         WHERE l.owner = EXCLUDED.owner OR l.expires_at <= clock_timestamp()
         RETURNING token`,
        [this.name, this.o.instanceId, this.o.ttlMs],
      );
      if (!this.running) return;
      const row = r.rows[0];
      if (!row) {
        if (this.token !== undefined) this.depose('another instance holds the lease');
      } else {
        const token = Number(row.token);
        // Our deadline runs from when the renewal was sent, an eighth of the lease before the database's expiry.
        const validUntil = sentAt + this.o.ttlMs - Math.ceil(this.o.ttlMs / 8);
        if (this.token !== undefined && token !== this.token) this.depose('the term lapsed');
        const fresh = this.token === undefined;
        this.validUntil = validUntil;
        this.token = token;
        this.armDeadline();
        if (fresh) {
          this.acquiredAt = this.o.clock.now();
          this.log.info({ fencingToken: token }, 'call ownership acquired: connecting to ARI');
          for (const l of this.acquired) l(token);
        }
      }
    } catch (err) {
      // A standby simply tries again; the owner keeps its deadline and is fenced when it passes.
      this.log.warn({ err: String(err), owner: this.token !== undefined }, 'cluster lease query failed');
    } finally {
      this.inFlight = false;
      this.schedule();
    }
  }

  private armDeadline(): void {
    this.o.clock.clearTimeout(this.deadlineTimer);
    this.deadlineTimer = this.o.clock.setTimeout(
      () => {
        if (this.token !== undefined && !this.isOwner()) this.depose('lease not renewed in time');
      },
      Math.max(0, this.validUntil - this.o.clock.now()),
    );
  }

  private depose(why: string): void {
    const token = this.token;
    if (token === undefined) return;
    this.token = undefined;
    this.validUntil = 0;
    this.lastFencedAt = this.o.clock.now();
    this.o.clock.clearTimeout(this.deadlineTimer);
    this.log.warn({ fencingToken: token, why }, 'call ownership lost: ARI requests fenced');
    for (const l of this.lost) l(token);
  }
}
