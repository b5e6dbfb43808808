import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallsRepo } from '../../src/store/calls-repo.ts';
import { RecordingsRepo } from '../../src/store/recordings-repo.ts';
import { bearer, login, startTestServer, tokenFor, type TestServer } from '../platform/helpers.ts';

describe('call routes: permissions, masking, 4xx with reasons', () => {
  let s: TestServer;
  let agent: string;
  let supervisor: string;
  let auditor: string;
  let cbId: number;
  beforeAll(async () => {
    s = await startTestServer();
    agent = await tokenFor(s, 'agent');
    supervisor = await tokenFor(s, 'supervisor');
    auditor = await tokenFor(s, 'auditor');
    const calls = new CallsRepo(s.store.db);
    const now = s.clock.now();
    calls.insertCall({
      id: 'c1',
      callerChannelId: 'ch1',
      callerNumber: '13812341234',
      status: 'ended',
      phase: 'ended',
      arrivedAt: now - 60_000,
      queuedAt: now - 50_000,
      outcome: 'abandoned',
      endedAt: now - 40_000,
    });
    cbId = calls.addCallback({
      callId: 'c1',
      number: '13812341234',
      reason: 'abandoned_queue',
      createdAt: now - 40_000,
      waitedMs: 10_000,
    }).id;
    const recs = new RecordingsRepo(s.store.db);
    const bytes = Buffer.from('RIFF....WAVEfmt fake archived bytes');
    const rel = '2026/01/05/call-c1.wav';
    mkdirSync(join(s.config.server.dataDir, 'recordings', '2026/01/05'), { recursive: true });
    writeFileSync(join(s.config.server.dataDir, 'recordings', rel), bytes);
    recs.insertRecording({ name: 'call-c1', callId: 'c1', startedAt: now - 45_000 });
    recs.markArchived('call-c1', {
      path: rel,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      bytes: bytes.length,
      durationMs: 5000,
      durationCheck: 'ok',
      archivedAt: now,
      retainUntil: now + 4 * 365 * 86_400_000,
    });
  });
  afterAll(async () => {
    await s?.cleanup();
  });

  it('callbacks: agents see the number masked, supervisors in full; outcomes validated', async () => {
    const a = await s.app.inject({ method: 'GET', url: '/callbacks?status=pending', headers: bearer(agent) });
    expect(a.statusCode).toBe(200);
    expect(a.json()[0].number).toBe('138****1234');
    const sup = await s.app.inject({ method: 'GET', url: '/callbacks', headers: bearer(supervisor) });
    expect(sup.json()[0].number).toBe('13812341234');
    const bad = await s.app.inject({
      method: 'POST',
      url: `/callbacks/${cbId}/outcome`,
      headers: bearer(agent),
      payload: { outcome: 'maybe' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toMatch(/outcome/);
    const missing = await s.app.inject({
      method: 'POST',
      url: '/callbacks/999/outcome',
      headers: bearer(agent),
      payload: { outcome: 'reached' },
    });
    expect(missing.statusCode).toBe(404);
    const retry = await s.app.inject({
      method: 'POST',
      url: `/callbacks/${cbId}/outcome`,
      headers: bearer(agent),
      payload: { outcome: 'no_answer' },
    });
    expect(retry.json()).toMatchObject({ status: 'pending', outcome: 'no_answer' });
    const done = await s.app.inject({
      method: 'POST',
      url: `/callbacks/${cbId}/outcome`,
      headers: bearer(agent),
      payload: { outcome: 'reached', note: 'explained the water cut' },
    });
    expect(done.json()).toMatchObject({ status: 'done', outcome: 'reached', number: '138****1234' });
    const again = await s.app.inject({
      method: 'POST',
      url: `/callbacks/${cbId}/outcome`,
      headers: bearer(agent),
      payload: { outcome: 'reached' },
    });
    expect(again.statusCode).toBe(409);
  });

  it('call commands over HTTP: 409 with the reason when there is no call, 400 on bad bodies, auditors refused', async () => {
    const post = (url: string, token: string, payload: unknown = {}) =>
      s.app.inject({
        method: 'POST',
        url: `/agents/me/call/${url}`,
        headers: bearer(token),
        payload: payload as object,
      });
    const hold = await post('hold', agent);
    expect(hold.statusCode).toBe(409);
    expect(hold.json()).toMatchObject({ code: 'no-call' });
    expect((await post('consult/complete', agent)).json()).toMatchObject({ statusCode: 409, code: 'no-call' });
    expect((await post('transfer-to-agent', agent, { agentId: 'a2', reason: '住房问题' })).json()).toMatchObject({
      statusCode: 409,
      code: 'no-call',
    });
    expect((await post('consult', agent, {})).statusCode).toBe(400);
    expect((await post('consult', agent, { number: '110', agentId: 'a2' })).statusCode).toBe(400);
    expect((await post('transfer', agent, { number: '11x' })).statusCode).toBe(400);
    expect((await post('transfer-to-desk', agent, { skill: 'zhuang', extra: 1 })).statusCode).toBe(400);
    expect((await post('hold', auditor)).statusCode).toBe(403);
  });

  it('CDR: auditors read it masked; agents may not; unknown call is 404', async () => {
    const list = await s.app.inject({ method: 'GET', url: '/calls', headers: bearer(auditor) });
    expect(list.statusCode).toBe(200);
    expect(list.json()[0]).toMatchObject({ id: 'c1', callerNumber: '138****1234', outcome: 'abandoned' });
    expect((await s.app.inject({ method: 'GET', url: '/calls', headers: bearer(agent) })).statusCode).toBe(403);
    expect((await s.app.inject({ method: 'GET', url: '/calls/nope', headers: bearer(auditor) })).statusCode).toBe(404);
    const one = await s.app.inject({ method: 'GET', url: '/calls/c1', headers: bearer(supervisor) });
    expect(one.json()).toMatchObject({
      callerNumber: '13812341234',
      recordings: [{ name: 'call-c1', status: 'archived' }],
    });
    expect(one.json().recordings[0].path).toBeUndefined();
  });

  it('recordings: auditors download the archived file with its checksum; agents are refused; downloads are audited', async () => {
    expect((await s.app.inject({ method: 'GET', url: '/recordings', headers: bearer(agent) })).statusCode).toBe(403);
    const list = await s.app.inject({ method: 'GET', url: '/recordings', headers: bearer(auditor) });
    expect(list.json().map((r: any) => r.name)).toEqual(['call-c1']);
    const file = await s.app.inject({ method: 'GET', url: '/recordings/call-c1/file', headers: bearer(auditor) });
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('audio/wav');
    expect(createHash('sha256').update(file.rawPayload).digest('hex')).toBe(file.headers['x-content-sha256']);
    expect(
      (await s.app.inject({ method: 'GET', url: '/recordings/..%2Fetc/file', headers: bearer(auditor) })).statusCode,
    ).toBe(400);
    expect(
      (await s.app.inject({ method: 'GET', url: '/recordings/none/file', headers: bearer(auditor) })).statusCode,
    ).toBe(404);
    const audit = s.store.sqlite.prepare("select action, actor_role from audit_log where entity = 'recording'").all();
    // Listing is audited as well as downloading (issue 11 item 5); the refused agent's list is not.
    expect(audit).toEqual([
      { action: 'list', actor_role: 'auditor' },
      { action: 'download', actor_role: 'auditor' },
    ]);
  });

  it('one extension, one agent over HTTP: a second agent gets 409 naming the holder; an extension off the pattern is 400', async () => {
    // Given agent 李伟 signed in on extension 1301
    await s.auth.createUser({ username: 'li.wei', password: 'agent-password-1', role: 'agent', displayName: '李伟' });
    await s.auth.createUser({
      username: 'wang.fang',
      password: 'agent-password-2',
      role: 'agent',
      displayName: '王芳',
    });
    const li = await login(s, 'li.wei', 'agent-password-1');
    const wang = await login(s, 'wang.fang', 'agent-password-2');
    const signIn = (token: string, extension: string) =>
      s.app.inject({
        method: 'POST',
        url: '/agents/me/sign-in',
        headers: bearer(token),
        payload: { extension, skills: ['mandarin'] },
      });
    expect((await signIn(li, '1301')).statusCode).toBe(204);
    // When another agent signs in on the same extension
    const taken = await signIn(wang, '1301');
    // Then it is refused with 409, naming who holds it, and that agent stays signed out
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({ code: 'extension-in-use', message: expect.stringContaining('李伟 (li.wei)') });
    expect(taken.json().message).toContain('extension 1301');
    const wangState = await s.app.inject({ method: 'GET', url: '/agents/me', headers: bearer(wang) });
    expect(wangState.json().agent.status).toBe('signed-out');
    // And an extension off the pattern (3 to 6 digits by default) is a 400 naming the pattern
    for (const bad of ['abc', '12', '1234567', '1001a']) {
      const res = await signIn(wang, bad);
      expect(res.statusCode, bad).toBe(400);
      expect(res.json(), bad).toMatchObject({
        code: 'invalid-extension',
        message: expect.stringContaining('^[0-9]{3,6}$'),
      });
    }
    // And the holder signing in again while signed in is the usual 409, not a clash with itself
    expect((await signIn(li, '1301')).json().code).toBe('invalid-transition');
    // And after the holder signs out, the extension is free again, for the other agent or for the holder
    expect(
      (await s.app.inject({ method: 'POST', url: '/agents/me/sign-out', headers: bearer(li), payload: {} })).statusCode,
    ).toBe(204);
    expect((await signIn(li, '1301')).statusCode).toBe(204);
    expect(
      (await s.app.inject({ method: 'POST', url: '/agents/me/sign-out', headers: bearer(li), payload: {} })).statusCode,
    ).toBe(204);
    expect((await signIn(wang, '1301')).statusCode).toBe(204);
    expect(
      (await s.app.inject({ method: 'POST', url: '/agents/me/sign-out', headers: bearer(wang), payload: {} }))
        .statusCode,
    ).toBe(204);
  });

  it('takes the extension pattern from the configuration', async () => {
    // Given a site whose seats are 8 followed by three digits
    const site = await startTestServer({ env: { AGENT_EXTENSION_PATTERN: '8[0-9]{3}' } });
    try {
      const token = await tokenFor(site, 'agent');
      const signIn = (extension: string) =>
        site.app.inject({
          method: 'POST',
          url: '/agents/me/sign-in',
          headers: bearer(token),
          payload: { extension, skills: ['mandarin'] },
        });
      // When an agent signs in on 1001, then on 8001
      const off = await signIn('1001');
      // Then the first is refused naming the configured pattern (which must match the whole extension), the second accepted
      expect(off.statusCode).toBe(400);
      expect(off.json().message).toContain('8[0-9]{3}');
      expect((await signIn('80012')).statusCode).toBe(400);
      expect((await signIn('8001')).statusCode).toBe(204);
    } finally {
      await site.cleanup();
    }
  });

  it('agent state over HTTP: unknown skill 400, sign-out while signed out 409, pause needs a code', async () => {
    const badSkill = await s.app.inject({
      method: 'POST',
      url: '/agents/me/sign-in',
      headers: bearer(agent),
      payload: { extension: '1001', skills: ['klingon'] },
    });
    expect(badSkill.statusCode).toBe(400);
    expect(badSkill.json().message).toMatch(/klingon/);
    const ok = await s.app.inject({
      method: 'POST',
      url: '/agents/me/sign-in',
      headers: bearer(agent),
      payload: { extension: '1001', skills: ['mandarin'] },
    });
    expect(ok.statusCode).toBe(204);
    const twice = await s.app.inject({
      method: 'POST',
      url: '/agents/me/sign-in',
      headers: bearer(agent),
      payload: { extension: '1001', skills: ['mandarin'] },
    });
    expect(twice.statusCode).toBe(409);
    expect(
      (
        await s.app.inject({
          method: 'POST',
          url: '/agents/me/pause',
          headers: bearer(agent),
          payload: { reason: 'no spaces allowed' },
        })
      ).statusCode,
    ).toBe(400);
    expect(
      (
        await s.app.inject({
          method: 'POST',
          url: '/agents/me/pause',
          headers: bearer(agent),
          payload: { reason: 'LUNCH' },
        })
      ).statusCode,
    ).toBe(204);
    const me = await s.app.inject({ method: 'GET', url: '/agents/me', headers: bearer(agent) });
    expect(me.json().agent).toMatchObject({ status: 'paused', pauseReason: 'LUNCH' });
    expect(
      (await s.app.inject({ method: 'POST', url: '/agents/me/sign-out', headers: bearer(agent), payload: {} }))
        .statusCode,
    ).toBe(204);
    expect(
      (await s.app.inject({ method: 'POST', url: '/agents/me/sign-out', headers: bearer(agent), payload: {} }))
        .statusCode,
    ).toBe(409);
    const all = await s.app.inject({ method: 'GET', url: '/agents', headers: bearer(supervisor) });
    expect(all.statusCode).toBe(200);
  });
});
