import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * Call detail records (issue 4, item 9): one row per call, one row per leg. Times are epoch
 * milliseconds from the injected Clock. `caller_number` is stored in full (agents with
 * `phone:see-full` and callbacks need it) and masked on every way out.
 */
export const calls = sqliteTable(
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
    arrivedAt: integer('arrived_at').notNull(),
    ivrExitAt: integer('ivr_exit_at'),
    queuedAt: integer('queued_at'),
    skill: text('skill'),
    priority: integer('priority').notNull().default(0),
    firstOfferedAt: integer('first_offered_at'),
    answeredAt: integer('answered_at'),
    endedAt: integer('ended_at'),
    /** answered | abandoned_ivr | abandoned_queue | abandoned_ringing | transferred_out | info_only | callback_requested | failed | closed_on_restart */
    outcome: text('outcome'),
    agentId: text('agent_id'),
    /** Answer time (art. 25): answered_at − ivr_exit_at. */
    answerMs: integer('answer_ms'),
    prewarnedAt: integer('prewarned_at'),
    breachAt: integer('breach_at'),
    breachCause: text('breach_cause'),
    /** JSON array of { node, digit?, at } steps through the voice menu. */
    ivrPath: text('ivr_path').notNull().default('[]'),
    bridgeId: text('bridge_id'),
    recordingName: text('recording_name'),
    /** How many agents did not answer in time (RONA) before this call was answered or ended. */
    ronaCount: integer('rona_count').notNull().default(0),
    offers: integer('offers').notNull().default(0),
    ivrInvalidInputs: integer('ivr_invalid_inputs').notNull().default(0),
    ivrTimeouts: integer('ivr_timeouts').notNull().default(0),
    repeatCaller: integer('repeat_caller', { mode: 'boolean' }).notNull().default(false),
    escalatedAt: integer('escalated_at'),
    transferNumber: text('transfer_number'),
    /** Answered by the dialplan fallback while this server was down; the CDR was made afterwards from the recording (issue 11 item 2). */
    fallback: integer('fallback', { mode: 'boolean' }).notNull().default(false),
    /** The wrap-up code (事后处理, config/ivr.json acd.wrapUpCodes) the agent chose after the call (issue 9). */
    wrapUpCode: text('wrap_up_code'),
  },
  (t) => [
    index('calls_status_idx').on(t.status),
    // Auditor console search (issue 11 item 5): by an agent, and by a number's last 4 digits (the
    // digits a masked number shows anyway), newest first.
    index('calls_agent_arrived_idx').on(t.agentId, t.arrivedAt),
    index('calls_caller_last4_idx').on(sql`substr(${t.callerNumber}, -4)`, t.arrivedAt),
    // Fallback calls are rare: a partial index finds them without walking every call.
    index('calls_fallback_idx').on(t.arrivedAt).where(sql`${t.fallback} = 1`),
    index('calls_arrived_idx').on(t.arrivedAt),
    index('calls_queued_idx').on(t.queuedAt),
    index('calls_caller_number_idx').on(t.callerNumber),
    uniqueIndex('calls_caller_channel_unique').on(t.callerChannelId),
  ],
);

export const callLegs = sqliteTable(
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
    createdAt: integer('created_at').notNull(),
    answeredAt: integer('answered_at'),
    endedAt: integer('ended_at'),
    /** answered | no_answer (RONA) | busy | cancelled | hungup | failed */
    outcome: text('outcome'),
  },
  (t) => [index('call_legs_call_idx').on(t.callId)],
);

/** Work orders created while a call was live (linked from the agent desktop). */
export const callWorkOrders = sqliteTable(
  'call_work_orders',
  {
    callId: text('call_id')
      .notNull()
      .references(() => calls.id),
    workOrderId: text('work_order_id').notNull(),
    linkedAt: integer('linked_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.callId, t.workOrderId] }), index('call_work_orders_order_idx').on(t.workOrderId)],
);

/** Missed calls and callback requests (national guidance: missed calls are called back). */
export const callbacks = sqliteTable(
  'callbacks',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    callId: text('call_id')
      .notNull()
      .references(() => calls.id),
    number: text('number').notNull(),
    /** abandoned_queue | abandoned_ringing | requested */
    reason: text('reason').notNull(),
    createdAt: integer('created_at').notNull(),
    waitedMs: integer('waited_ms'),
    status: text('status', { enum: ['pending', 'done'] }).notNull(),
    /** reached | no_answer | busy | wrong_number | resolved_elsewhere */
    outcome: text('outcome'),
    note: text('note'),
    handledBy: text('handled_by'),
    handledAt: integer('handled_at'),
    /** Calls made to the citizen that got an outcome (issue 10 item 3). */
    tries: integer('tries').notNull().default(0),
    /** The retry plan's next allowed try (no answer, busy); null = now. */
    nextTryAt: integer('next_try_at'),
    /** The agent dialling it now (taken from the list), until they record the outcome. */
    diallingBy: text('dialling_by'),
    /** The callback call being dialled or last dialled. */
    lastCallId: text('last_call_id'),
  },
  (t) => [uniqueIndex('callbacks_call_unique').on(t.callId), index('callbacks_status_idx').on(t.status, t.createdAt)],
);

/** Each try of a callback: the call made, who made it, and the outcome they chose after it (the list's history). */
export const callbackAttempts = sqliteTable(
  'callback_attempts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    callbackId: integer('callback_id')
      .notNull()
      .references(() => callbacks.id),
    callId: text('call_id').notNull(),
    agentId: text('agent_id').notNull(),
    dialledAt: integer('dialled_at').notNull(),
    /** reached | no_answer | busy | wrong_number | resolved_elsewhere; null until chosen. */
    outcome: text('outcome'),
    note: text('note'),
    recordedAt: integer('recorded_at'),
  },
  (t) => [index('callback_attempts_callback_idx').on(t.callbackId, t.dialledAt)],
);

/**
 * Call recordings (art. 28: kept at least 3 years). The row is written as `pending` when recording
 * starts, before any audio exists, so a restart never forgets a recording Asterisk still holds.
 */
export const recordings = sqliteTable(
  'recordings',
  {
    name: text('name').primaryKey(),
    callId: text('call_id')
      .notNull()
      .references(() => calls.id),
    status: text('status', { enum: ['recording', 'pending', 'archived', 'failed', 'lost'] }).notNull(),
    startedAt: integer('started_at').notNull(),
    stoppedAt: integer('stopped_at'),
    /** Talk time the recording must match (ms), known once the call ends. */
    talkMs: integer('talk_ms'),
    path: text('path'),
    sha256: text('sha256'),
    bytes: integer('bytes'),
    durationMs: integer('duration_ms'),
    /** ok | mismatch — how the WAV's duration compares with talk time. */
    durationCheck: text('duration_check'),
    archivedAt: integer('archived_at'),
    retainUntil: integer('retain_until'),
    deletedFromPbxAt: integer('deleted_from_pbx_at'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** wav (lossless, as Asterisk wrote it) | ogg-opus (compact archive); `sha256`/`bytes` describe this file. */
    format: text('format', { enum: ['wav', 'ogg-opus'] }),
    /** SHA-256 and size of the WAV as fetched from Asterisk (equal to sha256/bytes when format is wav). */
    originalSha256: text('original_sha256'),
    originalBytes: integer('original_bytes'),
    /** Legal hold (a complaint under investigation): while set, the purge keeps the recording past retain_until. */
    heldAt: integer('held_at'),
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
 * lives here, not on them. Rows are written by triggers and by the purge (migration 0011), never updated.
 */
export const recordingIndex = sqliteTable(
  'recording_index',
  {
    seq: integer('seq').primaryKey(),
    /** archived | purged */
    event: text('event').notNull(),
    name: text('name').notNull(),
    callId: text('call_id'),
    startedAt: integer('started_at'),
    path: text('path'),
    sha256: text('sha256'),
    bytes: integer('bytes'),
    format: text('format'),
    originalSha256: text('original_sha256'),
    durationMs: integer('duration_ms'),
    archivedAt: integer('archived_at'),
    retainUntil: integer('retain_until'),
    /** When the event happened (archived_at, or the purge's clock time). */
    at: integer('at').notNull(),
    prevHash: text('prev_hash'),
    rowHash: text('row_hash').notNull(),
  },
  (t) => [index('recording_index_name_idx').on(t.name, t.event)],
);

/** Supervisor alerts as they happened (pre-warning, breach). */
export const callAlerts = sqliteTable(
  'call_alerts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    callId: text('call_id')
      .notNull()
      .references(() => calls.id),
    kind: text('kind').notNull(),
    at: integer('at').notNull(),
    cause: text('cause'),
  },
  (t) => [index('call_alerts_at_idx').on(t.at)],
);

export type CallRow = typeof calls.$inferSelect;
export type CallLegRow = typeof callLegs.$inferSelect;
export type CallbackRow = typeof callbacks.$inferSelect;
export type CallbackAttemptRow = typeof callbackAttempts.$inferSelect;
export type RecordingRow = typeof recordings.$inferSelect;
export type RecordingIndexRow = typeof recordingIndex.$inferSelect;
export type CallAlertRow = typeof callAlerts.$inferSelect;
