import type pg from 'pg';
import type { WorkOrder, WorkOrderStatus } from '../domain/work-orders/types.ts';
import { auditValues, toAuditRecord, type AuditEntry, type AuditRecord } from './audit-repo.ts';
import { changed, inTransaction, one, rows } from './pg-store.ts';
import { decodeState } from './state-codec.ts';
import {
  orderAudit,
  orderRow,
  type AppealRecord,
  type AssessmentOrderRow,
  type AttachmentRecord,
  type CategoryRecord,
  type DeadlineKind,
  type NewAppeal,
  type NewAttachment,
  type NewNotice,
  type NewTask,
  type NoticeRecord,
  type OrderChange,
  type OrderListFilter,
  type StoredOrder,
  type SupervisionRecord,
  type TaskRecord,
  type WorkOrderRepo,
  type WorkOrderSummary,
} from './work-orders-repo.ts';

type Client = pg.PoolClient;
type Row = Record<string, unknown>;

const SUMMARY_COLS =
  'o.id, o.channel, o.type, o.status, o.category, o.emergency, o.confidential, o.requester_phone, o.lead_unit_id, o.next_deadline_at, o.next_deadline_kind, o.supervision_level, o.created_at, o.updated_at, o.closed_at';

const toSummary = (r: Row): WorkOrderSummary => ({
  id: r['id'] as number,
  channel: r['channel'] as string,
  type: r['type'] as string,
  status: r['status'] as WorkOrderStatus,
  category: r['category'] as string,
  emergency: r['emergency'] as boolean,
  confidential: r['confidential'] as boolean,
  requesterPhone: r['requester_phone'] as string | null,
  leadUnitId: r['lead_unit_id'] as string | null,
  nextDeadlineAt: r['next_deadline_at'] as number | null,
  nextDeadlineKind: r['next_deadline_kind'] as DeadlineKind | null,
  supervisionLevel: r['supervision_level'] as number,
  createdAt: r['created_at'] as number,
  updatedAt: r['updated_at'] as number,
  closedAt: r['closed_at'] as number | null,
});

const toStored = (r: Row): StoredOrder => ({
  order: decodeState(r['state'] as Buffer),
  supervisionLevel: r['supervision_level'] as number,
  nextDeadlineAt: r['next_deadline_at'] as number | null,
  nextDeadlineKind: r['next_deadline_kind'] as DeadlineKind | null,
  ...('next_check_at' in r ? { nextCheckAt: r['next_check_at'] as number | null } : {}),
});

const ORDER_COLUMNS = [
  ['id', 'id'],
  ['channel', 'channel'],
  ['call_id', 'callId'],
  ['requester_name', 'requesterName'],
  ['requester_phone', 'requesterPhone'],
  ['contact_phone', 'contactPhone'],
  ['content', 'content'],
  ['category', 'category'],
  ['fast_response', 'fastResponse'],
  ['type', 'type'],
  ['emergency', 'emergency'],
  ['confidential', 'confidential'],
  ['location', 'location'],
  ['area', 'area'],
  ['status', 'status'],
  ['lead_unit_id', 'leadUnitId'],
  ['repeat_of_id', 'repeatOfId'],
  ['merged_into_id', 'mergedIntoId'],
  ['next_deadline_at', 'nextDeadlineAt'],
  ['next_deadline_kind', 'nextDeadlineKind'],
  ['next_check_at', 'nextCheckAt'],
  ['supervision_level', 'supervisionLevel'],
  ['created_at', 'createdAt'],
  ['updated_at', 'updatedAt'],
  ['closed_at', 'closedAt'],
  ['created_by', 'createdBy'],
  ['version', 'version'],
  ['state', 'state'],
] as const;
const BOOLEAN_KEYS = new Set(['fastResponse', 'emergency', 'confidential']);

/** The values of `orderRow` in ORDER_COLUMNS order, flags as booleans. */
function orderValues(row: ReturnType<typeof orderRow>): unknown[] {
  return ORDER_COLUMNS.map(([, key]) => (BOOLEAN_KEYS.has(key) ? row[key] === 1 : row[key]));
}

/** Exposed for the benchmark's bulk build, which writes the same rows. */
export const PG_INSERT_ORDER_SQL = `insert into work_orders (${ORDER_COLUMNS.map(([c]) => c).join(', ')})
  values (${ORDER_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`;
export { orderValues as pgOrderValues };

const INSERT_OR_NOTHING_SQL = `${PG_INSERT_ORDER_SQL} on conflict (id) do nothing`;

const UPDATE_SQL = `update work_orders set status = $1, lead_unit_id = $2, repeat_of_id = $3, merged_into_id = $4,
  next_deadline_at = $5, next_deadline_kind = $6, next_check_at = $7, supervision_level = $8, updated_at = $9,
  closed_at = $10, version = $11, state = $12, requester_phone = $13, contact_phone = $14, confidential = $15,
  emergency = $16 where id = $17 and version = $18`;

const INSERT_AUDIT_SQL = `insert into audit_log (entity, entity_id, action, actor_id, actor_role, at, reason, from_status, to_status, data)
  values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`;

/** Appends one audit row on a connection (the chain is filled by the table's trigger). */
export async function insertAudit(c: Client | pg.Pool, e: AuditEntry): Promise<number> {
  const v = auditValues(e);
  const r = await one<{ id: number }>(c, { name: 'audit-insert', text: `${INSERT_AUDIT_SQL} returning id` }, [
    v.entity,
    v.entityId,
    v.action,
    v.actorId,
    v.actorRole,
    v.at,
    v.reason,
    v.fromStatus,
    v.toStatus,
    v.data,
  ]);
  return r!.id;
}

class Conflict extends Error {}

export interface PgOrderWriteHooks {
  onWrite?: (c: Client, order: WorkOrder, at: number) => Promise<void>;
  onCommitted?: () => void;
}

/** How many order ids one round trip reserves from the sequence. */
const ID_BLOCK = 32;

/**
 * The work-order store on PostgreSQL, behaving like SqliteWorkOrderRepo: the same group commit (changes
 * submitted in one turn of the event loop share one transaction, each in its own savepoint), optimistic
 * versions, keyset paging. Order ids come from the table's identity sequence, so several server instances on
 * one database never hand out the same id.
 */
export class PgWorkOrderRepo implements WorkOrderRepo {
  private ids: number[] = [];
  private idRequest: Promise<void> | null = null;
  private pending: {
    changes: readonly OrderChange[];
    resolve: (r: 'ok' | 'conflict') => void;
    reject: (e: unknown) => void;
  }[] = [];
  private flushScheduled = false;
  /** The transaction being written; the next batch waits for it (one writer per repository, as on SQLite). */
  private writing: Promise<void> = Promise.resolve();

  /**
   * `onWrite` runs on the transaction of every order write, after the order row: the exchange outbox (art. 5)
   * appends its record there, so a transition and its record commit or roll back together, as on SQLite.
   * `onCommitted` is told after a transaction holding such writes committed (the sender may look then).
   */
  constructor(
    private readonly pool: pg.Pool,
    private readonly hooks: PgOrderWriteHooks = {},
  ) {}

  /** Another repository over the same pool, with these write hooks. */
  withHooks(hooks: PgOrderWriteHooks): PgWorkOrderRepo {
    return new PgWorkOrderRepo(this.pool, hooks);
  }

  async nextId(): Promise<number> {
    while (this.ids.length === 0) {
      this.idRequest ??= rows<{ id: number }>(
        this.pool,
        `select nextval(pg_get_serial_sequence('work_orders', 'id')) as id from generate_series(1, ${ID_BLOCK})`,
      )
        .then((r) => {
          this.ids.push(...r.map((x) => x.id));
        })
        .finally(() => {
          this.idRequest = null;
        });
      await this.idRequest;
    }
    return this.ids.shift()!;
  }

  async get(id: number): Promise<WorkOrder | null> {
    const r = await one<{ state: Buffer }>(this.pool, 'select state from work_orders where id = $1', [id]);
    return r ? decodeState(r.state) : null;
  }

  async load(id: number): Promise<StoredOrder | null> {
    const r = await one<Row>(
      this.pool,
      'select state, supervision_level, next_deadline_at, next_deadline_kind from work_orders where id = $1',
      [id],
    );
    return r ? toStored(r) : null;
  }

  commit(change: OrderChange | readonly OrderChange[]): Promise<'ok' | 'conflict'> {
    const changes = Array.isArray(change) ? (change as readonly OrderChange[]) : [change as OrderChange];
    return new Promise((resolve, reject) => {
      this.pending.push({ changes, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => {
          this.writing = this.writing.then(() => this.flush());
        });
      }
    });
  }

  /** Group commit: one transaction for the batch, a savepoint per caller, one WAL flush for all. */
  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.flushScheduled = false;
    if (batch.length === 0) return;
    let results: ('ok' | 'conflict')[];
    try {
      results = await inTransaction(this.pool, async (c) => {
        const out: ('ok' | 'conflict')[] = [];
        for (const item of batch) {
          // A change of one order finds its conflict in its first statement, before it writes anything, so it
          // needs no savepoint (two round trips saved per intake); several orders in one change do.
          const guarded = item.changes.length > 1;
          if (guarded) await c.query('savepoint item');
          try {
            for (const ch of item.changes) await this.writeOne(c, ch);
            if (guarded) await c.query('release savepoint item');
            out.push('ok');
          } catch (err) {
            if (!(err instanceof Conflict)) throw err;
            if (guarded) await c.query('rollback to savepoint item');
            out.push('conflict');
          }
        }
        return out;
      });
    } catch (err) {
      for (const item of batch) item.reject(err);
      return;
    }
    if (this.hooks.onCommitted && results.includes('ok')) this.hooks.onCommitted();
    batch.forEach((item, i) => {
      item.resolve(results[i]!);
    });
  }

  private async writeOne(c: Client, change: OrderChange): Promise<void> {
    const { order } = change;
    const row = orderRow(order, change.index, change.at);
    if (change.expectedVersion === null) {
      // A taken id is a conflict, as on SQLite; `on conflict do nothing` keeps the transaction usable.
      const n = await changed(c, { name: 'wo-insert', text: INSERT_OR_NOTHING_SQL }, orderValues(row));
      if (n === 0) throw new Conflict();
    } else {
      const n = await changed(c, { name: 'wo-update', text: UPDATE_SQL }, [
        row.status,
        row.leadUnitId,
        row.repeatOfId,
        row.mergedIntoId,
        row.nextDeadlineAt,
        row.nextDeadlineKind,
        row.nextCheckAt,
        row.supervisionLevel,
        row.updatedAt,
        row.closedAt,
        row.version,
        row.state,
        row.requesterPhone,
        row.contactPhone,
        row.confidential === 1,
        row.emergency === 1,
        row.id,
        change.expectedVersion,
      ]);
      if (n === 0) throw new Conflict();
      await c.query('delete from work_order_units where order_id = $1', [order.id]);
    }
    const units: [string, string, string | null, number | null][] = [];
    const current = order.assignments[order.assignments.length - 1];
    if (current) {
      units.push([current.leadUnitId, 'lead', null, null]);
      for (const u of current.assistingUnitIds) {
        const op = [...current.opinions].reverse().find((x) => x.unitId === u);
        units.push([u, 'assist', op?.opinion ?? null, op?.at ?? null]);
      }
      // Workstations that forwarded the order (art. 8) keep read access to it.
      const listed = new Set([current.leadUnitId, ...current.assistingUnitIds]);
      for (let i = order.assignments.length - 1; i >= 0; i--) {
        const from = order.assignments[i]?.forwardedFrom;
        if (from === undefined) break;
        if (!listed.has(from)) units.push([from, 'forwarded', null, null]);
        listed.add(from);
      }
    }
    for (const [unitId, role, opinion, opinionAt] of units)
      await c.query(
        'insert into work_order_units (order_id, unit_id, role, opinion, opinion_at) values ($1, $2, $3, $4, $5)',
        [order.id, unitId, role, opinion, opinionAt],
      );
    if (this.hooks.onWrite) await this.hooks.onWrite(c, order, change.at);
    for (const a of change.audit) await insertAudit(c, orderAudit(a, change.actorRole));
    for (const a of change.extraAudit ?? []) await insertAudit(c, a);
    for (const t of change.tasks ?? []) await insertTask(c, t, change.at);
    for (const n of change.notices ?? []) await insertNotice(c, n, change.at);
  }

  async categories(): Promise<CategoryRecord[]> {
    const r = await rows<Row>(
      this.pool,
      'select code, name, parent_code, fast_response from work_order_categories order by code collate "C"',
    );
    return r.map((x) => ({
      code: x['code'] as string,
      name: x['name'] as string,
      parentCode: x['parent_code'] as string | null,
      fastResponse: x['fast_response'] as boolean,
    }));
  }

  async list(f: OrderListFilter): Promise<WorkOrderSummary[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    let from = 'work_orders o';
    if (f.unitId !== undefined) {
      from = 'work_order_units u join work_orders o on o.id = u.order_id';
      where.push(`u.unit_id = ${p(f.unitId)}`);
    }
    if (f.status) where.push(`o.status = ${p(f.status)}`);
    if (!f.includeConfidential) where.push('not o.confidential');
    if (f.beforeId !== undefined) where.push(`o.id < ${p(f.beforeId)}`);
    const q = `select ${SUMMARY_COLS} from ${from} ${where.length ? `where ${where.join(' and ')}` : ''} order by o.id desc limit ${p(f.limit)}`;
    return (await rows<Row>(this.pool, q, params)).map(toSummary);
  }

  async findByPhone(phone: string, limit: number): Promise<WorkOrderSummary[]> {
    const q = `select ${SUMMARY_COLS} from work_orders o where o.requester_phone = $1 order by o.created_at desc limit $2`;
    return (await rows<Row>(this.pool, { name: 'wo-by-phone', text: q }, [phone, limit])).map(toSummary);
  }

  async statesByPhone(phone: string, limit: number): Promise<WorkOrder[]> {
    const r = await rows<{ state: Buffer }>(
      this.pool,
      'select state from work_orders where requester_phone = $1 order by created_at desc limit $2',
      [phone, limit],
    );
    return r.map((x) => decodeState(x.state));
  }

  async dueBefore(before: number, limit: number): Promise<WorkOrderSummary[]> {
    const q = `select ${SUMMARY_COLS} from work_orders o where o.next_deadline_at is not null and o.next_deadline_at < $1 order by o.next_deadline_at limit $2`;
    return (await rows<Row>(this.pool, q, [before, limit])).map(toSummary);
  }

  async dueForCheck(now: number, limit: number): Promise<StoredOrder[]> {
    const r = await rows<Row>(
      this.pool,
      'select state, supervision_level, next_deadline_at, next_deadline_kind, next_check_at from work_orders where next_check_at is not null and next_check_at <= $1 order by next_check_at limit $2',
      [now, limit],
    );
    return r.map(toStored);
  }

  async recordSupervision(r: SupervisionRecord): Promise<void> {
    await inTransaction(this.pool, async (c) => {
      const n = await changed(
        c,
        'update work_orders set supervision_level = $1, next_check_at = $2 where id = $3 and version = $4',
        [r.supervisionLevel, r.nextCheckAt, r.orderId, r.version],
      );
      if (n === 0) return;
      for (const x of r.notices) await insertNotice(c, x, r.at);
      for (const t of r.tasks) await insertTask(c, t, r.at);
      for (const a of r.audit) await insertAudit(c, a);
    });
  }

  async forAssessment(from: number, to: number): Promise<AssessmentOrderRow[]> {
    const r = await rows<{ id: number; state: Buffer }>(
      this.pool,
      'select id, state from work_orders where lead_unit_id is not null and created_at < $1 and (closed_at is null or closed_at >= $2)',
      [to, from],
    );
    return r.map((x) => ({ id: x.id, state: decodeState(x.state) }));
  }

  async addAppeal(a: NewAppeal): Promise<AppealRecord> {
    const r = await one<Row>(
      this.pool,
      `insert into assessment_appeals (unit_id, cycle, order_id, reason, filed_by, filed_at, status)
       values ($1, $2, $3, $4, $5, $6, 'open') returning *`,
      [a.unitId, a.cycle, a.orderId, a.reason, a.filedBy, a.filedAt],
    );
    return toAppeal(r!);
  }

  async appeal(id: number): Promise<AppealRecord | null> {
    const r = await one<Row>(this.pool, 'select * from assessment_appeals where id = $1', [id]);
    return r ? toAppeal(r) : null;
  }

  async decideAppeal(
    id: number,
    d: { status: 'accepted' | 'rejected'; decision: string; decidedBy: string; decidedAt: number },
    audit: AuditEntry,
  ): Promise<AppealRecord | null> {
    const ok = await inTransaction(this.pool, async (c) => {
      const n = await changed(
        c,
        "update assessment_appeals set status = $1, decision = $2, decided_by = $3, decided_at = $4 where id = $5 and status = 'open'",
        [d.status, d.decision, d.decidedBy, d.decidedAt, id],
      );
      if (n === 0) return false;
      await insertAudit(c, audit);
      return true;
    });
    return ok ? this.appeal(id) : null;
  }

  async appeals(f: { unitId?: string; cycle?: string }): Promise<AppealRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (f.unitId) {
      params.push(f.unitId);
      where.push(`unit_id = $${params.length}`);
    }
    if (f.cycle) {
      params.push(f.cycle);
      where.push(`cycle = $${params.length}`);
    }
    const q = `select * from assessment_appeals ${where.length ? `where ${where.join(' and ')}` : ''} order by id limit 1000`;
    return (await rows<Row>(this.pool, q, params)).map(toAppeal);
  }

  async intakeCounts(
    from: number,
    to: number,
    by: 'category' | 'area' | 'location',
  ): Promise<{ key: string | null; count: number }[]> {
    const column = by === 'category' ? 'category' : by === 'area' ? 'area' : 'location';
    // As in SQLite: by area counts the orders with an area code, by location only those without one (issue 9).
    const onlyLegacy = by === 'location' ? ' and area is null' : by === 'area' ? ' and area is not null' : '';
    const r = await rows<{ k: string | null; n: number }>(
      this.pool,
      `select ${column} as k, count(*) as n from work_orders where created_at >= $1 and created_at < $2${onlyLegacy} group by ${column}`,
      [from, to],
    );
    return r.map((x) => ({ key: x.k, count: x.n }));
  }

  async unitsOf(orderId: number): Promise<{ unitId: string; role: 'lead' | 'assist' | 'forwarded' }[]> {
    // `collate "C"`: the same byte order as SQLite's, whatever the database's default collation.
    const r = await rows<{ unit_id: string; role: string }>(
      this.pool,
      'select unit_id, role from work_order_units where order_id = $1 order by role collate "C" desc, unit_id collate "C"',
      [orderId],
    );
    return r.map((x) => ({ unitId: x.unit_id, role: x.role as 'lead' | 'assist' | 'forwarded' }));
  }

  async auditOf(orderId: number): Promise<AuditRecord[]> {
    const r = await rows<Row>(
      this.pool,
      'select id, entity, entity_id as "entityId", action, actor_id as "actorId", actor_role as "actorRole", at, reason, from_status as "fromStatus", to_status as "toStatus", data from audit_log where entity = \'work_order\' and entity_id = $1 order by id',
      [String(orderId)],
    );
    return r.map((x) => toAuditRecord(x as never));
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
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (f.status) where.push(`status = ${p(f.status)}`);
    if (f.kind) where.push(`kind = ${p(f.kind)}`);
    if (f.orderId !== undefined) where.push(`order_id = ${p(f.orderId)}`);
    if (f.includeConfidential === false) where.push('order_id in (select id from work_orders where not confidential)');
    const q = `select * from work_order_tasks ${where.length ? `where ${where.join(' and ')}` : ''} order by id limit ${p(f.limit)}`;
    return (await rows<Row>(this.pool, q, params)).map(toTask);
  }

  async task(id: number): Promise<TaskRecord | null> {
    const r = await one<Row>(this.pool, 'select * from work_order_tasks where id = $1', [id]);
    return r ? toTask(r) : null;
  }

  async completeTask(
    id: number,
    by: string,
    at: number,
    note: string | null,
    audit: AuditEntry,
  ): Promise<TaskRecord | null> {
    const done = await inTransaction(this.pool, async (c) => {
      const n = await changed(
        c,
        "update work_order_tasks set status = 'done', done_at = $1, done_by = $2, note = coalesce($3, note) where id = $4 and status = 'open'",
        [at, by, note, id],
      );
      if (n === 0) return false;
      await insertAudit(c, audit);
      return true;
    });
    return done ? this.task(id) : null;
  }

  async notices(orderId: number): Promise<NoticeRecord[]> {
    const r = await rows<Row>(this.pool, 'select * from supervision_notices where order_id = $1 order by id', [
      orderId,
    ]);
    return r.map((x) => ({
      id: x['id'] as number,
      orderId: x['order_id'] as number,
      unitId: x['unit_id'] as string | null,
      level: x['level'] as string,
      deadlineKind: x['deadline_kind'] as string,
      deadlineAt: x['deadline_at'] as number,
      createdAt: x['created_at'] as number,
      reason: x['reason'] as string | null,
      reasonAt: x['reason_at'] as number | null,
      reasonBy: x['reason_by'] as string | null,
    }));
  }

  async addAttachment(a: NewAttachment, at: number): Promise<AttachmentRecord> {
    const r = await one<Row>(
      this.pool,
      `insert into work_order_attachments (order_id, file_name, mime_type, size, sha256, storage_path, uploaded_by, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8) returning *`,
      [a.orderId, a.fileName, a.mimeType, a.size, a.sha256, a.storagePath, a.uploadedBy, at],
    );
    return toAttachment(r!);
  }

  async attachment(id: number): Promise<AttachmentRecord | null> {
    const r = await one<Row>(this.pool, 'select * from work_order_attachments where id = $1', [id]);
    return r ? toAttachment(r) : null;
  }

  async attachmentsOf(orderId: number): Promise<AttachmentRecord[]> {
    const r = await rows<Row>(this.pool, 'select * from work_order_attachments where order_id = $1 order by id', [
      orderId,
    ]);
    return r.map(toAttachment);
  }
}

async function insertTask(c: Client, t: NewTask, at: number): Promise<void> {
  await c.query(
    "insert into work_order_tasks (order_id, kind, unit_id, status, note, created_at) values ($1, $2, $3, 'open', $4, $5)",
    [t.orderId, t.kind, t.unitId ?? null, t.note ?? null, at],
  );
}

async function insertNotice(c: Client, n: NewNotice, at: number): Promise<void> {
  await c.query(
    'insert into supervision_notices (order_id, unit_id, level, deadline_kind, deadline_at, created_at) values ($1, $2, $3, $4, $5, $6)',
    [n.orderId, n.unitId, n.level, n.deadlineKind, n.deadlineAt, at],
  );
}

function toAppeal(r: Row): AppealRecord {
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

function toTask(r: Row): TaskRecord {
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

function toAttachment(r: Row): AttachmentRecord {
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
