import type Database from 'better-sqlite3';
import type { AuditEntry as OrderAuditEntry, WorkOrder, WorkOrderStatus } from '../domain/work-orders/types.ts';
import { auditValues, toAuditRecord, type AuditEntry, type AuditRecord } from './audit-repo.ts';
import { decodeState, encodeState } from './state-codec.ts';

/** What the deadline scan looks at: which deadline the order waits on. */
export type DeadlineKind = 'dispatch' | 'sign' | 'completion' | 'satisfaction';

/** A summary row: the queried columns without the full state. */
export interface WorkOrderSummary {
  id: number;
  channel: string;
  type: string;
  status: WorkOrderStatus;
  category: string;
  emergency: boolean;
  confidential: boolean;
  requesterPhone: string | null;
  leadUnitId: string | null;
  nextDeadlineAt: number | null;
  nextDeadlineKind: DeadlineKind | null;
  supervisionLevel: number;
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
}

export interface NewTask {
  orderId: number;
  kind: string;
  unitId?: string | null;
  note?: string | null;
}

export interface TaskRecord extends Required<NewTask> {
  id: number;
  status: 'open' | 'done';
  createdAt: number;
  doneAt: number | null;
  doneBy: string | null;
}

export interface NewNotice {
  orderId: number;
  unitId: string | null;
  level: string;
  deadlineKind: string;
  deadlineAt: number;
}

export interface NoticeRecord extends NewNotice {
  id: number;
  createdAt: number;
  reason: string | null;
  reasonAt: number | null;
  reasonBy: string | null;
}

export interface NewAttachment {
  orderId: number;
  fileName: string;
  mimeType: string;
  size: number;
  sha256: string;
  storagePath: string;
  uploadedBy: string;
}

export interface AttachmentRecord extends NewAttachment {
  id: number;
  createdAt: number;
}

/** Columns the service derives from the state; kept beside the JSON for queries. */
export interface OrderIndexFields {
  nextDeadlineAt: number | null;
  /** When the supervision scanner should next look at the order; null = nothing left to watch. */
  nextCheckAt: number | null;
  nextDeadlineKind: DeadlineKind | null;
  supervisionLevel: number;
  fastResponse: boolean;
  createdBy: string;
}

/**
 * One transition written atomically: the new state (guarded by the version it was decided on), its audit
 * rows and the rows its effects create. `expectedVersion` null means a new order.
 */
export interface OrderChange {
  order: WorkOrder;
  index: OrderIndexFields;
  expectedVersion: number | null;
  audit: OrderAuditEntry[];
  /** The signed-in user's role (or 'system'), written to each audit row. */
  actorRole: string;
  extraAudit?: AuditEntry[];
  tasks?: NewTask[];
  notices?: NewNotice[];
  at: number;
}

export interface OrderListFilter {
  /** Only orders where this unit is lead or assisting in the current assignment. */
  unitId?: string;
  status?: WorkOrderStatus;
  includeConfidential: boolean;
  /** Keyset pagination: ids below this one. */
  beforeId?: number;
  limit: number;
}

export interface StoredOrder {
  order: WorkOrder;
  nextCheckAt?: number | null;
  supervisionLevel: number;
  nextDeadlineAt: number | null;
  nextDeadlineKind: DeadlineKind | null;
}

export interface SupervisionRecord {
  orderId: number;
  /** Written only if the order is still at this version (a transition meanwhile makes the scan's view stale). */
  version: number;
  supervisionLevel: number;
  nextCheckAt: number | null;
  notices: NewNotice[];
  tasks: NewTask[];
  audit: AuditEntry[];
  at: number;
}

export interface NewAppeal {
  unitId: string;
  cycle: string;
  orderId: number | null;
  reason: string;
  filedBy: string;
  filedAt: number;
}

export interface AppealRecord extends NewAppeal {
  id: number;
  status: 'open' | 'accepted' | 'rejected';
  decision: string | null;
  decidedBy: string | null;
  decidedAt: number | null;
}

export interface CategoryRecord {
  code: string;
  name: string;
  parentCode: string | null;
  fastResponse: boolean;
}

export interface AssessmentOrderRow {
  id: number;
  state: WorkOrder;
}

/**
 * The work-order store. Every write of a transition is one `commit`, one transaction; the interface is
 * async and uses no SQLite-specific feature, so a PostgreSQL implementation can follow.
 */
export interface WorkOrderRepo {
  /** An id for a new order. Unique within this process; `commit` of a new order fails with 'conflict' if taken. */
  nextId(): Promise<number>;
  get(id: number): Promise<WorkOrder | null>;
  /** The state with the supervision level reached on its pending deadline. */
  load(id: number): Promise<StoredOrder | null>;
  /** Writes one or more orders' transitions in one transaction; 'conflict' (nothing written) if any version moved. */
  commit(change: OrderChange | readonly OrderChange[]): Promise<'ok' | 'conflict'>;
  categories(): Promise<CategoryRecord[]>;
  list(filter: OrderListFilter): Promise<WorkOrderSummary[]>;
  /** A requester's orders, newest first. */
  findByPhone(phone: string, limit: number): Promise<WorkOrderSummary[]>;
  /** Full states of a requester's orders (for repeat and merge detection), newest first. */
  statesByPhone(phone: string, limit: number): Promise<WorkOrder[]>;
  /** Orders whose pending deadline is before `before`, soonest first (the overdue list when `before` is now). */
  dueBefore(before: number, limit: number): Promise<WorkOrderSummary[]>;
  /** Orders the supervision scanner should look at now, with their state. */
  dueForCheck(now: number, limit: number): Promise<StoredOrder[]>;
  /** The scanner's result for one order, in one transaction: notices, tasks, audit rows, new level and next check. */
  recordSupervision(r: SupervisionRecord): Promise<void>;
  /** Dispatched orders alive during [from, to): taken before `to` and not closed before `from`. */
  forAssessment(from: number, to: number): Promise<AssessmentOrderRow[]>;
  addAppeal(a: NewAppeal): Promise<AppealRecord>;
  appeal(id: number): Promise<AppealRecord | null>;
  decideAppeal(
    id: number,
    d: { status: 'accepted' | 'rejected'; decision: string; decidedBy: string; decidedAt: number },
    audit: AuditEntry,
  ): Promise<AppealRecord | null>;
  appeals(filter: { unitId?: string; cycle?: string }): Promise<AppealRecord[]>;
  unitsOf(orderId: number): Promise<{ unitId: string; role: 'lead' | 'assist' | 'forwarded' }[]>;
  /**
   * Orders taken in [from, to), counted per category code, per area code, or per location text of the orders
   * without an area code (taken before the area existed) (art. 17).
   */
  intakeCounts(
    from: number,
    to: number,
    by: 'category' | 'area' | 'location',
  ): Promise<{ key: string | null; count: number }[]>;
  auditOf(orderId: number): Promise<AuditRecord[]>;
  /** `includeConfidential: false` leaves out the tasks of confidential orders (art. 22). */
  tasks(filter: {
    status?: 'open' | 'done';
    kind?: string;
    orderId?: number;
    limit: number;
    includeConfidential?: boolean;
  }): Promise<TaskRecord[]>;
  task(id: number): Promise<TaskRecord | null>;
  completeTask(id: number, by: string, at: number, note: string | null, audit: AuditEntry): Promise<TaskRecord | null>;
  notices(orderId: number): Promise<NoticeRecord[]>;
  addAttachment(a: NewAttachment, at: number): Promise<AttachmentRecord>;
  attachment(id: number): Promise<AttachmentRecord | null>;
  attachmentsOf(orderId: number): Promise<AttachmentRecord[]>;
}

type SummaryRow = {
  id: number;
  channel: string;
  type: string;
  status: string;
  category: string;
  emergency: number;
  confidential: number;
  requester_phone: string | null;
  lead_unit_id: string | null;
  next_deadline_at: number | null;
  next_deadline_kind: string | null;
  supervision_level: number;
  created_at: number;
  updated_at: number;
  closed_at: number | null;
};

const SUMMARY_COLS =
  'o.id, o.channel, o.type, o.status, o.category, o.emergency, o.confidential, o.requester_phone, o.lead_unit_id, o.next_deadline_at, o.next_deadline_kind, o.supervision_level, o.created_at, o.updated_at, o.closed_at';

export const toSummary = (r: SummaryRow): WorkOrderSummary => ({
  id: r.id,
  channel: r.channel,
  type: r.type,
  status: r.status as WorkOrderStatus,
  category: r.category,
  emergency: r.emergency === 1,
  confidential: r.confidential === 1,
  requesterPhone: r.requester_phone,
  leadUnitId: r.lead_unit_id,
  nextDeadlineAt: r.next_deadline_at,
  nextDeadlineKind: r.next_deadline_kind as DeadlineKind | null,
  supervisionLevel: r.supervision_level,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  closedAt: r.closed_at,
});

const CONFLICT = Symbol('version-conflict');

const FINAL: ReadonlySet<WorkOrderStatus> = new Set(['closed', 'not-accepted', 'merged']);

/** The row written for an order; shared with the benchmark so that its bulk build stores the same shape. */
export function orderRow(o: WorkOrder, ix: OrderIndexFields, now: number, encoded?: Buffer) {
  const current = o.assignments[o.assignments.length - 1];
  return {
    id: o.id,
    channel: o.channel,
    callId: o.callId ?? null,
    requesterName: o.requester.name ?? null,
    requesterPhone: o.requester.phone ?? null,
    contactPhone: o.requester.contactPhone ?? null,
    content: o.content,
    category: o.category.code,
    fastResponse: ix.fastResponse ? 1 : 0,
    type: o.type,
    emergency: o.emergency ? 1 : 0,
    confidential: o.confidential ? 1 : 0,
    location: o.location ?? null,
    area: o.area ?? null,
    status: o.status,
    leadUnitId: current?.leadUnitId ?? null,
    repeatOfId: o.repeatOfClosedOrderId ?? null,
    mergedIntoId: o.mergedIntoOrderId ?? null,
    nextDeadlineAt: ix.nextDeadlineAt,
    nextDeadlineKind: ix.nextDeadlineKind,
    nextCheckAt: ix.nextCheckAt,
    supervisionLevel: ix.supervisionLevel,
    createdAt: o.receivedAt,
    updatedAt: now,
    closedAt: FINAL.has(o.status) ? (o.closedAt ?? now) : null,
    createdBy: ix.createdBy,
    version: o.version,
    state: encoded ?? encodeState(o),
  };
}

export const INSERT_ORDER_SQL = `insert into work_orders (id, channel, call_id, requester_name, requester_phone, contact_phone, content, category,
  fast_response, type, emergency, confidential, location, area, status, lead_unit_id, repeat_of_id, merged_into_id, next_deadline_at,
  next_deadline_kind, next_check_at, supervision_level, created_at, updated_at, closed_at, created_by, version, state)
  values (@id, @channel, @callId, @requesterName, @requesterPhone, @contactPhone, @content, @category, @fastResponse, @type,
  @emergency, @confidential, @location, @area, @status, @leadUnitId, @repeatOfId, @mergedIntoId, @nextDeadlineAt, @nextDeadlineKind, @nextCheckAt,
  @supervisionLevel, @createdAt, @updatedAt, @closedAt, @createdBy, @version, @state)`;

/** Maps the domain's audit line to the audit table (the phone number never goes into `data`). */
export function orderAudit(a: OrderAuditEntry, actorRole: string): AuditEntry {
  return {
    entity: 'work_order',
    entityId: String(a.orderId),
    action: a.action,
    actorId: a.actor.id,
    actorRole,
    at: a.at,
    reason: a.reason,
    fromStatus: a.fromStatus,
    toStatus: a.toStatus,
    data: {
      version: a.version,
      actorKind: a.actor.kind,
      ...(a.actor.unitId ? { unitId: a.actor.unitId } : {}),
      ...(a.details ?? {}),
    },
  };
}

export class SqliteWorkOrderRepo implements WorkOrderRepo {
  private readonly s;
  private lastId: number;
  private pending: {
    changes: readonly OrderChange[];
    resolve: (r: 'ok' | 'conflict') => void;
    reject: (e: unknown) => void;
  }[] = [];
  private flushScheduled = false;

  /**
   * `onWrite` runs inside the transaction of every order write, after the order row: the exchange outbox
   * (art. 5) appends its record there, so a transition and its outbox record commit or roll back together.
   */
  constructor(
    private readonly sqlite: Database.Database,
    private readonly opts: { onWrite?: (order: WorkOrder, at: number) => void } = {},
  ) {
    const p = <T = unknown>(q: string) => sqlite.prepare<unknown[], T>(q);
    this.s = {
      categories: p<{ code: string; name: string; parent_code: string | null; fast_response: number }>(
        'select code, name, parent_code, fast_response from work_order_categories order by code',
      ),
      load: p<{
        state: Buffer | string;
        supervision_level: number;
        next_deadline_at: number | null;
        next_deadline_kind: string | null;
      }>('select state, supervision_level, next_deadline_at, next_deadline_kind from work_orders where id = ?'),
      dueForCheck: p<{
        state: Buffer | string;
        supervision_level: number;
        next_deadline_at: number | null;
        next_deadline_kind: string | null;
        next_check_at: number | null;
      }>(
        'select state, supervision_level, next_deadline_at, next_deadline_kind, next_check_at from work_orders where next_check_at is not null and next_check_at <= ? order by next_check_at limit ?',
      ),
      setCheck: p('update work_orders set supervision_level = ?, next_check_at = ? where id = ? and version = ?'),
      insAppeal:
        sqlite.prepare(`insert into assessment_appeals (unit_id, cycle, order_id, reason, filed_by, filed_at, status)
        values (@unitId, @cycle, @orderId, @reason, @filedBy, @filedAt, 'open')`),
      appeal: p<Record<string, unknown>>('select * from assessment_appeals where id = ?'),
      decideAppeal: p(
        "update assessment_appeals set status = ?, decision = ?, decided_by = ?, decided_at = ? where id = ? and status = 'open'",
      ),
      maxId: p<{ m: number | null }>('select max(id) as m from work_orders'),
      get: p<{ state: Buffer | string }>('select state from work_orders where id = ?'),
      insert: sqlite.prepare(INSERT_ORDER_SQL),
      update:
        sqlite.prepare(`update work_orders set status = @status, lead_unit_id = @leadUnitId, repeat_of_id = @repeatOfId,
        merged_into_id = @mergedIntoId, next_deadline_at = @nextDeadlineAt, next_deadline_kind = @nextDeadlineKind,
        next_check_at = @nextCheckAt, supervision_level = @supervisionLevel, updated_at = @updatedAt, closed_at = @closedAt, version = @version, state = @state,
        requester_phone = @requesterPhone, contact_phone = @contactPhone, confidential = @confidential, emergency = @emergency
        where id = @id and version = @expectedVersion`),
      delUnits: p('delete from work_order_units where order_id = ?'),
      insUnit: p('insert into work_order_units (order_id, unit_id, role, opinion, opinion_at) values (?, ?, ?, ?, ?)'),
      insAudit:
        sqlite.prepare(`insert into audit_log (entity, entity_id, action, actor_id, actor_role, at, reason, from_status, to_status, data)
        values (@entity, @entityId, @action, @actorId, @actorRole, @at, @reason, @fromStatus, @toStatus, @data)`),
      insTask: p(
        "insert into work_order_tasks (order_id, kind, unit_id, status, note, created_at) values (?, ?, ?, 'open', ?, ?)",
      ),
      insNotice: p(
        'insert into supervision_notices (order_id, unit_id, level, deadline_kind, deadline_at, created_at) values (?, ?, ?, ?, ?, ?)',
      ),
      byPhone: p<SummaryRow>(
        `select ${SUMMARY_COLS} from work_orders o where o.requester_phone = ? order by o.created_at desc limit ?`,
      ),
      statesByPhone: p<{ state: Buffer | string }>(
        'select state from work_orders where requester_phone = ? order by created_at desc limit ?',
      ),
      dueBefore: p<SummaryRow>(
        `select ${SUMMARY_COLS} from work_orders o where o.next_deadline_at is not null and o.next_deadline_at < ? order by o.next_deadline_at limit ?`,
      ),
      dueBeforeRaw: sqlite
        .prepare(
          `select ${SUMMARY_COLS} from work_orders o where o.next_deadline_at is not null and o.next_deadline_at < ? order by o.next_deadline_at limit ?`,
        )
        .raw(true),
      units: p<{ unit_id: string; role: string }>(
        'select unit_id, role from work_order_units where order_id = ? order by role desc, unit_id',
      ),
      audit: p<Parameters<typeof toAuditRecord>[0] & Record<string, unknown>>(
        "select id, entity, entity_id as entityId, action, actor_id as actorId, actor_role as actorRole, at, reason, from_status as fromStatus, to_status as toStatus, data from audit_log where entity = 'work_order' and entity_id = ? order by id",
      ),
      task: p<Record<string, unknown>>('select * from work_order_tasks where id = ?'),
      doneTask: p(
        "update work_order_tasks set status = 'done', done_at = ?, done_by = ?, note = coalesce(?, note) where id = ? and status = 'open'",
      ),
      notices: p<Record<string, unknown>>('select * from supervision_notices where order_id = ? order by id'),
      insAttachment:
        sqlite.prepare(`insert into work_order_attachments (order_id, file_name, mime_type, size, sha256, storage_path, uploaded_by, created_at)
        values (@orderId, @fileName, @mimeType, @size, @sha256, @storagePath, @uploadedBy, @createdAt)`),
      attachment: p<Record<string, unknown>>('select * from work_order_attachments where id = ?'),
      attachmentsOf: p<Record<string, unknown>>('select * from work_order_attachments where order_id = ? order by id'),
      assessment: p<{ id: number; state: Buffer | string }>(
        `select id, state from work_orders where lead_unit_id is not null and created_at < ? and (closed_at is null or closed_at >= ?)`,
      ),
    };
    this.lastId = this.s.maxId.get()?.m ?? 0;
  }

  async nextId(): Promise<number> {
    return ++this.lastId;
  }

  async get(id: number): Promise<WorkOrder | null> {
    return this.getSync(id);
  }

  async load(id: number): Promise<StoredOrder | null> {
    const r = this.s.load.get(id);
    if (!r) return null;
    return {
      order: decodeState(r.state),
      supervisionLevel: r.supervision_level,
      nextDeadlineAt: r.next_deadline_at,
      nextDeadlineKind: r.next_deadline_kind as DeadlineKind | null,
    };
  }

  getSync(id: number): WorkOrder | null {
    const r = this.s.get.get(id);
    return r ? decodeState(r.state) : null;
  }

  /**
   * Group commit: transitions submitted in the same turn of the event loop are written in one transaction
   * (each in its own savepoint, so a version conflict fails only its own change) and share one fsync. Every
   * caller is answered only after that commit is durable.
   */
  commit(change: OrderChange | readonly OrderChange[]): Promise<'ok' | 'conflict'> {
    const changes = Array.isArray(change) ? (change as readonly OrderChange[]) : [change as OrderChange];
    return new Promise((resolve, reject) => {
      this.pending.push({ changes, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    this.flushScheduled = false;
    let results: ('ok' | 'conflict')[];
    try {
      results = this.sqlite
        .transaction(() =>
          batch.map((item) => {
            try {
              // A nested better-sqlite3 transaction is a savepoint: a conflict undoes this item only.
              this.sqlite.transaction(() => {
                for (const c of item.changes) this.writeOne(c);
              })();
              return 'ok' as const;
            } catch (err) {
              if (err === CONFLICT) return 'conflict' as const;
              throw err;
            }
          }),
        )
        .immediate();
    } catch (err) {
      for (const item of batch) item.reject(err);
      return;
    }
    batch.forEach((item, i) => {
      item.resolve(results[i]!);
    });
  }

  /** Synchronous commit, exposed for the benchmark's durable-intake measurement. */
  commitSync(change: OrderChange | readonly OrderChange[]): 'ok' | 'conflict' {
    const changes = Array.isArray(change) ? (change as readonly OrderChange[]) : [change as OrderChange];
    const tx = this.sqlite.transaction((): 'ok' => {
      for (const c of changes) this.writeOne(c);
      return 'ok';
    });
    try {
      return tx.immediate();
    } catch (err) {
      if (err === CONFLICT) return 'conflict';
      throw err;
    }
  }

  private writeOne(change: OrderChange): void {
    const { order } = change;
    const row = orderRow(order, change.index, change.at);
    if (change.expectedVersion === null) {
      try {
        this.s.insert.run(row);
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
          this.lastId = Math.max(this.lastId, this.s.maxId.get()?.m ?? 0);
          throw CONFLICT;
        }
        throw err;
      }
    } else {
      const r = this.s.update.run({ ...row, expectedVersion: change.expectedVersion });
      if (r.changes === 0) throw CONFLICT;
      this.s.delUnits.run(order.id);
    }
    const current = order.assignments[order.assignments.length - 1];
    if (current) {
      this.s.insUnit.run(order.id, current.leadUnitId, 'lead', null, null);
      for (const u of current.assistingUnitIds) {
        const op = [...current.opinions].reverse().find((x) => x.unitId === u);
        this.s.insUnit.run(order.id, u, 'assist', op?.opinion ?? null, op?.at ?? null);
      }
      // Workstations that forwarded the order (art. 8) keep read access to it.
      const listed = new Set([current.leadUnitId, ...current.assistingUnitIds]);
      for (let i = order.assignments.length - 1; i >= 0; i--) {
        const from = order.assignments[i]?.forwardedFrom;
        if (from === undefined) break;
        if (!listed.has(from)) this.s.insUnit.run(order.id, from, 'forwarded', null, null);
        listed.add(from);
      }
    }
    for (const a of change.audit) this.s.insAudit.run(auditValues(orderAudit(a, change.actorRole)));
    for (const a of change.extraAudit ?? []) this.s.insAudit.run(auditValues(a));
    for (const t of change.tasks ?? [])
      this.s.insTask.run(t.orderId, t.kind, t.unitId ?? null, t.note ?? null, change.at);
    for (const n of change.notices ?? [])
      this.s.insNotice.run(n.orderId, n.unitId, n.level, n.deadlineKind, n.deadlineAt, change.at);
    this.opts.onWrite?.(order, change.at);
  }

  async categories(): Promise<CategoryRecord[]> {
    return this.s.categories
      .all()
      .map((r) => ({ code: r.code, name: r.name, parentCode: r.parent_code, fastResponse: r.fast_response === 1 }));
  }

  async list(f: OrderListFilter): Promise<WorkOrderSummary[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    let from = 'work_orders o';
    if (f.unitId !== undefined) {
      from = 'work_order_units u join work_orders o on o.id = u.order_id';
      where.push('u.unit_id = ?');
      params.push(f.unitId);
    }
    if (f.status) {
      where.push('o.status = ?');
      params.push(f.status);
    }
    if (!f.includeConfidential) where.push('o.confidential = 0');
    if (f.beforeId !== undefined) {
      where.push('o.id < ?');
      params.push(f.beforeId);
    }
    params.push(f.limit);
    const q = `select ${SUMMARY_COLS} from ${from} ${where.length ? 'where ' + where.join(' and ') : ''} order by o.id desc limit ?`;
    return (this.sqlite.prepare(q).all(...params) as SummaryRow[]).map(toSummary);
  }

  async findByPhone(phone: string, limit: number): Promise<WorkOrderSummary[]> {
    return this.findByPhoneSync(phone, limit);
  }

  findByPhoneSync(phone: string, limit: number): WorkOrderSummary[] {
    return this.s.byPhone.all(phone, limit).map(toSummary);
  }

  async statesByPhone(phone: string, limit: number): Promise<WorkOrder[]> {
    return this.s.statesByPhone.all(phone, limit).map((r) => decodeState(r.state));
  }

  async dueBefore(before: number, limit: number): Promise<WorkOrderSummary[]> {
    return this.dueBeforeSync(before, limit);
  }

  dueBeforeSync(before: number, limit: number): WorkOrderSummary[] {
    // Array rows: the scan can return tens of thousands of orders, and keyed row objects cost more than the query.
    return (this.s.dueBeforeRaw.all(before, limit) as unknown[][]).map(
      (r): WorkOrderSummary => ({
        id: r[0] as number,
        channel: r[1] as string,
        type: r[2] as string,
        status: r[3] as WorkOrderStatus,
        category: r[4] as string,
        emergency: r[5] === 1,
        confidential: r[6] === 1,
        requesterPhone: r[7] as string | null,
        leadUnitId: r[8] as string | null,
        nextDeadlineAt: r[9] as number | null,
        nextDeadlineKind: r[10] as DeadlineKind | null,
        supervisionLevel: r[11] as number,
        createdAt: r[12] as number,
        updatedAt: r[13] as number,
        closedAt: r[14] as number | null,
      }),
    );
  }

  async dueForCheck(now: number, limit: number): Promise<StoredOrder[]> {
    return this.s.dueForCheck.all(now, limit).map((r) => ({
      order: decodeState(r.state),
      supervisionLevel: r.supervision_level,
      nextDeadlineAt: r.next_deadline_at,
      nextDeadlineKind: r.next_deadline_kind as DeadlineKind | null,
      nextCheckAt: r.next_check_at,
    }));
  }

  async recordSupervision(r: SupervisionRecord): Promise<void> {
    this.sqlite
      .transaction(() => {
        const u = this.s.setCheck.run(r.supervisionLevel, r.nextCheckAt, r.orderId, r.version);
        if (u.changes === 0) return;
        for (const n of r.notices)
          this.s.insNotice.run(n.orderId, n.unitId, n.level, n.deadlineKind, n.deadlineAt, r.at);
        for (const t of r.tasks) this.s.insTask.run(t.orderId, t.kind, t.unitId ?? null, t.note ?? null, r.at);
        for (const a of r.audit) this.s.insAudit.run(auditValues(a));
      })
      .immediate();
  }

  async forAssessment(from: number, to: number): Promise<AssessmentOrderRow[]> {
    return this.s.assessment.all(to, from).map((r) => ({ id: r.id, state: decodeState(r.state) }));
  }

  async addAppeal(a: NewAppeal): Promise<AppealRecord> {
    const id = Number(this.s.insAppeal.run(a).lastInsertRowid);
    return (await this.appeal(id))!;
  }

  async appeal(id: number): Promise<AppealRecord | null> {
    const r = this.s.appeal.get(id);
    return r ? toAppeal(r) : null;
  }

  async decideAppeal(
    id: number,
    d: { status: 'accepted' | 'rejected'; decision: string; decidedBy: string; decidedAt: number },
    audit: AuditEntry,
  ): Promise<AppealRecord | null> {
    const ok = this.sqlite.transaction(() => {
      if (this.s.decideAppeal.run(d.status, d.decision, d.decidedBy, d.decidedAt, id).changes === 0) return false;
      this.s.insAudit.run(auditValues(audit));
      return true;
    })();
    return ok ? this.appeal(id) : null;
  }

  async appeals(f: { unitId?: string; cycle?: string }): Promise<AppealRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (f.unitId) {
      where.push('unit_id = ?');
      params.push(f.unitId);
    }
    if (f.cycle) {
      where.push('cycle = ?');
      params.push(f.cycle);
    }
    const q = `select * from assessment_appeals ${where.length ? 'where ' + where.join(' and ') : ''} order by id limit 1000`;
    return (this.sqlite.prepare(q).all(...params) as Record<string, unknown>[]).map(toAppeal);
  }

  async intakeCounts(
    from: number,
    to: number,
    by: 'category' | 'area' | 'location',
  ): Promise<{ key: string | null; count: number }[]> {
    const column = by === 'category' ? 'category' : by === 'area' ? 'area' : 'location';
    const onlyLegacy = by === 'location' ? ' and area is null' : by === 'area' ? ' and area is not null' : '';
    const rows = this.sqlite
      .prepare<unknown[], { k: string | null; n: number }>(
        `select ${column} as k, count(*) as n from work_orders where created_at >= ? and created_at < ?${onlyLegacy} group by ${column}`,
      )
      .all(from, to);
    return rows.map((r) => ({ key: r.k, count: r.n }));
  }

  async unitsOf(orderId: number): Promise<{ unitId: string; role: 'lead' | 'assist' | 'forwarded' }[]> {
    return this.unitsOfSync(orderId);
  }

  unitsOfSync(orderId: number): { unitId: string; role: 'lead' | 'assist' | 'forwarded' }[] {
    return this.s.units
      .all(orderId)
      .map((r) => ({ unitId: r.unit_id, role: r.role as 'lead' | 'assist' | 'forwarded' }));
  }

  async auditOf(orderId: number): Promise<AuditRecord[]> {
    return this.s.audit.all(String(orderId)).map((r) => toAuditRecord(r as never));
  }

  async tasks(f: {
    status?: 'open' | 'done';
    kind?: string;
    orderId?: number;
    limit: number;
    includeConfidential?: boolean;
  }): Promise<TaskRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (f.status) {
      where.push('status = ?');
      params.push(f.status);
    }
    if (f.kind) {
      where.push('kind = ?');
      params.push(f.kind);
    }
    if (f.orderId !== undefined) {
      where.push('order_id = ?');
      params.push(f.orderId);
    }
    if (f.includeConfidential === false) where.push('order_id in (select id from work_orders where confidential = 0)');
    params.push(f.limit);
    const q = `select * from work_order_tasks ${where.length ? 'where ' + where.join(' and ') : ''} order by id limit ?`;
    return (this.sqlite.prepare(q).all(...params) as Record<string, unknown>[]).map(toTask);
  }

  async task(id: number): Promise<TaskRecord | null> {
    const r = this.s.task.get(id);
    return r ? toTask(r) : null;
  }

  async completeTask(
    id: number,
    by: string,
    at: number,
    note: string | null,
    audit: AuditEntry,
  ): Promise<TaskRecord | null> {
    const done = this.sqlite.transaction(() => {
      if (this.s.doneTask.run(at, by, note, id).changes === 0) return false;
      this.s.insAudit.run(auditValues(audit));
      return true;
    })();
    if (!done) return null;
    const r = this.s.task.get(id);
    return r ? toTask(r) : null;
  }

  async notices(orderId: number): Promise<NoticeRecord[]> {
    return this.s.notices.all(orderId).map((r) => ({
      id: r['id'] as number,
      orderId: r['order_id'] as number,
      unitId: r['unit_id'] as string | null,
      level: r['level'] as string,
      deadlineKind: r['deadline_kind'] as string,
      deadlineAt: r['deadline_at'] as number,
      createdAt: r['created_at'] as number,
      reason: r['reason'] as string | null,
      reasonAt: r['reason_at'] as number | null,
      reasonBy: r['reason_by'] as string | null,
    }));
  }

  async addAttachment(a: NewAttachment, at: number): Promise<AttachmentRecord> {
    const id = Number(this.s.insAttachment.run({ ...a, createdAt: at }).lastInsertRowid);
    return (await this.attachment(id))!;
  }

  async attachment(id: number): Promise<AttachmentRecord | null> {
    const r = this.s.attachment.get(id);
    return r ? toAttachment(r) : null;
  }

  async attachmentsOf(orderId: number): Promise<AttachmentRecord[]> {
    return this.s.attachmentsOf.all(orderId).map(toAttachment);
  }
}

function toAppeal(r: Record<string, unknown>): AppealRecord {
  return {
    id: r['id'] as number,
    unitId: r['unit_id'] as string,
    cycle: r['cycle'] as string,
    orderId: (r['order_id'] as number | null) ?? null,
    reason: r['reason'] as string,
    filedBy: r['filed_by'] as string,
    filedAt: r['filed_at'] as number,
    status: r['status'] as AppealRecord['status'],
    decision: (r['decision'] as string | null) ?? null,
    decidedBy: (r['decided_by'] as string | null) ?? null,
    decidedAt: (r['decided_at'] as number | null) ?? null,
  };
}

function toTask(r: Record<string, unknown>): TaskRecord {
  return {
    id: r['id'] as number,
    orderId: r['order_id'] as number,
    kind: r['kind'] as string,
    unitId: (r['unit_id'] as string | null) ?? null,
    note: (r['note'] as string | null) ?? null,
    status: r['status'] as 'open' | 'done',
    createdAt: r['created_at'] as number,
    doneAt: (r['done_at'] as number | null) ?? null,
    doneBy: (r['done_by'] as string | null) ?? null,
  };
}

function toAttachment(r: Record<string, unknown>): AttachmentRecord {
  return {
    id: r['id'] as number,
    orderId: r['order_id'] as number,
    fileName: r['file_name'] as string,
    mimeType: r['mime_type'] as string,
    size: r['size'] as number,
    sha256: r['sha256'] as string,
    storagePath: r['storage_path'] as string,
    uploadedBy: r['uploaded_by'] as string,
    createdAt: r['created_at'] as number,
  };
}
