import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  TRANSITIONS,
  WORK_ORDER_STATUSES,
  decide,
  type WorkOrderInput,
} from '../../../src/domain/work-orders/index.ts';
import { T0, deepFreeze, env, orderIn } from './fixtures.ts';

const states = [null, ...WORK_ORDER_STATUSES.map((s) => deepFreeze(orderIn(s)))];
const action = fc.oneof(fc.constantFrom(...Object.keys(TRANSITIONS)), fc.string());
const actor = fc.oneof(
  fc.record({
    kind: fc.constantFrom('agent', 'supervisor', 'unit', 'requester', 'system'),
    id: fc.string(),
    unitId: fc.constantFrom('housing', 'water', 'x'),
  }),
  fc.anything(),
);
const payload = fc.dictionary(
  fc.constantFrom(
    'order',
    'reasonCode',
    'note',
    'answer',
    'leadUnitId',
    'assistingUnitIds',
    'unitIds',
    'reason',
    'minutes',
    'extra',
    'opinion',
    'content',
    'attachments',
    'replyText',
    'outcome',
    'targetOrderId',
    'mergedOrderId',
  ),
  fc.anything(),
);

describe('decide on arbitrary input', () => {
  it('never throws and never mutates: it answers with a state or a typed refusal', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...states),
        action,
        actor,
        payload,
        fc.integer({ min: T0 - 1e10, max: T0 + 1e11 }),
        (state, a, who, body, now) => {
          const input = { ...body, action: a, actor: who } as unknown as WorkOrderInput;
          const before = JSON.stringify(state);
          const r = decide(state, input, now, env);
          expect(JSON.stringify(state)).toBe(before);
          if (r.ok) {
            expect(r.audit.action).toBe(a);
            expect(r.state.version).toBe((state?.version ?? 0) + 1);
          } else {
            expect(typeof r.refusal.code).toBe('string');
            expect(r.refusal.message.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('refuses an unknown action and an instant outside 2000–2200', () => {
    const r = decide(
      null,
      { action: 'explode', actor: { kind: 'agent', id: 'a' } } as unknown as WorkOrderInput,
      T0,
      env,
    );
    expect(!r.ok && r.refusal.code).toBe('invalid-input');
    const s = decide(
      states[1] ?? null,
      { action: 'dispatch', actor: { kind: 'agent', id: 'a' }, leadUnitId: 'housing' },
      1e17,
      env,
    );
    expect(!s.ok && s.refusal.code).toBe('invalid-input');
  });
});
