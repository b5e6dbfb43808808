import type { Role } from '../../src/auth/roles.ts';
import { FakeClock } from '../../src/shared/clock.ts';
import { signWebhook } from '../../src/sms/webhook-signature.ts';
import type { WorkOrderModule } from '../../src/work-orders/module.ts';
import { bearer, login, startTestServer, type TestServer } from '../platform/helpers.ts';
import type { LogOnlySmsGateway } from '../../src/sms/log-only-gateway.ts';

export const WEBHOOK_SECRET = 'test-webhook-secret-0123456789abcdef';

export interface Harness {
  server: TestServer;
  clock: FakeClock;
  module: WorkOrderModule;
  gateway: LogOnlySmsGateway;
  /** A bearer header for a user of this role (and unit), logged in again when the fake clock has moved on. */
  as(role: Role, unitId?: string): Promise<{ authorization: string }>;
  req(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    who: { authorization: string },
    payload?: unknown,
  ): Promise<{ status: number; body: any }>;
  cleanup(): Promise<void>;
}

/**
 * A server with the work-order module on a temp DATA_DIR, a FakeClock, the log-only SMS gateway and no scanner timer.
 * `databaseUrl` puts its repositories on PostgreSQL (test/support/stores.ts gives one per test file).
 */
export async function startHarness(
  start: number | Date = Date.UTC(2026, 0, 5, 1, 0, 0),
  opts: { databaseUrl?: string | undefined } = {},
): Promise<Harness> {
  const clock = new FakeClock(start);
  const server = await startTestServer({
    clock,
    scanner: false,
    env: {
      TOKEN_TTL_SECONDS: '86400',
      SMS_WEBHOOK_SECRET: WEBHOOK_SECRET,
      ...(opts.databaseUrl ? { DATABASE_URL: opts.databaseUrl } : {}),
    },
  });
  const m = server.workOrders;
  const users = new Map<string, { username: string; token: string; at: number }>();
  let seq = 0;
  const as = async (role: Role, unitId?: string) => {
    const key = `${role}|${unitId ?? ''}`;
    let u = users.get(key);
    if (!u) {
      const username = `${role.replace('_', '-')}-${++seq}`;
      await server.auth.createUser({ username, password: 'user-password-1', role, unitId: unitId ?? null });
      u = { username, token: '', at: -Infinity };
      users.set(key, u);
    }
    if (clock.now() - u.at > 6 * 3600_000) {
      u.token = await login(server, u.username, 'user-password-1');
      u.at = clock.now();
    }
    return bearer(u.token);
  };
  const req: Harness['req'] = async (method, url, who, payload) => {
    // A phone order's number comes from its call: intakeBody names a call `call-from-<number>`, recorded here on first use.
    const callId = (payload as { callId?: unknown } | undefined)?.callId;
    const from = typeof callId === 'string' ? /^call-from-(\d+)$/.exec(callId) : null;
    if (from && !(await server.repos.calls.getCall(callId as string))) seedCall(h, callId as string, from[1]);
    const res = await server.app.inject({
      method,
      url,
      headers: who,
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
    let body: unknown = res.body;
    try {
      body = res.json();
    } catch {
      // not JSON
    }
    return { status: res.statusCode, body };
  };
  const h: Harness = {
    server,
    clock,
    module: m,
    gateway: m.smsGateway as LogOnlySmsGateway,
    as,
    req,
    cleanup: () => server.cleanup(),
  };
  seedCall(h, 'call-1');
  return h;
}

/**
 * A recorded call for a phone order to name (POST /work-orders answers 404 for a callId that names no call), in the
 * server's call records (PostgreSQL with DATABASE_URL: written in order, read back by the intake's check).
 */
export function seedCall(h: Harness, callId: string, callerNumber = PHONE): string {
  const at = h.clock.now();
  h.server.repos.calls.insertCall({
    id: callId,
    callerChannelId: `ch-${callId}`,
    callerNumber,
    status: 'ended',
    phase: 'ended',
    arrivedAt: at - 60_000,
    endedAt: at,
  });
  return callId;
}

export const PHONE = '13812341234';
export const MASKED = '138****1234';

/** Region → city → county workstation, and three handling units under the city with contacts. */
export async function seedOrganisation(h: Harness): Promise<void> {
  const admin = await h.as('admin');
  const units = [
    { id: 'gx', kind: 'region', name: '广西壮族自治区', parentId: null },
    { id: 'nn', kind: 'city', name: '南宁市', parentId: 'gx' },
    { id: 'nn-ws-1', kind: 'county_workstation', name: '青秀区工作站', parentId: 'nn' },
    {
      id: 'u1',
      kind: 'handling_unit',
      name: '市城管局',
      parentId: 'nn',
      contacts: [{ name: '张三', phone: '13900000001', emergency: true }],
    },
    {
      id: 'u2',
      kind: 'handling_unit',
      name: '市交警支队',
      parentId: 'nn',
      contacts: [{ name: '李四', phone: '13900000002' }],
    },
    {
      id: 'u3',
      kind: 'handling_unit',
      name: '市住建局',
      parentId: 'nn',
      contacts: [{ name: '王五', phone: '13900000003' }],
    },
  ];
  for (const u of units) {
    const r = await h.req('POST', '/organisation/units', admin, u);
    if (r.status !== 201) throw new Error(`seed ${u.id}: ${r.status} ${JSON.stringify(r.body)}`);
  }
}

/** A phone order's body; another requesterPhone names a call from that number (the server takes the number from the call). */
export const intakeBody = (over: Record<string, unknown> = {}) => ({
  channel: 'phone',
  callId:
    typeof over['requesterPhone'] === 'string' &&
    /^\d+$/.test(over['requesterPhone']) &&
    over['requesterPhone'] !== PHONE
      ? `call-from-${over['requesterPhone']}`
      : 'call-1',
  type: 'complaint',
  requesterName: '陈先生',
  requesterPhone: PHONE,
  content: '小区门口夜间施工噪音扰民，持续到凌晨两点',
  category: 'environment.noise',
  location: '青秀区民族大道100号',
  ...over,
});

export function signedHeaders(body: string, at: number, secret = WEBHOOK_SECRET): Record<string, string> {
  const ts = String(Math.floor(at / 1000));
  return {
    'content-type': 'application/json',
    'x-sms-timestamp': ts,
    'x-sms-signature': signWebhook(secret, ts, body),
  };
}
