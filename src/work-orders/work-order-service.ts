import { shanghaiDateOf } from '../domain/calendar/civil-date.ts';
import { decide, type DecideEnv } from '../domain/work-orders/decide.ts';
import { findRepeat, normalisePhone, repeatCandidateOf } from '../domain/work-orders/repeat-detection.ts';
import {
  maySeeOrder,
  orderVisibility,
  visibilityNeedsUnits,
  type OrderVisibilityFacts,
} from '../domain/work-orders/visibility.ts';
import type {
  Actor,
  AttachmentRef,
  Channel,
  NotAcceptedReason,
  OrderType,
  WorkOrder,
  WorkOrderCommand,
  WorkOrderDecision,
  WorkOrderEffect,
} from '../domain/work-orders/types.ts';
import type { Principal } from '../auth/principal.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import { maskPhone } from '../shared/phone-mask.ts';
import type { AuditEntry, AuditRecord } from '../store/audit-repo.ts';
import type { OrganisationRepo } from '../store/organisation-repo.ts';
import type {
  AttachmentRecord,
  CategoryRecord,
  DeadlineKind,
  NewTask,
  OrderChange,
  OrderIndexFields,
  TaskRecord,
  WorkOrderRepo,
  WorkOrderSummary,
} from '../store/work-orders-repo.ts';
import type { AreaTree } from './area-tree.ts';
import { ATTACHMENT_TYPES, type AttachmentStore } from './attachment-store.ts';
import type { CalendarService } from './calendar-service.ts';
import { canReceiveOrders } from './organisation-service.ts';
import type { SatisfactionSms } from './satisfaction-sms.ts';
import { ServiceError, badInput, conflict, notFound, notYours } from './service-error.ts';

export interface IntakeInput {
  channel: Channel;
  type: OrderType;
  callId?: string;
  requesterName?: string;
  requesterPhone?: string;
  contactPhone?: string;
  content: string;
  category: string;
  emergency?: boolean;
  confidential?: boolean;
  location?: string;
  /** Area code from config/areas.json (region, city or county/district). */
  area?: string;
  /** The platform that took the demand (region or city); county workstations take no public requests (art. 8). */
  receivedByUnitId?: string;
  /** Assigned by the regional platform (art. 5): a phone demand it took has no call on this server. */
  viaRegionalPlatform?: boolean;
}

export interface IntakeResult {
  order: WorkOrder;
  /** Set when the demand was merged into an open order on the same matter. */
  mergedInto?: number;
  /** Set when the demand repeats a lawfully closed order (art. 21(4)). */
  repeatOf?: number;
}

/** Listeners for effects that leave the store (unit notifications, opinions, alerts); default: log only. */
export interface WorkOrderNotifier {
  notify(effect: WorkOrderEffect): void;
}

export interface WorkOrderServiceDeps {
  repo: WorkOrderRepo;
  org: OrganisationRepo;
  calendar: CalendarService;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  sms: SatisfactionSms;
  attachments: AttachmentStore;
  notifier?: WorkOrderNotifier;
  env?: Omit<DecideEnv, 'calendar'>;
  /** Largest attachment accepted, in bytes. */
  maxAttachmentBytes?: number;
  /**
   * The call a phone order names (live or recorded): its caller's number, which becomes the requester's,
   * and the agents who took it. `undefined`: no such call.
   */
  callFacts: (callId: string) => Promise<CallFacts | undefined>;
  /** The area tree an order's `area` code must belong to (config/areas.json). */
  areas: AreaTree;
}

/** What the work orders need to know about a call: who called, and who took the call. */
export interface CallFacts {
  callerNumber: string;
  /** Agents (user names) who answered the call; empty when nobody did (abandoned, callback requested). */
  takenBy: readonly string[];
}

/** Who acts on an order, as the application sees a signed-in user or the system. */
export interface Caller {
  id: string;
  /** The user name (agent ids on calls are user names); absent for the system and the requester. */
  username?: string;
  role: string;
  unitId: string | null;
  permissions: ReadonlySet<string>;
}

export const SYSTEM_CALLER: Caller = { id: 'system', role: 'system', unitId: null, permissions: new Set() };

export function callerOf(p: Principal): Caller {
  return {
    id: String(p.userId),
    username: p.username,
    role: p.role,
    unitId: p.unitId,
    permissions: p.permissions as ReadonlySet<string>,
  };
}

function actorOf(c: Caller): Actor {
  switch (c.role) {
    case 'agent':
      return { kind: 'agent', id: c.id };
    case 'supervisor':
    case 'admin':
      return { kind: 'supervisor', id: c.id };
    case 'unit_handler':
      if (!c.unitId) throw notYours('no-unit', 'your account belongs to no handling unit');
      return { kind: 'unit', id: c.id, unitId: c.unitId };
    case 'system':
      return { kind: 'system', id: 'system' };
    case 'requester':
      return { kind: 'requester', id: 'requester' };
    default:
      throw notYours('role-cannot-act', `role ${c.role} cannot act on work orders`);
  }
}

const MAX_RETRIES = 3;

/** The pending deadline of an order, as the supervision and satisfaction scans see it. */
export function pendingDeadline(o: WorkOrder): { at: number; kind: DeadlineKind } | null {
  const a = o.assignments[o.assignments.length - 1];
  switch (o.status) {
    case 'registered':
    case 'returned':
    case 'disputed':
      return { at: o.dispatchDue.at, kind: 'dispatch' };
    case 'dispatched':
      return a ? { at: a.signDue.at, kind: 'sign' } : null;
    case 'signed':
      return a?.completionDue ? { at: a.completionDue.at, kind: 'completion' } : null;
    case 'closed':
      return o.satisfaction && !o.satisfaction.result ? { at: o.satisfaction.replyDueAt, kind: 'satisfaction' } : null;
    default:
      return null;
  }
}

/**
 * The application service of work orders: it loads an order, asks the domain's `decide` for the transition,
 * writes the new state with its audit rows and tasks in one transaction (retrying on a concurrent change),
 * then carries out the effects that leave the store (SMS, notifications).
 */
export class WorkOrderService {
  private readonly d: WorkOrderServiceDeps;
  private categoryCache: Map<string, CategoryRecord> | undefined;

  constructor(deps: WorkOrderServiceDeps) {
    this.d = deps;
  }

  private env(): DecideEnv {
    return { ...(this.d.env ?? {}), calendar: this.d.calendar.calendar };
  }

  async categories(): Promise<CategoryRecord[]> {
    return [...(await this.categoryMap()).values()];
  }

  private async categoryMap(): Promise<Map<string, CategoryRecord>> {
    this.categoryCache ??= new Map((await this.d.repo.categories()).map((c) => [c.code, c]));
    return this.categoryCache;
  }

  // ---- intake -------------------------------------------------------------------------------------------

  async intake(input: IntakeInput, caller: Caller): Promise<IntakeResult> {
    const category = (await this.categoryMap()).get(input.category);
    if (!category)
      throw badInput(
        'unknown-category',
        `body.category: unknown category "${input.category}" (GET /work-orders/categories lists them)`,
      );
    if (input.channel === 'phone' && !input.callId && !input.viaRegionalPlatform)
      throw badInput(
        'call-id-required',
        'body.callId is required for the phone channel: a phone order is linked to its call',
      );
    if (input.channel !== 'phone' && input.callId)
      throw badInput('call-id-not-phone', 'body.callId is only for the phone channel');
    if (input.area !== undefined && !this.d.areas.get(input.area))
      throw badInput('unknown-area', `body.area: unknown area "${input.area}" (GET /work-orders/areas lists them)`);
    const call = input.callId ? await this.d.callFacts(input.callId) : undefined;
    if (input.callId && !call) throw notFound('call-not-found', `body.callId: call ${input.callId} does not exist`);
    // An agent records the demands of the calls they took; a call nobody took (abandoned, a callback) is anyone's.
    if (call && caller.role === 'agent' && call.takenBy.length > 0 && !call.takenBy.includes(caller.username ?? '')) {
      throw notYours('call-not-yours', `body.callId: call ${input.callId} was taken by another agent`);
    }
    if (input.receivedByUnitId !== undefined) {
      const unit = await this.d.org.get(input.receivedByUnitId);
      if (!unit)
        throw badInput('unit-not-found', `body.receivedByUnitId: no organisation unit ${input.receivedByUnitId}`);
      if (!unit.acceptsPublicRequests) {
        throw conflict(
          'no-public-intake',
          `${unit.name} (${unit.kind}) does not take public requests (art. 8); take the demand at the city or regional platform`,
        );
      }
    }
    // A phone order's requester is the caller: the number comes from the call, never from the desk, which
    // shows it masked (art. 22) and may send the masked draft value back; whatever it sends is ignored.
    const phone = call ? normalisePhone(call.callerNumber) : normalisePhone(input.requesterPhone);
    const typed = input.requesterPhone;
    if (
      !call &&
      typed !== undefined &&
      (typed.includes('*') || phone === undefined || phone.length < 3 || phone.length > 20)
    ) {
      throw badInput('invalid-phone', 'body.requesterPhone must hold 3 to 20 digits');
    }
    const contact = normalisePhone(input.contactPhone);
    if (input.contactPhone !== undefined && (contact === undefined || contact.length < 3 || contact.length > 20)) {
      throw badInput('invalid-phone', 'body.contactPhone must hold 3 to 20 digits');
    }
    const actor = actorOf(caller);

    for (let attempt = 0; ; attempt++) {
      // Only orders the taker may see are repeat candidates: a merge or repeat flag would name a hidden order (art. 22).
      const candidates = phone
        ? (await this.visibleTo(caller, await this.d.repo.statesByPhone(phone, 50))).map(repeatCandidateOf)
        : [];
      const match = findRepeat(
        {
          categoryCode: category.code,
          content: input.content,
          ...(phone ? { requesterPhone: phone } : {}),
          ...(input.location ? { location: input.location } : {}),
        },
        candidates,
      );
      const id = await this.d.repo.nextId();
      const now = this.d.clock.now();
      const requester: WorkOrder['requester'] = {};
      if (input.requesterName) requester.name = input.requesterName;
      if (phone) requester.phone = phone;
      if (contact) requester.contactPhone = contact;
      const intake = this.decided(
        decide(
          null,
          {
            action: 'intake',
            actor,
            order: {
              id,
              channel: input.channel,
              type: input.type,
              emergency: input.emergency ?? false,
              confidential: input.confidential ?? false,
              category: { code: category.code, fastResponse: category.fastResponse },
              requester,
              content: input.content,
              ...(input.location ? { location: input.location } : {}),
              ...(input.area ? { area: input.area } : {}),
              ...(input.callId ? { callId: input.callId } : {}),
              ...(match?.kind === 'repeat-of-closed' ? { repeatOfClosedOrderId: match.orderId } : {}),
            },
          },
          now,
          this.env(),
        ),
      );
      const extra: AuditEntry[] = input.receivedByUnitId
        ? [
            {
              entity: 'work_order',
              entityId: String(id),
              action: 'received-by',
              actorId: caller.id,
              actorRole: caller.role,
              at: now,
              data: { unitId: input.receivedByUnitId },
            },
          ]
        : [];
      let changes: OrderChange[];
      let effects = intake.effects;
      let mergedInto: number | undefined;
      if (match?.kind === 'merge-into-open') {
        const target = await this.d.repo.load(match.orderId);
        if (!target) continue;
        const merged = this.decided(
          decide(intake.state, { action: 'merge-into', targetOrderId: match.orderId, actor }, now, this.env()),
        );
        const absorbed = this.decided(
          decide(target.order, { action: 'absorb', mergedOrderId: id, actor }, now, this.env()),
        );
        changes = [
          {
            ...this.change(merged.state, null, caller, now, [intake.audit, merged.audit], intake.effects, 0),
            extraAudit: extra,
          },
          this.change(
            absorbed.state,
            target.order.version,
            caller,
            now,
            [absorbed.audit],
            absorbed.effects,
            target.supervisionLevel,
            target,
          ),
        ];
        effects = [...intake.effects, ...absorbed.effects];
        mergedInto = match.orderId;
      } else {
        changes = [
          { ...this.change(intake.state, null, caller, now, [intake.audit], intake.effects, 0), extraAudit: extra },
        ];
      }
      changes[0]!.index.createdBy = caller.id;
      const r = await this.d.repo.commit(changes);
      if (r === 'conflict') {
        if (attempt < MAX_RETRIES) continue;
        throw conflict('concurrent-change', 'the store changed while the order was being taken; try again');
      }
      await this.carryOut(effects);
      const order = changes[0]!.order;
      this.d.logger.info(
        { orderId: id, channel: input.channel, mergedInto, requesterPhone: phone ? maskPhone(phone) : undefined },
        'work order taken',
      );
      return {
        order,
        ...(mergedInto !== undefined ? { mergedInto } : {}),
        ...(match?.kind === 'repeat-of-closed' ? { repeatOf: match.orderId } : {}),
      };
    }
  }

  // ---- transitions ----------------------------------------------------------------------------------------

  /** Runs one command on an order after checking the caller may see it; refusals become 400/403/409. */
  async act(id: number, command: WorkOrderCommand, caller: Caller): Promise<WorkOrder> {
    const actor = actorOf(caller);
    for (let attempt = 0; ; attempt++) {
      const stored = await this.d.repo.load(id);
      if (!stored) throw notFound('order-not-found', `no work order ${id}`);
      await this.assertVisible(stored.order, caller);
      if (command.action === 'dispatch' || command.action === 'resolve-dispute')
        await this.checkUnits(command.leadUnitId, command.assistingUnitIds ?? []);
      if (command.action === 'reply') await this.checkAttachments(id, command.attachments ?? []);
      if (command.action === 'merge-into') return this.mergeInto(stored.order, command.targetOrderId, caller);
      const forward =
        command.action === 'forward'
          ? { to: command.toUnitId, ...(await this.forwardCheck(stored.order, command.toUnitId)) }
          : null;
      const env: DecideEnv = forward
        ? {
            ...this.env(),
            mayForward: (from, to) => from === forward.from && to === forward.to && forward.refusal === null,
          }
        : this.env();
      const now = this.d.clock.now();
      const decision = decide(stored.order, { ...command, actor } as Parameters<typeof decide>[1], now, env);
      // The domain only learns yes/no from mayForward; the organisation knows why, so its reason replaces the generic one.
      if (!decision.ok && decision.refusal.code === 'forward-not-allowed' && forward?.refusal) {
        throw conflict('forward-not-allowed', `forward refused (order ${decision.refusal.status}): ${forward.refusal}`);
      }
      const d = this.decided(decision);
      const change = this.change(
        d.state,
        stored.order.version,
        caller,
        now,
        [d.audit],
        d.effects,
        stored.supervisionLevel,
        stored,
      );
      const r = await this.d.repo.commit(change);
      if (r === 'conflict') {
        if (attempt < MAX_RETRIES) continue;
        throw conflict('concurrent-change', `order ${id} was changed by someone else; reload and try again`);
      }
      await this.carryOut(d.effects);
      return d.state;
    }
  }

  private async mergeInto(order: WorkOrder, targetId: number, caller: Caller): Promise<WorkOrder> {
    const actor = actorOf(caller);
    const target = await this.d.repo.load(targetId);
    if (!target) throw badInput('order-not-found', `body.targetOrderId: no work order ${targetId}`);
    // Merging into an order one may not see would reveal it and attach one's demand to it (art. 22).
    await this.assertVisible(target.order, caller);
    const now = this.d.clock.now();
    const m = this.decided(decide(order, { action: 'merge-into', targetOrderId: targetId, actor }, now, this.env()));
    const a = this.decided(decide(target.order, { action: 'absorb', mergedOrderId: order.id, actor }, now, this.env()));
    const stored = await this.d.repo.load(order.id);
    const r = await this.d.repo.commit([
      this.change(
        m.state,
        order.version,
        caller,
        now,
        [m.audit],
        m.effects,
        stored?.supervisionLevel ?? 0,
        stored ?? undefined,
      ),
      this.change(a.state, target.order.version, caller, now, [a.audit], a.effects, target.supervisionLevel, target),
    ]);
    if (r === 'conflict')
      throw conflict('concurrent-change', 'one of the orders changed meanwhile; reload and try again');
    await this.carryOut([...m.effects, ...a.effects]);
    return m.state;
  }

  /** A satisfaction reply from the SMS webhook, matched to the newest survey sent to that number. */
  async satisfactionReply(phone: string, text: string): Promise<{ orderId: number; order: WorkOrder } | null> {
    const p = normalisePhone(phone);
    if (!p) return null;
    const survey = await this.d.sms.received(p, text);
    if (!survey || survey.orderId === null) return null;
    const order = await this.act(
      survey.orderId,
      { action: 'record-satisfaction', replyText: text },
      { ...SYSTEM_CALLER, id: 'requester', role: 'requester' },
    );
    return { orderId: survey.orderId, order };
  }

  // ---- reads ------------------------------------------------------------------------------------------------

  async get(id: number, caller: Caller): Promise<WorkOrder> {
    const o = await this.d.repo.get(id);
    if (!o) throw notFound('order-not-found', `no work order ${id}`);
    await this.assertVisible(o, caller);
    return o;
  }

  async list(
    filter: { status?: WorkOrder['status']; unitId?: string; beforeId?: number; limit?: number },
    caller: Caller,
  ): Promise<WorkOrderSummary[]> {
    const limit = Math.min(filter.limit ?? 50, 500);
    if (caller.role === 'unit_handler') {
      if (!caller.unitId) throw notYours('no-unit', 'your account belongs to no handling unit');
      if (filter.unitId !== undefined && filter.unitId !== caller.unitId)
        throw notYours('not-your-unit', `you may list the orders of unit ${caller.unitId} only`);
      // The query keeps the unit's orders only, so each row is assigned to the caller's unit.
      const rows = await this.d.repo.list({ ...filter, unitId: caller.unitId, includeConfidential: true, limit });
      return rows.filter((r) => maySeeOrder(caller, { confidential: r.confidential, unitIds: [caller.unitId!] }));
    }
    // The SQL filter only saves reading rows the decider would drop.
    const includeConfidential = maySeeOrder(caller, { confidential: true, unitIds: [] });
    const rows = await this.d.repo.list({ ...filter, includeConfidential, limit });
    return rows.filter((r) => maySeeOrder(caller, { confidential: r.confidential, unitIds: [] }));
  }

  async findByPhone(phone: string, caller: Caller, limit = 50): Promise<WorkOrderSummary[]> {
    const p = normalisePhone(phone);
    if (!p) throw badInput('invalid-phone', 'querystring.phone must hold digits');
    return this.visibleSummaries(await this.d.repo.findByPhone(p, Math.min(limit, 200)), caller);
  }

  /** The summaries among `rows` that the caller may see (for lists read straight from the repository). */
  async visibleSummaries(rows: readonly WorkOrderSummary[], caller: Caller): Promise<WorkOrderSummary[]> {
    const visible: WorkOrderSummary[] = [];
    for (const r of rows) if (maySeeOrder(caller, await this.visibilityFacts(r, caller))) visible.push(r);
    return visible;
  }

  async audit(id: number, caller: Caller): Promise<AuditRecord[]> {
    await this.get(id, caller);
    return this.d.repo.auditOf(id);
  }

  /** Open and done tasks, without those of orders the caller may not see (a task names its order: art. 22). */
  async tasks(
    filter: { status?: 'open' | 'done'; kind?: string; orderId?: number; limit?: number },
    caller: Caller,
  ): Promise<TaskRecord[]> {
    const includeConfidential = maySeeOrder(caller, { confidential: true, unitIds: [] });
    const rows = await this.d.repo.tasks({ ...filter, includeConfidential, limit: Math.min(filter.limit ?? 100, 500) });
    if (!visibilityNeedsUnits(caller)) return rows;
    const visible: TaskRecord[] = [];
    for (const t of rows) {
      const o = await this.d.repo.get(t.orderId);
      if (o && maySeeOrder(caller, await this.visibilityFacts(o, caller))) visible.push(t);
    }
    return visible;
  }

  async completeTask(id: number, note: string | null, caller: Caller): Promise<TaskRecord> {
    const task = await this.d.repo.task(id);
    if (task) await this.get(task.orderId, caller);
    const now = this.d.clock.now();
    const t = await this.d.repo.completeTask(id, caller.id, now, note, {
      entity: 'work_order_task',
      entityId: String(id),
      action: 'complete',
      actorId: caller.id,
      actorRole: caller.role,
      at: now,
      reason: note,
    });
    if (!t) throw conflict('task-not-open', `task ${id} does not exist or is already done`);
    return t;
  }

  /** Can this caller see this order at all? The domain's orderVisibility decides (art. 22); a refusal is a 403. */
  async assertVisible(o: WorkOrder, caller: Caller): Promise<void> {
    const v = orderVisibility(caller, await this.visibilityFacts(o, caller));
    if (!v.visible) throw notYours(v.code, `order ${o.id}: ${v.reason}`);
  }

  private async visibleTo(caller: Caller, orders: WorkOrder[]): Promise<WorkOrder[]> {
    const visible: WorkOrder[] = [];
    for (const o of orders) if (maySeeOrder(caller, await this.visibilityFacts(o, caller))) visible.push(o);
    return visible;
  }

  /** The facts the visibility rule reads; the unit assignments are loaded only for viewers judged by them. */
  async visibilityFacts(o: { id: number; confidential: boolean }, caller: Caller): Promise<OrderVisibilityFacts> {
    const unitIds = visibilityNeedsUnits(caller) ? (await this.d.repo.unitsOf(o.id)).map((u) => u.unitId) : [];
    return { confidential: o.confidential, unitIds };
  }

  // ---- attachments -------------------------------------------------------------------------------------------

  async addAttachment(
    orderId: number,
    file: { fileName: string; mimeType: string; contentBase64: string },
    caller: Caller,
  ): Promise<AttachmentRecord> {
    const o = await this.get(orderId, caller);
    if (!(ATTACHMENT_TYPES as readonly string[]).includes(file.mimeType)) {
      throw badInput('unsupported-attachment', `body.mimeType must be one of ${ATTACHMENT_TYPES.join(', ')}`);
    }
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(file.contentBase64))
      throw badInput('invalid-base64', 'body.contentBase64 is not base64');
    const bytes = Buffer.from(file.contentBase64, 'base64');
    if (bytes.length === 0) throw badInput('empty-attachment', 'body.contentBase64 is empty');
    const max = this.d.maxAttachmentBytes ?? 20 * 1024 * 1024;
    if (bytes.length > max)
      throw badInput('attachment-too-large', `attachment is ${bytes.length} bytes; the limit is ${max}`);
    if (caller.role === 'unit_handler') {
      const lead = o.assignments[o.assignments.length - 1]?.leadUnitId;
      if (lead !== caller.unitId) throw notYours('not-lead-unit', 'only the lead unit attaches files to the reply');
    }
    const stored = this.d.attachments.save(orderId, file.fileName, bytes);
    return this.d.repo.addAttachment(
      { orderId, fileName: file.fileName, mimeType: file.mimeType, ...stored, uploadedBy: caller.id },
      this.d.clock.now(),
    );
  }

  async attachment(
    orderId: number,
    attachmentId: number,
    caller: Caller,
  ): Promise<{ meta: AttachmentRecord; bytes: Buffer }> {
    await this.get(orderId, caller);
    const meta = await this.d.repo.attachment(attachmentId);
    if (!meta || meta.orderId !== orderId)
      throw notFound('attachment-not-found', `order ${orderId} has no attachment ${attachmentId}`);
    return { meta, bytes: this.d.attachments.read(meta.storagePath) };
  }

  attachmentsOf(orderId: number): Promise<AttachmentRecord[]> {
    return this.d.repo.attachmentsOf(orderId);
  }

  // ---- internals ---------------------------------------------------------------------------------------------

  private decided(d: WorkOrderDecision): Extract<WorkOrderDecision, { ok: true }> {
    if (d.ok) return d;
    const r = d.refusal;
    if (r.code === 'invalid-input') throw new ServiceError(400, r.code, r.message);
    throw new ServiceError(409, r.code, `${r.action} refused (order ${r.status ?? 'new'}): ${r.message}`);
  }

  private async checkUnits(lead: string, assisting: readonly string[]): Promise<void> {
    for (const [i, id] of [lead, ...assisting].entries()) {
      const field = i === 0 ? 'body.leadUnitId' : `body.assistingUnitIds[${i - 1}]`;
      const u = await this.d.org.get(id);
      if (!u) throw badInput('unit-not-found', `${field}: no organisation unit ${id}`);
      if (!u.active) throw conflict('unit-inactive', `${field}: unit ${id} is inactive`);
      if (!canReceiveOrders(u.kind))
        throw conflict(
          'unit-cannot-handle',
          `${field}: a ${u.kind} does not handle orders; choose a county workstation or handling unit`,
        );
    }
  }

  /**
   * Art. 8: a county workstation holding an order may pass it to an active unit below it in the organisation
   * tree. Answers the current lead unit and, when forwarding is not allowed, why.
   */
  private async forwardCheck(order: WorkOrder, toUnitId: string): Promise<{ from: string; refusal: string | null }> {
    const target = await this.d.org.get(toUnitId);
    if (!target) throw badInput('unit-not-found', `body.unitId: no organisation unit ${toUnitId}`);
    const from = order.assignments[order.assignments.length - 1]?.leadUnitId;
    if (from === undefined) return { from: '', refusal: 'the order has no lead unit' };
    const lead = await this.d.org.get(from);
    if (lead?.kind !== 'county_workstation') {
      return {
        from,
        refusal: `the lead unit ${from} is ${lead ? `a ${lead.kind}` : 'unknown'}; only a county workstation forwards orders (art. 8)`,
      };
    }
    if (!target.active) return { from, refusal: `body.unitId: unit ${toUnitId} is inactive` };
    if (!canReceiveOrders(target.kind))
      return { from, refusal: `body.unitId: a ${target.kind} does not handle orders` };
    if (target.id === from || !(await this.isBelow(target.id, from))) {
      return {
        from,
        refusal: `body.unitId: unit ${toUnitId} is not below the workstation ${from} in the organisation hierarchy (art. 8)`,
      };
    }
    return { from, refusal: null };
  }

  /** True when `unitId` lies strictly below `ancestorId` in the organisation tree. */
  private async isBelow(unitId: string, ancestorId: string): Promise<boolean> {
    let cur = (await this.d.org.get(unitId))?.parentId ?? null;
    for (let guard = 0; cur !== null && guard < 64; guard++) {
      if (cur === ancestorId) return true;
      cur = (await this.d.org.get(cur))?.parentId ?? null;
    }
    return false;
  }

  private async checkAttachments(orderId: number, refs: readonly AttachmentRef[]): Promise<void> {
    for (const [i, ref] of refs.entries()) {
      const meta = await this.d.repo.attachment(Number(ref.id));
      if (!meta || meta.orderId !== orderId)
        throw badInput('attachment-not-found', `body.attachments[${i}]: order ${orderId} has no attachment ${ref.id}`);
    }
  }

  private change(
    order: WorkOrder,
    expectedVersion: number | null,
    caller: Caller,
    now: number,
    audit: OrderChange['audit'],
    effects: readonly WorkOrderEffect[],
    previousLevel: number,
    previous?: { nextDeadlineAt: number | null; nextDeadlineKind: DeadlineKind | null },
  ): OrderChange {
    const next = pendingDeadline(order);
    const sameDeadline =
      previous !== undefined &&
      next !== null &&
      previous.nextDeadlineAt === next.at &&
      previous.nextDeadlineKind === next.kind;
    const index: OrderIndexFields = {
      nextDeadlineAt: next?.at ?? null,
      nextDeadlineKind: next?.kind ?? null,
      // The scanner looks at every changed order on its next pass and works out when to look again.
      nextCheckAt: next === null ? null : next.kind === 'satisfaction' ? next.at : now,
      supervisionLevel: sameDeadline ? previousLevel : 0,
      fastResponse: order.category.fastResponse,
      createdBy: caller.id,
    };
    const tasks: NewTask[] = [];
    const extraAudit: AuditEntry[] = [];
    for (const e of effects) {
      if (e.type === 'create-task') tasks.push({ orderId: e.orderId, kind: e.task, unitId: e.unitId ?? null });
      if (e.type === 'notify-unit-by-phone')
        tasks.push({
          orderId: e.orderId,
          kind: 'emergency-phone-notification',
          unitId: e.unitId,
          note: 'art. 25: phone the unit at once',
        });
      if (e.type === 'alert') {
        extraAudit.push({
          entity: 'work_order_alert',
          entityId: String(e.orderId),
          action: e.kind,
          actorId: 'system',
          actorRole: 'system',
          at: now,
          reason: e.message,
        });
      }
    }
    return { order, index, expectedVersion, audit, actorRole: caller.role, extraAudit, tasks, at: now };
  }

  /** Effects that leave the store, after the transaction committed. A failure here never undoes the transition. */
  private async carryOut(effects: readonly WorkOrderEffect[]): Promise<void> {
    for (const e of effects) {
      try {
        switch (e.type) {
          case 'send-sms':
            await this.d.sms.sendSurvey(e.orderId, e.to, e.text);
            break;
          case 'alert':
            if (e.kind === 'provisional-deadline') {
              const o = await this.d.repo.get(e.orderId);
              const a = o?.assignments[o.assignments.length - 1];
              const provisional = [a?.signDue, a?.completionDue, a?.returnDue].find((d) => d?.provisional);
              const year = Number(shanghaiDateOf(provisional?.at ?? this.d.clock.now()).slice(0, 4));
              await this.d.calendar.provisionalDeadline(year, `order ${e.orderId}`);
            } else {
              this.d.logger.warn({ orderId: e.orderId, alert: e.kind }, e.message);
            }
            this.d.notifier?.notify(e);
            break;
          case 'schedule':
            // The scanner finds the satisfaction deadline through next_deadline_at; nothing to arm here.
            break;
          default:
            this.d.notifier?.notify(e);
            if (e.type === 'notify-unit' || e.type === 'notify-unit-by-phone')
              this.d.logger.info({ orderId: e.orderId, unitId: e.unitId, effect: e.type }, 'unit notified');
        }
      } catch (err) {
        this.d.logger.error({ err, orderId: e.orderId, effect: e.type }, 'work-order effect failed');
      }
    }
  }
}

/** Commands as the HTTP layer builds them, checked for shape by the route schemas. */
export type ActionBody = { action: 'not-accept'; reasonCode: NotAcceptedReason; note?: string } | WorkOrderCommand;
