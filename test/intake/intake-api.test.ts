import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workOrderHistory } from '../../src/calls/work-order-history.ts';
import { FakeClock } from '../../src/shared/clock.ts';
import { signWebhook } from '../../src/sms/webhook-signature.ts';
import { startTestServer, type TestServer } from '../platform/helpers.ts';
import { STORE_KINDS, storeFactory } from '../support/stores.ts';

const WX_SECRET = 'wechat-secret-0123456789abcdef';
const APP_SECRET = 'mobile-app-secret-0123456789ab';
const PHONE = '13812345678';
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex').toString('base64');

function submission(over: Record<string, unknown> = {}) {
  return {
    type: 'complaint',
    category: 'environment.noise',
    content: '小区旁工地夜间施工噪音扰民',
    phone: PHONE,
    ...over,
  };
}

// Runs on both stores (issue 12): with DATABASE_URL the tracking codes live in PostgreSQL.
describe.each(STORE_KINDS)('on %s: citizen intake API (POST /intake/{channel})', (kind) => {
  const stores = storeFactory(kind);
  let s: TestServer;
  let clock: FakeClock;
  beforeAll(async () => {
    clock = new FakeClock(Date.UTC(2026, 0, 5, 2, 0, 0));
    const url = await stores.freshUrl();
    s = await startTestServer({
      clock,
      scanner: false,
      env: {
        INTAKE_CREDENTIALS: `wechat:wx-backend:${WX_SECRET},mobile-app:app-1:${APP_SECRET}`,
        INTAKE_PER_NUMBER_PER_HOUR: '3',
        INTAKE_PER_CREDENTIAL_PER_MINUTE: '8',
        INTAKE_MAX_ATTACHMENTS: '2',
        INTAKE_MAX_ATTACHMENT_BYTES: '2048',
        ...(url ? { DATABASE_URL: url } : {}),
      },
    });
  }, 60_000);
  afterAll(async () => s?.cleanup());

  let phoneSeq = 0;
  const freshPhone = () => `1390000${String(++phoneSeq).padStart(4, '0')}`;

  const signed = (body: unknown, o: { key?: string; secret?: string; at?: number } = {}) => {
    const payload = JSON.stringify(body);
    const ts = String(o.at ?? clock.now());
    return {
      payload,
      headers: {
        'content-type': 'application/json',
        'x-intake-key': o.key ?? 'wx-backend',
        'x-intake-timestamp': ts,
        'x-intake-signature': signWebhook(o.secret ?? WX_SECRET, ts, payload),
      },
    };
  };
  const post = (channel: string, req: { payload: string; headers: Record<string, string> }) =>
    s.app.inject({ method: 'POST', url: `/intake/${channel}`, ...req });

  it("given no signature, a wrong one, a stale one, or another channel's credential, when posting, then 401 and no order", async () => {
    const body = submission({ phone: freshPhone() });
    const before = (await s.workOrders.repo.list({ includeConfidential: true, limit: 1000 })).length;
    const unsigned = await s.app.inject({
      method: 'POST',
      url: '/intake/wechat',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
    expect(unsigned.statusCode).toBe(401);
    expect((await post('wechat', signed(body, { secret: 'not-the-secret-0123456789' }))).json().message).toContain(
      'signature does not match',
    );
    expect((await post('wechat', signed(body, { at: clock.now() - 10 * 60_000 }))).json().message).toContain('window');
    const otherChannel = await post('mobile-app', signed(body));
    expect(otherChannel.statusCode).toBe(401);
    expect(otherChannel.json().message).toContain('not for channel mobile-app');
    expect((await s.workOrders.repo.list({ includeConfidential: true, limit: 1000 })).length).toBe(before);
  });

  it('given a signed submission, when posted, then the order lands registered with a 24-hour dispatch clock and a tracking code', async () => {
    const phone = freshPhone();
    const res = await post('wechat', signed(submission({ phone, name: '张先生', location: '青秀区民族大道 1 号' })));
    expect(res.statusCode).toBe(201);
    const receipt = res.json();
    expect(receipt.trackingCode).toMatch(/^[0-9]{10}$/);
    expect(receipt.status).toBe('registered');
    expect(Date.parse(receipt.dispatchDueAt) - Date.parse(receipt.receivedAt)).toBe(24 * 3_600_000);
    const orderId = (await s.workOrders.exchange.receipt(receipt.trackingCode))!.orderId;
    const order = (await s.workOrders.repo.get(orderId))!;
    expect(order).toMatchObject({ channel: 'wechat', status: 'registered', requester: { phone } });
    expect(order.dispatchDue.at).toBe(clock.now() + 24 * 3_600_000);
  });

  it('given the same signed request sent twice, when the copy arrives inside the window, then it is refused as a replay', async () => {
    const req = signed(submission({ phone: freshPhone() }));
    expect((await post('wechat', req)).statusCode).toBe(201);
    const again = await post('wechat', req);
    expect(again.statusCode).toBe(401);
    expect(again.json().message).toContain('replay');
  });

  it('given bad fields, when posted signed, then 400 names the field', async () => {
    const noContent = await post(
      'wechat',
      signed({ type: 'complaint', category: 'environment.noise', phone: freshPhone() }),
    );
    expect(noContent.statusCode).toBe(400);
    expect(noContent.json().message).toContain('content');
    const badType = await post('wechat', signed(submission({ phone: freshPhone(), type: 'rumour' })));
    expect(badType.statusCode).toBe(400);
    expect(badType.json().message).toContain('type');
    const badCategory = await post('wechat', signed(submission({ phone: freshPhone(), category: 'no.such' })));
    expect(badCategory.statusCode).toBe(400);
    expect(badCategory.json().message).toContain('body.category');
  });

  it('given attachments, when one is too large, of a refused type, or too many, then 400 names it; a small photo is kept', async () => {
    const file = (over: Record<string, unknown> = {}) => ({
      fileName: '现场.png',
      mimeType: 'image/png',
      contentBase64: PNG,
      ...over,
    });
    const big = await post(
      'wechat',
      signed(
        submission({
          phone: freshPhone(),
          attachments: [file({ contentBase64: Buffer.alloc(4096, 1).toString('base64') })],
        }),
      ),
    );
    expect(big.statusCode).toBe(400);
    expect(big.json()).toMatchObject({ code: 'attachment-too-large' });
    expect(big.json().message).toContain('body.attachments[0]');
    const exe = await post(
      'wechat',
      signed(
        submission({ phone: freshPhone(), attachments: [file(), file({ mimeType: 'application/x-msdownload' })] }),
      ),
    );
    expect(exe.statusCode).toBe(400);
    expect(exe.json().message).toContain('body.attachments[1].mimeType');
    const many = await post(
      'wechat',
      signed(submission({ phone: freshPhone(), attachments: [file(), file(), file()] })),
    );
    expect(many.json()).toMatchObject({ statusCode: 400, code: 'too-many-attachments' });
    const ok = await post('wechat', signed(submission({ phone: freshPhone(), attachments: [file()] })));
    expect(ok.statusCode).toBe(201);
    const orderId = (await s.workOrders.exchange.receipt(ok.json().trackingCode))!.orderId;
    const files = await s.workOrders.repo.attachmentsOf(orderId);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ mimeType: 'image/png', size: 16, uploadedBy: 'intake:wx-backend' });
  });

  it('given a tracking code, when the status is asked with its phone number, then it answers; with another number, not found', async () => {
    const phone = freshPhone();
    const code = (await post('mobile-app', signed(submission({ phone }), { key: 'app-1', secret: APP_SECRET }))).json()
      .trackingCode as string;
    const mine = await s.app.inject({ method: 'GET', url: `/intake/status?code=${code}&phone=${phone}` });
    expect(mine.statusCode).toBe(200);
    expect(mine.json()).toMatchObject({ trackingCode: code, status: 'registered', statusText: '已受理，等待派单' });
    const theirs = await s.app.inject({ method: 'GET', url: `/intake/status?code=${code}&phone=13700000000` });
    expect(theirs.statusCode).toBe(404);
    const unknown = await s.app.inject({ method: 'GET', url: `/intake/status?code=1000000000&phone=${phone}` });
    expect(unknown.statusCode).toBe(404);
    const malformed = await s.app.inject({ method: 'GET', url: `/intake/status?code=12ab&phone=${phone}` });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().message).toContain('code');

    // The voice menu takes the same pair: the code keyed from the order's own number reads its status.
    const ivr = workOrderHistory(s.workOrders.repo, undefined, {
      orderIdOf: async (c) => (await s.workOrders.exchange.receipt(c))?.orderId ?? null,
    });
    expect(await ivr.ticketStatus(code, phone)).toBe('received');
    expect(await ivr.ticketStatus(code, '13700000000')).toBeNull();
  });

  it('given many submissions, when a number or a credential passes its limit, then 429 with Retry-After until the window passes', async () => {
    clock.advance(2 * 3_600_000);
    const phone = freshPhone();
    for (let i = 0; i < 3; i++)
      expect(
        (await post('wechat', signed(submission({ phone, content: `第${i}次反映：路灯不亮已经一周` })))).statusCode,
      ).toBe(201);
    const fourth = await post('wechat', signed(submission({ phone, content: '第四次反映：路灯不亮已经一周' })));
    expect(fourth.statusCode).toBe(429);
    expect(fourth.json().code).toBe('number-rate-limited');
    expect(Number(fourth.headers['retry-after'])).toBeGreaterThan(0);
    // Another number on the same credential still passes, until the credential's 8 a minute are used.
    for (let i = 0; i < 4; i++)
      expect((await post('wechat', signed(submission({ phone: freshPhone() })))).statusCode).toBe(201);
    const ninth = await post('wechat', signed(submission({ phone: freshPhone() })));
    expect(ninth.statusCode).toBe(429);
    expect(ninth.json().code).toBe('credential-rate-limited');
    // The other channel's credential has its own budget.
    expect(
      (await post('mobile-app', signed(submission({ phone: freshPhone() }), { key: 'app-1', secret: APP_SECRET })))
        .statusCode,
    ).toBe(201);
    clock.advance(61_000);
    expect((await post('wechat', signed(submission({ phone: freshPhone() })))).statusCode).toBe(201);
    clock.advance(3_600_000);
    expect(
      (await post('wechat', signed(submission({ phone, content: '第五次反映：路灯不亮已经一周' })))).statusCode,
    ).toBe(201);
  });
});
