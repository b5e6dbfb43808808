import type { WorkingCalendar } from '../calendar/working-calendar.ts';
import {
  DEFAULT_CLOCK_POLICY,
  completionDeadline,
  dispatchDeadline,
  extendDeadline,
  handlingLimit,
  returnDeadline,
  satisfactionReplyDeadline,
  signDeadline,
  type ClockPolicy,
} from './handling-clock.ts';
import { DEFAULT_SURVEY_DIGITS, parseSatisfactionReply, surveyText, type SurveyDigits } from './satisfaction-reply.ts';
import {
  CHANNELS,
  NOT_ACCEPTED_REASONS,
  OPEN_STATUSES,
  ORDER_TYPES,
  type ActorKind,
  type Assignment,
  type AuditEntry,
  type Deadline,
  type IntakeData,
  type RefusalCode,
  type SatisfactionLevel,
  type WorkOrder,
  type WorkOrderAction,
  type WorkOrderDecision,
  type WorkOrderEffect,
  type WorkOrderInput,
  type WorkOrderStatus,
} from './types.ts';

/** What decide needs besides the order: the calendar and the clock policy. */
export interface DecideEnv {
  calendar: WorkingCalendar;
  policy?: ClockPolicy;
  surveyDigits?: SurveyDigits;
  /**
   * Art. 8: whether unit `from` (a county workstation) may pass orders on to unit `to`, answered from the
   * organisation tree the adapter holds. Without it no order can be forwarded.
   */
  mayForward?: (fromUnitId: string, toUnitId: string) => boolean;
}

const HOTLINE: readonly ActorKind[] = ['agent', 'supervisor'];
/** The span calendar data can exist for; an instant outside it is a bug in the caller. */
const EARLIEST = Date.UTC(2000, 0, 1);
const LATEST = Date.UTC(2200, 0, 1);

/**
 * Which statuses each action may start from and which kinds of actor may take it. `null` in `from` means
 * "no order yet" (intake). The state machine refuses anything outside this table first, then checks the
 * action's own rules (lead unit, windows, limits).
 */
export const TRANSITIONS: Readonly<
  Record<WorkOrderAction, { from: readonly (WorkOrderStatus | null)[]; actors: readonly ActorKind[] }>
> = Object.freeze({
  intake: { from: [null], actors: [...HOTLINE, 'system'] },
  'not-accept': { from: ['registered'], actors: HOTLINE },
  'answer-directly': { from: ['registered'], actors: HOTLINE },
  dispatch: { from: ['registered', 'returned'], actors: HOTLINE },
  'raise-dispute': { from: ['registered', 'returned'], actors: HOTLINE },
  'resolve-dispute': { from: ['disputed'], actors: HOTLINE },
  sign: { from: ['dispatched'], actors: ['unit'] },
  forward: { from: ['signed'], actors: ['unit'] },
  return: { from: ['signed'], actors: ['unit'] },
  'request-extension': { from: ['signed'], actors: ['unit'] },
  'approve-extension': { from: ['signed'], actors: HOTLINE },
  'refuse-extension': { from: ['signed'], actors: HOTLINE },
  'assist-opinion': { from: ['dispatched', 'signed'], actors: ['unit'] },
  'explain-overdue': { from: ['dispatched', 'signed', 'replied'], actors: ['unit'] },
  reply: { from: ['signed'], actors: ['unit'] },
  'reject-reply': { from: ['replied'], actors: HOTLINE },
  close: { from: ['replied'], actors: HOTLINE },
  'record-satisfaction': { from: ['closed'], actors: ['requester', 'system', ...HOTLINE] },
  'satisfaction-timeout': { from: ['closed'], actors: ['system'] },
  'conclude-review': { from: ['under-review'], actors: HOTLINE },
  // The system too: a citizen's submission through an intake channel (issue 13) repeating an open order merges at intake.
  'merge-into': { from: ['registered'], actors: [...HOTLINE, 'system'] },
  absorb: { from: OPEN_STATUSES, actors: [...HOTLINE, 'system'] },
});

class Refused {
  constructor(
    readonly code: RefusalCode,
    readonly message: string,
  ) {}
}

function refuse(code: RefusalCode, message: string): never {
  throw new Refused(code, message);
}

/**
 * The one function that decides every transition of a work order. Pure: the order given is not modified; the
 * result holds the next state, the effects for adapters to carry out, and the audit entry to append.
 */
export function decide(state: WorkOrder | null, input: WorkOrderInput, now: number, env: DecideEnv): WorkOrderDecision {
  // hasOwn: an action named like an Object.prototype member ("valueOf") must not find one.
  const rule = Object.hasOwn(TRANSITIONS, input.action) ? TRANSITIONS[input.action] : undefined;
  const status = state?.status ?? null;
  try {
    if (!rule) refuse('invalid-input', `unknown action ${JSON.stringify(input.action)}`);
    if (!isActor(input.actor)) refuse('invalid-input', 'actor must be { kind, id } with a known kind');
    if (typeof now !== 'number' || !(now >= EARLIEST && now < LATEST))
      refuse('invalid-input', 'now must be an epoch-ms instant between 2000 and 2200');
    if (state === null && input.action !== 'intake') refuse('no-order', `${input.action} needs an existing order`);
    if (state !== null && input.action === 'intake') refuse('already-exists', `order ${state.id} already exists`);
    if (!rule.from.includes(status)) {
      refuse('invalid-state', `${input.action} is not allowed when the order is ${status ?? 'not yet created'}`);
    }
    if (!rule.actors.includes(input.actor.kind)) {
      refuse(
        'actor-not-allowed',
        `${input.action} is taken by ${rule.actors.join(' or ')}, not by ${input.actor.kind}`,
      );
    }
    const t = new Transition(state === null ? null : structuredClone(state), input, now, env);
    return t.run();
  } catch (e) {
    if (e instanceof Refused) {
      return { ok: false, refusal: { code: e.code, message: e.message, action: input.action, status } };
    }
    throw e;
  }
}

function isActor(a: unknown): a is WorkOrderInput['actor'] {
  if (typeof a !== 'object' || a === null) return false;
  const o = a as Record<string, unknown>;
  return (
    typeof o['id'] === 'string' &&
    o['id'] !== '' &&
    ['agent', 'supervisor', 'unit', 'requester', 'system'].includes(o['kind'] as string) &&
    (o['kind'] !== 'unit' || (typeof o['unitId'] === 'string' && o['unitId'] !== ''))
  );
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '')
    refuse('invalid-input', `${field} is required (non-empty text)`);
  return value.trim();
}

function unitList(lead: unknown, assisting: unknown): { lead: string; assisting: string[] } {
  const l = text(lead, 'leadUnitId');
  if (assisting !== undefined && !Array.isArray(assisting))
    refuse('invalid-input', 'assistingUnitIds must be an array');
  const list = ((assisting as unknown[] | undefined) ?? []).map((u, i) => text(u, `assistingUnitIds[${i}]`));
  if (list.includes(l)) refuse('unit-conflict', `lead unit ${l} is also listed as assisting unit`);
  if (new Set(list).size !== list.length) refuse('unit-conflict', 'an assisting unit is listed twice');
  return { lead: l, assisting: list };
}

class Transition {
  private readonly effects: WorkOrderEffect[] = [];
  private reason: string | null = null;
  private details: Record<string, unknown> | undefined;
  private readonly policy: ClockPolicy;

  constructor(
    private order: WorkOrder | null,
    private readonly input: WorkOrderInput,
    private readonly now: number,
    private readonly env: DecideEnv,
  ) {
    this.policy = env.policy ?? DEFAULT_CLOCK_POLICY;
  }

  run(): WorkOrderDecision {
    const from = this.order?.status ?? null;
    this.apply();
    const order = this.order as WorkOrder;
    order.version += 1;
    const audit: AuditEntry = {
      orderId: order.id,
      action: this.input.action,
      actor: this.input.actor,
      at: this.now,
      reason: this.reason,
      fromStatus: from,
      toStatus: order.status,
      version: order.version,
    };
    if (this.details) audit.details = this.details;
    return { ok: true, state: order, effects: this.effects, audit };
  }

  private get o(): WorkOrder {
    return this.order as WorkOrder;
  }

  private current(): Assignment {
    const a = this.o.assignments[this.o.assignments.length - 1];
    if (!a) refuse('invalid-state', 'the order has no assignment');
    return a;
  }

  private requireLead(a: Assignment): void {
    if (this.input.actor.unitId !== a.leadUnitId) {
      refuse('not-lead-unit', `only the lead unit ${a.leadUnitId} may ${this.input.action} this order`);
    }
  }

  private alertIfProvisional(d: Deadline | null | undefined, what: string): void {
    if (d?.provisional) {
      this.effects.push({
        type: 'alert',
        orderId: this.o.id,
        kind: 'provisional-deadline',
        message: `${what} deadline falls in a year without calendar data; load that year's holidays`,
      });
    }
  }

  private apply(): void {
    const i = this.input;
    switch (i.action) {
      case 'intake':
        return this.intake(i.order);
      case 'not-accept': {
        if (!(NOT_ACCEPTED_REASONS as readonly string[]).includes(i.reasonCode)) {
          refuse('invalid-input', `reasonCode must be one of ${NOT_ACCEPTED_REASONS.join(', ')}`);
        }
        const note = typeof i.note === 'string' ? i.note.trim() : '';
        this.o.notAccepted = { reason: i.reasonCode, note, at: this.now, by: i.actor.id };
        this.o.status = 'not-accepted';
        this.reason = note === '' ? i.reasonCode : `${i.reasonCode}: ${note}`;
        return;
      }
      case 'answer-directly': {
        const answer = text(i.answer, 'answer');
        this.o.directAnswer = { at: this.now, by: i.actor.id, answer };
        this.closeAndSurvey();
        return;
      }
      case 'dispatch': {
        const u = unitList(i.leadUnitId, i.assistingUnitIds);
        this.dispatchTo(u.lead, u.assisting);
        return;
      }
      case 'raise-dispute': {
        const reason = text(i.reason, 'reason');
        if (!Array.isArray(i.unitIds) || i.unitIds.length === 0)
          refuse('invalid-input', 'unitIds must list the disputing units');
        const unitIds = i.unitIds.map((u, n) => text(u, `unitIds[${n}]`));
        this.o.disputes.push({ raisedAt: this.now, raisedBy: i.actor.id, unitIds, reason });
        this.o.status = 'disputed';
        this.reason = reason;
        this.effects.push({
          type: 'alert',
          orderId: this.o.id,
          kind: 'dispute-raised',
          message: `responsibility disputed by ${unitIds.join(', ')}`,
        });
        return;
      }
      case 'resolve-dispute': {
        const minutes = text(i.minutes, 'minutes');
        const u = unitList(i.leadUnitId, i.assistingUnitIds);
        const d = this.o.disputes[this.o.disputes.length - 1];
        if (!d) refuse('invalid-state', 'no dispute recorded');
        d.decision = { at: this.now, by: i.actor.id, leadUnitId: u.lead, assistingUnitIds: u.assisting, minutes };
        this.reason = minutes;
        this.dispatchTo(u.lead, u.assisting);
        return;
      }
      case 'sign': {
        const a = this.current();
        this.requireLead(a);
        a.signedAt = this.now;
        a.signedBy = i.actor.id;
        a.returnDue = returnDeadline(this.env.calendar, this.o, this.now, this.policy);
        this.alertIfProvisional(a.returnDue, 'return');
        this.o.status = 'signed';
        if (this.now > a.signDue.at) {
          this.effects.push({
            type: 'alert',
            orderId: this.o.id,
            kind: 'late-sign',
            message: `signed after the sign deadline by unit ${a.leadUnitId}`,
          });
          this.details = { late: true };
        }
        return;
      }
      case 'forward': {
        const a = this.current();
        this.requireLead(a);
        const u = unitList(i.toUnitId, i.assistingUnitIds);
        if (u.lead === a.leadUnitId) refuse('unit-conflict', 'an order cannot be forwarded to the unit that holds it');
        if (!this.env.mayForward?.(a.leadUnitId, u.lead)) {
          refuse(
            'forward-not-allowed',
            `unit ${a.leadUnitId} may not forward orders to ${u.lead} (only a county workstation forwards, art. 8)`,
          );
        }
        const note = typeof i.note === 'string' ? i.note.trim() : '';
        a.forwarded = { at: this.now, by: i.actor.id, toUnitId: u.lead, note };
        // The handling clock keeps running from the hotline's dispatch; only signing starts afresh.
        const next: Assignment = {
          round: a.round + 1,
          leadUnitId: u.lead,
          assistingUnitIds: u.assisting,
          dispatchedAt: this.now,
          dispatchedBy: i.actor.id,
          limit: a.limit,
          signDue: signDeadline(this.env.calendar, this.o, this.now, this.policy),
          completionDue: a.completionDue,
          originalCompletionDue: a.originalCompletionDue,
          forwardedFrom: a.leadUnitId,
          extensions: [],
          opinions: [],
          overdueExplanations: [],
          rejectedReplies: [],
        };
        this.o.assignments.push(next);
        this.o.status = 'dispatched';
        this.reason = note === '' ? null : note;
        this.details = { fromUnitId: a.leadUnitId, toUnitId: u.lead, assistingUnitIds: u.assisting };
        this.alertIfProvisional(next.signDue, 'sign');
        if (this.o.emergency) this.effects.push({ type: 'notify-unit-by-phone', orderId: this.o.id, unitId: u.lead });
        this.effects.push({
          type: 'notify-unit',
          orderId: this.o.id,
          unitId: u.lead,
          role: 'lead',
          emergency: this.o.emergency,
        });
        for (const x of u.assisting)
          this.effects.push({
            type: 'notify-unit',
            orderId: this.o.id,
            unitId: x,
            role: 'assisting',
            emergency: this.o.emergency,
          });
        return;
      }
      case 'return': {
        const reason = text(i.reason, 'reason');
        const a = this.current();
        this.requireLead(a);
        if (!a.returnDue || this.now > a.returnDue.at) {
          refuse(
            'return-window-passed',
            `the order could be returned until ${a.returnDue ? new Date(a.returnDue.at).toISOString() : 'signing'}; it is now too late (art. 26(3))`,
          );
        }
        a.returned = { at: this.now, by: i.actor.id, reason };
        this.o.status = 'returned';
        this.o.dispatchDue = dispatchDeadline(this.now, this.policy);
        this.reason = reason;
        this.effects.push(
          {
            type: 'alert',
            orderId: this.o.id,
            kind: 'order-returned',
            message: `unit ${a.leadUnitId} returned the order: ${reason}`,
          },
          { type: 'create-task', orderId: this.o.id, task: 're-dispatch' },
        );
        return;
      }
      case 'request-extension': {
        const reason = text(i.reason, 'reason');
        const a = this.current();
        this.requireLead(a);
        if (!a.limit || !a.completionDue || !a.originalCompletionDue)
          refuse('no-deadline', 'this order has no handling clock to extend');
        if (this.now > a.completionDue.at)
          refuse('deadline-passed', 'an extension must be requested before the deadline (art. 26(2)9)');
        if (a.extensions.some((e) => !e.decision))
          refuse('extension-pending', 'an extension request is already waiting for a decision');
        if (typeof i.extra !== 'number' || !Number.isInteger(i.extra) || i.extra <= 0) {
          refuse(
            'invalid-input',
            `extra must be a whole number > 0 of ${a.limit.unit === 'ms' ? 'milliseconds' : 'working days'}`,
          );
        }
        const granted = grantedExtension(this.o.assignments);
        const max = a.limit.amount * this.policy.maxExtensionFactor;
        if (granted + i.extra > max) {
          refuse(
            'extension-too-long',
            `extensions may total at most ${max} ${a.limit.unit}; ${granted} already granted, ${i.extra} asked`,
          );
        }
        a.extensions.push({ requestedAt: this.now, requestedBy: i.actor.id, extra: i.extra, reason });
        this.reason = reason;
        this.details = { extra: i.extra, unit: a.limit.unit };
        this.effects.push({
          type: 'alert',
          orderId: this.o.id,
          kind: 'extension-requested',
          message: `unit ${a.leadUnitId} asks for ${i.extra} more ${a.limit.unit}`,
        });
        return;
      }
      case 'approve-extension':
      case 'refuse-extension': {
        const a = this.current();
        const pending = a.extensions.find((e) => !e.decision);
        if (!pending) refuse('no-extension-pending', 'no extension request is waiting for a decision');
        if (i.action === 'refuse-extension') {
          const reason = text(i.reason, 'reason');
          pending.decision = { approved: false, at: this.now, by: i.actor.id, reason };
          this.reason = reason;
          return;
        }
        pending.decision = { approved: true, at: this.now, by: i.actor.id };
        if (a.limit && a.completionDue) {
          a.completionDue = extendDeadline(this.env.calendar, a.completionDue, a.limit, pending.extra);
          this.alertIfProvisional(a.completionDue, 'extended completion');
          this.details = { completionDue: a.completionDue.at };
        }
        return;
      }
      case 'assist-opinion': {
        const opinion = text(i.opinion, 'opinion');
        const a = this.current();
        const unitId = i.actor.unitId as string;
        if (!a.assistingUnitIds.includes(unitId))
          refuse('not-assisting-unit', `unit ${unitId} is not an assisting unit of this order`);
        a.opinions.push({ unitId, at: this.now, by: i.actor.id, opinion });
        this.effects.push({
          type: 'forward-opinion',
          orderId: this.o.id,
          fromUnitId: unitId,
          toUnitId: a.leadUnitId,
          opinion,
        });
        return;
      }
      case 'explain-overdue': {
        const reason = text(i.reason, 'reason');
        const a = this.current();
        this.requireLead(a);
        if (!isOverdue(this.o, a, this.now)) refuse('not-overdue', 'the order is not overdue; nothing to explain');
        a.overdueExplanations.push({ at: this.now, by: i.actor.id, reason });
        this.reason = reason;
        return;
      }
      case 'reply': {
        const content = text(i.content, 'content');
        if (i.attachments !== undefined && !Array.isArray(i.attachments))
          refuse('invalid-input', 'attachments must be an array');
        const attachments = (i.attachments ?? []).map((f, n) => {
          if (typeof f !== 'object' || f === null)
            refuse('invalid-input', `attachments[${n}] must be { id, fileName, mimeType }`);
          return {
            id: text(f.id, `attachments[${n}].id`),
            fileName: text(f.fileName, `attachments[${n}].fileName`),
            mimeType: text(f.mimeType, `attachments[${n}].mimeType`),
          };
        });
        const a = this.current();
        this.requireLead(a);
        a.reply = { at: this.now, by: i.actor.id, content, attachments };
        this.o.status = 'replied';
        if (a.completionDue && this.now > a.completionDue.at) {
          this.effects.push({
            type: 'alert',
            orderId: this.o.id,
            kind: 'late-reply',
            message: `unit ${a.leadUnitId} replied after the deadline`,
          });
          this.details = { late: true };
        }
        return;
      }
      case 'reject-reply': {
        const reason = text(i.reason, 'reason');
        const a = this.current();
        if (!a.reply) refuse('invalid-state', 'no reply to reject');
        a.rejectedReplies.push({ ...a.reply, rejectedAt: this.now, rejectedBy: i.actor.id, rejectReason: reason });
        delete a.reply;
        this.o.status = 'signed';
        this.reason = reason;
        this.effects.push({
          type: 'notify-unit',
          orderId: this.o.id,
          unitId: a.leadUnitId,
          role: 'lead',
          emergency: this.o.emergency,
        });
        return;
      }
      case 'close':
        this.closeAndSurvey();
        return;
      case 'record-satisfaction':
        return this.recordSatisfaction(i.replyText);
      case 'satisfaction-timeout': {
        const s = this.o.satisfaction;
        if (!s) refuse('invalid-state', 'no satisfaction survey was sent for this order');
        if (s.result) refuse('satisfaction-already-recorded', `satisfaction already recorded as ${s.result}`);
        if (this.now < s.replyDueAt)
          refuse('satisfaction-window-open', 'the 24-hour reply window has not passed (art. 27(2))');
        s.result = 'satisfied';
        s.byDefault = true;
        this.markAssignment('satisfied', true);
        this.reason = 'no reply within 24 hours counts as satisfied (art. 27(2))';
        return;
      }
      case 'conclude-review': {
        const note = text(i.note, 'note');
        if (i.outcome !== 'upheld' && i.outcome !== 'redispatch')
          refuse('invalid-input', 'outcome must be upheld or redispatch');
        const r = this.o.review ?? { startedAt: this.now };
        this.o.review = { ...r, outcome: i.outcome, at: this.now, by: i.actor.id, note };
        this.reason = note;
        if (i.outcome === 'upheld') {
          this.o.status = 'closed';
        } else {
          this.o.status = 'registered';
          delete this.o.closedAt;
          delete this.o.closedBy;
          this.o.dispatchDue = dispatchDeadline(this.now, this.policy);
          this.effects.push({ type: 'create-task', orderId: this.o.id, task: 're-dispatch' });
        }
        return;
      }
      case 'merge-into': {
        if (!Number.isInteger(i.targetOrderId) || i.targetOrderId <= 0)
          refuse('invalid-input', 'targetOrderId must be a positive integer');
        if (i.targetOrderId === this.o.id) refuse('merge-into-self', 'an order cannot be merged into itself');
        this.o.mergedIntoOrderId = i.targetOrderId;
        this.o.status = 'merged';
        this.details = { targetOrderId: i.targetOrderId };
        return;
      }
      case 'absorb': {
        if (!Number.isInteger(i.mergedOrderId) || i.mergedOrderId <= 0)
          refuse('invalid-input', 'mergedOrderId must be a positive integer');
        if (i.mergedOrderId === this.o.id) refuse('merge-into-self', 'an order cannot absorb itself');
        if (!this.o.mergedOrderIds.includes(i.mergedOrderId)) this.o.mergedOrderIds.push(i.mergedOrderId);
        this.details = { mergedOrderId: i.mergedOrderId };
        return;
      }
    }
  }

  private intake(d: IntakeData): void {
    if (typeof d !== 'object' || d === null) refuse('invalid-input', 'order is required');
    if (!Number.isInteger(d.id) || d.id <= 0) refuse('invalid-input', 'order.id must be a positive integer');
    if (!(CHANNELS as readonly string[]).includes(d.channel))
      refuse('invalid-input', `order.channel must be one of ${CHANNELS.join(', ')}`);
    if (!(ORDER_TYPES as readonly string[]).includes(d.type))
      refuse('invalid-input', `order.type must be one of ${ORDER_TYPES.join(', ')}`);
    if (typeof d.emergency !== 'boolean') refuse('invalid-input', 'order.emergency must be true or false');
    if (typeof d.confidential !== 'boolean') refuse('invalid-input', 'order.confidential must be true or false');
    if (typeof d.category !== 'object' || d.category === null) refuse('invalid-input', 'order.category is required');
    const code = text(d.category.code, 'order.category.code');
    if (typeof d.category.fastResponse !== 'boolean')
      refuse('invalid-input', 'order.category.fastResponse must be true or false');
    const content = text(d.content, 'order.content');
    if (typeof d.requester !== 'object' || d.requester === null) refuse('invalid-input', 'order.requester is required');
    for (const k of ['name', 'phone', 'contactPhone'] as const) {
      if (d.requester[k] !== undefined && typeof d.requester[k] !== 'string')
        refuse('invalid-input', `order.requester.${k} must be text`);
    }
    if (d.location !== undefined && typeof d.location !== 'string')
      refuse('invalid-input', 'order.location must be text');
    if (d.area !== undefined && (typeof d.area !== 'string' || !/^[0-9]{6}$/.test(d.area)))
      refuse('invalid-input', 'order.area must be a 6-digit area code');
    if (d.callId !== undefined && typeof d.callId !== 'string') refuse('invalid-input', 'order.callId must be text');
    if (
      d.repeatOfClosedOrderId !== undefined &&
      (!Number.isInteger(d.repeatOfClosedOrderId) || d.repeatOfClosedOrderId <= 0)
    ) {
      refuse('invalid-input', 'order.repeatOfClosedOrderId must be a positive integer');
    }
    const order: WorkOrder = {
      id: d.id,
      status: 'registered',
      channel: d.channel,
      type: d.type,
      emergency: d.emergency,
      confidential: d.confidential,
      category: { code, fastResponse: d.category.fastResponse },
      requester: pickRequester(d.requester),
      content,
      receivedAt: this.now,
      receivedBy: this.input.actor.id,
      dispatchDue: dispatchDeadline(this.now, this.policy),
      mergedOrderIds: [],
      disputes: [],
      assignments: [],
      version: 0,
    };
    if (d.location !== undefined) order.location = d.location;
    if (d.area !== undefined) order.area = d.area;
    if (d.callId !== undefined) order.callId = d.callId;
    if (d.repeatOfClosedOrderId !== undefined) {
      order.repeatOfClosedOrderId = d.repeatOfClosedOrderId;
      this.effects.push({
        type: 'alert',
        orderId: d.id,
        kind: 'repeat-of-closed-order',
        message: `same requester and matter as closed order ${d.repeatOfClosedOrderId}; check art. 21(4) before dispatching`,
      });
    }
    this.order = order;
    this.details = { channel: d.channel, type: d.type, emergency: d.emergency };
  }

  private dispatchTo(lead: string, assisting: string[]): void {
    const o = this.o;
    const cal = this.env.calendar;
    const limit = handlingLimit(o, this.policy);
    const completionDue = completionDeadline(cal, o, this.now, this.policy);
    const signDue = signDeadline(cal, o, this.now, this.policy);
    const a: Assignment = {
      round: o.assignments.length + 1,
      leadUnitId: lead,
      assistingUnitIds: assisting,
      dispatchedAt: this.now,
      dispatchedBy: this.input.actor.id,
      limit,
      signDue,
      completionDue,
      originalCompletionDue: completionDue,
      extensions: [],
      opinions: [],
      overdueExplanations: [],
      rejectedReplies: [],
    };
    o.assignments.push(a);
    o.status = 'dispatched';
    this.details = {
      leadUnitId: lead,
      assistingUnitIds: assisting,
      signDue: signDue.at,
      completionDue: completionDue?.at ?? null,
      lateDispatch: this.now > o.dispatchDue.at,
    };
    this.alertIfProvisional(signDue, 'sign');
    this.alertIfProvisional(completionDue, 'completion');
    if (o.emergency) this.effects.push({ type: 'notify-unit-by-phone', orderId: o.id, unitId: lead });
    this.effects.push({ type: 'notify-unit', orderId: o.id, unitId: lead, role: 'lead', emergency: o.emergency });
    for (const u of assisting)
      this.effects.push({ type: 'notify-unit', orderId: o.id, unitId: u, role: 'assisting', emergency: o.emergency });
  }

  private closeAndSurvey(): void {
    const o = this.o;
    o.status = 'closed';
    o.closedAt = this.now;
    o.closedBy = this.input.actor.id;
    delete o.satisfaction;
    const to = o.requester.contactPhone ?? o.requester.phone;
    if (to) {
      const replyDueAt = satisfactionReplyDeadline(this.now, this.policy);
      o.satisfaction = { surveySentAt: this.now, replyDueAt, unreadReplies: [] };
      this.effects.push(
        {
          type: 'send-sms',
          orderId: o.id,
          to,
          purpose: 'satisfaction-survey',
          text: surveyText(o.id, this.env.surveyDigits ?? DEFAULT_SURVEY_DIGITS),
        },
        { type: 'schedule', orderId: o.id, at: replyDueAt, action: 'satisfaction-timeout' },
      );
    }
  }

  /** Copies the verdict to the assignment that produced the answer (none for a direct answer by the agent). */
  private markAssignment(result: SatisfactionLevel, byDefault: boolean): void {
    const a = this.o.assignments[this.o.assignments.length - 1];
    if (a && !a.returned && a.reply) a.satisfaction = { result, byDefault, at: this.now };
  }

  private recordSatisfaction(replyText: unknown): void {
    if (typeof replyText !== 'string') refuse('invalid-input', 'replyText must be text');
    const s = this.o.satisfaction;
    if (!s) refuse('invalid-state', 'no satisfaction survey was sent for this order');
    if (s.result) refuse('satisfaction-already-recorded', `satisfaction already recorded as ${s.result}`);
    if (this.now > s.replyDueAt) {
      // Silence for 24 h already counted as satisfied (art. 27(2)); a late answer is kept for a person to read.
      s.result = 'satisfied';
      s.byDefault = true;
      this.markAssignment('satisfied', true);
      s.unreadReplies.push({ at: this.now, text: replyText });
      this.reason = 'reply after the 24-hour window; silence counts as satisfied';
      this.effects.push({
        type: 'alert',
        orderId: this.o.id,
        kind: 'unread-satisfaction-reply',
        message: 'satisfaction reply arrived after 24 hours',
      });
      return;
    }
    const parsed = parseSatisfactionReply(replyText, this.env.surveyDigits ?? DEFAULT_SURVEY_DIGITS);
    if (!parsed.ok) {
      s.unreadReplies.push({ at: this.now, text: replyText });
      this.reason = `reply not understood (${parsed.reason})`;
      this.effects.push({
        type: 'alert',
        orderId: this.o.id,
        kind: 'unread-satisfaction-reply',
        message: `satisfaction reply not understood (${parsed.reason})`,
      });
      return;
    }
    s.result = parsed.level;
    s.byDefault = false;
    this.markAssignment(parsed.level, false);
    s.answeredAt = this.now;
    s.replyText = replyText;
    this.details = { level: parsed.level };
    if (parsed.level === 'dissatisfied') {
      this.o.status = 'under-review';
      this.o.review = { startedAt: this.now };
      const lead = this.o.assignments[this.o.assignments.length - 1]?.leadUnitId;
      this.effects.push({ type: 'create-task', orderId: this.o.id, task: 'review-result' });
      const callback: WorkOrderEffect = { type: 'create-task', orderId: this.o.id, task: 'manual-callback' };
      if (lead !== undefined) callback.unitId = lead;
      this.effects.push(callback);
    }
  }
}

/**
 * True when the current assignment has missed its sign deadline (unsigned) or its completion deadline
 * (unanswered, or answered late).
 */
export function isOverdue(order: WorkOrder, a: Assignment, now: number): boolean {
  if (order.status === 'dispatched')
    return now > a.signDue.at || (a.completionDue !== null && now > a.completionDue.at);
  if (!a.completionDue) return false;
  if (a.reply) return a.reply.at > a.completionDue.at;
  return now > a.completionDue.at;
}

function pickRequester(r: IntakeData['requester']): IntakeData['requester'] {
  const out: IntakeData['requester'] = {};
  if (r.name !== undefined) out.name = r.name;
  if (r.phone !== undefined) out.phone = r.phone;
  if (r.contactPhone !== undefined) out.contactPhone = r.contactPhone;
  return out;
}

/**
 * Extension already granted against the current handling clock: the current assignment's, plus those of the
 * assignments it was forwarded from (art. 8), since forwarding does not restart the clock.
 */
export function grantedExtension(assignments: readonly Assignment[]): number {
  let total = 0;
  for (let i = assignments.length - 1; i >= 0; i--) {
    const a = assignments[i] as Assignment;
    total += a.extensions.reduce((n, e) => n + (e.decision?.approved ? e.extra : 0), 0);
    if (a.forwardedFrom === undefined) break;
  }
  return total;
}
