// The call records on PostgreSQL (issue 12 gap 1): the whole server with DATABASE_URL and its embedded PBX
// simulator writes calls, legs, callbacks and their attempts to PostgreSQL, reads them back over HTTP from there,
// and leaves the SQLite file under DATA_DIR without a call.
import pg from 'pg';
import { io as ioClient, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login } from '../platform/helpers.ts';
import { storeFactory } from '../support/stores.ts';
import { UiServer } from '../ui/ui-server.ts';

const CALLER = '13812345678';
const CITIZEN = '13987654321';

describe('call records on PostgreSQL (whole server)', () => {
  const stores = storeFactory('postgres');
  let ui: UiServer;
  let dbUrl: string;
  let supervisor: string;
  let agentToken: string;
  const sockets: Socket[] = [];
  const received: Array<{ name: string; payload: any }> = [];

  const http = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await fetch(`${ui.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as any };
  };
  /** Rows of the PostgreSQL database itself (not through the server). */
  const pgRows = async (sql: string, values: unknown[] = []) => {
    const c = new pg.Client({ connectionString: dbUrl });
    await c.connect();
    try {
      return (await c.query(sql, values)).rows;
    } finally {
      await c.end();
    }
  };
  const sqliteCalls = () =>
    (ui.server.store.sqlite.prepare('select count(*) as n from calls').get() as { n: number }).n;
  const callOf = async (id: string) => (await http('GET', `/calls/${id}`, supervisor)).body;

  beforeAll(async () => {
    dbUrl = (await stores.freshUrl())!;
    ui = await UiServer.start({ DATABASE_URL: dbUrl, CALLBACK_QUIET_HOURS: 'off' });
    await ui.user('sup-1', 'supervisor');
    await ui.user('agent-1', 'agent');
    supervisor = await login(ui.server, 'sup-1', 'user-password-1');
    agentToken = await login(ui.server, 'agent-1', 'user-password-1');
    ui.sim.control.setPhone('1001', { answerAfterMs: 1000 });
    const desk = ioClient(`${ui.url}/agent`, {
      auth: { token: agentToken },
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
    });
    sockets.push(desk);
    desk.onAny((name: string, payload: unknown) => received.push({ name, payload }));
    await new Promise<void>((resolve, reject) => {
      desk.once('connect', () => resolve());
      desk.once('connect_error', reject);
    });
    expect(await desk.timeout(5000).emitWithAck('sign-in', { extension: '1001', skills: ['mandarin'] })).toEqual({
      ok: true,
    });
  }, 60_000);

  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    if (!ui) return;
    await ui.until('the PBX drained', async () => ui.sim.control.state().channels.length === 0, {
      stepMs: 50,
      maxMs: 10_000,
    });
    const leaks = ui.sim.leaks();
    await ui.close();
    expect(leaks).toEqual({ ok: true, channels: [], bridges: [], playbacks: [], recordings: [] });
  }, 60_000);

  it('given DATABASE_URL, when a call is queued, answered and hung up, then GET /calls and GET /calls/:id show it with its legs from PostgreSQL, and the SQLite file holds no call', async () => {
    expect(ui.server.repos.calls.kind).toBe('postgres');
    const pops = received.filter((e) => e.name === 'screen-pop').length;

    const placed = ui.sim.control.placeCall({ from: CALLER, to: '12345' });
    await ui.until('the screen-pop', async () => received.filter((e) => e.name === 'screen-pop').length > pops);
    const callId = received.filter((e) => e.name === 'screen-pop').at(-1)!.payload.callId as string;
    await ui.until('talking (read from PostgreSQL)', async () => (await callOf(callId))?.phase === 'talking');
    await ui.clock.advanceAsync(2_000);
    ui.sim.control.hangupCall(placed.callerChannelId);
    await ui.until('ended (read from PostgreSQL)', async () => (await callOf(callId))?.status === 'ended');

    const one = await http('GET', `/calls/${callId}`, supervisor);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: callId, callerNumber: CALLER, outcome: 'answered', agentId: 'agent-1' });
    expect(one.body.legs.map((l: { kind: string }) => l.kind).sort()).toEqual(['agent', 'caller']);
    const list = await http('GET', '/calls', supervisor);
    expect(list.body.map((c: { id: string }) => c.id)).toContain(callId);
    // The rows are in PostgreSQL itself, and none in the SQLite file.
    expect(await pgRows('select outcome, agent_id from calls where id = $1', [callId])).toEqual([
      { outcome: 'answered', agent_id: 'agent-1' },
    ]);
    expect((await pgRows('select kind from call_legs where call_id = $1 order by kind', [callId])).length).toBe(2);
    expect(sqliteCalls()).toBe(0);
    // The agent's wrap-up ends by itself; the desk is ready again for the next call.
    await ui.until('agent ready again', async () =>
      received.some((e) => e.name === 'agent-state' && e.payload?.status === 'ready' && e.payload?.agentId),
    );
  }, 60_000);

  it('given a caller who hangs up while queued, when an agent takes the callback and records the outcome, then the callback and its try live in PostgreSQL', async () => {
    const desk = sockets[0]!;
    expect(await desk.timeout(5000).emitWithAck('pause', { reason: 'break' })).toMatchObject({ ok: true });
    const placed = ui.sim.control.placeCall({ from: CITIZEN, to: '12345' });
    await ui.until('queued (read from PostgreSQL)', async () =>
      (await http('GET', '/calls', supervisor)).body.some(
        (c: { callerNumber: string; phase: string }) => c.callerNumber.endsWith('4321') && c.phase === 'queued',
      ),
    );
    ui.sim.control.hangupCall(placed.callerChannelId);
    let callbackId = 0;
    await ui.until('on the callback list', async () => {
      const rows = (await http('GET', '/callbacks?status=pending', supervisor)).body as Array<{ id: number }>;
      callbackId = rows[0]?.id ?? 0;
      return rows.length === 1;
    });
    expect(await pgRows('select reason, number from callbacks where id = $1', [callbackId])).toEqual([
      { reason: 'abandoned_queue', number: CITIZEN },
    ]);

    expect(await desk.timeout(5000).emitWithAck('ready', {})).toMatchObject({ ok: true });
    ui.sim.control.setExternal(CITIZEN, { answerAfterMs: 1000, hangupAfterMs: 3000 });
    const dialled = await http('POST', `/callbacks/${callbackId}/dial`, agentToken, {});
    expect(dialled.status, JSON.stringify(dialled.body)).toBe(201);
    // A second take while it is being dialled is refused by the row's state in PostgreSQL.
    expect((await http('POST', `/callbacks/${callbackId}/dial`, agentToken, {})).status).toBe(409);
    const cbCall = dialled.body.callId as string;
    await ui.until('the callback call ended', async () => (await callOf(cbCall))?.status === 'ended');

    const outcome = await http('POST', `/callbacks/${callbackId}/outcome`, agentToken, { outcome: 'reached' });
    expect(outcome.status, JSON.stringify(outcome.body)).toBe(200);
    expect(outcome.body).toMatchObject({ status: 'done', outcome: 'reached', tries: 1 });
    const attempts = await http('GET', `/callbacks/${callbackId}/attempts`, agentToken);
    expect(attempts.body).toEqual([
      expect.objectContaining({ callId: cbCall, agentId: 'agent-1', outcome: 'reached' }),
    ]);
    expect(await pgRows('select status, tries::int as tries from callbacks where id = $1', [callbackId])).toEqual([
      { status: 'done', tries: 1 },
    ]);
    expect(sqliteCalls()).toBe(0);
  }, 60_000);

  it('given the users in PostgreSQL, when an agent with a display name signs in, then the wallboard shows that name (not the user name)', async () => {
    // Given an agent whose display name is kept with the users, in PostgreSQL
    await ui.server.auth.createUser({
      username: 'agent-2',
      password: 'user-password-1',
      role: 'agent',
      unitId: null,
      displayName: '王芳',
    });
    const token = await login(ui.server, 'agent-2', 'user-password-1');
    const wallboard: any[] = [];
    const sup = ioClient(`${ui.url}/supervisor`, {
      auth: { token: supervisor },
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
    });
    sockets.push(sup);
    sup.on('figures', (f: unknown) => wallboard.push(f));
    const desk2 = ioClient(`${ui.url}/agent`, { auth: { token }, transports: ['websocket'], forceNew: true });
    sockets.push(desk2);
    await new Promise<void>((resolve, reject) => {
      desk2.once('connect', () => resolve());
      desk2.once('connect_error', reject);
    });
    // When the agent signs in
    expect(await desk2.timeout(5000).emitWithAck('sign-in', { extension: '1002', skills: ['mandarin'] })).toEqual({
      ok: true,
    });
    // Then a wallboard push names them by their display name
    const rowOf = (f: any) => (f?.agentList ?? []).find((a: { agentId: string }) => a.agentId === 'agent-2');
    await ui.until('the wallboard names agent-2', async () => rowOf(wallboard.at(-1))?.displayName === '王芳');
    expect(await desk2.timeout(5000).emitWithAck('sign-out', {})).toMatchObject({ ok: true });
  }, 60_000);
});
