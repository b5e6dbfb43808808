import { and, asc, desc, eq, gte, isNotNull, isNull, lt, notInArray, type SQL } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import type pg from 'pg';
import { afterOutcome, checkDial, DEFAULT_RETRY_PLAN, type RetryPlan } from '../domain/callbacks/retry-plan.ts';
import type { CallAlertRow, CallbackAttemptRow, CallbackRow, CallLegRow, CallRow } from './schema/calls.ts';
import type { CallRecords, NewAlert, NewCallback } from './call-records.ts';
import {
  CallbackStateError,
  type CallbackOutcome,
  type CallPatch,
  type LegPatch,
  type NewCall,
  type NewLeg,
} from './calls-repo.ts';
import { callAlerts, callbackAttempts, callbacks, callLegs, calls, callWorkOrders } from './schema-pg/calls.ts';
import { WriteQueue, type WriteQueueOptions } from './pg-write-queue.ts';

type Db = NodePgDatabase;

/** Property name → SQL column name, for the hot writes built by hand. */
const columnsOf = (table: typeof calls | typeof callLegs): Record<string, string> =>
  Object.fromEntries(Object.entries(table).flatMap(([k, v]) => (isColumn(v) ? [[k, v.name]] : [])));
const isColumn = (v: unknown): v is { name: string; columnType: string } =>
  typeof v === 'object' && v !== null && 'columnType' in v && typeof (v as { name?: unknown }).name === 'string';
const CALL_COLUMNS = columnsOf(calls);
/**
 * Every number of these tables is a bigint (epoch ms, counts). A clock may hand out fractional milliseconds (the
 * test clock under REST timing does), which SQLite stores as they are and PostgreSQL refuses for bigint.
 */
const whole = (v: unknown): unknown => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v) : v);
const wholeMs = (v: number): number => Math.round(v);
const LEG_COLUMNS = columnsOf(callLegs);

/**
 * The call records on PostgreSQL (issue 12). Writes go into one ordered queue (pg-write-queue.ts): the writes of
 * one turn of the event loop share one transaction, a failed flush is retried in order, reads wait for what this
 * instance has written. The hot writes (a call's row and legs, changed by every decision) are prepared statements
 * per column set, like CallsRepo's cache on SQLite.
 */
export class PgCallRecords implements CallRecords {
  readonly kind = 'postgres';
  private readonly db: Db;
  private readonly queue: WriteQueue;
  private readonly names = new Map<string, string>();

  constructor(pool: pg.Pool, opts: WriteQueueOptions = {}) {
    this.db = drizzle(pool);
    this.queue = new WriteQueue(pool, opts);
  }

  transaction(fn: () => void): void {
    // Everything enqueued in this turn is committed in one transaction anyway.
    fn();
  }

  private statement(kind: 'insert' | 'insert-or-ignore' | 'update', table: 'calls' | 'call_legs', names: string[]) {
    const sig = `${kind}|${table}|${names.join(',')}`;
    let name = this.names.get(sig);
    if (!name) {
      name = `cr${this.names.size}`;
      this.names.set(sig, name);
    }
    const cols = table === 'calls' ? CALL_COLUMNS : LEG_COLUMNS;
    const quoted = names.map((k) => `"${cols[k]}"`);
    const key = table === 'calls' ? 'id' : 'channel_id';
    const text =
      kind === 'update'
        ? `update "${table}" set ${quoted.map((q, i) => `${q} = $${i + 1}`).join(', ')} where "${key}" = $${names.length + 1}`
        : `insert into "${table}" (${quoted.join(', ')}) values (${quoted.map((_, i) => `$${i + 1}`).join(', ')})${kind === 'insert-or-ignore' ? ' on conflict do nothing' : ''}`;
    return { name, text };
  }

  private write(
    kind: 'insert' | 'insert-or-ignore' | 'update',
    table: 'calls' | 'call_legs',
    row: Record<string, unknown>,
    key?: string,
  ): void {
    const cols = table === 'calls' ? CALL_COLUMNS : LEG_COLUMNS;
    const names = Object.keys(row).filter((k) => row[k] !== undefined && cols[k] !== undefined);
    if (kind === 'update' && names.length === 0) return;
    const st = this.statement(kind, table, names);
    const values = names.map((k) => whole(row[k]));
    if (kind === 'update') values.push(key);
    this.queue.push({ run: (c) => c.client.query({ ...st, values }) });
  }

  insertCall(row: NewCall): void {
    this.write('insert', 'calls', row as Record<string, unknown>);
  }
  updateCall(id: string, patch: CallPatch): void {
    this.write('update', 'calls', patch as Record<string, unknown>, id);
  }
  insertLeg(row: NewLeg): void {
    this.write('insert-or-ignore', 'call_legs', row as Record<string, unknown>);
  }
  updateLeg(channelId: string, patch: LegPatch): void {
    this.write('update', 'call_legs', patch as Record<string, unknown>, channelId);
  }
  linkWorkOrder(callId: string, workOrderId: string, at: number): void {
    this.queue.push({
      run: (c) =>
        c.db
          .insert(callWorkOrders)
          .values({ callId, workOrderId, linkedAt: wholeMs(at) })
          .onConflictDoNothing(),
    });
  }
  addAlert(row: NewAlert): Promise<CallAlertRow> {
    return this.queue.pushWithResult(
      async (c) =>
        (
          await c.db
            .insert(callAlerts)
            .values({ ...row, at: wholeMs(row.at) })
            .returning()
        )[0]!,
    );
  }
  addCallback(row: NewCallback): Promise<CallbackRow> {
    return this.queue.pushWithResult(async (c) => {
      await c.db
        .insert(callbacks)
        .values({
          ...row,
          createdAt: wholeMs(row.createdAt),
          waitedMs: row.waitedMs === null ? null : wholeMs(row.waitedMs),
          status: 'pending',
        })
        .onConflictDoNothing();
      return (await c.db.select().from(callbacks).where(eq(callbacks.callId, row.callId)))[0]!;
    });
  }
  releaseCallback(id: number, callId: string): void {
    this.queue.push({
      run: async (c) => {
        await c.db
          .update(callbacks)
          .set({ diallingBy: null })
          .where(and(eq(callbacks.id, id), eq(callbacks.lastCallId, callId)));
        await c.db
          .delete(callbackAttempts)
          .where(
            and(
              eq(callbackAttempts.callbackId, id),
              eq(callbackAttempts.callId, callId),
              isNull(callbackAttempts.outcome),
            ),
          );
      },
    });
  }
  flushed(): Promise<void> {
    return this.queue.flushed();
  }
  /** A deposed call owner: what it has not committed yet is not written (the new owner reconciles from ARI). */
  stopWriting(why: string): void {
    this.queue.stop(why);
  }
  close(): Promise<void> {
    return this.queue.close();
  }

  /** Reads see this instance's writes: they wait for the queue first. */
  private async read<T>(q: (db: Db) => Promise<T>): Promise<T> {
    await this.queue.flushed();
    return q(this.db);
  }

  async getCall(id: string): Promise<CallRow | undefined> {
    return (await this.read((db) => db.select().from(calls).where(eq(calls.id, id))))[0];
  }
  activeCalls(): Promise<CallRow[]> {
    return this.read((db) => db.select().from(calls).where(eq(calls.status, 'active')).orderBy(asc(calls.arrivedAt)));
  }
  listCalls(opts: { from?: number; to?: number; limit?: number; offset?: number } = {}): Promise<CallRow[]> {
    const conds: SQL[] = [];
    if (opts.from !== undefined) conds.push(gte(calls.arrivedAt, opts.from));
    if (opts.to !== undefined) conds.push(lt(calls.arrivedAt, opts.to));
    return this.read((db) =>
      db
        .select()
        .from(calls)
        .where(conds.length ? and(...conds) : undefined)
        // id breaks ties so that offsets page the same way on every request.
        .orderBy(desc(calls.arrivedAt), desc(calls.id))
        .limit(Math.min(opts.limit ?? 100, 1000))
        .offset(opts.offset ?? 0),
    );
  }
  legs(callId: string): Promise<CallLegRow[]> {
    return this.read((db) =>
      db
        .select()
        .from(callLegs)
        .where(eq(callLegs.callId, callId))
        .orderBy(asc(callLegs.createdAt), asc(callLegs.channelId)),
    );
  }
  openLegs(callId: string): Promise<CallLegRow[]> {
    return this.read((db) =>
      db
        .select()
        .from(callLegs)
        .where(and(eq(callLegs.callId, callId), isNull(callLegs.endedAt))),
    );
  }
  async workOrdersOf(callId: string): Promise<string[]> {
    const rows = await this.read((db) =>
      db
        .select({ id: callWorkOrders.workOrderId })
        .from(callWorkOrders)
        .where(eq(callWorkOrders.callId, callId))
        .orderBy(asc(callWorkOrders.linkedAt)),
    );
    return rows.map((r) => r.id);
  }
  async getCallback(id: number): Promise<CallbackRow | undefined> {
    return (await this.read((db) => db.select().from(callbacks).where(eq(callbacks.id, id))))[0];
  }
  listCallbacks(opts: { status?: 'pending' | 'done'; limit?: number } = {}): Promise<CallbackRow[]> {
    return this.read((db) =>
      db
        .select()
        .from(callbacks)
        .where(opts.status ? eq(callbacks.status, opts.status) : undefined)
        .orderBy(asc(callbacks.createdAt), asc(callbacks.id))
        .limit(Math.min(opts.limit ?? 200, 1000)),
    );
  }
  callbackAttempts(id: number): Promise<CallbackAttemptRow[]> {
    return this.read((db) =>
      db.select().from(callbackAttempts).where(eq(callbackAttempts.callbackId, id)).orderBy(asc(callbackAttempts.id)),
    );
  }
  alertsSince(from: number): Promise<CallAlertRow[]> {
    return this.read((db) =>
      db.select().from(callAlerts).where(gte(callAlerts.at, from)).orderBy(asc(callAlerts.at), asc(callAlerts.id)),
    );
  }
  unansweredAgentLegsSince(from: number): Promise<CallLegRow[]> {
    return this.read((db) =>
      db
        .select()
        .from(callLegs)
        .where(
          and(
            eq(callLegs.kind, 'agent'),
            gte(callLegs.createdAt, from),
            isNull(callLegs.answeredAt),
            isNotNull(callLegs.endedAt),
            // As restore-record.ts reads them: a cancelled or vanished leg was not the agent's failure.
            notInArray(callLegs.outcome, ['cancelled', 'vanished']),
          ),
        ),
    );
  }
  callsSince(from: number): Promise<CallRow[]> {
    return this.read((db) => db.select().from(calls).where(gte(calls.arrivedAt, from)));
  }

  /** As CallsRepo.recordCallbackOutcome, with the row locked for the transaction (any instance may answer). */
  async recordCallbackOutcome(
    id: number,
    outcome: CallbackOutcome,
    by: string,
    at: number,
    note: string | null,
    plan: RetryPlan = DEFAULT_RETRY_PLAN,
    mayOverride = true,
  ): Promise<CallbackRow> {
    at = wholeMs(at);
    await this.queue.flushed();
    return this.db.transaction(async (tx) => {
      const row = (await tx.select().from(callbacks).where(eq(callbacks.id, id)).for('update'))[0];
      if (!row) throw new CallbackStateError(`callback ${id} does not exist`, 'not_found');
      if (row.status === 'done')
        throw new CallbackStateError(`callback ${id} already has the final outcome ${row.outcome}`, 'already_done');
      if (row.diallingBy && row.diallingBy !== by && !mayOverride)
        throw new CallbackStateError(`callback ${id} is being dialled by ${row.diallingBy}`, 'not_yours');
      const next = afterOutcome(plan, row.tries, outcome, at);
      const updated = await tx
        .update(callbacks)
        .set({
          outcome,
          note,
          handledBy: by,
          handledAt: at,
          status: next.status,
          tries: next.tries,
          nextTryAt: next.nextTryAt,
          diallingBy: null,
        })
        .where(eq(callbacks.id, id))
        .returning();
      const open = (
        await tx
          .select({ id: callbackAttempts.id })
          .from(callbackAttempts)
          .where(and(eq(callbackAttempts.callbackId, id), isNull(callbackAttempts.outcome)))
          .orderBy(desc(callbackAttempts.id))
          .limit(1)
      )[0];
      if (open)
        await tx
          .update(callbackAttempts)
          .set({ outcome, note, recordedAt: at })
          .where(eq(callbackAttempts.id, open.id));
      else
        await tx.insert(callbackAttempts).values({
          callbackId: id,
          callId: row.lastCallId ?? row.callId,
          agentId: by,
          dialledAt: at,
          outcome,
          note,
          recordedAt: at,
        });
      return updated[0]!;
    });
  }

  /** As CallsRepo.takeCallback; the row lock makes two agents (on any instances) taking it at once one winner. */
  async takeCallback(id: number, agentId: string, callId: string, at: number, plan: RetryPlan): Promise<CallbackRow> {
    at = wholeMs(at);
    await this.queue.flushed();
    return this.db.transaction(async (tx) => {
      const row = (await tx.select().from(callbacks).where(eq(callbacks.id, id)).for('update'))[0];
      if (!row) throw new CallbackStateError(`callback ${id} does not exist`, 'not_found');
      const refused = checkDial(plan, row, at);
      if (refused)
        throw new CallbackStateError(refused.message, refused.code.replace('-', '_') as CallbackStateError['code']);
      const updated = await tx
        .update(callbacks)
        .set({ diallingBy: agentId, lastCallId: callId })
        .where(eq(callbacks.id, id))
        .returning();
      await tx.insert(callbackAttempts).values({ callbackId: id, callId, agentId, dialledAt: at });
      return updated[0]!;
    });
  }
}
