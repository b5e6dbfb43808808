import { io as connect, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, tokenFor, type TestServer } from './helpers.ts';

let server: TestServer | undefined;
const clients: Socket[] = [];
afterEach(async () => {
  clients.splice(0).forEach((c) => c.close());
  await server?.cleanup();
  server = undefined;
});

type Outcome = { ok: true; socket: Socket } | { ok: false; message: string; data: unknown };

function tryConnect(url: string, auth?: Record<string, unknown>): Promise<Outcome> {
  const socket = connect(url, { auth, transports: ['websocket'], reconnection: false, timeout: 5000 });
  clients.push(socket);
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ ok: true, socket }));
    socket.once('connect_error', (err: Error & { data?: unknown }) =>
      resolve({ ok: false, message: err.message, data: err.data }),
    );
  });
}

describe('socket.io handshake', () => {
  it('refuses a namespace handshake without a token, with a bad token, or without the permission; accepts a valid one', async () => {
    server = await startTestServer();
    const nsp = server.sockets.namespace('/admin-feed', { permission: 'users:manage' });
    const seen: string[] = [];
    nsp.on('connection', (s) => {
      seen.push((s.data as { principal: { role: string } }).principal.role);
      s.on('whoami', (ack: (u: string) => void) =>
        ack((s.data as { principal: { username: string } }).principal.username),
      );
    });
    const url = `${server.url}/admin-feed`;

    const none = await tryConnect(url);
    expect(none).toMatchObject({ ok: false, data: { statusCode: 401, code: 'token-missing' } });
    if (!none.ok) expect(none.message).toContain('token is required');

    const bad = await tryConnect(url, { token: 'v1.abc.def' });
    expect(bad).toMatchObject({ ok: false, data: { statusCode: 401 } });

    const wrongType = await tryConnect(url, { token: 42 });
    expect(wrongType).toMatchObject({ ok: false, data: { statusCode: 401, code: 'token-malformed' } });

    const agent = await tryConnect(url, { token: await tokenFor(server, 'agent') });
    expect(agent).toMatchObject({ ok: false, data: { statusCode: 403, code: 'permission-denied' } });

    const admin = await tryConnect(url, { token: await tokenFor(server, 'admin') });
    expect(admin.ok).toBe(true);
    if (admin.ok) {
      expect(await admin.socket.timeout(5000).emitWithAck('whoami')).toMatch(/^admin-\d+$/);
    }
    expect(seen).toEqual(['admin']);
  });

  it('refuses the main namespace and undeclared namespaces even with a valid token', async () => {
    server = await startTestServer();
    const token = await tokenFor(server, 'admin');
    const main = await tryConnect(server.url, { token });
    expect(main).toMatchObject({ ok: false, data: { code: 'namespace-closed' } });
    const unknown = await tryConnect(`${server.url}/nowhere`, { token });
    expect(unknown).toMatchObject({ ok: false, message: 'Invalid namespace' });
  });

  it('disconnects connected sockets on server close', async () => {
    server = await startTestServer();
    server.sockets.namespace('/feed', { permission: 'self:manage' });
    const c = await tryConnect(`${server.url}/feed`, { token: await tokenFor(server, 'auditor') });
    expect(c.ok).toBe(true);
    if (!c.ok) return;
    const gone = new Promise<string>((r) => c.socket.once('disconnect', r));
    await server.cleanup();
    server = undefined;
    expect(await gone).toMatch(/disconnect|transport close/);
  });

  it('closes a revoked user’s sockets at once (account disabled), telling the client why', async () => {
    server = await startTestServer();
    server.sockets.namespace('/feed', { permission: 'self:manage' });
    const token = await tokenFor(server, 'agent');
    const c = await tryConnect(`${server.url}/feed`, { token });
    expect(c.ok).toBe(true);
    if (!c.ok) return;
    const revoked = new Promise<{ code: string; message: string }>((r) => c.socket.once('auth:revoked', r));
    const gone = new Promise<string>((r) => c.socket.once('disconnect', r));
    const me = (
      await server.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${token}` } })
    ).json();
    const admin = (
      await server.app.inject({
        method: 'POST',
        url: '/auth/login',
        payload: { username: 'root-admin', password: 'admin-password-1' },
      })
    ).json();
    const res = await server.app.inject({
      method: 'PATCH',
      url: `/users/${me.user.id}`,
      headers: { authorization: `Bearer ${admin.token}` },
      payload: { disabled: true },
    });
    expect(res.statusCode).toBe(200);
    expect(await revoked).toEqual({ code: 'token-revoked', message: 'signed out: account disabled' });
    expect(await gone).toBe('io server disconnect');
    const again = await tryConnect(`${server.url}/feed`, { token });
    expect(again).toMatchObject({ ok: false, data: { statusCode: 401, code: 'account-disabled' } });
  });
});
