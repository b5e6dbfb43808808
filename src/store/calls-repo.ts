import { and, asc, desc, eq, getTableColumns, gte, inArray, isNotNull, isNull, lt, notInArray } from 'drizzle-orm';
import type Database from 'better-sqlite3';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { afterOutcome, checkDial, DEFAULT_RETRY_PLAN, type RetryPlan } from '../domain/callbacks/retry-plan.ts';
import type { CallbackOutcome } from '../domain/callbacks/retry-plan.ts';
import {
  callAlerts,
  callbackAttempts,
  callbacks,
  callLegs,
  calls,
  callWorkOrders,
  type CallAlertRow,
  type CallbackAttemptRow,
  type CallbackRow,
  type CallLegRow,
  type CallRow,
} from './schema/calls.ts';

export type NewCall = typeof calls.$inferInsert;
export type CallPatch = Partial<Omit<NewCall, 'id'>>;
export type NewLeg = typeof callLegs.$inferInsert;
export type LegPatch = Partial<Omit<NewLeg, 'channelId' | 'callId'>>;

export { CALLBACK_OUTCOMES, type CallbackOutcome } from '../domain/callbacks/retry-plan.ts';

export class CallbackStateError extends Error {
  constructor(
    message: string,
    readonly code: 'not_found' | 'already_done' | 'taken' | 'quiet_hours' | 'too_early' | 'not_yours',
  ) {
    super(message);
  }
}

/** Call detail records, legs, callbacks and alerts. Synchronous: better-sqlite3 commits before returning. */
export class CallsRepo {
  private readonly raw: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(private readonly db: BetterSQLite3Database) {
    // The hot writes (every call decision) use cached prepared statements: building each query
    // through the ORM cost more CPU than the rest of a call's handling.
    this.raw = (db as unknown as { $client: Database.Database }).$client;
  }

  private write(
    kind: 'insert' | 'insert-or-ignore' | 'update',
    table: typeof calls | typeof callLegs,
    keyCol: string,
    row: Record<string, unknown>,
    key?: string,
  ): void {
    const cols = getTableColumns(table) as Record<string, { name: string }>;
    const names = Object.keys(row).filter((k) => row[k] !== undefined && cols[k] !== undefined);
    const tableName = table === calls ? 'calls' : 'call_legs';
    const sig = `${kind}|${tableName}|${names.join(',')}`;
    let st = this.statements.get(sig);
    if (!st) {
      const quoted = names.map((k) => `"${cols[k]!.name}"`);
      const sql =
        kind === 'update'
          ? `update "${tableName}" set ${quoted.map((q) => `${q} = ?`).join(', ')} where "${keyCol}" = ?`
          : `insert ${kind === 'insert-or-ignore' ? 'or ignore ' : ''}into "${tableName}" (${quoted.join(', ')}) values (${quoted.map(() => '?').join(', ')})`;
      st = this.raw.prepare(sql);
      this.statements.set(sig, st);
    }
    const values = names.map((k) => {
      const v = row[k];
      return typeof v === 'boolean' ? (v ? 1 : 0) : v;
    });
    if (kind === 'update') st.run(...values, key);
    else st.run(...values);
  }

  /** Runs `fn` in one transaction (one commit, one fsync). */
  transaction(fn: () => void): void {
    this.db.transaction(() => fn());
  }

  insertCall(row: NewCall): void {
    this.write('insert', calls, 'id', row as Record<string, unknown>);
  }

  updateCall(id: string, patch: CallPatch): void {
    if (Object.values(patch).every((v) => v === undefined)) return;
    this.write('update', calls, 'id', patch as Record<string, unknown>, id);
  }

  getCall(id: string): CallRow | undefined {
    return this.db.select().from(calls).where(eq(calls.id, id)).get();
  }

  activeCalls(): CallRow[] {
    return this.db.select().from(calls).where(eq(calls.status, 'active')).orderBy(asc(calls.arrivedAt)).all();
  }

  listCalls(opts: { from?: number; to?: number; limit?: number; offset?: number } = {}): CallRow[] {
    const conds = [];
    if (opts.from !== undefined) conds.push(gte(calls.arrivedAt, opts.from));
    if (opts.to !== undefined) conds.push(lt(calls.arrivedAt, opts.to));
    return this.db
      .select()
      .from(calls)
      .where(conds.length ? and(...conds) : undefined)
      .orderBy(desc(calls.arrivedAt))
      .limit(Math.min(opts.limit ?? 100, 1000))
      .offset(opts.offset ?? 0)
      .all();
  }

  insertLeg(row: NewLeg): void {
    this.write('insert-or-ignore', callLegs, 'channel_id', row as Record<string, unknown>);
  }

  updateLeg(channelId: string, patch: LegPatch): void {
    if (Object.values(patch).every((v) => v === undefined)) return;
    this.write('update', callLegs, 'channel_id', patch as Record<string, unknown>, channelId);
  }

  legs(callId: string): CallLegRow[] {
    return this.db.select().from(callLegs).where(eq(callLegs.callId, callId)).orderBy(asc(callLegs.createdAt)).all();
  }

  openLegs(callId: string): CallLegRow[] {
    return this.db
      .select()
      .from(callLegs)
      .where(and(eq(callLegs.callId, callId), isNull(callLegs.endedAt)))
      .all();
  }

  linkWorkOrder(callId: string, workOrderId: string, at: number): void {
    this.db.insert(callWorkOrders).values({ callId, workOrderId, linkedAt: at }).onConflictDoNothing().run();
  }

  workOrdersOf(callId: string): string[] {
    return this.db
      .select({ id: callWorkOrders.workOrderId })
      .from(callWorkOrders)
      .where(eq(callWorkOrders.callId, callId))
      .orderBy(asc(callWorkOrders.linkedAt))
      .all()
      .map((r) => r.id);
  }

  /** Adds a call to the callback list once; a second request for the same call keeps the first entry. */
  addCallback(row: {
    callId: string;
    number: string;
    reason: string;
    createdAt: number;
    waitedMs: number | null;
  }): CallbackRow {
    this.db
      .insert(callbacks)
      .values({ ...row, status: 'pending' })
      .onConflictDoNothing()
      .run();
    return this.db.select().from(callbacks).where(eq(callbacks.callId, row.callId)).get()!;
  }

  getCallback(id: number): CallbackRow | undefined {
    return this.db.select().from(callbacks).where(eq(callbacks.id, id)).get();
  }

  listCallbacks(opts: { status?: 'pending' | 'done'; limit?: number } = {}): CallbackRow[] {
    return this.db
      .select()
      .from(callbacks)
      .where(opts.status ? eq(callbacks.status, opts.status) : undefined)
      .orderBy(asc(callbacks.createdAt))
      .limit(Math.min(opts.limit ?? 200, 1000))
      .all();
  }

  /**
   * Records a callback's outcome, chosen by a person after the call (never defaulted), and applies the retry
   * plan: `no_answer` and `busy` keep it pending for the next try until the plan's tries are used up. A
   * callback being dialled takes its outcome only from the agent dialling it (or a supervisor).
   */
  recordCallbackOutcome(
    id: number,
    outcome: CallbackOutcome,
    by: string,
    at: number,
    note: string | null,
    plan: RetryPlan = DEFAULT_RETRY_PLAN,
    mayOverride = true,
  ): CallbackRow {
    return this.raw.transaction(() => {
      const row = this.getCallback(id);
      if (!row) throw new CallbackStateError(`callback ${id} does not exist`, 'not_found');
      if (row.status === 'done')
        throw new CallbackStateError(`callback ${id} already has the final outcome ${row.outcome}`, 'already_done');
      if (row.diallingBy && row.diallingBy !== by && !mayOverride)
        throw new CallbackStateError(`callback ${id} is being dialled by ${row.diallingBy}`, 'not_yours');
      const next = afterOutcome(plan, row.tries, outcome, at);
      this.db
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
        .run();
      const open = this.db
        .select()
        .from(callbackAttempts)
        .where(and(eq(callbackAttempts.callbackId, id), isNull(callbackAttempts.outcome)))
        .orderBy(desc(callbackAttempts.id))
        .get();
      if (open)
        this.db
          .update(callbackAttempts)
          .set({ outcome, note, recordedAt: at })
          .where(eq(callbackAttempts.id, open.id))
          .run();
      else
        this.db
          .insert(callbackAttempts)
          .values({
            callbackId: id,
            callId: row.lastCallId ?? row.callId,
            agentId: by,
            dialledAt: at,
            outcome,
            note,
            recordedAt: at,
          })
          .run();
      return this.getCallback(id)!;
    })();
  }

  /** Takes a pending callback for dialling (one agent at a time), within the plan's hours and spacing. */
  takeCallback(id: number, agentId: string, callId: string, at: number, plan: RetryPlan): CallbackRow {
    return this.raw.transaction(() => {
      const row = this.getCallback(id);
      if (!row) throw new CallbackStateError(`callback ${id} does not exist`, 'not_found');
      const refused = checkDial(plan, row, at);
      if (refused)
        throw new CallbackStateError(refused.message, refused.code.replace('-', '_') as CallbackStateError['code']);
      this.db.update(callbacks).set({ diallingBy: agentId, lastCallId: callId }).where(eq(callbacks.id, id)).run();
      this.db.insert(callbackAttempts).values({ callbackId: id, callId, agentId, dialledAt: at }).run();
      return this.getCallback(id)!;
    })();
  }

  /** The call could not even start (the agent was not free): the callback goes back to the list, no try counted. */
  releaseCallback(id: number, callId: string): void {
    this.raw.transaction(() => {
      this.db
        .update(callbacks)
        .set({ diallingBy: null })
        .where(and(eq(callbacks.id, id), eq(callbacks.lastCallId, callId)))
        .run();
      this.db
        .delete(callbackAttempts)
        .where(
          and(
            eq(callbackAttempts.callbackId, id),
            eq(callbackAttempts.callId, callId),
            isNull(callbackAttempts.outcome),
          ),
        )
        .run();
    })();
  }

  /** The tries of a callback, oldest first (its history on the list and in the pop). */
  callbackAttempts(id: number): CallbackAttemptRow[] {
    return this.db
      .select()
      .from(callbackAttempts)
      .where(eq(callbackAttempts.callbackId, id))
      .orderBy(asc(callbackAttempts.id))
      .all();
  }

  addAlert(row: { callId: string; kind: string; at: number; cause: string | null }): CallAlertRow {
    return this.db.insert(callAlerts).values(row).returning().get();
  }

  alertsSince(from: number): CallAlertRow[] {
    return this.db.select().from(callAlerts).where(gte(callAlerts.at, from)).orderBy(asc(callAlerts.at)).all();
  }

  /** Every call that arrived since `from` (the live figures' window at start-up). */
  /** Agent legs created since `from` that ended unanswered (ring-no-answer, unreachable): failed offers. */
  unansweredAgentLegsSince(from: number): CallLegRow[] {
    return this.db
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
      )
      .all();
  }

  callsSince(from: number): CallRow[] {
    return this.db.select().from(calls).where(gte(calls.arrivedAt, from)).all();
  }

  /** Earlier calls from a number (newest first), for repeat-caller detection. */
  callsFromNumber(number: string, limit = 20): CallRow[] {
    return this.db
      .select()
      .from(calls)
      .where(eq(calls.callerNumber, number))
      .orderBy(desc(calls.arrivedAt))
      .limit(limit)
      .all();
  }

  callsByIds(ids: string[]): CallRow[] {
    if (ids.length === 0) return [];
    return this.db.select().from(calls).where(inArray(calls.id, ids)).all();
  }
}
