// The repositories' contract, run once on SQLite and once on PostgreSQL (issue 12 item 1): the same calls must
// give the same answers on both stores.
import { describe, expect, it } from 'vitest';
import { shippedCalendar } from '../../src/domain/calendar/shipped-calendar.ts';
import { decide } from '../../src/domain/work-orders/decide.ts';
import type { Actor, WorkOrder } from '../../src/domain/work-orders/types.ts';
import { CHAIN_COLUMNS, chainHash, type ChainValue } from '../../src/store/hash-chain.ts';
import { UsernameTakenError } from '../../src/store/users-repo.ts';
import type { OrderChange } from '../../src/store/work-orders-repo.ts';
import { pendingDeadline } from '../../src/work-orders/work-order-service.ts';
import { STORE_KINDS, storeFactory } from '../support/stores.ts';

const NOW = Date.UTC(2026, 2, 2, 2, 0, 0);
const env = { calendar: shippedCalendar([]) };
const agent: Actor = { kind: 'agent', id: 'agent-1' };

function ok(d: ReturnType<typeof decide>): { state: WorkOrder; audit: OrderChange['audit'][number] } {
  if (!d.ok) throw new Error(d.refusal.message);
  return { state: d.state, audit: d.audit };
}

/** A new order as the service would commit it. */
function intake(id: number, phone: string, at: number, confidential = false): OrderChange {
  const d = ok(
    decide(
      null,
      {
        action: 'intake',
        actor: agent,
        order: {
          id,
          channel: 'phone',
          type: 'complaint',
          emergency: false,
          confidential,
          category: { code: 'environment.noise', fastResponse: true },
          requester: { name: '陈先生', phone },
          content: `小区门口夜间施工噪音扰民 ${id}`,
          callId: `call-${id}`,
        },
      },
      at,
      env,
    ),
  );
  return changeOf(d.state, d.audit, null, at);
}

function changeOf(
  state: WorkOrder,
  audit: OrderChange['audit'][number],
  expectedVersion: number | null,
  at: number,
): OrderChange {
  const pd = pendingDeadline(state);
  return {
    order: state,
    index: {
      nextDeadlineAt: pd?.at ?? null,
      nextDeadlineKind: pd?.kind ?? null,
      nextCheckAt: null,
      supervisionLevel: 0,
      fastResponse: true,
      createdBy: 'agent-1',
    },
    expectedVersion,
    audit: [audit],
    actorRole: 'agent',
    at,
  };
}

function dispatch(o: WorkOrder, at: number): OrderChange {
  const d = ok(decide(o, { action: 'dispatch', actor: agent, leadUnitId: 'u1', assistingUnitIds: ['u2'] }, at, env));
  return changeOf(d.state, d.audit, o.version, at);
}

describe.each(STORE_KINDS)('repositories on %s', (kind) => {
  const stores = storeFactory(kind);

  it('given an intake, when it is committed and then dispatched, then the order, its units and its audit rows read back', async () => {
    const s = await stores.fresh();
    const repo = s.repos.workOrders;
    const id = await repo.nextId();
    expect(await repo.commit(intake(id, '13812341234', NOW))).toBe('ok');
    const first = await repo.get(id);
    expect(first?.status).toBe('registered');
    expect(await repo.commit(dispatch(first!, NOW + 60_000))).toBe('ok');
    expect((await repo.get(id))?.status).toBe('dispatched');
    expect(await repo.unitsOf(id)).toEqual([
      { unitId: 'u1', role: 'lead' },
      { unitId: 'u2', role: 'assist' },
    ]);
    const audit = await repo.auditOf(id);
    expect(audit.map((a) => a.action)).toEqual(['intake', 'dispatch']);
    expect(audit[1]).toMatchObject({ entity: 'work_order', entityId: String(id), actorRole: 'agent' });
    const [summary] = await repo.findByPhone('13812341234', 10);
    expect(summary).toMatchObject({
      id,
      status: 'dispatched',
      emergency: false,
      confidential: false,
      leadUnitId: 'u1',
    });
    expect(typeof summary!.createdAt).toBe('number');
  });

  it('given a fresh store, when the categories are read, then the shipped tree is there with its 接诉即办 flags', async () => {
    const s = await stores.fresh();
    const cats = await s.repos.workOrders.categories();
    expect(cats).toHaveLength(25);
    expect(cats.find((c) => c.code === 'environment.noise')).toEqual({
      code: 'environment.noise',
      name: '噪声扰民',
      parentCode: 'environment',
      fastResponse: true,
    });
    expect(cats.map((c) => c.code)).toEqual([...cats.map((c) => c.code)].sort());
  });

  it('given two changes decided on the same version, when both are committed in one turn, then one is written and the other is a conflict that wrote nothing', async () => {
    const s = await stores.fresh();
    const repo = s.repos.workOrders;
    const id = await repo.nextId();
    await repo.commit(intake(id, '13812341234', NOW));
    const o = (await repo.get(id))!;
    const other = await repo.nextId();
    // Group commit: the three commits share one transaction; the conflicting one must roll back alone.
    const [a, b, c] = await Promise.all([
      repo.commit(dispatch(o, NOW + 1000)),
      repo.commit(dispatch(o, NOW + 2000)),
      repo.commit(intake(other, '13900000000', NOW + 3000)),
    ]);
    expect([a, b, c]).toEqual(['ok', 'conflict', 'ok']);
    const audit = await repo.auditOf(id);
    expect(audit.map((x) => [x.action, x.at])).toEqual([
      ['intake', NOW],
      ['dispatch', NOW + 1000],
    ]);
    expect((await repo.get(other))?.status).toBe('registered');
  });

  it('given a change of several orders where the last conflicts, when committed, then none of them is written (one transaction)', async () => {
    const s = await stores.fresh();
    const repo = s.repos.workOrders;
    const id1 = await repo.nextId();
    const id2 = await repo.nextId();
    await repo.commit([intake(id1, '13800000001', NOW), intake(id2, '13800000002', NOW)]);
    const o1 = (await repo.get(id1))!;
    const o2 = (await repo.get(id2))!;
    const stale = { ...dispatch(o2, NOW + 5), expectedVersion: o2.version + 7 };
    expect(await repo.commit([dispatch(o1, NOW + 5), stale])).toBe('conflict');
    expect((await repo.get(id1))?.status).toBe('registered');
    expect(await repo.unitsOf(id1)).toEqual([]);
  });

  it('given 25 orders, when listed 10 at a time with the last id as the key, then the pages are disjoint, newest first, and confidential orders are left out on request', async () => {
    const s = await stores.fresh();
    const repo = s.repos.workOrders;
    const ids: number[] = [];
    for (let i = 0; i < 25; i++) {
      const id = await repo.nextId();
      ids.push(id);
      await repo.commit(intake(id, `1380000${String(i).padStart(4, '0')}`, NOW + i, i % 5 === 0));
    }
    const seen: number[] = [];
    let beforeId: number | undefined;
    for (;;) {
      const page = await repo.list({ includeConfidential: true, limit: 10, ...(beforeId ? { beforeId } : {}) });
      if (page.length === 0) break;
      seen.push(...page.map((p) => p.id));
      beforeId = page[page.length - 1]!.id;
    }
    expect(seen).toEqual([...ids].sort((a, b) => b - a));
    const open = await repo.list({ includeConfidential: false, limit: 100 });
    expect(open).toHaveLength(20);
    expect(open.every((o) => !o.confidential)).toBe(true);
  });

  it('given a requester with orders on three days, when looked up by phone, then they come newest first and the limit holds', async () => {
    const s = await stores.fresh();
    const repo = s.repos.workOrders;
    const ids: number[] = [];
    for (const day of [0, 2, 1]) {
      const id = await repo.nextId();
      ids.push(id);
      await repo.commit(intake(id, '13811112222', NOW + day * 86_400_000));
    }
    await repo.commit(intake(await repo.nextId(), '13899990000', NOW));
    expect((await repo.findByPhone('13811112222', 10)).map((o) => o.id)).toEqual([ids[1], ids[2], ids[0]]);
    expect(await repo.findByPhone('13811112222', 2)).toHaveLength(2);
    expect((await repo.statesByPhone('13811112222', 1))[0]?.id).toBe(ids[1]);
    expect((await repo.dueBefore(NOW + 365 * 86_400_000, 10)).length).toBe(4);
  });

  it('given audit rows, when the database is asked to change or delete one, then it refuses; and every row carries the hash chain', async () => {
    const s = await stores.fresh();
    await s.repos.audit.append({ entity: 'x', entityId: '1', action: 'a', actorId: 'u', actorRole: 'admin', at: 1 });
    await s.repos.audit.append({
      entity: 'x',
      entityId: '1',
      action: 'b',
      actorId: 'u',
      actorRole: 'admin',
      at: 2,
      reason: '说明 "quoted"\n',
      data: { n: 1, s: '市城管局' },
    });
    await expect(s.exec("update audit_log set action = 'forged'")).rejects.toThrow(/append-only/);
    await expect(s.exec('delete from audit_log')).rejects.toThrow(/append-only/);
    expect((await s.repos.audit.listFor('x', '1')).map((r) => r.action)).toEqual(['a', 'b']);
    const rows = await s.query<Record<string, ChainValue>>(
      `select ${CHAIN_COLUMNS.audit_log.join(', ')}, prev_hash, row_hash from audit_log order by id`,
    );
    let prev: string | null = null;
    for (const r of rows) {
      expect(r['prev_hash'] ?? null).toBe(prev);
      expect(r['row_hash']).toBe(
        chainHash(
          'audit_log',
          prev,
          CHAIN_COLUMNS.audit_log.map((c) => r[c] ?? null),
        ),
      );
      prev = r['row_hash'] as string;
    }
  });

  it('given 30 audit rows appended at once over several connections, when the chain is walked in id order, then every row links to the one before', async () => {
    const s = await stores.fresh();
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        s.repos.audit.append({
          entity: 'x',
          entityId: String(i % 3),
          action: `a${i}`,
          actorId: 'u',
          actorRole: 'admin',
          at: i,
        }),
      ),
    );
    const rows = await s.query<Record<string, ChainValue>>(
      `select ${CHAIN_COLUMNS.audit_log.join(', ')}, prev_hash, row_hash from audit_log order by id`,
    );
    expect(rows).toHaveLength(30);
    let prev: string | null = null;
    for (const r of rows) {
      expect(r['prev_hash'] ?? null).toBe(prev);
      expect(r['row_hash']).toBe(
        chainHash(
          'audit_log',
          prev,
          CHAIN_COLUMNS.audit_log.map((c) => r[c] ?? null),
        ),
      );
      prev = r['row_hash'] as string;
    }
  });

  it('given knowledge entries in Chinese, when searched with 1-, 2- and longer terms, then only current versions containing every term are found, newest first', async () => {
    const s = await stores.fresh();
    const k = s.repos.knowledge;
    const base = { unitId: 'u1', validFrom: '2026-01-01', createdBy: 'admin' };
    await k.addVersion({ ...base, entryKey: 'a', title: '居住证办理', body: '所需材料：身份证、租房合同' }, 1);
    await k.addVersion({ ...base, entryKey: 'b', title: '公积金提取', body: '条件与材料' }, 2);
    await k.addVersion({ ...base, entryKey: 'c', title: '居民医保', body: '报销流程', validTo: '2026-02-01' }, 3);
    // Version 2 of "b" replaces version 1: the old text must no longer be found.
    await k.addVersion({ ...base, entryKey: 'b', title: '住房公积金', body: '提取流程' }, 4);
    const keys = async (query: string, extra: { validOn?: string; unitId?: string } = {}) =>
      (await k.search({ query, limit: 20, ...extra })).map((e) => `${e.entryKey}${e.version}`);
    expect(await keys('居')).toEqual(['c1', 'a1']);
    expect(await keys('材料')).toEqual(['a1']);
    expect(await keys('流程')).toEqual(['b2', 'c1']);
    expect(await keys('居住证')).toEqual(['a1']);
    expect(await keys('居证')).toEqual([]);
    expect(await keys('条件')).toEqual([]);
    expect(await keys('公积金 流程')).toEqual(['b2']);
    expect(await keys('流程', { validOn: '2026-03-01' })).toEqual(['b2']);
    expect(await keys('流程', { unitId: 'u9' })).toEqual([]);
    expect((await k.current('b'))?.version).toBe(2);
    expect((await k.versions('b')).map((e) => [e.version, e.current])).toEqual([
      [1, false],
      [2, true],
    ]);
  });

  it('given users, when a name is taken twice or a revoking change is made, then the name is refused and the token version rises', async () => {
    const s = await stores.fresh();
    const users = s.repos.users;
    const u = await users.create(
      { username: 'amy', displayName: 'Amy', passwordHash: 'h', role: 'agent', unitId: null },
      1000,
    );
    expect(u).toMatchObject({ username: 'amy', role: 'agent', disabled: false, tokenVersion: 1, createdAt: 1000 });
    await expect(
      users.create({ username: 'amy', displayName: '', passwordHash: 'h', role: 'agent', unitId: null }, 1),
    ).rejects.toThrow(UsernameTakenError);
    expect((await users.update(u.id, { displayName: 'Amy L.' }, 2000))?.tokenVersion).toBe(1);
    expect((await users.update(u.id, { role: 'admin' }, 3000))?.tokenVersion).toBe(2);
    expect(await users.countActiveAdmins()).toBe(1);
    expect((await users.update(u.id, { disabled: true }, 4000))?.tokenVersion).toBe(3);
    expect(await users.countActiveAdmins()).toBe(0);
    expect(await users.update(999, { disabled: true }, 4000)).toBeUndefined();
    expect((await users.byUsername('amy'))?.id).toBe(u.id);
  });

  it('given units with contacts, when listed and updated, then the order is by id and contacts are replaced in one step', async () => {
    const s = await stores.fresh();
    const org = s.repos.organisation;
    for (const id of ['b-unit', 'a-unit', 'B-unit'])
      await org.insert(
        {
          id,
          kind: 'handling_unit',
          name: id,
          parentId: null,
          acceptsPublicRequests: false,
          contacts: [{ name: '张三', phone: '13900000001', emergency: true }],
        },
        10,
      );
    expect((await org.list()).map((u) => u.id)).toEqual(['B-unit', 'a-unit', 'b-unit']);
    const updated = await org.update(
      'a-unit',
      { contacts: [{ name: '李四', phone: '13900000002', emergency: false }] },
      20,
    );
    expect(updated?.contacts.map((c) => [c.name, c.emergency])).toEqual([['李四', false]]);
    expect(updated?.updatedAt).toBe(20);
    expect(await org.update('none', { name: 'x' }, 30)).toBeNull();
  });

  it('given a calendar year saved twice, when listed, then it holds the second schedule and both saves left an audit row', async () => {
    const s = await stores.fresh();
    const audit = { entity: 'calendar', entityId: '2027', action: 'save', actorId: 'a', actorRole: 'admin', at: 1 };
    await s.repos.calendar.save(
      { year: 2027, region: 'national', data: { holidays: ['2027-01-01'] }, addedBy: 'a', addedAt: 1 },
      audit,
    );
    await s.repos.calendar.save(
      { year: 2027, region: 'national', data: { holidays: [] }, addedBy: 'b', addedAt: 2 },
      audit,
    );
    expect(await s.repos.calendar.list()).toEqual([
      { year: 2027, region: 'national', data: { holidays: [] }, addedBy: 'b', addedAt: 2 },
    ]);
    expect(await s.repos.audit.listFor('calendar', '2027')).toHaveLength(2);
  });

  it('given SMS to a number, when the latest survey is asked for, then the newest outgoing satisfaction message answers', async () => {
    const s = await stores.fresh();
    const sms = s.repos.sms;
    const msg = {
      direction: 'out' as const,
      purpose: 'satisfaction',
      phone: '13800000000',
      body: 'b',
      gatewayId: null,
      status: 'queued' as const,
      error: null,
    };
    const first = await sms.insert({ ...msg, orderId: 1, createdAt: 10 });
    const second = await sms.insert({ ...msg, orderId: 2, createdAt: 20 });
    await sms.insert({ ...msg, orderId: 3, createdAt: 30, purpose: 'supervision' });
    await sms.markSent(second, 'gw-2');
    await sms.markFailed(first, 'timeout');
    expect(await sms.latestSurveyTo('13800000000')).toMatchObject({
      id: second,
      orderId: 2,
      status: 'sent',
      gatewayId: 'gw-2',
    });
    expect(await sms.listForOrder(1)).toMatchObject([{ status: 'failed', error: 'timeout' }]);
  });
});
