import { describe, expect, it } from 'vitest';
import { shanghaiInstant } from '../../../src/domain/calendar/index.ts';
import { decide, type Actor, type WorkOrder, type WorkOrderInput } from '../../../src/domain/work-orders/index.ts';
import {
  HOUR,
  MIN,
  T0,
  agent,
  assistant,
  deepFreeze,
  env,
  intakeData,
  lead,
  ok,
  orderIn,
  refused,
  requester,
  stranger,
  supervisor,
  system,
} from './fixtures.ts';

const endOf = (date: string): number => shanghaiInstant(date) + 24 * HOUR - 1;

describe('intake', () => {
  it('registers the order with its dispatch clock and an audit entry', () => {
    const r = ok(
      null,
      {
        action: 'intake',
        actor: agent,
        order: intakeData({ location: '青秀区民族大道', category: { code: 'noise', fastResponse: true } }),
      },
      T0,
    );
    expect(r.state).toMatchObject({
      id: 101,
      status: 'registered',
      channel: 'phone',
      type: 'consultation',
      category: { code: 'noise', fastResponse: true },
      version: 1,
      callId: 'call-1',
      location: '青秀区民族大道',
    });
    expect(r.state.dispatchDue).toEqual({ at: T0 + 24 * HOUR, provisional: false });
    expect(r.audit).toMatchObject({
      orderId: 101,
      action: 'intake',
      actor: agent,
      at: T0,
      fromStatus: null,
      toStatus: 'registered',
      version: 1,
    });
    expect(r.effects).toEqual([]);
  });

  it('flags a repeat of a lawfully closed order (art. 21(4)) with an alert', () => {
    const r = ok(null, { action: 'intake', actor: agent, order: intakeData({ repeatOfClosedOrderId: 55 }) }, T0);
    expect(r.state.repeatOfClosedOrderId).toBe(55);
    expect(r.effects).toEqual([expect.objectContaining({ type: 'alert', kind: 'repeat-of-closed-order' })]);
  });

  it.each([
    [{ channel: 'fax' }, 'order.channel'],
    [{ type: 'rant' }, 'order.type'],
    [{ content: '  ' }, 'order.content'],
    [{ id: 0 }, 'order.id'],
    [{ emergency: 'yes' }, 'order.emergency'],
    [{ category: { code: '', fastResponse: false } }, 'order.category.code'],
  ])('refuses bad intake data %j naming the field', (over, field) => {
    const r = refused(null, { action: 'intake', actor: agent, order: intakeData(over as never) }, T0);
    expect(r.code).toBe('invalid-input');
    expect(r.message).toContain(field);
  });
});

describe('not accepted, direct answer, merge', () => {
  it('records an art. 21 reason and never dispatches', () => {
    const r = ok(
      orderIn('registered'),
      { action: 'not-accept', actor: agent, reasonCode: 'emergency-line-matter', note: '转110' },
      T0 + MIN,
    );
    expect(r.state.status).toBe('not-accepted');
    expect(r.state.notAccepted).toMatchObject({ reason: 'emergency-line-matter', note: '转110', by: 'agent-7' });
    expect(r.audit.reason).toBe('emergency-line-matter: 转110');
    expect(refused(r.state, { action: 'dispatch', actor: agent, leadUnitId: 'housing' }, T0 + 2 * MIN).code).toBe(
      'invalid-state',
    );
  });

  it('refuses an unknown reason code', () => {
    expect(
      refused(orderIn('registered'), { action: 'not-accept', actor: agent, reasonCode: 'boring' as never }, T0).code,
    ).toBe('invalid-input');
  });

  it('a direct answer closes without dispatch and sends the survey', () => {
    const r = ok(
      orderIn('registered'),
      { action: 'answer-directly', actor: agent, answer: '携带身份证和户口本' },
      T0 + 5 * MIN,
    );
    expect(r.state.status).toBe('closed');
    expect(r.state.assignments).toEqual([]);
    expect(r.state.closedAt).toBe(T0 + 5 * MIN);
    expect(r.effects.map((e) => e.type)).toEqual(['send-sms', 'schedule']);
  });

  it('merges into another order, and the other order records it', () => {
    const r = ok(orderIn('registered'), { action: 'merge-into', actor: agent, targetOrderId: 77 }, T0 + MIN);
    expect(r.state).toMatchObject({ status: 'merged', mergedIntoOrderId: 77 });
    expect(refused(orderIn('registered'), { action: 'merge-into', actor: agent, targetOrderId: 101 }, T0).code).toBe(
      'merge-into-self',
    );
    const target = ok(
      orderIn('signed', { id: 77 }),
      { action: 'absorb', actor: system, mergedOrderId: 101 },
      T0 + HOUR,
    );
    expect(target.state.mergedOrderIds).toEqual([101]);
    expect(target.state.status).toBe('signed');
  });
});

describe('dispatch', () => {
  it('sets the clocks of the issue example and notifies lead and assisting units', () => {
    const at = shanghaiInstant('2026-02-13', 16);
    const r = ok(
      orderIn('registered'),
      { action: 'dispatch', actor: agent, leadUnitId: 'housing', assistingUnitIds: ['water', 'power'] },
      at,
    );
    const a = r.state.assignments[0];
    expect(r.state.status).toBe('dispatched');
    expect(a).toMatchObject({
      round: 1,
      leadUnitId: 'housing',
      assistingUnitIds: ['water', 'power'],
      limit: { unit: 'working-days', amount: 2 },
    });
    expect(a?.completionDue).toEqual({ at: endOf('2026-02-24'), provisional: false });
    expect(a?.signDue).toEqual({ at: endOf('2026-02-14'), provisional: false });
    expect(r.effects).toEqual([
      { type: 'notify-unit', orderId: 101, unitId: 'housing', role: 'lead', emergency: false },
      { type: 'notify-unit', orderId: 101, unitId: 'water', role: 'assisting', emergency: false },
      { type: 'notify-unit', orderId: 101, unitId: 'power', role: 'assisting', emergency: false },
    ]);
    expect(r.audit).toMatchObject({
      action: 'dispatch',
      fromStatus: 'registered',
      toStatus: 'dispatched',
      details: { lateDispatch: false },
    });
  });

  it('an emergency order is phoned to the lead unit at once, with 30-minute sign and 24-hour answer clocks', () => {
    const at = shanghaiInstant('2026-02-16', 2); // a holiday, at night
    const r = ok(
      orderIn('registered', { emergency: true }),
      { action: 'dispatch', actor: agent, leadUnitId: 'housing' },
      at,
    );
    expect(r.effects[0]).toEqual({ type: 'notify-unit-by-phone', orderId: 101, unitId: 'housing' });
    expect(r.state.assignments[0]).toMatchObject({
      signDue: { at: at + 30 * MIN },
      completionDue: { at: at + 24 * HOUR },
    });
  });

  it('records a dispatch later than 24 h after intake', () => {
    const r = ok(orderIn('registered'), { action: 'dispatch', actor: agent, leadUnitId: 'housing' }, T0 + 25 * HOUR);
    expect(r.audit.details).toMatchObject({ lateDispatch: true });
  });

  it('alerts when a deadline falls in a year without calendar data', () => {
    const r = ok(
      orderIn('registered', { type: 'complaint' }),
      { action: 'dispatch', actor: agent, leadUnitId: 'housing' },
      shanghaiInstant('2026-12-28', 10),
    );
    expect(r.state.assignments[0]?.completionDue?.provisional).toBe(true);
    expect(r.effects).toContainEqual(expect.objectContaining({ type: 'alert', kind: 'provisional-deadline' }));
  });

  it('praise is dispatched without a completion clock', () => {
    const r = ok(
      orderIn('registered', { type: 'praise' }),
      { action: 'dispatch', actor: agent, leadUnitId: 'housing' },
      T0,
    );
    expect(r.state.assignments[0]?.completionDue).toBeNull();
  });

  it.each([
    [{ leadUnitId: '' }, 'invalid-input'],
    [{ leadUnitId: 'housing', assistingUnitIds: ['housing'] }, 'unit-conflict'],
    [{ leadUnitId: 'housing', assistingUnitIds: ['water', 'water'] }, 'unit-conflict'],
  ])('refuses unit lists %j', (units, code) => {
    expect(refused(orderIn('registered'), { action: 'dispatch', actor: agent, ...units }, T0).code).toBe(code);
  });
});

describe('dispute (art. 19)', () => {
  it('records the joint decision and dispatches to the decided units', () => {
    const s = orderIn('disputed');
    expect(s.disputes[0]).toMatchObject({ unitIds: ['housing', 'water'], reason: '职责不清' });
    const r = ok(
      s,
      {
        action: 'resolve-dispute',
        actor: supervisor,
        leadUnitId: 'water',
        assistingUnitIds: ['housing'],
        minutes: '联席会议纪要',
      },
      T0 + HOUR,
    );
    expect(r.state.status).toBe('dispatched');
    expect(r.state.disputes[0]?.decision).toMatchObject({
      leadUnitId: 'water',
      assistingUnitIds: ['housing'],
      minutes: '联席会议纪要',
      by: 'sup-1',
    });
    expect(r.state.assignments[0]?.leadUnitId).toBe('water');
    expect(r.audit.reason).toBe('联席会议纪要');
  });

  it('needs the minutes', () => {
    expect(
      refused(
        orderIn('disputed'),
        { action: 'resolve-dispute', actor: supervisor, leadUnitId: 'water', minutes: '' },
        T0,
      ).message,
    ).toContain('minutes');
  });
});

describe('sign and return (art. 26(3))', () => {
  it('only the lead unit signs', () => {
    expect(refused(orderIn('dispatched'), { action: 'sign', actor: assistant }, T0 + HOUR).code).toBe('not-lead-unit');
    expect(refused(orderIn('dispatched'), { action: 'sign', actor: stranger }, T0 + HOUR).code).toBe('not-lead-unit');
  });

  it('a late signature is accepted and alerted', () => {
    const r = ok(orderIn('dispatched'), { action: 'sign', actor: lead }, endOf('2026-02-14') + 1);
    expect(r.effects).toContainEqual(expect.objectContaining({ kind: 'late-sign' }));
    expect(r.audit.details).toEqual({ late: true });
  });

  it('return is allowed until the end of the next working day after signing, then refused', () => {
    const s = orderIn('signed'); // signed Friday 13 Feb 2026
    expect(s.assignments[0]?.returnDue?.at).toBe(endOf('2026-02-14'));
    expect(ok(s, { action: 'return', actor: lead, reason: '非本单位职责' }, endOf('2026-02-14')).state.status).toBe(
      'returned',
    );
    const late = refused(s, { action: 'return', actor: lead, reason: '非本单位职责' }, endOf('2026-02-14') + 1);
    expect(late.code).toBe('return-window-passed');
  });

  it('an emergency order can be returned within 30 minutes of signing only', () => {
    let s = orderIn('dispatched', { emergency: true });
    const signedAt = T0 + 15 * MIN;
    s = ok(s, { action: 'sign', actor: lead }, signedAt).state;
    expect(refused(s, { action: 'return', actor: lead, reason: 'x' }, signedAt + 30 * MIN + 1).code).toBe(
      'return-window-passed',
    );
    expect(ok(s, { action: 'return', actor: lead, reason: 'x' }, signedAt + 30 * MIN).state.status).toBe('returned');
  });

  it('a return needs a reason, goes back to the hotline and restarts the dispatch clock; re-dispatch opens round 2', () => {
    expect(refused(orderIn('signed'), { action: 'return', actor: lead, reason: ' ' }, T0 + HOUR).message).toContain(
      'reason',
    );
    const at = T0 + HOUR;
    const r = ok(orderIn('signed'), { action: 'return', actor: lead, reason: '应由供水公司办理' }, at);
    expect(r.state.status).toBe('returned');
    expect(r.state.dispatchDue.at).toBe(at + 24 * HOUR);
    expect(r.effects).toEqual([
      expect.objectContaining({ type: 'alert', kind: 'order-returned' }),
      { type: 'create-task', orderId: 101, task: 're-dispatch' },
    ]);
    expect(r.audit).toMatchObject({ reason: '应由供水公司办理', fromStatus: 'signed', toStatus: 'returned' });
    const again = ok(r.state, { action: 'dispatch', actor: agent, leadUnitId: 'water' }, at + HOUR);
    expect(again.state.assignments.map((a) => [a.round, a.leadUnitId])).toEqual([
      [1, 'housing'],
      [2, 'water'],
    ]);
    expect(refused(again.state, { action: 'sign', actor: lead }, at + 2 * HOUR).code).toBe('not-lead-unit');
  });
});

describe('forwarding by a county workstation (art. 8)', () => {
  const wsEnv = { ...env, mayForward: (from: string, to: string) => from === 'housing' && to.startsWith('township-') };
  const township: Actor = { kind: 'unit', id: 'clerk-9', unitId: 'township-1' };

  it('passes the order to a unit below; the handling clock keeps running, signing starts afresh', () => {
    const s = orderIn('signed');
    const at = T0 + HOUR;
    const r = decide(s, { action: 'forward', actor: lead, toUnitId: 'township-1', note: '属地处理' }, at, wsEnv);
    if (!r.ok) throw new Error(r.refusal.message);
    expect(r.state.status).toBe('dispatched');
    const [first, second] = r.state.assignments;
    expect(first?.forwarded).toEqual({ at, by: 'clerk-1', toUnitId: 'township-1', note: '属地处理' });
    expect(second).toMatchObject({ round: 2, leadUnitId: 'township-1', forwardedFrom: 'housing', dispatchedAt: at });
    expect(second?.completionDue).toEqual(first?.completionDue);
    expect(second?.signDue.at).toBe(endOf('2026-02-14'));
    expect(r.effects).toEqual([
      { type: 'notify-unit', orderId: 101, unitId: 'township-1', role: 'lead', emergency: false },
    ]);
    expect(r.audit).toMatchObject({
      action: 'forward',
      reason: '属地处理',
      fromStatus: 'signed',
      toStatus: 'dispatched',
    });
    const signed = decide(r.state, { action: 'sign', actor: township }, at + HOUR, wsEnv);
    expect(signed.ok && signed.state.status).toBe('signed');
    expect(decide(r.state, { action: 'sign', actor: lead }, at + HOUR, wsEnv)).toMatchObject({
      ok: false,
      refusal: { code: 'not-lead-unit' },
    });
  });

  it('the extension budget is shared with the workstation: forwarding does not restart the clock', () => {
    let s = orderIn('signed'); // consultation: at most 2 working days of extension in all
    const step = (input: WorkOrderInput, at: number) => {
      const r = decide(s, input, at, wsEnv);
      if (!r.ok) throw new Error(r.refusal.message);
      s = r.state;
    };
    step({ action: 'request-extension', actor: lead, extra: 2, reason: '需协调' }, T0 + HOUR);
    step({ action: 'approve-extension', actor: supervisor }, T0 + HOUR);
    step({ action: 'forward', actor: lead, toUnitId: 'township-1' }, T0 + 2 * HOUR);
    expect(s.assignments[1]?.completionDue?.at).toBe(endOf('2026-02-26'));
    step({ action: 'sign', actor: township }, T0 + 3 * HOUR);
    const r = decide(
      s,
      { action: 'request-extension', actor: township, extra: 1, reason: '再延' },
      T0 + 4 * HOUR,
      wsEnv,
    );
    expect(r).toMatchObject({ ok: false, refusal: { code: 'extension-too-long' } });
  });

  it('an emergency forward is phoned through too', () => {
    const r = decide(
      orderIn('signed', { emergency: true }),
      { action: 'forward', actor: lead, toUnitId: 'township-1' },
      T0 + HOUR,
      wsEnv,
    );
    expect(r.ok && r.effects[0]).toEqual({ type: 'notify-unit-by-phone', orderId: 101, unitId: 'township-1' });
  });

  it('is refused to units that may not forward, to a unit not below, to itself, and to anyone but the lead unit', () => {
    expect(refused(orderIn('signed'), { action: 'forward', actor: lead, toUnitId: 'township-1' }, T0 + HOUR).code).toBe(
      'forward-not-allowed',
    );
    const no = (input: WorkOrderInput) => decide(orderIn('signed'), input, T0 + HOUR, wsEnv);
    expect(no({ action: 'forward', actor: lead, toUnitId: 'water' })).toMatchObject({
      ok: false,
      refusal: { code: 'forward-not-allowed' },
    });
    expect(no({ action: 'forward', actor: lead, toUnitId: 'housing' })).toMatchObject({
      ok: false,
      refusal: { code: 'unit-conflict' },
    });
    expect(no({ action: 'forward', actor: assistant, toUnitId: 'township-1' })).toMatchObject({
      ok: false,
      refusal: { code: 'not-lead-unit' },
    });
    expect(no({ action: 'forward', actor: lead, toUnitId: '' })).toMatchObject({
      ok: false,
      refusal: { code: 'invalid-input' },
    });
  });
});

describe('extension (art. 26(2)9)', () => {
  const signed = () => orderIn('signed'); // consultation, due end of 24 Feb 2026

  it('asked before the deadline, approved: the deadline moves by working days', () => {
    const a = ok(signed(), { action: 'request-extension', actor: lead, extra: 2, reason: '需现场核查' }, T0 + HOUR);
    expect(a.effects).toContainEqual(expect.objectContaining({ kind: 'extension-requested' }));
    const b = ok(a.state, { action: 'approve-extension', actor: supervisor }, T0 + 2 * HOUR);
    expect(b.state.assignments[0]?.completionDue?.at).toBe(endOf('2026-02-26'));
    expect(b.state.assignments[0]?.originalCompletionDue?.at).toBe(endOf('2026-02-24'));
  });

  it('refused: the deadline stays', () => {
    const a = ok(signed(), { action: 'request-extension', actor: lead, extra: 1, reason: 'x' }, T0 + HOUR);
    const b = ok(a.state, { action: 'refuse-extension', actor: supervisor, reason: '可按期办结' }, T0 + 2 * HOUR);
    expect(b.state.assignments[0]?.completionDue?.at).toBe(endOf('2026-02-24'));
    expect(b.state.assignments[0]?.extensions[0]?.decision).toMatchObject({ approved: false, reason: '可按期办结' });
  });

  it('at most the original length in total', () => {
    expect(refused(signed(), { action: 'request-extension', actor: lead, extra: 3, reason: 'x' }, T0 + HOUR).code).toBe(
      'extension-too-long',
    );
    let s = ok(signed(), { action: 'request-extension', actor: lead, extra: 1, reason: 'x' }, T0 + HOUR).state;
    s = ok(s, { action: 'approve-extension', actor: supervisor }, T0 + HOUR).state;
    s = ok(s, { action: 'request-extension', actor: lead, extra: 1, reason: 'y' }, T0 + 2 * HOUR).state;
    s = ok(s, { action: 'approve-extension', actor: supervisor }, T0 + 2 * HOUR).state;
    const r = refused(s, { action: 'request-extension', actor: lead, extra: 1, reason: 'z' }, T0 + 3 * HOUR);
    expect(r.code).toBe('extension-too-long');
    expect(r.message).toContain('2 already granted');
  });

  it('not after the deadline, not twice at once, not by another unit, and a decision needs a request', () => {
    expect(
      refused(signed(), { action: 'request-extension', actor: lead, extra: 1, reason: 'x' }, endOf('2026-02-24') + 1)
        .code,
    ).toBe('deadline-passed');
    const pending = ok(signed(), { action: 'request-extension', actor: lead, extra: 1, reason: 'x' }, T0 + HOUR).state;
    expect(refused(pending, { action: 'request-extension', actor: lead, extra: 1, reason: 'x' }, T0 + HOUR).code).toBe(
      'extension-pending',
    );
    expect(
      refused(signed(), { action: 'request-extension', actor: assistant, extra: 1, reason: 'x' }, T0 + HOUR).code,
    ).toBe('not-lead-unit');
    expect(refused(signed(), { action: 'approve-extension', actor: supervisor }, T0 + HOUR).code).toBe(
      'no-extension-pending',
    );
    expect(
      refused(signed(), { action: 'request-extension', actor: lead, extra: 0.5, reason: 'x' }, T0 + HOUR).code,
    ).toBe('invalid-input');
  });

  it('praise has no clock to extend', () => {
    expect(
      refused(
        orderIn('signed', { type: 'praise' }),
        { action: 'request-extension', actor: lead, extra: 1, reason: 'x' },
        T0 + HOUR,
      ).code,
    ).toBe('no-deadline');
  });

  it('an emergency extension is clock time, at most 24 h more', () => {
    const s = orderIn('signed', { emergency: true });
    expect(
      refused(s, { action: 'request-extension', actor: lead, extra: 25 * HOUR, reason: 'x' }, T0 + HOUR).code,
    ).toBe('extension-too-long');
    const a = ok(s, { action: 'request-extension', actor: lead, extra: 6 * HOUR, reason: 'x' }, T0 + HOUR).state;
    const b = ok(a, { action: 'approve-extension', actor: supervisor }, T0 + HOUR).state;
    expect(b.assignments[0]?.completionDue?.at).toBe(T0 + 10 * MIN + 30 * HOUR);
  });
});

describe('assisting opinions, overdue explanation, reply', () => {
  it('an assisting unit’s opinion is forwarded to the lead unit; others are refused', () => {
    const r = ok(
      orderIn('signed'),
      { action: 'assist-opinion', actor: assistant, opinion: '该路段供水正常' },
      T0 + HOUR,
    );
    expect(r.effects).toEqual([
      { type: 'forward-opinion', orderId: 101, fromUnitId: 'water', toUnitId: 'housing', opinion: '该路段供水正常' },
    ]);
    expect(r.state.assignments[0]?.opinions).toHaveLength(1);
    expect(
      refused(orderIn('signed'), { action: 'assist-opinion', actor: stranger, opinion: 'x' }, T0 + HOUR).code,
    ).toBe('not-assisting-unit');
    expect(refused(orderIn('signed'), { action: 'assist-opinion', actor: lead, opinion: 'x' }, T0 + HOUR).code).toBe(
      'not-assisting-unit',
    );
  });

  it('an overdue unit states its reason (art. 27(1)); before the deadline there is nothing to explain', () => {
    expect(refused(orderIn('signed'), { action: 'explain-overdue', actor: lead, reason: 'x' }, T0 + HOUR).code).toBe(
      'not-overdue',
    );
    const r = ok(
      orderIn('signed'),
      { action: 'explain-overdue', actor: lead, reason: '需协调三个部门' },
      endOf('2026-02-24') + 1,
    );
    expect(r.state.assignments[0]?.overdueExplanations).toEqual([
      { at: endOf('2026-02-24') + 1, by: 'clerk-1', reason: '需协调三个部门' },
    ]);
    expect(r.audit.reason).toBe('需协调三个部门');
  });

  it('a reply carries attachment references; a late reply is alerted', () => {
    const files = [
      { id: 'f1', fileName: '现场.jpg', mimeType: 'image/jpeg' },
      { id: 'f2', fileName: '现场.mp4', mimeType: 'video/mp4' },
    ];
    const r = ok(orderIn('signed'), { action: 'reply', actor: lead, content: '已整改', attachments: files }, T0 + HOUR);
    expect(r.state.status).toBe('replied');
    expect(r.state.assignments[0]?.reply).toEqual({
      at: T0 + HOUR,
      by: 'clerk-1',
      content: '已整改',
      attachments: files,
    });
    const late = ok(orderIn('signed'), { action: 'reply', actor: lead, content: '已整改' }, endOf('2026-02-24') + 1);
    expect(late.effects).toContainEqual(expect.objectContaining({ kind: 'late-reply' }));
    expect(
      refused(
        orderIn('signed'),
        { action: 'reply', actor: lead, content: 'x', attachments: [{ id: '', fileName: 'a', mimeType: 'b' }] },
        T0,
      ).message,
    ).toContain('attachments[0].id');
    expect(refused(orderIn('signed'), { action: 'reply', actor: assistant, content: 'x' }, T0).code).toBe(
      'not-lead-unit',
    );
  });

  it('the hotline can send an inadequate reply back to the unit', () => {
    const r = ok(orderIn('replied'), { action: 'reject-reply', actor: agent, reason: '未答复具体材料' }, T0 + 2 * HOUR);
    expect(r.state.status).toBe('signed');
    expect(r.state.assignments[0]?.reply).toBeUndefined();
    expect(r.state.assignments[0]?.rejectedReplies[0]).toMatchObject({
      content: '已电话告知所需材料',
      rejectReason: '未答复具体材料',
    });
  });
});

describe('close and satisfaction (art. 27)', () => {
  it('closing sends the survey SMS to the contact number and schedules the 24-hour default', () => {
    const at = T0 + 2 * HOUR;
    const r = ok(
      orderIn('replied', { requester: { phone: '13812341234', contactPhone: '13900001111' } }),
      { action: 'close', actor: agent },
      at,
    );
    expect(r.state).toMatchObject({
      status: 'closed',
      closedAt: at,
      satisfaction: { surveySentAt: at, replyDueAt: at + 24 * HOUR },
    });
    expect(r.effects[0]).toMatchObject({ type: 'send-sms', to: '13900001111', purpose: 'satisfaction-survey' });
    expect(r.effects[0]?.type === 'send-sms' && r.effects[0].text).toContain('满意请回复1');
    expect(r.effects[1]).toEqual({
      type: 'schedule',
      orderId: 101,
      at: at + 24 * HOUR,
      action: 'satisfaction-timeout',
    });
  });

  it('without a number there is no survey', () => {
    const r = ok(orderIn('replied', { requester: { name: '匿名' } }), { action: 'close', actor: agent }, T0 + 2 * HOUR);
    expect(r.state.satisfaction).toBeUndefined();
    expect(r.effects).toEqual([]);
  });

  it.each([
    ['1', 'satisfied'],
    ['满意', 'satisfied'],
    ['2', 'basically-satisfied'],
    ['基本满意', 'basically-satisfied'],
  ])('reply %s → %s, order stays closed', (text, level) => {
    const r = ok(
      orderIn('closed'),
      { action: 'record-satisfaction', actor: requester, replyText: text },
      T0 + 3 * HOUR,
    );
    expect(r.state.status).toBe('closed');
    expect(r.state.satisfaction).toMatchObject({ result: level, byDefault: false, replyText: text });
    expect(r.effects).toEqual([]);
  });

  it('dissatisfied → review and a manual callback task (art. 27(3))', () => {
    const r = ok(
      orderIn('closed'),
      { action: 'record-satisfaction', actor: requester, replyText: '不满意，没解决' },
      T0 + 3 * HOUR,
    );
    expect(r.state.status).toBe('under-review');
    expect(r.effects).toEqual([
      { type: 'create-task', orderId: 101, task: 'review-result' },
      { type: 'create-task', orderId: 101, task: 'manual-callback', unitId: 'housing' },
    ]);
  });

  it('a review is upheld (closed) or sent for re-dispatch', () => {
    const up = ok(
      orderIn('under-review'),
      { action: 'conclude-review', actor: supervisor, outcome: 'upheld', note: '已依政策答复' },
      T0 + 5 * HOUR,
    );
    expect(up.state.status).toBe('closed');
    expect(up.state.satisfaction?.result).toBe('dissatisfied');
    expect(
      refused(up.state, { action: 'record-satisfaction', actor: requester, replyText: '1' }, T0 + 6 * HOUR).code,
    ).toBe('satisfaction-already-recorded');
    const re = ok(
      orderIn('under-review'),
      { action: 'conclude-review', actor: supervisor, outcome: 'redispatch', note: '需重新办理' },
      T0 + 5 * HOUR,
    );
    expect(re.state.status).toBe('registered');
    expect(re.state.closedAt).toBeUndefined();
    expect(re.effects).toEqual([{ type: 'create-task', orderId: 101, task: 're-dispatch' }]);
    const again = ok(re.state, { action: 'dispatch', actor: agent, leadUnitId: 'housing' }, T0 + 6 * HOUR);
    expect(again.state.assignments).toHaveLength(2);
  });

  it('an unreadable reply keeps the survey open and alerts a person', () => {
    const r = ok(
      orderIn('closed'),
      { action: 'record-satisfaction', actor: requester, replyText: '你好请问什么时候来修' },
      T0 + 3 * HOUR,
    );
    expect(r.state.status).toBe('closed');
    expect(r.state.satisfaction?.result).toBeUndefined();
    expect(r.state.satisfaction?.unreadReplies).toEqual([{ at: T0 + 3 * HOUR, text: '你好请问什么时候来修' }]);
    expect(r.effects).toEqual([expect.objectContaining({ kind: 'unread-satisfaction-reply' })]);
  });

  it('silence for 24 hours counts as satisfied; not before', () => {
    const s = orderIn('closed'); // closed at T0 + 2 h
    expect(refused(s, { action: 'satisfaction-timeout', actor: system }, T0 + 26 * HOUR - 1).code).toBe(
      'satisfaction-window-open',
    );
    const r = ok(s, { action: 'satisfaction-timeout', actor: system }, T0 + 26 * HOUR);
    expect(r.state.satisfaction).toMatchObject({ result: 'satisfied', byDefault: true });
    expect(refused(r.state, { action: 'satisfaction-timeout', actor: system }, T0 + 27 * HOUR).code).toBe(
      'satisfaction-already-recorded',
    );
  });

  it('a reply after 24 hours does not undo the default', () => {
    const r = ok(
      orderIn('closed'),
      { action: 'record-satisfaction', actor: requester, replyText: '不满意' },
      T0 + 26 * HOUR + 1,
    );
    expect(r.state.status).toBe('closed');
    expect(r.state.satisfaction).toMatchObject({ result: 'satisfied', byDefault: true });
    expect(r.effects).toEqual([expect.objectContaining({ kind: 'unread-satisfaction-reply' })]);
  });
});

describe('purity and the audit trail', () => {
  it('never modifies the state it is given', () => {
    const s = deepFreeze(orderIn('signed')) as WorkOrder;
    const before = JSON.stringify(s);
    const r = decide(s, { action: 'request-extension', actor: lead, extra: 1, reason: 'x' }, T0 + HOUR, env);
    expect(r.ok).toBe(true);
    expect(JSON.stringify(s)).toBe(before);
  });

  it('each transition adds one version and an audit entry with actor, time, reason and statuses', () => {
    let s: WorkOrder | null = null;
    const trail = [];
    const steps = [
      [{ action: 'intake', actor: agent, order: intakeData() }, T0],
      [{ action: 'dispatch', actor: agent, leadUnitId: 'housing' }, T0 + MIN],
      [{ action: 'sign', actor: lead }, T0 + 2 * MIN],
      [{ action: 'reply', actor: lead, content: '已答复' }, T0 + 3 * MIN],
      [{ action: 'close', actor: agent }, T0 + 4 * MIN],
      [{ action: 'record-satisfaction', actor: requester, replyText: '1' }, T0 + 5 * MIN],
    ] as const;
    for (const [input, at] of steps) {
      const r = ok(s, input, at);
      s = r.state;
      trail.push(r.audit);
    }
    expect(trail.map((e) => [e.action, e.fromStatus, e.toStatus, e.version, e.at, e.actor.id])).toEqual([
      ['intake', null, 'registered', 1, T0, 'agent-7'],
      ['dispatch', 'registered', 'dispatched', 2, T0 + MIN, 'agent-7'],
      ['sign', 'dispatched', 'signed', 3, T0 + 2 * MIN, 'clerk-1'],
      ['reply', 'signed', 'replied', 4, T0 + 3 * MIN, 'clerk-1'],
      ['close', 'replied', 'closed', 5, T0 + 4 * MIN, 'agent-7'],
      ['record-satisfaction', 'closed', 'closed', 6, T0 + 5 * MIN, 'sms:13812341234'],
    ]);
    expect(s?.version).toBe(6);
  });

  it('refuses a non-finite now', () => {
    expect(refused(null, { action: 'intake', actor: agent, order: intakeData() }, Number.NaN).code).toBe(
      'invalid-input',
    );
  });
});
