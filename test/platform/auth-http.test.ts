import type { FastifyPluginAsync } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/shared/clock.ts';
import { ADMIN, bearer, ensureTestUnit, login, startTestServer, tokenFor, type TestServer } from './helpers.ts';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.cleanup();
  server = undefined;
});

// A route added by "another part" that forgot to declare a permission.
const undeclared: FastifyPluginAsync = async (app) => {
  app.get('/test/undeclared', { schema: { summary: 'no permission declared' } }, async () => ({ leaked: true }));
};

describe('sign-in and tokens over HTTP', () => {
  it('creates the first admin from env, who signs in and sees the user list', async () => {
    server = await startTestServer();
    const token = await login(server, ADMIN.username, ADMIN.password);
    const res = await server.app.inject({ method: 'GET', url: '/users', headers: bearer(token) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual([expect.objectContaining({ username: ADMIN.username, role: 'admin' })]);
    expect(res.body).not.toContain('scrypt$');
    const me = await server.app.inject({ method: 'GET', url: '/auth/me', headers: bearer(token) });
    expect(me.json()).toMatchObject({
      user: { username: ADMIN.username },
      permissions: expect.arrayContaining(['users:manage']),
    });
  });

  it('refuses a wrong password and an unknown user alike with 401', async () => {
    server = await startTestServer();
    for (const payload of [
      { username: ADMIN.username, password: 'nope-nope-nope' },
      { username: 'ghost', password: 'whatever-1' },
    ]) {
      const res = await server.app.inject({ method: 'POST', url: '/auth/login', payload });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'bad-credentials', message: 'wrong username or password' });
    }
  });

  it('401 without a token, with a bad scheme, or a forged token; 403 with the reason when the role lacks the permission', async () => {
    server = await startTestServer();
    const none = await server.app.inject({ method: 'GET', url: '/users' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(none.json().code).toBe('token-missing');
    const basic = await server.app.inject({ method: 'GET', url: '/users', headers: { authorization: 'Basic YTpi' } });
    expect(basic.json()).toMatchObject({ statusCode: 401, code: 'bad-authorization-header' });
    const forged = await server.app.inject({ method: 'GET', url: '/users', headers: bearer('v1.eyJzdWIiOjF9.AAAA') });
    expect(forged.statusCode).toBe(401);
    const agent = await tokenFor(server, 'agent');
    const denied = await server.app.inject({ method: 'GET', url: '/users', headers: bearer(agent) });
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toMatchObject({
      code: 'permission-denied',
      message: 'role agent does not have permission users:manage',
    });
    const own = await server.app.inject({ method: 'GET', url: '/auth/me', headers: bearer(agent) });
    expect(own.statusCode).toBe(200);
  });

  it('refuses by default a route that declares no permission, even to an admin', async () => {
    server = await startTestServer({ plugins: () => [undeclared] });
    const admin = await login(server, ADMIN.username, ADMIN.password);
    const res = await server.app.inject({ method: 'GET', url: '/test/undeclared', headers: bearer(admin) });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('no-permission-declared');
    expect(res.body).not.toContain('leaked');
  });

  it('expires tokens on the (fake) clock; refresh before expiry gives a fresh one', async () => {
    const clock = new FakeClock();
    server = await startTestServer({ clock, env: { TOKEN_TTL_SECONDS: '60' } });
    const token = await login(server, ADMIN.username, ADMIN.password);
    clock.advance(50_000);
    const refreshed = await server.app.inject({ method: 'POST', url: '/auth/refresh', headers: bearer(token) });
    expect(refreshed.statusCode).toBe(200);
    const fresh = refreshed.json().token as string;
    expect(refreshed.json().expiresIn).toBe(60);
    clock.advance(10_000);
    const old = await server.app.inject({ method: 'GET', url: '/auth/me', headers: bearer(token) });
    expect(old.statusCode).toBe(401);
    expect(old.json()).toMatchObject({ code: 'token-expired' });
    expect(old.json().message).toContain('expired');
    expect((await server.app.inject({ method: 'GET', url: '/auth/me', headers: bearer(fresh) })).statusCode).toBe(200);
  });

  it('admin creates, lists, changes the role of and disables users; disabling revokes at once', async () => {
    server = await startTestServer();
    const admin = await login(server, ADMIN.username, ADMIN.password);
    const created = await server.app.inject({
      method: 'POST',
      url: '/users',
      headers: bearer(admin),
      payload: { username: 'li.wei', password: 'agent-password-1', role: 'agent', displayName: '李伟' },
    });
    expect(created.statusCode).toBe(201);
    const id = created.json().id as number;
    const dup = await server.app.inject({
      method: 'POST',
      url: '/users',
      headers: bearer(admin),
      payload: { username: 'li.wei', password: 'agent-password-1', role: 'agent' },
    });
    expect(dup.statusCode).toBe(409);
    const weak = await server.app.inject({
      method: 'POST',
      url: '/users',
      headers: bearer(admin),
      payload: { username: 'weak', password: 'short', role: 'agent' },
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().message).toContain('at least 10 characters');
    const noUnit = await server.app.inject({
      method: 'POST',
      url: '/users',
      headers: bearer(admin),
      payload: { username: 'handler1', password: 'handler-password', role: 'unit_handler' },
    });
    expect(noUnit.json()).toMatchObject({ statusCode: 400, code: 'unit-required' });
    const ghostUnit = await server.app.inject({
      method: 'POST',
      url: '/users',
      headers: bearer(admin),
      payload: { username: 'handler1', password: 'handler-password', role: 'unit_handler', unitId: 'no-such-unit' },
    });
    expect(ghostUnit.json()).toMatchObject({ statusCode: 400, code: 'unknown-unit' });
    const unitId = await ensureTestUnit(server);
    const handler = await server.app.inject({
      method: 'POST',
      url: '/users',
      headers: bearer(admin),
      payload: { username: 'handler1', password: 'handler-password', role: 'unit_handler', unitId },
    });
    expect(handler.json()).toMatchObject({ role: 'unit_handler', unitId });
    const agentWithUnit = await server.app.inject({
      method: 'POST',
      url: '/users',
      headers: bearer(admin),
      payload: { username: 'agent9', password: 'agent-password-9', role: 'agent', unitId },
    });
    expect(agentWithUnit.json()).toMatchObject({ statusCode: 400, code: 'unit-not-allowed' });

    const agentToken = await login(server, 'li.wei', 'agent-password-1');
    const promoted = await server.app.inject({
      method: 'PATCH',
      url: `/users/${id}`,
      headers: bearer(admin),
      payload: { role: 'supervisor' },
    });
    expect(promoted.json()).toMatchObject({ role: 'supervisor' });
    // The role change revoked the old token.
    const stale = await server.app.inject({ method: 'GET', url: '/auth/me', headers: bearer(agentToken) });
    expect(stale.json()).toMatchObject({ statusCode: 401, code: 'token-revoked' });

    const supToken = await login(server, 'li.wei', 'agent-password-1');
    const disabled = await server.app.inject({
      method: 'PATCH',
      url: `/users/${id}`,
      headers: bearer(admin),
      payload: { disabled: true },
    });
    expect(disabled.json()).toMatchObject({ disabled: true });
    expect((await server.app.inject({ method: 'GET', url: '/auth/me', headers: bearer(supToken) })).statusCode).toBe(
      401,
    );
    const relogin = await server.app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { username: 'li.wei', password: 'agent-password-1' },
    });
    expect(relogin.json()).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      code: 'bad-credentials',
      message: 'wrong username or password',
    });

    const list = await server.app.inject({ method: 'GET', url: '/users', headers: bearer(admin) });
    expect((list.json() as { username: string }[]).map((u) => u.username)).toEqual([
      ADMIN.username,
      'li.wei',
      'handler1',
    ]);
    const missing = await server.app.inject({ method: 'GET', url: '/users/999', headers: bearer(admin) });
    expect(missing.statusCode).toBe(404);
  });

  it('throttles password guessing per username on the clock, then lets the right password in', async () => {
    const clock = new FakeClock();
    server = await startTestServer({ clock });
    const attempt = (password: string) =>
      server!.app.inject({ method: 'POST', url: '/auth/login', payload: { username: ADMIN.username, password } });
    for (let i = 0; i < 10; i++) expect((await attempt(`guess-${i}`)).statusCode).toBe(401);
    const blocked = await attempt(ADMIN.password);
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['retry-after']).toBe('900');
    expect(blocked.json()).toMatchObject({ code: 'too-many-attempts' });
    clock.advance(15 * 60_000);
    expect((await attempt(ADMIN.password)).statusCode).toBe(200);
  });

  it('counts a parallel burst over HTTP: 429s once the limit is hit, and the right password inside it resets nothing', async () => {
    // Given a server listening on a real port, and 40 wrong passwords plus the right one sent at once
    const clock = new FakeClock();
    server = await startTestServer({ clock });
    const url = server.url;
    const post = (password: string) =>
      fetch(`${url}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: ADMIN.username, password }),
      }).then((r) => r.status);
    const passwords = Array.from({ length: 40 }, (_, i) => `wrong-guess-${i}`);
    passwords.splice(3, 0, ADMIN.password);
    // When they all arrive together
    const statuses = await Promise.all(passwords.map(post));
    // Then no more than the limit of 10 wrong passwords reach the password check; the rest are 429
    // (the right password, if it got in before the limit, frees its place when it succeeds)
    const count = (s: number) => statuses.filter((x) => x === s).length;
    expect(count(401)).toBeLessThanOrEqual(10);
    expect(count(429)).toBeGreaterThanOrEqual(30);
    expect(count(401) + count(429) + count(200)).toBe(41);
    // And a success inside the burst erased no failure: the count goes on from the burst's 401s to the limit
    let more = 0;
    while ((await post(`after-burst-${more}`)) === 401) more++;
    expect(count(401) + more).toBe(10);
    expect(await post(ADMIN.password)).toBe(429);
    // And the window runs on the injected clock
    clock.advance(15 * 60_000);
    expect(await post(ADMIN.password)).toBe(200);
  });

  it('answers a disabled account with the same bad-credentials as a wrong password, right password or not', async () => {
    // Given a disabled agent
    server = await startTestServer();
    const admin = await login(server, ADMIN.username, ADMIN.password);
    const created = await server.auth.createUser({
      username: 'gone.agent',
      password: 'agent-password-1',
      role: 'agent',
    });
    await server.app.inject({
      method: 'PATCH',
      url: `/users/${created.id}`,
      headers: bearer(admin),
      payload: { disabled: true },
    });
    // When it signs in with the right and with a wrong password
    const right = await server.app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { username: 'gone.agent', password: 'agent-password-1' },
    });
    const wrong = await server.app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { username: 'gone.agent', password: 'not-the-password' },
    });
    // Then both answers are the same
    expect(right.statusCode).toBe(401);
    expect(right.json()).toEqual({
      statusCode: 401,
      error: 'Unauthorized',
      code: 'bad-credentials',
      message: 'wrong username or password',
    });
    expect(right.json()).toEqual(wrong.json());
  });

  it('keeps the last admin: it cannot be disabled or demoted', async () => {
    server = await startTestServer();
    const admin = await login(server, ADMIN.username, ADMIN.password);
    const res = await server.app.inject({
      method: 'PATCH',
      url: '/users/1',
      headers: bearer(admin),
      payload: { role: 'agent' },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('last-admin');
  });

  it('a user changes their own password; the old password and old tokens stop working', async () => {
    server = await startTestServer();
    await server.auth.createUser({ username: 'sup', password: 'first-password', role: 'supervisor' });
    const token = await login(server, 'sup', 'first-password');
    const wrong = await server.app.inject({
      method: 'POST',
      url: '/auth/password',
      headers: bearer(token),
      payload: { currentPassword: 'nope', newPassword: 'second-password' },
    });
    expect(wrong.statusCode).toBe(403);
    const ok = await server.app.inject({
      method: 'POST',
      url: '/auth/password',
      headers: bearer(token),
      payload: { currentPassword: 'first-password', newPassword: 'second-password' },
    });
    expect(ok.statusCode).toBe(204);
    expect((await server.app.inject({ method: 'GET', url: '/auth/me', headers: bearer(token) })).statusCode).toBe(401);
    expect(
      (
        await server.app.inject({
          method: 'POST',
          url: '/auth/login',
          payload: { username: 'sup', password: 'first-password' },
        })
      ).statusCode,
    ).toBe(401);
    await login(server, 'sup', 'second-password');
  });

  it('does not create a second admin from env when one exists', async () => {
    server = await startTestServer();
    const again = await server.auth.ensureFirstAdmin('other-admin', 'other-password-1');
    expect(again).toBe('exists');
    expect(await server.users.byUsername('other-admin')).toBeUndefined();
  });

  it('answers /health without a token and serves the OpenAPI document', async () => {
    server = await startTestServer();
    const health = await server.app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ store: 'ok', telephony: { mode: 'simulator', connected: false } });
    expect(typeof health.json().uptime).toBe('number');
    const doc = await server.app.inject({ method: 'GET', url: '/docs/json' });
    expect(doc.statusCode).toBe(200);
    expect(Object.keys(doc.json().paths)).toEqual(
      expect.arrayContaining(['/health', '/auth/login', '/users', '/users/{id}']),
    );
    const page = await server.app.inject({ method: 'GET', url: '/docs' });
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('/auth/login');
  });

  it('puts the docs behind a token when DOCS_PUBLIC=false', async () => {
    server = await startTestServer({ env: { DOCS_PUBLIC: 'false' } });
    expect((await server.app.inject({ method: 'GET', url: '/docs/json' })).statusCode).toBe(401);
    const agent = await tokenFor(server, 'agent');
    expect((await server.app.inject({ method: 'GET', url: '/docs/json', headers: bearer(agent) })).statusCode).toBe(
      200,
    );
  });
});
