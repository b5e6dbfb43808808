// PostgreSQL twin of ../schema/calls.ts: the same tables and column names, checked by src/store/schema-parity.ts.
// Epoch-millisecond times are bigint (number mode), flags are boolean; comments on the columns live in the SQLite file.
import { sql } from 'drizzle-orm';
import { bigint, boolean, index, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * Call detail records (issue 4, item 9): one row per call, one row per leg. Times are epoch
 * milliseconds from the injected Clock. `caller_number` is stored in full (agents with
 * `phone:see-full` and callbacks need it) and masked on every way out.
 */
export const calls = pgTable(
  'calls',
  {
    id: text('id').primaryKey(),
    callerChannelId: text('caller_channel_id').notNull(),
    callerNumber: text('caller_number').notNull(),
    dialedNumber: text('dialed_number'),
    /** active while this server controls the call; ended once every leg is gone. */
    status: text('status', { enum: ['active', 'ended'] }).notNull(),
    /** Where the call is now: ivr | queued | offered | talking | ended. Used to adopt it after a restart. */
    phase: text('phase').notNull(),
    arrivedAt: bigint('arrived_at', { mode: 'number' }).notNull(),
    ivrExitAt: bigint('ivr_exit_at', { mode: 'number' }),
    queuedAt: bigint('queued_at', { mode: 'number' }),
    skill: text('skill'),
    priority: bigint('priority', { mode: 'number' }).notNull().default(0),
    firstOfferedAt: bigint('first_offered_at', { mode: 'number' }),
    answeredAt: bigint('answered_at', { mode: 'number' }),
    endedAt: bigint('ended_at', { mode: 'number' }),
    /** answered | abandoned_ivr | abandoned_queue | abandoned_ringing | transferred_out | info_only | callback_requested | failed | closed_on_restart */
    outcome: text('outcome'),
    agentId: text('agent_id'),
    /** Answer time (art. 25): answered_at − ivr_exit_at. */
    answerMs: bigint('answer_ms', { mode: 'number' }),
    prewarnedAt: bigint('prewarned_at', { mode: 'number' }),
    breachAt: bigint('breach_at', { mode: 'number' }),
    breachCause: text('breach_cause'),
    /** JSON array of { node, digit?, at } steps through the voice menu. */
    ivrPath: text('ivr_path').notNull().default('[]'),
    bridgeId: text('bridge_id'),
    recordingName: text('recording_name'),
    /** How many agents did not answer in time (RONA) before this call was answered or ended. */
    ronaCount: bigint('rona_count', { mode: 'number' }).notNull().default(0),
    offers: bigint('offers', { mode: 'number' }).notNull().default(0),
    ivrInvalidInputs: bigint('ivr_invalid_inputs', { mode: 'number' }).notNull().default(0),
    ivrTimeouts: bigint('ivr_timeouts', { mode: 'number' }).notNull().default(0),
    repeatCaller: boolean('repeat_caller').notNull().default(false),
    escalatedAt: bigint('escalated_at', { mode: 'number' }),
    transferNumber: text('transfer_number'),
    /** Answered by the dialplan fallback while this server was down; the CDR was made afterwards from the recording (issue 11 item 2). */
    fallback: boolean('fallback').notNull().default(false),
    wrapUpCode: text('wrap_up_code'),
  },
  (t) => [
    index('calls_status_idx').on(t.status),
    // Auditor console search (issue 11 item 5): by an agent, and by a number's last 4 digits (the
    // digits a masked number shows anyway), newest first.
    index('calls_agent_arrived_idx').on(t.agentId, t.arrivedAt),
    index('calls_caller_last4_idx').on(sql`right(${t.callerNumber}, 4)`, t.arrivedAt),
    // Fallback calls are rare: a partial index finds them without walking every call.
    index('calls_fallback_idx').on(t.arrivedAt).where(sql`${t.fallback}`),
    index('calls_arrived_idx').on(t.arrivedAt),
    index('calls_queued_idx').on(t.queuedAt),
    index('calls_caller_number_idx').on(t.callerNumber),
    uniqueIndex('calls_caller_channel_unique').on(t.callerChannelId),
  ],
);

export const callLegs = pgTable(
  'call_legs',
  {
    channelId: text('channel_id').primaryKey(),
    callId: text('call_id')
      .notNull()
      .references(() => calls.id),
    /** caller | agent | third_party | transfer */
    kind: text('kind').notNull(),
    agentId: text('agent_id'),
    endpoint: text('endpoint'),
    number: text('number'),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    answeredAt: bigint('answered_at', { mode: 'number' }),
    endedAt: bigint('ended_at', { mode: 'number' }),
    /** answered | no_answer (RONA) | busy | cancelled | hungup | failed */
    outcome: text('outcome'),
  },
  (t) => [index('call_legs_call_idx').on(t.callId)],
);

/** Work orders created while a call was live (linked from the agent desktop). */
export const callWorkOrders = pgTable(
  'call_work_orders',
  {
    callId: text('call_id')
      .notNull()
      .references(() => calls.id),
    workOrderId: text('work_order_id').notNull(),
    linkedAt: bigint('linked_at', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.callId, t.workOrderId] }), index('call_work_orders_order_idx').on(t.workOrderId)],
);

/** Missed calls and callback requests (national guidance: missed calls are called back). */
export const callbacks = pgTable(
  'callbacks',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    callId: text('call_id')
      .notNull()
      .references(() => calls.id),
    number: text('number').notNull(),
    /** abandoned_queue | abandoned_ringing | requested */
    reason: text('reason').notNull(),
    createdAt: bigint('created_at', { mode: 'number' }).notNull(),
    waitedMs: bigint('waited_ms', { mode: 'number' }),
    status: text('status', { enum: ['pending', 'done'] }).notNull(),
    /** reached | no_answer | busy | wrong_number | resolved_elsewhere */
    outcome: text('outcome'),
    note: text('note'),
    handledBy: text('handled_by'),
    handledAt: bigint('handled_at', { mode: 'number' }),
    tries: bigint('tries', { mode: 'number' }).notNull().default(0),
    nextTryAt: bigint('next_try_at', { mode: 'number' }),
    diallingBy: text('dialling_by'),
    lastCallId: text('last_call_id'),
  },
  (t) => [uniqueIndex('callbacks_call_unique').on(t.callId), index('callbacks_status_idx').on(t.status, t.createdAt)],
);

export const callbackAttempts = pgTable(
  'callback_attempts',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    callbackId: bigint('callback_id', { mode: 'number' })
      .notNull()
      .references(() => callbacks.id),
    callId: text('call_id').notNull(),
    agentId: text('agent_id').notNull(),
    dialledAt: bigint('dialled_at', { mode: 'number' }).notNull(),
    outcome: text('outcome'),
    note: text('note'),
    recordedAt: bigint('recorded_at', { mode: 'number' }),
  },
  (t) => [index('callback_attempts_callback_idx').on(t.callbackId, t.dialledAt)],
);

/**
 * Call recordings (art. 28: kept at least 3 years). The row is written as `pending` when recording
 * starts, before any audio exists, so a restart never forgets a recording Asterisk still holds.
 */
export const recordings = pgTable(
  'recordings',
  {
    name: text('name').primaryKey(),
    callId: text('call_id')
      .notNull()
      .references(() => calls.id),
    status: text('status', { enum: ['recording', 'pending', 'archived', 'failed', 'lost'] }).notNull(),
    startedAt: bigint('started_at', { mode: 'number' }).notNull(),
    stoppedAt: bigint('stopped_at', { mode: 'number' }),
    /** Talk time the recording must match (ms), known once the call ends. */
    talkMs: bigint('talk_ms', { mode: 'number' }),
    path: text('path'),
    sha256: text('sha256'),
    bytes: bigint('bytes', { mode: 'number' }),
    durationMs: bigint('duration_ms', { mode: 'number' }),
    /** ok | mismatch — how the WAV's duration compares with talk time. */
    durationCheck: text('duration_check'),
    archivedAt: bigint('archived_at', { mode: 'number' }),
    retainUntil: bigint('retain_until', { mode: 'number' }),
    deletedFromPbxAt: bigint('deleted_from_pbx_at', { mode: 'number' }),
    attempts: bigint('attempts', { mode: 'number' }).notNull().default(0),
    lastError: text('last_error'),
    /** wav (lossless, as Asterisk wrote it) | ogg-opus (compact archive); `sha256`/`bytes` describe this file. */
    format: text('format', { enum: ['wav', 'ogg-opus'] }),
    /** SHA-256 and size of the WAV as fetched from Asterisk (equal to sha256/bytes when format is wav). */
    originalSha256: text('original_sha256'),
    originalBytes: bigint('original_bytes', { mode: 'number' }),
    /** Legal hold (a complaint under investigation): while set, the purge keeps the recording past retain_until. */
    heldAt: bigint('held_at', { mode: 'number' }),
    heldBy: text('held_by'),
    holdReason: text('hold_reason'),
    holdCaseRef: text('hold_case_ref'),
  },
  (t) => [
    index('recordings_status_idx').on(t.status),
    index('recordings_call_idx').on(t.callId),
    index('recordings_retain_until_idx').on(t.retainUntil),
  ],
);

/**
 * The tamper-evident recording index (issue 11 item 4): one append-only row per archived recording and
 * one per purged recording, each carrying the hash of its content and of the previous row. Recording
 * rows change during their life (pending → archived, holds) and are deleted by the purge, so the chain
 * lives here, not on them. Rows are written by triggers and by the purge (drizzle-pg custom migration), never updated.
 */
export const recordingIndex = pgTable(
  'recording_index',
  {
    seq: bigint('seq', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    /** archived | purged */
    event: text('event').notNull(),
    name: text('name').notNull(),
    callId: text('call_id'),
    startedAt: bigint('started_at', { mode: 'number' }),
    path: text('path'),
    sha256: text('sha256'),
    bytes: bigint('bytes', { mode: 'number' }),
    format: text('format'),
    originalSha256: text('original_sha256'),
    durationMs: bigint('duration_ms', { mode: 'number' }),
    archivedAt: bigint('archived_at', { mode: 'number' }),
    retainUntil: bigint('retain_until', { mode: 'number' }),
    /** When the event happened (archived_at, or the purge's clock time). */
    at: bigint('at', { mode: 'number' }).notNull(),
    prevHash: text('prev_hash'),
    rowHash: text('row_hash').notNull(),
  },
  (t) => [index('recording_index_name_idx').on(t.name, t.event)],
);

/** Supervisor alerts as they happened (pre-warning, breach). */
export const callAlerts = pgTable(
  'call_alerts',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    callId: text('call_id')
      .notNull()
      .references(() => calls.id),
    kind: text('kind').notNull(),
    at: bigint('at', { mode: 'number' }).notNull(),
    cause: text('cause'),
  },
  (t) => [index('call_alerts_at_idx').on(t.at)],
);

export type CallRow = typeof calls.$inferSelect;
export type CallLegRow = typeof callLegs.$inferSelect;
export type CallbackRow = typeof callbacks.$inferSelect;
export type RecordingRow = typeof recordings.$inferSelect;
export type RecordingIndexRow = typeof recordingIndex.$inferSelect;
export type CallAlertRow = typeof callAlerts.$inferSelect;
