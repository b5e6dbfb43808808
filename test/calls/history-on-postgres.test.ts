// Issue 12 gap 2: with DATABASE_URL the call layer reads the caller's history from the PostgreSQL work-order
// repository: the screen-pop's history (filtered per desk, art. 22), repeat-caller priority, the voice menu's
// ticket status and the link check. The whole server runs with its embedded PBX simulator on a fake clock.
import { afterEach, describe, expect, it } from 'vitest';
import { io as ioClient, type Socket } from 'socket.io-client';
import { permissionsOf } from '../../src/auth/permissions.ts';
import { startServer, type RunningServer } from '../../src/server.ts';
import { FakeClock } from '../../src/shared/clock.ts';
import { createLogger } from '../../src/shared/logger.ts';
import type { SimulatorHandle } from '../../src/simulator/index.ts';
import type { Caller } from '../../src/work-orders/work-order-service.ts';
import { FAST_SCRYPT, login, tempDir, testConfig } from '../platform/helpers.ts';
import { storeFactory } from '../support/stores.ts';

const CALLER = '13812341234';
const OTHER_CALLER = '13900000007';
const PASSWORD = 'user-password-1';
const taker: Caller = { id: '1', role: 'supervisor', unitId: null, permissions: permissionsOf('supervisor') };

class Desk {
  readonly events: Array<{ name: string; payload: any }> = [];
  constructor(readonly socket: Socket) {
    socket.onAny((name: string, payload: unknown) => this.events.push({ name, payload }));
  }
  received(name: string): any[] {
    return this.events.filter((e) => e.name === name).map((e) => e.payload);
  }
  call(event: string, payload: unknown = {}): Promise<any> {
    return this.socket.timeout(5000).emitWithAck(event, payload);
  }
}

/** The server on PostgreSQL with its simulator, a fake clock and the agents' desktops. */
class PgCallServer {
  private readonly desks: Desk[] = [];
  private constructor(
    readonly server: RunningServer,
    readonly clock: FakeClock,
    private readonly cleanupDir: () => void,
  ) {}

  static async start(databaseUrl: string): Promise<PgCallServer> {
    const { dir, cleanup } = tempDir('history-pg-');
    const clock = new FakeClock(Date.UTC(2026, 0, 5, 2, 0, 0));
    const server = await startServer(testConfig(dir, { DATABASE_URL: databaseUrl }), {
      clock,
      logger: createLogger({ level: process.env.TEST_LOG ?? 'silent', pretty: false }),
      scrypt: FAST_SCRYPT,
      scanner: false,
    });
    const s = new PgCallServer(server, clock, cleanup);
    await s.until('ARI connected to the simulator', () => server.telephony.connected());
    return s;
  }

  get sim(): SimulatorHandle {
    return this.server.telephony.simulator!;
  }

  /**
   * Moves fake time in small steps, letting the server, PostgreSQL and the simulator run in between: 8 ms of real
   * time per 50 ms of fake time, so a history read (2 s deadline on the fake clock) has 320 ms of real time even
   * on a loaded machine.
   */
  async until(what: string, cond: () => boolean, maxMs = 60_000): Promise<void> {
    for (let moved = 0; ; moved += 50) {
      if (cond()) return;
      if (moved >= maxMs) throw new Error(`timed out waiting for: ${what} (${moved} ms of fake time)`);
      await this.clock.advanceAsync(50);
      await new Promise((r) => setTimeout(r, 8));
    }
  }

  /** Two handling units, and the caller's two open orders: a plain one dispatched to u1, a confidential one to u2. */
  async twoOrders(): Promise<{ plain: number; secret: number }> {
    const org = this.server.repos.organisation;
    for (const [id, name] of [
      ['u1', '市城管局'],
      ['u2', '市公安局'],
    ] as const)
      await org.insert(
        { id, kind: 'handling_unit', name, parentId: null, acceptsPublicRequests: true, contacts: [] },
        this.clock.now(),
      );
    const orders = this.server.workOrders.orders;
    const plain = (
      await orders.intake(
        {
          channel: 'website',
          type: 'complaint',
          requesterPhone: CALLER,
          content: '小区门口夜间施工噪音扰民\n每晚十一点后仍在施工',
          category: 'environment.noise',
        },
        taker,
      )
    ).order.id;
    await orders.act(plain, { action: 'dispatch', leadUnitId: 'u1' }, taker);
    this.clock.advance(1000);
    const secret = (
      await orders.intake(
        {
          channel: 'website',
          type: 'report',
          requesterPhone: CALLER,
          content: '举报某单位负责人收受红包',
          category: 'other',
          confidential: true,
        },
        taker,
      )
    ).order.id;
    await orders.act(secret, { action: 'dispatch', leadUnitId: 'u2' }, taker);
    return { plain, secret };
  }

  /** An agent account, its desktop on /agent (real token) and its phone `ext` answering after a second. */
  async desk(username: string, ext: string): Promise<Desk> {
    await this.server.auth.createUser({ username, password: PASSWORD, role: 'agent', unitId: null });
    const token = await login(this.server, username, PASSWORD);
    this.sim.control.setPhone(ext, { answerAfterMs: 1000 });
    const socket = ioClient(`${this.server.url}/agent`, {
      auth: { token },
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
    });
    const d = new Desk(socket);
    this.desks.push(d);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    await this.until('the desk got its current call', () => d.received('current-call').length > 0);
    return d;
  }

  async signIn(d: Desk, ext: string): Promise<void> {
    expect(await d.call('sign-in', { extension: ext, skills: ['mandarin'] })).toEqual({ ok: true });
  }

  /** Every call over, the PBX drained and left clean (the simulator's leak check); then the server stops. */
  async close(): Promise<void> {
    for (const d of this.desks) d.socket.disconnect();
    await this.until('no live call', () => this.server.callLayer.controller.liveCalls().size === 0);
    await this.server.callLayer.controller.idle();
    await this.until('the PBX drained', () => this.sim.control.state().channels.length === 0, 5000);
    const leaks = this.sim.leaks();
    await this.server.close();
    this.cleanupDir();
    expect(leaks).toEqual({ ok: true, channels: [], bridges: [], playbacks: [], recordings: [] });
  }
}

describe('the caller history on PostgreSQL', () => {
  const stores = storeFactory('postgres');
  let s: PgCallServer | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it('given a caller with two open orders, one confidential and dispatched to another unit, when an agent is offered the call, then the pop lists the visible one only, with its category and unit names', async () => {
    s = await PgCallServer.start((await stores.freshUrl())!);
    const { plain } = await s.twoOrders();
    const agent = await s.desk('agent-1', '1001');
    await s.signIn(agent, '1001');

    const placed = s.sim.control.placeCall({ from: CALLER, to: '12345' });
    await s.until('the pop', () => agent.received('screen-pop').length > 0);
    await s.until('the history', () => latestPop(agent)?.history.length > 0);

    const pop = latestPop(agent);
    expect(pop.history.map((o: any) => [o.number, o.confidential])).toEqual([[String(plain), false]]);
    expect(pop.history[0]).toMatchObject({
      categoryName: '噪声扰民',
      unitName: '市城管局',
      summary: '小区门口夜间施工噪音扰民',
      open: true,
    });
    expect(JSON.stringify(agent.events)).not.toContain('收受红包');
    expect(pop.openOrders).toBe(1);
    expect(pop.draft.repeatOf).toBe(String(plain));
    expect(pop.repeatCaller).toBe(true);
    s.sim.control.hangupCall(placed.callerChannelId);
  }, 60_000);

  it('given a caller with an open order queued behind a first-time caller, when an agent signs in, then the repeat caller is offered first with the repeat-caller priority', async () => {
    s = await PgCallServer.start((await stores.freshUrl())!);
    await s.twoOrders();
    const agent = await s.desk('agent-1', '1001');
    const first = s.sim.control.placeCall({ from: OTHER_CALLER, to: '12345' });
    await s.until('the first caller waits', () => waiting(s!).includes(OTHER_CALLER));
    const repeat = s.sim.control.placeCall({ from: CALLER, to: '12345' });
    await s.until('the repeat caller waits', () => waiting(s!).includes(CALLER));

    await s.signIn(agent, '1001');
    await s.until('an offer', () => agent.received('screen-pop').length > 0);

    const pop = agent.received('screen-pop')[0];
    expect(pop.callerNumber).toBe('138****1234');
    expect(pop.priority).toBe(5);
    expect(pop.repeatCaller).toBe(true);
    s.sim.control.hangupCall(repeat.callerChannelId);
    s.sim.control.hangupCall(first.callerChannelId);
  }, 60_000);

  it('given the requester calling about their order, when they key its number in the voice menu, then they hear its status', async () => {
    s = await PgCallServer.start((await stores.freshUrl())!);
    const { plain, secret } = await s.twoOrders();
    const awaitPrompt = (media: string) => ({ kind: 'awaitPrompt' as const, media });
    const placed = s.sim.control.placeCall({
      from: CALLER,
      to: '12345',
      script: [
        awaitPrompt('hotline/desk-choice'),
        { kind: 'dtmf', digits: '8' },
        awaitPrompt('hotline/ticket-enter-number'),
        { kind: 'dtmf', digits: `${plain}#` },
        awaitPrompt('hotline/after-status'),
        { kind: 'dtmf', digits: '1' },
        awaitPrompt('hotline/ticket-enter-number'),
        { kind: 'dtmf', digits: `${secret}#` },
        awaitPrompt('hotline/after-status'),
        { kind: 'hangup' },
      ],
    });
    const heardSoFar = () =>
      s!.sim.control
        .callLog(placed.callerChannelId)
        .filter((e) => e.kind === 'prompt')
        .map((e: any) => String(e.media));
    await s.until(
      'both look-ups answered and the caller hung up',
      () =>
        heardSoFar().filter((m) => m.includes('hotline/after-status')).length === 2 &&
        s!.server.callLayer.controller.liveCalls().size === 0,
    );
    const heard = heardSoFar();
    expect(
      heard.filter((m) => m.includes('hotline/ticket-status-is')),
      heard.join(' '),
    ).toHaveLength(1);
    expect(heard.join(' ')).toContain('hotline/status-dispatched');
    // The confidential order is not read out, even to its requester.
    expect(heard.filter((m) => m.includes('hotline/ticket-not-found'))).toHaveLength(1);
  }, 60_000);

  it('given an agent talking with the caller, when they link an order to the call over HTTP, then 204, then 200 already linked', async () => {
    s = await PgCallServer.start((await stores.freshUrl())!);
    const { plain, secret } = await s.twoOrders();
    const agent = await s.desk('agent-1', '1001');
    await s.signIn(agent, '1001');
    const placed = s.sim.control.placeCall({ from: CALLER, to: '12345' });
    await s.until('answered', () => agent.received('call-update').some((u) => u.state === 'answered'));
    const callId = agent.received('screen-pop')[0].callId as string;
    const token = await login(s.server, 'agent-1', PASSWORD);
    const link = (workOrderId: number) =>
      s!.server.app.inject({
        method: 'POST',
        url: `/calls/${callId}/work-orders`,
        headers: { authorization: `Bearer ${token}` },
        payload: { workOrderId: String(workOrderId) },
      });

    const linked = await link(plain);
    expect(linked.statusCode, linked.body).toBe(204);
    const again = await link(plain);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ callId, workOrderId: String(plain), alreadyLinked: true });
    const refused = await link(secret);
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('confidential');
    s.sim.control.hangupCall(placed.callerChannelId);
  }, 60_000);
});

/** The pop as the desk shows it now: the screen-pop, or its history pushed after it. */
function latestPop(d: Desk): any {
  return d.events
    .filter((e) => e.name === 'screen-pop' || e.name === 'pop-history')
    .map((e) => e.payload)
    .at(-1);
}

/** The numbers of the callers waiting in the queue (out of the menu, not yet answered). */
function waiting(s: PgCallServer): string[] {
  return [...s.server.callLayer.controller.liveCalls().values()]
    .filter((c) => c.record?.queuedAt !== undefined && c.record.answeredAt === undefined)
    .map((c) => c.callerNumber);
}
