import { io as connect, type Socket } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UnitInboxEvent } from '../../src/work-orders/namespace-unit.ts';
import { type Harness, intakeBody, seedOrganisation, startHarness } from './helpers.ts';

const MIN = 60_000;
let h: Harness;
const clients: Socket[] = [];

beforeEach(async () => {
  h = await startHarness();
  await seedOrganisation(h);
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await h.cleanup();
});

type Outcome = { ok: true; socket: Socket; events: UnitInboxEvent[] } | { ok: false; data: unknown };

/** Connects to /unit with the bearer header's token and collects the order events it receives. */
function open(who: { authorization: string }): Promise<Outcome> {
  const token = who.authorization.replace(/^Bearer /, '');
  const socket = connect(`${h.server.url}/unit`, { auth: { token }, transports: ['websocket'], reconnection: false });
  clients.push(socket);
  const events: UnitInboxEvent[] = [];
  socket.on('order-event', (e: UnitInboxEvent) => events.push(e));
  return new Promise((resolve) => {
    // inbox:ready comes after the room is joined, so nothing sent after it can be missed.
    socket.once('inbox:ready', () => resolve({ ok: true, socket, events }));
    socket.once('connect_error', (err: Error & { data?: unknown }) => resolve({ ok: false, data: err.data }));
  });
}

async function listening(who: { authorization: string }) {
  const o = await open(who);
  if (!o.ok) throw new Error(`connect refused: ${JSON.stringify(o.data)}`);
  return o;
}

/** Lets the server publish and the clients receive what is already on its way. */
async function settle(): Promise<void> {
  await h.server.unitInbox.idle();
  await new Promise((r) => setTimeout(r, 50));
}

async function newOrder(over: Record<string, unknown> = {}): Promise<number> {
  const r = await h.req('POST', '/work-orders', await h.as('agent'), intakeBody(over));
  expect(r.status).toBe(201);
  return r.body.order.id as number;
}

async function dispatch(id: number, leadUnitId: string, assistingUnitIds: string[] = []): Promise<void> {
  // A supervisor dispatches: an agent may not see (so not dispatch) a confidential order.
  const who = await h.as('supervisor');
  const r = await h.req('POST', `/work-orders/${id}/dispatch`, who, { leadUnitId, assistingUnitIds });
  expect(r.status).toBe(200);
}

describe('the /unit namespace (live refresh of the unit inbox)', () => {
  it('refuses roles without work-orders:handle: an agent and a supervisor get 403', async () => {
    // Given an agent and a supervisor; when they connect to /unit; then both are refused with permission-denied.
    for (const role of ['agent', 'supervisor'] as const) {
      const o = await open(await h.as(role));
      expect(o).toMatchObject({ ok: false, data: { statusCode: 403, code: 'permission-denied' } });
    }
  });

  it('tells a unit handler of orders dispatched to its own unit only, as lead or assisting unit', async () => {
    // Given handlers of u1, u2 and u3 listening.
    const u1 = await listening(await h.as('unit_handler', 'u1'));
    const u2 = await listening(await h.as('unit_handler', 'u2'));
    const u3 = await listening(await h.as('unit_handler', 'u3'));
    // When one order goes to u1 with u2 assisting, and another to u3.
    const first = await newOrder();
    await dispatch(first, 'u1', ['u2']);
    const second = await newOrder({ channel: 'website', callId: undefined, content: '路灯不亮', category: 'other' });
    await dispatch(second, 'u3');
    await settle();
    // Then each unit hears of its own order, with its role, and of no other.
    expect(u1.events).toEqual([{ kind: 'dispatched', orderId: first, unitId: 'u1', role: 'lead', emergency: false }]);
    expect(u2.events).toEqual([
      { kind: 'dispatched', orderId: first, unitId: 'u2', role: 'assisting', emergency: false },
    ]);
    expect(u3.events).toEqual([{ kind: 'dispatched', orderId: second, unitId: 'u3', role: 'lead', emergency: false }]);
    // And no event carries personal data (the page reloads the order over HTTP, masked there).
    expect(JSON.stringify([u1.events, u2.events, u3.events])).not.toContain('1381234');
  });

  it('a confidential order reaches the assigned unit (it must handle it) and no other unit', async () => {
    // Given handlers of u1 and u2 listening.
    const u1 = await listening(await h.as('unit_handler', 'u1'));
    const u2 = await listening(await h.as('unit_handler', 'u2'));
    // When a confidential order is dispatched to u1.
    const id = await newOrder({ confidential: true });
    await dispatch(id, 'u1');
    await settle();
    // Then u1 hears of it (the visibility decider lets the assigned unit see it) and u2 does not.
    expect(u1.events.map((e) => e.orderId)).toEqual([id]);
    expect(u2.events).toEqual([]);
  });

  it('asks the visibility decider before each send: an order not (or no longer) assigned to the unit is not announced', async () => {
    // Given u1's handler listening, and an order assigned to u2 only.
    const u1 = await listening(await h.as('unit_handler', 'u1'));
    const id = await newOrder({ confidential: true });
    await dispatch(id, 'u2');
    await settle();
    // When a notice for u1 about that order is published (as if it had been re-dispatched meanwhile),
    // and one about an order that does not exist.
    h.server.unitInbox.notify({ type: 'notify-unit', orderId: id, unitId: 'u1', role: 'lead', emergency: false });
    h.server.unitInbox.notice({
      orderId: 999_999,
      unitId: 'u1',
      level: 'red-card',
      deadlineKind: 'sign',
      deadlineAt: 0,
    });
    await settle();
    // Then u1 hears nothing: the decider says the order is not its unit's (and a missing order is never announced).
    expect(u1.events).toEqual([]);
  });

  it('a unit handler moved to another unit is cut off at once (its old token no longer connects)', async () => {
    // Given a handler of u1 listening.
    const who = await h.as('unit_handler', 'u1');
    const first = await listening(who);
    const revoked = new Promise<void>((r) => first.socket.once('auth:revoked', () => r()));
    // When an admin moves the account to u2.
    const users = await h.req('GET', '/users', await h.as('admin'));
    const me = (users.body.users ?? users.body).find(
      (u: { role: string; unitId: string | null }) => u.role === 'unit_handler' && u.unitId === 'u1',
    );
    const moved = await h.req('PATCH', `/users/${me.id}`, await h.as('admin'), { unitId: 'u2' });
    expect(moved.status).toBe(200);
    // Then its socket is closed; the same token no longer connects.
    await revoked;
    expect(await open(who)).toMatchObject({ ok: false });
  });

  it('tells the unit when the supervision scanner issues a card on its order', async () => {
    // Given an emergency order dispatched to u2 and the handlers of u1 and u2 listening.
    const u1 = await listening(await h.as('unit_handler', 'u1'));
    const u2 = await listening(await h.as('unit_handler', 'u2'));
    const id = await newOrder({ emergency: true, type: 'help', content: '燃气泄漏味道很重', category: 'safety' });
    await dispatch(id, 'u2');
    await settle();
    u2.events.length = 0;
    // When 31 minutes pass unsigned and the scanner runs.
    await h.clock.advanceAsync(31 * MIN);
    await h.module.scanner.scanOnce();
    await settle();
    // Then u2 hears of the yellow card on the sign deadline (the scanner issues the level reached); u1 hears nothing.
    expect(u2.events.map((e) => (e.kind === 'supervision' ? `${e.deadline}:${e.level}` : e.kind))).toEqual([
      'sign:yellow-card',
    ]);
    expect(u2.events.every((e) => e.orderId === id && e.unitId === 'u2')).toBe(true);
    expect(u1.events).toEqual([]);
  });
});
