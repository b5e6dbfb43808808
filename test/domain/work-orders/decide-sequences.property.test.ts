import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  REFUSAL_CODES,
  TRANSITIONS,
  WORK_ORDER_STATUSES,
  decide,
  grantedExtension,
  type Actor,
  type WorkOrder,
  type WorkOrderAction,
  type WorkOrderCommand,
  type WorkOrderInput,
} from '../../../src/domain/work-orders/index.ts';
import { HOUR, MIN, T0, agent, env, intakeData, requester, supervisor, system } from './fixtures.ts';

const units = ['housing', 'water', 'power'];
const unitActor = (u: string): Actor => ({ kind: 'unit', id: `${u}-clerk`, unitId: u });
const pick = <T>(list: readonly T[], n: number): T => list[n % list.length] as T;

/** A well-formed command for the action; `n` varies the payload (units, extension length, reply text…). */
function commandFor(action: Exclude<WorkOrderAction, 'intake'>, n: number): WorkOrderCommand {
  switch (action) {
    case 'not-accept':
      return { action, reasonCode: 'outside-jurisdiction' };
    case 'answer-directly':
      return { action, answer: '已解答' };
    case 'dispatch':
      return {
        action,
        leadUnitId: pick(units, n),
        assistingUnitIds: units.filter((u, i) => u !== pick(units, n) && (n >> i) % 2 === 1),
      };
    case 'raise-dispute':
      return { action, unitIds: ['housing', 'water'], reason: '职责不清' };
    case 'resolve-dispute':
      return { action, leadUnitId: pick(units, n), minutes: '纪要' };
    case 'sign':
    case 'approve-extension':
    case 'close':
    case 'satisfaction-timeout':
      return { action };
    case 'return':
      return { action, reason: '非本单位' };
    case 'forward':
      return { action, toUnitId: pick(units, n + 1) };
    case 'request-extension':
      return { action, extra: 1 + (n % 3), reason: '需核查' };
    case 'refuse-extension':
      return { action, reason: '不同意' };
    case 'assist-opinion':
      return { action, opinion: '意见' };
    case 'explain-overdue':
      return { action, reason: '原因' };
    case 'reply':
      return { action, content: '已办理' };
    case 'reject-reply':
      return { action, reason: '不完整' };
    case 'record-satisfaction':
      return { action, replyText: pick(['1', '2', '3', '满意', '不满意', '嗯？'], n) };
    case 'conclude-review':
      return { action, outcome: n % 2 === 0 ? 'upheld' : 'redispatch', note: '审核' };
    case 'merge-into':
      return { action, targetOrderId: 9 };
    case 'absorb':
      return { action, mergedOrderId: 7 };
  }
}

/** The actor who would normally give the command to this order (the lead unit signs, the requester answers…). */
function naturalActor(o: WorkOrder, action: WorkOrderAction): Actor {
  const a = o.assignments[o.assignments.length - 1];
  switch (action) {
    case 'sign':
    case 'return':
    case 'forward':
    case 'request-extension':
    case 'explain-overdue':
    case 'reply':
      return unitActor(a?.leadUnitId ?? 'housing');
    case 'assist-opinion':
      return unitActor(a?.assistingUnitIds[0] ?? 'water');
    case 'record-satisfaction':
      return requester;
    case 'satisfaction-timeout':
      return system;
    default:
      return supervisor;
  }
}

// Let 'housing' act as a county workstation that may forward to the other units.
const forwardingEnv = { ...env, mayForward: (from: string, to: string) => from === 'housing' && to !== 'housing' };
const actions = (Object.keys(TRANSITIONS) as WorkOrderAction[]).filter(
  (a): a is Exclude<WorkOrderAction, 'intake'> => a !== 'intake',
);
const terminal = new Set<WorkOrderAction>(['not-accept', 'merge-into']);
const otherActors: Actor[] = [agent, supervisor, system, requester, ...units.map(unitActor)];

/**
 * One step, drawn as numbers and turned into a command against the order as it is then: mostly an action the
 * status allows by its natural actor (so sequences get deep), sometimes any action or any actor (so refusals
 * are exercised too). Gaps are mostly minutes to hours, sometimes days (so windows and deadlines pass).
 */
const step = fc.record({
  mode: fc.integer({ min: 0, max: 9 }),
  choice: fc.nat(),
  payload: fc.nat(),
  actorMode: fc.integer({ min: 0, max: 9 }),
  actorChoice: fc.nat(),
  gap: fc.integer({ min: 0, max: 9 }).chain((k) => fc.integer({ min: 0, max: k < 8 ? 2 * HOUR : 3 * 24 * HOUR })),
});

function checkInvariants(o: WorkOrder): void {
  expect(WORK_ORDER_STATUSES).toContain(o.status);
  const a = o.assignments[o.assignments.length - 1];
  if (['dispatched', 'signed', 'replied'].includes(o.status)) {
    expect(a).toBeDefined();
    expect(a?.returned).toBeUndefined();
  }
  if (o.status === 'returned') expect(a?.returned).toBeDefined();
  if (o.status === 'replied') expect(a?.reply).toBeDefined();
  if (o.status === 'signed' || o.status === 'replied')
    expect(a?.signedAt).toBeGreaterThanOrEqual(a?.dispatchedAt ?? Infinity);
  if (a?.returned) expect(a.returned.at).toBeLessThanOrEqual(a.returnDue?.at ?? -Infinity);
  o.assignments.forEach((x, i) => {
    const after = o.assignments[i + 1];
    if (x.forwarded) {
      expect(after?.forwardedFrom).toBe(x.leadUnitId);
      expect(after?.leadUnitId).toBe(x.forwarded.toUnitId);
      // forwarding does not restart the clock: same original deadline, never an earlier one
      expect(after?.originalCompletionDue).toEqual(x.originalCompletionDue);
      expect(after?.completionDue?.at ?? 0).toBeGreaterThanOrEqual(x.completionDue?.at ?? 0);
    }
    if (i < o.assignments.length - 1 && !x.forwarded) expect(x.returned ?? x.reply).toBeDefined();
    if (x.limit && x.completionDue && x.originalCompletionDue) {
      expect(x.completionDue.at).toBeGreaterThanOrEqual(x.originalCompletionDue.at);
      // extensions granted against one clock (an assignment and those it was forwarded from) stay within the limit
      expect(grantedExtension(o.assignments.slice(0, i + 1))).toBeLessThanOrEqual(x.limit.amount);
      // asked before the deadline then in force, which can only have moved later since
      for (const e of x.extensions) expect(e.requestedAt).toBeLessThanOrEqual(x.completionDue.at);
    }
    expect(x.extensions.filter((e) => !e.decision).length).toBeLessThanOrEqual(1);
  });
  if (o.status === 'closed' && o.satisfaction?.result === 'dissatisfied') expect(o.review?.outcome).toBe('upheld');
  if (o.status === 'under-review') expect(o.satisfaction?.result).toBe('dissatisfied');
  if (o.status === 'not-accepted') expect(o.assignments).toEqual([]);
}

describe('random command sequences', () => {
  it('keep every invariant; each accepted step adds one version and an audit entry that matches', () => {
    const reached = new Set<string>();
    const acceptedActions = new Set<string>();
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.constantFrom('consultation' as const, 'complaint' as const, 'praise' as const),
        fc.array(step, { minLength: 5, maxLength: 40 }),
        (emergency, type, steps) => {
          let now = T0;
          const first = decide(
            null,
            { action: 'intake', actor: agent, order: intakeData({ emergency, type }) },
            now,
            env,
          );
          if (!first.ok) throw new Error('intake refused');
          let o = first.state;
          let accepted = 0;
          for (const s of steps) {
            now += s.gap + MIN;
            const allowed = actions.filter((a) => TRANSITIONS[a].from.includes(o.status) && !terminal.has(a));
            const pool = s.mode < 8 && allowed.length > 0 ? allowed : actions;
            const action = pick(pool, s.choice);
            const actor = s.actorMode < 8 ? naturalActor(o, action) : pick(otherActors, s.actorChoice);
            const r = decide(o, { ...commandFor(action, s.payload), actor } as WorkOrderInput, now, forwardingEnv);
            if (!r.ok) {
              expect(REFUSAL_CODES).toContain(r.refusal.code);
              expect(r.refusal.status).toBe(o.status);
              continue;
            }
            accepted++;
            acceptedActions.add(action);
            expect(r.audit).toMatchObject({
              fromStatus: o.status,
              toStatus: r.state.status,
              version: o.version + 1,
              at: now,
              action,
            });
            expect(r.state.version).toBe(o.version + 1);
            o = r.state;
            reached.add(o.status);
            checkInvariants(o);
          }
          expect(o.version).toBe(1 + accepted);
        },
      ),
      { numRuns: 200 },
    );
    // The sequences must get deep into the machine for the invariants to mean something.
    // Rare here by design, and covered by the unit tests: the final statuses, and extension decisions (which
    // need an accepted request just before).
    const rare = new Set<string>(['not-accepted', 'merged', 'approve-extension', 'refuse-extension']);
    for (const s of WORK_ORDER_STATUSES.filter((x) => x !== 'registered' && !rare.has(x)))
      expect(reached, s).toContain(s);
    for (const a of actions.filter((x) => !terminal.has(x) && !rare.has(x))) expect(acceptedActions, a).toContain(a);
  });
});
