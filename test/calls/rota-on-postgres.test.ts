// The leader rota (art. 23) on either store (issue 12): the repository, and the routes of a whole server whose
// users live in PostgreSQL, with the domain given the rota after each change.
import { afterAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/shared/clock.ts';
import { login, startTestServer, type TestServer } from '../platform/helpers.ts';
import { STORE_KINDS, storeFactory } from '../support/stores.ts';

// 2026-01-05 10:00 Asia/Shanghai.
const NOW = Date.UTC(2026, 0, 5, 2, 0, 0);
const entry = (username: string, date: string, startTime: string, endTime: string) => ({
  date,
  startTime,
  endTime,
  username,
  seat: '8001',
  skill: null,
  createdBy: 'admin',
  createdAt: NOW,
});

describe.each(STORE_KINDS)('the leader rota on %s', (kind) => {
  const stores = storeFactory(kind);
  let server: TestServer | undefined;
  afterAll(async () => {
    await server?.cleanup();
  });

  it('the repository: entries between two dates by date and start, each change audited, a missing one not removed', async () => {
    // Given three entries over two days
    const s = await stores.fresh();
    const rota = s.repos.rota;
    const audit = (action: string) => (id: number) => ({
      entity: 'leader-rota',
      entityId: String(id),
      action,
      actorId: 'admin',
      actorRole: 'admin' as const,
      at: NOW,
    });
    const late = await rota.add(entry('wang', '2026-01-05', '14:00', '16:00'), audit('rota-add'));
    const early = await rota.add(entry('li', '2026-01-05', '09:00', '12:00'), audit('rota-add'));
    await rota.add(entry('zhao', '2026-01-07', '22:00', '02:00'), audit('rota-add'));
    // When read back for the 5th and 6th
    const rows = await rota.between('2026-01-05', '2026-01-06');
    // Then the two of the 5th, the earlier first, as written
    expect(rows).toEqual([
      { id: early.id, ...entry('li', '2026-01-05', '09:00', '12:00') },
      { id: late.id, ...entry('wang', '2026-01-05', '14:00', '16:00') },
    ]);
    expect(await rota.get(late.id)).toEqual(late);
    // And a removal is audited; removing it again finds nothing
    expect(await rota.remove(late.id, audit('rota-remove')(late.id))).toBe(true);
    expect(await rota.remove(late.id, audit('rota-remove')(late.id))).toBe(false);
    expect(await rota.get(late.id)).toBeUndefined();
    const trail = await s.query<{ action: string; entity_id: string }>(
      "select action, entity_id from audit_log where entity = 'leader-rota' order by id",
    );
    expect(trail.map((t) => `${t.action} ${t.entity_id}`)).toEqual([
      `rota-add ${late.id}`,
      `rota-add ${early.id}`,
      `rota-add ${Number(late.id) + 2}`,
      `rota-remove ${late.id}`,
    ]);
    await s.close();
  });

  it('POST /rota by an admin puts a leader (a user of this store) on the rota; the call domain has it before the answer', async () => {
    // Given a server on this store with a leader account
    const url = await stores.freshUrl();
    server = await startTestServer({ clock: new FakeClock(NOW), ...(url ? { env: { DATABASE_URL: url } } : {}) });
    await server.auth.createUser({ username: 'li.leader', password: 'user-password-1', role: 'agent', unitId: null });
    const admin = await login(server, 'root-admin', 'admin-password-1');
    // When an admin puts the leader on today's rota
    const res = await server.app.inject({
      method: 'POST',
      url: '/rota',
      headers: { authorization: `Bearer ${admin}` },
      payload: { date: '2026-01-05', startTime: '09:00', endTime: '12:00', username: 'li.leader', seat: '8001' },
    });
    // Then it is accepted, listed, and the call domain has the span
    expect(res.statusCode, res.body).toBe(201);
    const list = await server.app.inject({
      method: 'GET',
      url: '/rota?from=2026-01-05&to=2026-01-05',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(list.json()).toEqual([expect.objectContaining({ username: 'li.leader', startTime: '09:00', seat: '8001' })]);
    expect(server.callLayer.figures.current().rota).toEqual([
      expect.objectContaining({ agentId: 'li.leader', seat: '8001' }),
    ]);
    // And the entry lives in this store (with DATABASE_URL: PostgreSQL, not the SQLite file)
    expect(await server.repos.rota.between('2026-01-05', '2026-01-05')).toHaveLength(1);
  });
});
