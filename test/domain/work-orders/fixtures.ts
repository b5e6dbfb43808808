import { expect } from 'vitest';
import { shanghaiInstant, shippedCalendar } from '../../../src/domain/calendar/index.ts';
import {
  decide,
  type Actor,
  type DecideEnv,
  type IntakeData,
  type WorkOrder,
  type WorkOrderDecision,
  type WorkOrderInput,
  type WorkOrderStatus,
} from '../../../src/domain/work-orders/index.ts';

export const env: DecideEnv = { calendar: shippedCalendar(['guangxi']) };
export const MIN = 60_000;
export const HOUR = 60 * MIN;

export const agent: Actor = { kind: 'agent', id: 'agent-7' };
export const supervisor: Actor = { kind: 'supervisor', id: 'sup-1' };
export const system: Actor = { kind: 'system', id: 'system' };
export const requester: Actor = { kind: 'requester', id: 'sms:13812341234' };
export const lead: Actor = { kind: 'unit', id: 'clerk-1', unitId: 'housing' };
export const assistant: Actor = { kind: 'unit', id: 'clerk-2', unitId: 'water' };
export const stranger: Actor = { kind: 'unit', id: 'clerk-3', unitId: 'traffic' };

/** Friday 13 Feb 2026, 09:00 Shanghai. */
export const T0 = shanghaiInstant('2026-02-13', 9);

export function intakeData(over: Partial<IntakeData> = {}): IntakeData {
  return {
    id: 101,
    channel: 'phone',
    type: 'consultation',
    emergency: false,
    confidential: false,
    category: { code: 'housing.rent', fastResponse: false },
    requester: { name: '张三', phone: '13812341234' },
    content: '公租房申请需要哪些材料',
    callId: 'call-1',
    ...over,
  };
}

/** Applies a command and fails the test if it is refused. */
export function ok(
  state: WorkOrder | null,
  input: WorkOrderInput,
  now: number,
): Extract<WorkOrderDecision, { ok: true }> {
  const r = decide(state, input, now, env);
  if (!r.ok) expect.fail(`${input.action} refused: ${r.refusal.code} ${r.refusal.message}`);
  return r;
}

export function refused(state: WorkOrder | null, input: WorkOrderInput, now: number) {
  const r = decide(state, input, now, env);
  if (r.ok) expect.fail(`${input.action} was allowed from ${state?.status ?? 'null'}`);
  return r.refusal;
}

/** Builds an order in the given status by running real transitions from intake at T0. */
export function orderIn(status: WorkOrderStatus, over: Partial<IntakeData> = {}): WorkOrder {
  let s = ok(null, { action: 'intake', actor: agent, order: intakeData(over) }, T0).state;
  const step = (input: WorkOrderInput, at: number) => {
    s = ok(s, input, at).state;
  };
  switch (status) {
    case 'registered':
      return s;
    case 'not-accepted':
      step({ action: 'not-accept', actor: agent, reasonCode: 'outside-jurisdiction', note: '外省事项' }, T0 + MIN);
      return s;
    case 'merged':
      step({ action: 'merge-into', actor: agent, targetOrderId: 99 }, T0 + MIN);
      return s;
    case 'disputed':
      step({ action: 'raise-dispute', actor: agent, unitIds: ['housing', 'water'], reason: '职责不清' }, T0 + MIN);
      return s;
    default:
  }
  step({ action: 'dispatch', actor: agent, leadUnitId: 'housing', assistingUnitIds: ['water'] }, T0 + 10 * MIN);
  if (status === 'dispatched') return s;
  step({ action: 'sign', actor: lead }, T0 + 20 * MIN);
  if (status === 'signed') return s;
  if (status === 'returned') {
    step({ action: 'return', actor: lead, reason: '不属于本单位职责' }, T0 + 30 * MIN);
    return s;
  }
  step({ action: 'reply', actor: lead, content: '已电话告知所需材料', attachments: [] }, T0 + HOUR);
  if (status === 'replied') return s;
  step({ action: 'close', actor: agent }, T0 + 2 * HOUR);
  if (status === 'closed') return s;
  step({ action: 'record-satisfaction', actor: requester, replyText: '3' }, T0 + 3 * HOUR);
  if (status === 'under-review') return s;
  throw new Error(`no builder for ${status}`);
}

/** Freezes an object graph, so a test fails if decide mutates its input. */
export function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}
