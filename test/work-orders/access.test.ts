import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MASKED, PHONE, intakeBody, seedOrganisation, startHarness, type Harness } from './helpers.ts';

describe('who sees what (art. 22), bad input, and the append-only audit trail', () => {
  let h: Harness;
  let u1Order = 0;
  let u3Order = 0;
  let secret = 0;

  beforeAll(async () => {
    h = await startHarness();
    await seedOrganisation(h);
    const agent = await h.as('agent');
    u1Order = (await h.req('POST', '/work-orders', agent, intakeBody())).body.order.id;
    await h.req('POST', `/work-orders/${u1Order}/dispatch`, agent, { leadUnitId: 'u1', assistingUnitIds: ['u2'] });
    u3Order = (
      await h.req(
        'POST',
        '/work-orders',
        agent,
        intakeBody({ requesterPhone: '13600000001', content: '物业乱收费', category: 'housing.property' }),
      )
    ).body.order.id;
    await h.req('POST', `/work-orders/${u3Order}/dispatch`, agent, { leadUnitId: 'u3' });
    const s = await h.req(
      'POST',
      '/work-orders',
      agent,
      intakeBody({
        requesterPhone: '13600000002',
        content: '举报某单位违规',
        type: 'report',
        confidential: true,
        category: 'other',
      }),
    );
    expect(s.status).toBe(201);
    secret = s.body.order.id;
  });
  afterAll(async () => h?.cleanup());

  it('given a confidential order, when an agent merges another order into it, then 403 and nothing merged (the target is checked by the same rule)', async () => {
    const agent = await h.as('agent');
    const mine = (
      await h.req(
        'POST',
        '/work-orders',
        agent,
        intakeBody({ requesterPhone: '13600000009', content: '路灯不亮', category: 'other' }),
      )
    ).body.order.id;
    const r = await h.req('POST', `/work-orders/${mine}/merge`, agent, { targetOrderId: secret });
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('confidential');
    expect((await h.req('GET', `/work-orders/${mine}`, agent)).body.status).toBe('registered');
  });

  it("given a confidential emergency order's phone-notification task, when an agent lists or completes tasks, then it is not shown and completing it is 403; a supervisor sees it", async () => {
    const sup = await h.as('supervisor');
    const agent = await h.as('agent');
    const taken = await h.req(
      'POST',
      '/work-orders',
      sup,
      intakeBody({
        emergency: true,
        confidential: true,
        requesterPhone: '13600000003',
        content: '举报危险化学品非法存放',
        category: 'other',
        type: 'report',
      }),
    );
    const id = taken.body.order.id;
    expect((await h.req('POST', `/work-orders/${id}/dispatch`, sup, { leadUnitId: 'u2' })).status).toBe(200);
    const supTasks = (await h.req('GET', `/work-order-tasks?orderId=${id}`, sup)).body;
    expect(supTasks).toEqual([expect.objectContaining({ kind: 'emergency-phone-notification', orderId: id })]);
    expect((await h.req('GET', `/work-order-tasks?orderId=${id}`, agent)).body).toEqual([]);
    expect(
      (await h.req('GET', '/work-order-tasks', agent)).body.map((t: { orderId: number }) => t.orderId),
    ).not.toContain(id);
    const done = await h.req('POST', `/work-order-tasks/${supTasks[0].id}/complete`, agent, { note: '已电话通知' });
    expect(done.status).toBe(403);
    expect(done.body.code).toBe('confidential');
    expect((await h.req('GET', `/work-order-tasks?orderId=${id}&status=open`, sup)).body).toHaveLength(1);
  });

  it('given an open confidential order, when an agent takes the same demand from the same number, then it is a new order that names no hidden one; a supervisor taking it gets the merge', async () => {
    const sup = await h.as('supervisor');
    const same = { requesterPhone: '13600000004', content: '举报某工地偷排污水', type: 'report', category: 'other' };
    const hidden = (await h.req('POST', '/work-orders', sup, intakeBody({ ...same, confidential: true }))).body.order
      .id;
    const bySup = await h.req('POST', '/work-orders', sup, intakeBody(same));
    expect(bySup.body.mergedInto).toBe(hidden);
    const byAgent = await h.req('POST', '/work-orders', await h.as('agent'), intakeBody(same));
    expect(byAgent.status).toBe(201);
    expect(byAgent.body.mergedInto).toBeUndefined();
    expect(byAgent.body.order.status).toBe('registered');
    expect(JSON.stringify(byAgent.body)).not.toContain(`"mergedIntoId":${hidden}`);
  });

  it("a unit handler sees only its unit's orders (lead or assisting), and gets 403 for another unit's", async () => {
    const u1 = await h.as('unit_handler', 'u1');
    const u2 = await h.as('unit_handler', 'u2');
    const u3 = await h.as('unit_handler', 'u3');
    expect((await h.req('GET', `/work-orders/${u1Order}`, u1)).status).toBe(200);
    expect((await h.req('GET', `/work-orders/${u1Order}`, u2)).status).toBe(200);
    const denied = await h.req('GET', `/work-orders/${u1Order}`, u3);
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('not-your-unit');
    expect((await h.req('GET', `/work-orders/${u1Order}/audit`, u3)).status).toBe(403);
    expect((await h.req('POST', `/work-orders/${u1Order}/sign`, u3, {})).status).toBe(403);
    const list3 = await h.req('GET', '/work-orders', u3);
    expect(list3.body.map((o: { id: number }) => o.id)).toEqual([u3Order]);
    const list1 = await h.req('GET', '/work-orders', u1);
    expect(list1.body.map((o: { id: number }) => o.id)).toEqual([u1Order]);
    expect((await h.req('GET', '/work-orders?unitId=u1', u3)).status).toBe(403);
    expect((await h.req('GET', `/work-orders/by-phone?phone=${PHONE}`, u3)).body).toEqual([]);
  });

  it('an agent sees masked numbers; roles with phone:see-full see them in full; the audit trail never holds them', async () => {
    const agent = await h.as('agent');
    const sup = await h.as('supervisor');
    expect((await h.req('GET', `/work-orders/${u1Order}`, agent)).body.requester.phone).toBe(MASKED);
    expect((await h.req('GET', `/work-orders/${u1Order}`, sup)).body.requester.phone).toBe(PHONE);
    const byPhoneAgent = await h.req('GET', `/work-orders/by-phone?phone=${PHONE}`, agent);
    expect(byPhoneAgent.status).toBe(200);
    expect(byPhoneAgent.body.map((o: { id: number }) => o.id)).toEqual([u1Order]);
    expect(byPhoneAgent.body[0].requesterPhone).toBe(MASKED);
    expect((await h.req('GET', `/work-orders/by-phone?phone=${PHONE}`, sup)).body[0].requesterPhone).toBe(PHONE);
    expect(
      (await h.req('GET', '/work-orders', agent)).body.every((o: { requesterPhone: string }) =>
        o.requesterPhone.includes('****'),
      ),
    ).toBe(true);
    const unit = await h.req('GET', '/organisation/units/u1', agent);
    expect(unit.body.contacts[0].phone).toBe('139****0001');
    expect((await h.req('GET', '/organisation/units/u1', await h.as('admin'))).body.contacts[0].phone).toBe(
      '13900000001',
    );
    const audit = await h.req('GET', `/work-orders/${u1Order}/audit`, sup);
    expect(JSON.stringify(audit.body)).not.toContain(PHONE);
  });

  it('a confidential order is hidden from roles without work-orders:see-confidential', async () => {
    const agent = await h.as('agent');
    const r = await h.req('GET', `/work-orders/${secret}`, agent);
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('confidential');
    expect((await h.req('GET', '/work-orders', agent)).body.some((o: { id: number }) => o.id === secret)).toBe(false);
    expect((await h.req('GET', '/work-orders/by-phone?phone=13600000002', agent)).body).toEqual([]);
    expect((await h.req('GET', `/work-orders/${secret}`, await h.as('supervisor'))).status).toBe(200);
    expect((await h.req('GET', `/work-orders/${secret}`, await h.as('auditor'))).status).toBe(200);
    // The auditor reads but cannot act.
    expect(
      (await h.req('POST', `/work-orders/${secret}/dispatch`, await h.as('auditor'), { leadUnitId: 'u1' })).status,
    ).toBe(403);
  });

  it('bad input is answered 400 naming the field', async () => {
    const agent = await h.as('agent');
    const cases: [unknown, string][] = [
      [{ ...intakeBody(), content: undefined }, 'content'],
      [{ ...intakeBody(), colour: 'red' }, 'colour'],
      [{ ...intakeBody(), emergency: 'yes' }, 'emergency'],
      [{ ...intakeBody(), channel: 'fax' }, 'channel'],
      [{ ...intakeBody(), requesterPhone: 'abc' }, 'requesterPhone'],
      [{ ...intakeBody(), category: 'no-such-category' }, 'category'],
      [{ ...intakeBody(), callId: undefined }, 'callId'],
    ];
    for (const [body, field] of cases) {
      const r = await h.req('POST', '/work-orders', agent, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.message).toContain(field);
    }
    const fresh = (
      await h.req('POST', '/work-orders', agent, intakeBody({ requesterPhone: '13600000003', content: '新问题' }))
    ).body.order.id;
    const unknownUnit = await h.req('POST', `/work-orders/${fresh}/dispatch`, agent, { leadUnitId: 'nobody' });
    expect(unknownUnit.status).toBe(400);
    expect(unknownUnit.body.message).toContain('leadUnitId');
    const wrongType = await h.req('POST', `/work-orders/${fresh}/extension`, await h.as('unit_handler', 'u1'), {
      extra: '2',
      reason: 'x',
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.message).toContain('extra');
    const badId = await h.req('GET', '/work-orders/abc', agent);
    expect(badId.status).toBe(400);
    expect(badId.body.message).toContain('id');
    expect((await h.req('GET', '/work-orders/999999', agent)).status).toBe(404);
  });

  it('audit rows cannot be updated or deleted, and the API offers no way to change them', async () => {
    const sqlite = h.server.store.sqlite;
    const before = sqlite.prepare('select count(*) as n from audit_log').get() as { n: number };
    expect(before.n).toBeGreaterThan(3);
    expect(() => sqlite.prepare("update audit_log set reason = 'changed'").run()).toThrow(/append-only/);
    expect(() => sqlite.prepare('delete from audit_log').run()).toThrow(/append-only/);
    expect(() => sqlite.prepare("update audit_log set actor_id = 'x' where id = 1").run()).toThrow(/append-only/);
    const after = sqlite.prepare('select count(*) as n from audit_log').get() as { n: number };
    expect(after.n).toBe(before.n);
    expect(
      (sqlite.prepare("select count(*) as n from audit_log where reason = 'changed'").get() as { n: number }).n,
    ).toBe(0);
    const admin = await h.as('admin');
    for (const method of ['PUT', 'PATCH', 'DELETE'] as const) {
      expect(
        (await h.req(method, `/work-orders/${u1Order}/audit`, admin, method === 'DELETE' ? undefined : {})).status,
      ).toBe(404);
    }
  });
});
