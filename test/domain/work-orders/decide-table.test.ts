import { describe, expect, it } from 'vitest';
import {
  TRANSITIONS,
  WORK_ORDER_STATUSES,
  decide,
  type Actor,
  type ActorKind,
  type WorkOrderAction,
  type WorkOrderInput,
  type WorkOrderStatus,
} from '../../../src/domain/work-orders/index.ts';
import {
  HOUR,
  T0,
  agent,
  assistant,
  env,
  intakeData,
  lead,
  orderIn,
  requester,
  supervisor,
  system,
} from './fixtures.ts';

/** A well-formed command for every action, given by an actor kind that may take it. */
const sample: { [A in WorkOrderAction]: Extract<WorkOrderInput, { action: A }> } = {
  intake: { action: 'intake', actor: agent, order: intakeData({ id: 202 }) },
  'not-accept': { action: 'not-accept', actor: agent, reasonCode: 'secret-or-privacy' },
  'answer-directly': { action: 'answer-directly', actor: agent, answer: '材料清单见政务网' },
  dispatch: { action: 'dispatch', actor: agent, leadUnitId: 'housing' },
  'raise-dispute': { action: 'raise-dispute', actor: agent, unitIds: ['housing', 'water'], reason: '职责不清' },
  'resolve-dispute': {
    action: 'resolve-dispute',
    actor: supervisor,
    leadUnitId: 'housing',
    minutes: '联席会议纪要第3号',
  },
  sign: { action: 'sign', actor: lead },
  forward: { action: 'forward', actor: lead, toUnitId: 'township-1' },
  return: { action: 'return', actor: lead, reason: '不属于本单位职责' },
  'request-extension': { action: 'request-extension', actor: lead, extra: 1, reason: '需现场核查' },
  'approve-extension': { action: 'approve-extension', actor: supervisor },
  'refuse-extension': { action: 'refuse-extension', actor: supervisor, reason: '理由不足' },
  'assist-opinion': { action: 'assist-opinion', actor: assistant, opinion: '供水正常' },
  'explain-overdue': { action: 'explain-overdue', actor: lead, reason: '节假日人手不足' },
  reply: { action: 'reply', actor: lead, content: '已处理' },
  'reject-reply': { action: 'reject-reply', actor: agent, reason: '答复不完整' },
  close: { action: 'close', actor: agent },
  'record-satisfaction': { action: 'record-satisfaction', actor: requester, replyText: '1' },
  'satisfaction-timeout': { action: 'satisfaction-timeout', actor: system },
  'conclude-review': { action: 'conclude-review', actor: supervisor, outcome: 'upheld', note: '办理结果符合政策' },
  'merge-into': { action: 'merge-into', actor: agent, targetOrderId: 5 },
  absorb: { action: 'absorb', actor: agent, mergedOrderId: 7 },
};

const actions = Object.keys(TRANSITIONS) as WorkOrderAction[];
const later = T0 + 4 * HOUR;
const built = new Map<WorkOrderStatus, ReturnType<typeof orderIn>>(WORK_ORDER_STATUSES.map((s) => [s, orderIn(s)]));

describe('every status × action', () => {
  const forbidden: [WorkOrderStatus, WorkOrderAction][] = [];
  const allowed: [WorkOrderStatus, WorkOrderAction][] = [];
  for (const status of WORK_ORDER_STATUSES) {
    for (const action of actions) {
      if (action === 'intake') continue;
      (TRANSITIONS[action].from.includes(status) ? allowed : forbidden).push([status, action]);
    }
  }

  it('the builders reach every status', () => {
    for (const s of WORK_ORDER_STATUSES) expect(built.get(s)?.status).toBe(s);
  });

  it.each(forbidden)('from %s, %s is refused as invalid-state', (status, action) => {
    const r = decide(built.get(status) ?? null, sample[action], later, env);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.refusal).toMatchObject({ code: 'invalid-state', action, status });
      expect(r.refusal.message).toContain(action);
      expect(r.refusal.message).toContain(status);
    }
  });

  it.each(allowed)('from %s, %s passes the status check', (status, action) => {
    const r = decide(built.get(status) ?? null, sample[action], later, env);
    if (!r.ok) expect(['invalid-state', 'actor-not-allowed']).not.toContain(r.refusal.code);
  });

  it.each(WORK_ORDER_STATUSES)('intake on an existing %s order is refused as already-exists', (status) => {
    const r = decide(built.get(status) ?? null, { ...sample.intake, order: intakeData({ id: 101 }) }, later, env);
    expect(!r.ok && r.refusal.code).toBe('already-exists');
  });

  it.each(actions.filter((a) => a !== 'intake'))('%s without an order is refused as no-order', (action) => {
    const r = decide(null, sample[action], later, env);
    expect(!r.ok && r.refusal.code).toBe('no-order');
  });
});

describe('every action × actor kind', () => {
  const actorOf: Record<ActorKind, Actor> = { agent, supervisor, unit: lead, requester, system };
  const cases: [WorkOrderAction, ActorKind][] = [];
  for (const action of actions) {
    for (const kind of Object.keys(actorOf) as ActorKind[]) {
      if (!TRANSITIONS[action].actors.includes(kind)) cases.push([action, kind]);
    }
  }

  it.each(cases)('%s by %s is refused as actor-not-allowed', (action, kind) => {
    const from = TRANSITIONS[action].from[0] ?? null;
    const state = from === null ? null : (built.get(from) ?? null);
    const r = decide(state, { ...sample[action], actor: actorOf[kind] } as WorkOrderInput, later, env);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.refusal).toMatchObject({ code: 'actor-not-allowed', action });
  });

  it('refuses a malformed actor as invalid input', () => {
    const r = decide(null, { ...sample.intake, actor: { kind: 'unit', id: 'x' } as Actor }, later, env);
    expect(!r.ok && r.refusal.code).toBe('invalid-input');
  });
});
