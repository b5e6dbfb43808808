import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MASKED, PHONE, intakeBody, seedOrganisation, signedHeaders, startHarness, type Harness } from './helpers.ts';
import { STORE_KINDS, storeFactory } from '../support/stores.ts';

// Runs on both stores (issue 12): the repositories must behave the same on SQLite and PostgreSQL.
describe.each(STORE_KINDS)('on %s', (kind) => {
  const stores = storeFactory(kind);

  describe('work order lifecycle over HTTP', () => {
    let h: Harness;
    beforeAll(async () => {
      h = await startHarness(undefined, { databaseUrl: await stores.freshUrl() });
      await seedOrganisation(h);
    });
    afterAll(async () => h?.cleanup());

    it('takes a phone order, dispatches, signs, extends, replies with an attachment, closes, and handles a dissatisfied SMS reply', async () => {
      const agent = await h.as('agent');
      const supervisor = await h.as('supervisor');
      const u1 = await h.as('unit_handler', 'u1');
      const _u2 = await h.as('unit_handler', 'u2');

      const taken = await h.req('POST', '/work-orders', agent, intakeBody());
      expect(taken.status).toBe(201);
      const id = taken.body.order.id as number;
      expect(taken.body.order.status).toBe('registered');
      expect(taken.body.order.callId).toBe('call-1');
      expect(taken.body.order.category).toEqual({ code: 'environment.noise', fastResponse: true });
      expect(taken.body.order.requester.phone).toBe(MASKED);

      const full = await h.req('GET', `/work-orders/${id}`, supervisor);
      expect(full.body.requester.phone).toBe(PHONE);

      const dispatched = await h.req('POST', `/work-orders/${id}/dispatch`, agent, {
        leadUnitId: 'u1',
        assistingUnitIds: ['u2'],
      });
      expect(dispatched.status).toBe(200);
      expect(dispatched.body.status).toBe('dispatched');
      // Complaint: 10 working days from the next working day after Monday 2026-01-05 → Monday 2026-01-19, end of day Shanghai.
      expect(new Date(dispatched.body.assignments[0].completionDue.at).toISOString()).toBe('2026-01-19T15:59:59.999Z');

      h.clock.advance(10 * 60_000);
      const opinion = await h.req('POST', `/work-orders/${id}/opinions`, await h.as('unit_handler', 'u2'), {
        opinion: '路面占用需交警配合',
      });
      expect(opinion.status).toBe(200);
      expect(opinion.body.assignments[0].opinions[0]).toMatchObject({ unitId: 'u2', opinion: '路面占用需交警配合' });

      const signed = await h.req('POST', `/work-orders/${id}/sign`, await h.as('unit_handler', 'u1'), {});
      expect(signed.status).toBe(200);
      expect(signed.body.status).toBe('signed');

      const ext = await h.req('POST', `/work-orders/${id}/extension`, u1, { extra: 3, reason: '需协调夜间施工许可' });
      expect(ext.status).toBe(200);
      const approved = await h.req('POST', `/work-orders/${id}/extension/approve`, supervisor, {});
      expect(approved.status).toBe(200);
      expect(new Date(approved.body.assignments[0].completionDue.at).toISOString()).toBe('2026-01-22T15:59:59.999Z');

      const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex').toString('base64');
      const att = await h.req('POST', `/work-orders/${id}/attachments`, u1, {
        fileName: '现场照片.png',
        mimeType: 'image/png',
        contentBase64: png,
      });
      expect(att.status).toBe(201);
      expect(att.body.sha256).toMatch(/^[0-9a-f]{64}$/);
      const download = await h.server.app.inject({
        method: 'GET',
        url: `/work-orders/${id}/attachments/${att.body.id}`,
        headers: agent,
      });
      expect(download.statusCode).toBe(200);
      expect(download.headers['content-type']).toBe('image/png');
      expect(download.rawPayload.toString('base64')).toBe(png);

      const replied = await h.req('POST', `/work-orders/${id}/reply`, u1, {
        content: '已责令施工方22点后停工',
        attachmentIds: [att.body.id],
      });
      expect(replied.status).toBe(200);
      expect(replied.body.status).toBe('replied');
      expect(replied.body.assignments[0].reply.attachments).toEqual([
        { id: String(att.body.id), fileName: '现场照片.png', mimeType: 'image/png' },
      ]);

      const closed = await h.req('POST', `/work-orders/${id}/close`, agent, {});
      expect(closed.status).toBe(200);
      expect(closed.body.status).toBe('closed');
      const sms = h.gateway.sent.at(-1)!;
      expect(sms.to).toBe(PHONE);
      expect(sms.body).toContain(`工单号${id}`);

      h.clock.advance(60 * 60_000);
      const payload = JSON.stringify({ from: PHONE, text: '3 不满意，噪音还在' });
      const hook = await h.server.app.inject({
        method: 'POST',
        url: '/webhooks/sms',
        headers: signedHeaders(payload, h.clock.now()),
        payload,
      });
      expect(hook.statusCode).toBe(200);
      expect(hook.json()).toMatchObject({
        matched: true,
        orderId: id,
        status: 'under-review',
        satisfaction: 'dissatisfied',
      });

      const tasks = await h.req('GET', `/work-order-tasks?orderId=${id}&status=open`, supervisor);
      expect(tasks.body.map((t: { kind: string }) => t.kind).sort()).toEqual(['manual-callback', 'review-result']);
      const callback = tasks.body.find((t: { kind: string }) => t.kind === 'manual-callback');
      expect(callback.unitId).toBe('u1');
      const done = await h.req('POST', `/work-order-tasks/${callback.id}/complete`, supervisor, {
        note: '已回访，群众仍不满意',
      });
      expect(done.status).toBe(200);
      expect(done.body.status).toBe('done');

      const review = await h.req('POST', `/work-orders/${id}/review`, supervisor, {
        outcome: 'redispatch',
        note: '重新派单给住建局',
      });
      expect(review.status).toBe(200);
      expect(review.body.status).toBe('registered');
      const again = await h.req('POST', `/work-orders/${id}/dispatch`, agent, { leadUnitId: 'u3' });
      expect(again.body.status).toBe('dispatched');
      expect(again.body.assignments).toHaveLength(2);

      // The first lead unit no longer sees the order once it is re-dispatched elsewhere.
      expect((await h.req('GET', `/work-orders/${id}`, u1)).status).toBe(403);

      const audit = await h.req('GET', `/work-orders/${id}/audit`, supervisor);
      expect(audit.status).toBe(200);
      const actions = audit.body.map((a: { action: string }) => a.action);
      expect(actions).toEqual([
        'intake',
        'dispatch',
        'assist-opinion',
        'sign',
        'request-extension',
        'approve-extension',
        'reply',
        'close',
        'record-satisfaction',
        'conclude-review',
        'dispatch',
      ]);
      for (const a of audit.body) {
        expect(a.actorId).toBeTruthy();
        expect(a.actorRole).toBeTruthy();
        expect(typeof a.at).toBe('number');
        expect(a.toStatus).toBeTruthy();
        expect(JSON.stringify(a)).not.toContain(PHONE);
      }
      expect(audit.body.find((a: { action: string }) => a.action === 'request-extension').reason).toBe(
        '需协调夜间施工许可',
      );
      expect(audit.body.find((a: { action: string }) => a.action === 'record-satisfaction').actorRole).toBe(
        'requester',
      );
    });

    it('an emergency order creates a phone-notification task for the lead unit at dispatch', async () => {
      const agent = await h.as('agent');
      const r = await h.req(
        'POST',
        '/work-orders',
        agent,
        intakeBody({
          emergency: true,
          requesterPhone: '13700000009',
          content: '小区停水三天，老人无法做饭',
          category: 'utilities.water-outage',
          type: 'help',
        }),
      );
      expect(r.status).toBe(201);
      const id = r.body.order.id;
      const d = await h.req('POST', `/work-orders/${id}/dispatch`, agent, { leadUnitId: 'u3' });
      expect(d.status).toBe(200);
      expect(d.body.assignments[0].signDue.at - d.body.assignments[0].dispatchedAt).toBe(30 * 60_000);
      const tasks = await h.req('GET', `/work-order-tasks?orderId=${id}`, agent);
      expect(tasks.body).toEqual([
        expect.objectContaining({ kind: 'emergency-phone-notification', unitId: 'u3', status: 'open' }),
      ]);
    });

    it('not accepted (art. 21) with a reason code is recorded and never dispatched; a direct answer closes without dispatch', async () => {
      const agent = await h.as('agent');
      const a = await h.req(
        'POST',
        '/work-orders',
        agent,
        intakeBody({
          channel: 'wechat',
          callId: undefined,
          requesterPhone: '13700000010',
          content: '咨询法院判决执行进度',
          category: 'other',
          type: 'consultation',
        }),
      );
      const na = await h.req('POST', `/work-orders/${a.body.order.id}/not-accept`, agent, {
        reasonCode: 'outside-administrative-remit',
        note: '属法院事项',
      });
      expect(na.status).toBe(200);
      expect(na.body.status).toBe('not-accepted');
      expect(na.body.notAccepted).toMatchObject({ reason: 'outside-administrative-remit', note: '属法院事项' });
      const again = await h.req('POST', `/work-orders/${a.body.order.id}/dispatch`, agent, { leadUnitId: 'u1' });
      expect(again.status).toBe(409);

      const b = await h.req(
        'POST',
        '/work-orders',
        agent,
        intakeBody({
          channel: 'website',
          callId: undefined,
          requesterPhone: '13700000011',
          content: '社保卡补办需要什么材料',
          category: 'social.insurance',
          type: 'consultation',
        }),
      );
      const direct = await h.req('POST', `/work-orders/${b.body.order.id}/answer-directly`, agent, {
        answer: '携带身份证到任一社保网点办理',
      });
      expect(direct.status).toBe(200);
      expect(direct.body.status).toBe('closed');
      expect(direct.body.assignments).toEqual([]);
    });

    it('merges the same matter raised again while open, and flags a repeat of a closed matter (art. 21(4))', async () => {
      const agent = await h.as('agent');
      const phone = '13700000012';
      const first = await h.req(
        'POST',
        '/work-orders',
        agent,
        intakeBody({
          channel: 'mobile-app',
          callId: undefined,
          requesterPhone: phone,
          content: '幸福小区门口路灯不亮已经一周',
          category: 'urban',
        }),
      );
      const second = await h.req(
        'POST',
        '/work-orders',
        agent,
        intakeBody({
          channel: 'website',
          callId: undefined,
          requesterPhone: phone,
          content: '幸福小区门口路灯不亮已经一周了',
          category: 'urban',
        }),
      );
      expect(second.status).toBe(201);
      expect(second.body.mergedInto).toBe(first.body.order.id);
      expect(second.body.order.status).toBe('merged');
      const target = await h.req('GET', `/work-orders/${first.body.order.id}`, await h.as('supervisor'));
      expect(target.body.mergedOrderIds).toEqual([second.body.order.id]);

      await h.req('POST', `/work-orders/${first.body.order.id}/answer-directly`, agent, { answer: '已转告路灯管理处' });
      const third = await h.req(
        'POST',
        '/work-orders',
        agent,
        intakeBody({
          channel: 'gov-cn',
          callId: undefined,
          requesterPhone: phone,
          content: '幸福小区门口路灯不亮已经一周',
          category: 'urban',
        }),
      );
      expect(third.status).toBe(201);
      expect(third.body.repeatOf).toBe(first.body.order.id);
      expect(third.body.order.repeatOfClosedOrderId).toBe(first.body.order.id);
      expect(third.body.order.status).toBe('registered');
    });

    it('a county workstation takes no public requests (art. 8) but can be given orders to handle', async () => {
      const agent = await h.as('agent');
      const refused = await h.req(
        'POST',
        '/work-orders',
        agent,
        intakeBody({ requesterPhone: '13700000013', receivedByUnitId: 'nn-ws-1' }),
      );
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('no-public-intake');
      const ok = await h.req(
        'POST',
        '/work-orders',
        agent,
        intakeBody({ requesterPhone: '13700000013', receivedByUnitId: 'nn' }),
      );
      expect(ok.status).toBe(201);
      const d = await h.req('POST', `/work-orders/${ok.body.order.id}/dispatch`, agent, { leadUnitId: 'nn-ws-1' });
      expect(d.status).toBe(200);
      const toCity = await h.req(
        'POST',
        '/work-orders',
        agent,
        intakeBody({ requesterPhone: '13700000014', content: '另一个问题' }),
      );
      const refusedCity = await h.req('POST', `/work-orders/${toCity.body.order.id}/dispatch`, agent, {
        leadUnitId: 'nn',
      });
      expect(refusedCity.status).toBe(409);
      expect(refusedCity.body.code).toBe('unit-cannot-handle');
    });

    it('a disputed order waits for the joint decision, which is recorded and dispatches (art. 19)', async () => {
      const agent = await h.as('agent');
      const r = await h.req(
        'POST',
        '/work-orders',
        agent,
        intakeBody({ requesterPhone: '13700000015', content: '河道垃圾无人清理', category: 'environment' }),
      );
      const id = r.body.order.id;
      const dis = await h.req('POST', `/work-orders/${id}/disputes`, agent, {
        unitIds: ['u1', 'u3'],
        reason: '两单位均称不属本单位职责',
      });
      expect(dis.body.status).toBe('disputed');
      const byAgent = await h.req('POST', `/work-orders/${id}/disputes/resolve`, agent, {
        leadUnitId: 'u1',
        minutes: 'x',
      });
      expect(byAgent.status).toBe(403);
      const res = await h.req('POST', `/work-orders/${id}/disputes/resolve`, await h.as('supervisor'), {
        leadUnitId: 'u1',
        assistingUnitIds: ['u3'],
        minutes: '联席会议决定城管局主办、住建局协办',
      });
      expect(res.status).toBe(200);
      expect(res.body.status).toBe('dispatched');
      expect(res.body.disputes[0].decision).toMatchObject({
        leadUnitId: 'u1',
        assistingUnitIds: ['u3'],
        minutes: '联席会议决定城管局主办、住建局协办',
      });
    });

    it('exports an order in the documented exchange format', async () => {
      const agent = await h.as('agent');
      const r = await h.req(
        'POST',
        '/work-orders',
        agent,
        intakeBody({ requesterPhone: '13700000016', content: '交换格式测试' }),
      );
      const x = await h.req('GET', `/work-orders/${r.body.order.id}/exchange`, agent);
      expect(x.status).toBe(200);
      expect(x.body).toMatchObject({
        format: '12345-exchange/1',
        orderId: r.body.order.id,
        channel: 'phone',
        status: 'registered',
        requester: { phone: '137****0016' },
      });
      expect(x.body.receivedAt).toMatch(/^2026-01-05T\d\d:\d\d:\d\d\.\d{3}\+08:00$/);
    });
  });
});
