import type { RetryPlan } from '../domain/callbacks/retry-plan.ts';
import type { CallbackOutcome, CallPatch, CallsRepo, LegPatch, NewCall, NewLeg } from './calls-repo.ts';
import type { CallAlertRow, CallbackAttemptRow, CallbackRow, CallLegRow, CallRow } from './schema/calls.ts';

export type NewCallback = {
  callId: string;
  number: string;
  reason: string;
  createdAt: number;
  waitedMs: number | null;
};

export type NewAlert = { callId: string; kind: string; at: number; cause: string | null };

/**
 * Call detail records, legs, call↔work-order links, callbacks with their attempts, and call alerts, on either
 * store (issue 12). The call layer writes inside its event handling, so writes are synchronous: they are applied
 * (SQLite) or enqueued in order (PostgreSQL) before the call returns, and a later write never overtakes an
 * earlier one. Reads are asynchronous and see every write made before them on this instance. The callback list's
 * take / outcome check the row's state in one transaction and are asynchronous.
 */
export interface CallRecords {
  readonly kind: 'sqlite' | 'postgres';
  /** The writes made inside `fn` are committed together (SQLite: one transaction; PostgreSQL: one batch). */
  transaction(fn: () => void): void;
  insertCall(row: NewCall): void;
  updateCall(id: string, patch: CallPatch): void;
  insertLeg(row: NewLeg): void;
  updateLeg(channelId: string, patch: LegPatch): void;
  linkWorkOrder(callId: string, workOrderId: string, at: number): void;
  /** Written in order with the other writes; resolves with the stored row once committed. */
  addAlert(row: NewAlert): Promise<CallAlertRow>;
  /** Adds a call to the callback list once (a second request for the same call keeps the first entry). */
  addCallback(row: NewCallback): Promise<CallbackRow>;
  /** The callback goes back to the list (the call could not start); written in order, no try counted. */
  releaseCallback(id: number, callId: string): void;
  /** Resolves once every write made so far is committed. */
  flushed(): Promise<void>;

  getCall(id: string): Promise<CallRow | undefined>;
  activeCalls(): Promise<CallRow[]>;
  listCalls(opts?: { from?: number; to?: number; limit?: number; offset?: number }): Promise<CallRow[]>;
  legs(callId: string): Promise<CallLegRow[]>;
  openLegs(callId: string): Promise<CallLegRow[]>;
  workOrdersOf(callId: string): Promise<string[]>;
  getCallback(id: number): Promise<CallbackRow | undefined>;
  listCallbacks(opts?: { status?: 'pending' | 'done'; limit?: number }): Promise<CallbackRow[]>;
  callbackAttempts(id: number): Promise<CallbackAttemptRow[]>;
  alertsSince(from: number): Promise<CallAlertRow[]>;
  unansweredAgentLegsSince(from: number): Promise<CallLegRow[]>;
  callsSince(from: number): Promise<CallRow[]>;

  /** Throws CallbackStateError (not_found, already_done, not_yours). */
  recordCallbackOutcome(
    id: number,
    outcome: CallbackOutcome,
    by: string,
    at: number,
    note: string | null,
    plan?: RetryPlan,
    mayOverride?: boolean,
  ): Promise<CallbackRow>;
  /** Throws CallbackStateError (not_found, already_done, taken, quiet_hours, too_early). */
  takeCallback(id: number, agentId: string, callId: string, at: number, plan: RetryPlan): Promise<CallbackRow>;
  /**
   * A deposed call owner (several instances): writes not yet committed, and later ones, are not written. Its
   * call state is stale and the new owner writes the same rows from ARI's snapshot. SQLite: nothing to stop.
   */
  stopWriting(why: string): void;
  /** Commits what is pending (PostgreSQL); SQLite has nothing to do. */
  close(): Promise<void>;
}

/**
 * The SQLite call records: CallsRepo commits before returning, so writes pass straight through (no extra cost on
 * the hot path) and reads are its synchronous answers, resolved.
 */
export class SqliteCallRecords implements CallRecords {
  readonly kind = 'sqlite';
  constructor(readonly repo: CallsRepo) {}

  transaction(fn: () => void): void {
    this.repo.transaction(fn);
  }
  insertCall(row: NewCall): void {
    this.repo.insertCall(row);
  }
  updateCall(id: string, patch: CallPatch): void {
    this.repo.updateCall(id, patch);
  }
  insertLeg(row: NewLeg): void {
    this.repo.insertLeg(row);
  }
  updateLeg(channelId: string, patch: LegPatch): void {
    this.repo.updateLeg(channelId, patch);
  }
  linkWorkOrder(callId: string, workOrderId: string, at: number): void {
    this.repo.linkWorkOrder(callId, workOrderId, at);
  }
  addAlert(row: NewAlert): Promise<CallAlertRow> {
    return settle(() => this.repo.addAlert(row));
  }
  addCallback(row: NewCallback): Promise<CallbackRow> {
    return settle(() => this.repo.addCallback(row));
  }
  releaseCallback(id: number, callId: string): void {
    this.repo.releaseCallback(id, callId);
  }
  flushed(): Promise<void> {
    return Promise.resolve();
  }
  getCall(id: string): Promise<CallRow | undefined> {
    return settle(() => this.repo.getCall(id));
  }
  activeCalls(): Promise<CallRow[]> {
    return settle(() => this.repo.activeCalls());
  }
  listCalls(opts?: { from?: number; to?: number; limit?: number; offset?: number }): Promise<CallRow[]> {
    return settle(() => this.repo.listCalls(opts));
  }
  legs(callId: string): Promise<CallLegRow[]> {
    return settle(() => this.repo.legs(callId));
  }
  openLegs(callId: string): Promise<CallLegRow[]> {
    return settle(() => this.repo.openLegs(callId));
  }
  workOrdersOf(callId: string): Promise<string[]> {
    return settle(() => this.repo.workOrdersOf(callId));
  }
  getCallback(id: number): Promise<CallbackRow | undefined> {
    return settle(() => this.repo.getCallback(id));
  }
  listCallbacks(opts?: { status?: 'pending' | 'done'; limit?: number }): Promise<CallbackRow[]> {
    return settle(() => this.repo.listCallbacks(opts));
  }
  callbackAttempts(id: number): Promise<CallbackAttemptRow[]> {
    return settle(() => this.repo.callbackAttempts(id));
  }
  alertsSince(from: number): Promise<CallAlertRow[]> {
    return settle(() => this.repo.alertsSince(from));
  }
  unansweredAgentLegsSince(from: number): Promise<CallLegRow[]> {
    return settle(() => this.repo.unansweredAgentLegsSince(from));
  }
  callsSince(from: number): Promise<CallRow[]> {
    return settle(() => this.repo.callsSince(from));
  }
  recordCallbackOutcome(
    id: number,
    outcome: CallbackOutcome,
    by: string,
    at: number,
    note: string | null,
    plan?: RetryPlan,
    mayOverride?: boolean,
  ): Promise<CallbackRow> {
    return settle(() => this.repo.recordCallbackOutcome(id, outcome, by, at, note, plan, mayOverride));
  }
  takeCallback(id: number, agentId: string, callId: string, at: number, plan: RetryPlan): Promise<CallbackRow> {
    return settle(() => this.repo.takeCallback(id, agentId, callId, at, plan));
  }
  stopWriting(): void {}
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** A synchronous answer as a promise; a throw becomes a rejection (callers handle one path). */
function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err);
  }
}
