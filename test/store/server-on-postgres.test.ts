// The whole server on PostgreSQL (issue 12 item 1): started with DATABASE_URL, it keeps users, organisation, work
// orders, knowledge and audit in PostgreSQL and answers over real HTTP.
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../platform/helpers.ts';
import { storeFactory } from '../support/stores.ts';

describe('the server with DATABASE_URL', () => {
  const stores = storeFactory('postgres');
  let server: TestServer | undefined;
  afterAll(async () => {
    await server?.cleanup();
  });

  it('given DATABASE_URL, when the server starts and a work order and a knowledge entry are made over HTTP, then they read back over HTTP and live in PostgreSQL, not in the SQLite file', async () => {
    const url = (await stores.freshUrl())!;
    server = await startTestServer({ env: { DATABASE_URL: url }, scanner: false });
    expect(server.repos.kind).toBe('postgres');
    const call = async (method: string, path: string, token?: string, body?: unknown) => {
      const res = await fetch(`${server!.url}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    // The first admin (ADMIN_USERNAME) was created in PostgreSQL at start.
    const login = await call('POST', '/auth/login', undefined, {
      username: 'root-admin',
      password: 'admin-password-1',
    });
    expect(login.status).toBe(200);
    const admin = login.body.token as string;
    const region = await call('POST', '/organisation/units', admin, {
      id: 'gx',
      kind: 'region',
      name: '广西',
      parentId: null,
    });
    expect(region.status, JSON.stringify(region.body)).toBe(201);
    const unit = await call('POST', '/organisation/units', admin, {
      id: 'u1',
      kind: 'handling_unit',
      name: '市城管局',
      parentId: 'gx',
      contacts: [{ name: '张三', phone: '13900000001', emergency: true }],
    });
    expect(unit.status, JSON.stringify(unit.body)).toBe(201);
    await call('POST', '/users', admin, { username: 'agent-1', password: 'user-password-1', role: 'agent' });
    await call('POST', '/users', admin, {
      username: 'handler-1',
      password: 'user-password-1',
      role: 'unit_handler',
      unitId: 'u1',
    });
    const agent = (await call('POST', '/auth/login', undefined, { username: 'agent-1', password: 'user-password-1' }))
      .body.token as string;
    const handler = (
      await call('POST', '/auth/login', undefined, { username: 'handler-1', password: 'user-password-1' })
    ).body.token as string;

    const created = await call('POST', '/work-orders', agent, {
      channel: 'website',
      type: 'complaint',
      category: 'environment.noise',
      requesterName: '陈先生',
      requesterPhone: '13812341234',
      content: '小区门口夜间施工噪音扰民',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.order.id as number;
    const read = await call('GET', `/work-orders/${id}`, agent);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id, status: 'registered', content: '小区门口夜间施工噪音扰民' });

    expect(
      (await call('POST', '/knowledge/entries', handler, { title: '夜间施工噪音投诉', body: '可向城管部门投诉。' }))
        .status,
    ).toBe(201);
    const found = await call('GET', `/knowledge/search?q=${encodeURIComponent('噪音')}`, agent);
    expect(found.body.map((e: { title: string }) => e.title)).toEqual(['夜间施工噪音投诉']);

    const health = await call('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body.store).toBe('ok');

    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const orders = await db.query('select id, requester_phone from work_orders');
      expect(orders.rows).toEqual([{ id: String(id), requester_phone: '13812341234' }]);
      const audit = await db.query("select action from audit_log where entity = 'work_order' order by id");
      expect(audit.rows.map((r) => r.action)).toEqual(['intake']);
      expect((await db.query('select count(*)::int as n from users')).rows[0].n).toBe(3);
    } finally {
      await db.end();
    }
    // The SQLite file under DATA_DIR holds none of it.
    const lite = server.store.sqlite;
    expect(lite.prepare('select count(*) as n from work_orders').get()).toEqual({ n: 0 });
    expect(lite.prepare('select count(*) as n from users').get()).toEqual({ n: 0 });
  }, 60_000);
});
