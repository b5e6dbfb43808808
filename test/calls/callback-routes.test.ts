import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/shared/clock.ts';
import { CallsRepo } from '../../src/store/calls-repo.ts';
import { bearer, startTestServer, tokenFor, type TestServer } from '../platform/helpers.ts';

/** POST /callbacks/:id/dial over HTTP: permissions and each refusal with its code (the desk shows its Chinese text). */
describe('callback dialling over HTTP', () => {
  let s: TestServer;
  let clock: FakeClock;
  let cbId: number;
  let doneId: number;
  beforeAll(async () => {
    // 23:00 in Beijing: inside the default quiet hours.
    clock = new FakeClock(Date.UTC(2026, 0, 5, 15, 0, 0));
    s = await startTestServer({ clock });
    const calls = new CallsRepo(s.store.db);
    const now = clock.now();
    for (const id of ['m1', 'm2'])
      calls.insertCall({
        id,
        callerChannelId: `ch-${id}`,
        callerNumber: '13812341234',
        status: 'ended',
        phase: 'ended',
        arrivedAt: now - 60_000,
        endedAt: now - 40_000,
      });
    cbId = calls.addCallback({
      callId: 'm1',
      number: '13812341234',
      reason: 'abandoned_queue',
      createdAt: now,
      waitedMs: 1,
    }).id;
    doneId = calls.addCallback({
      callId: 'm2',
      number: '13812341234',
      reason: 'requested',
      createdAt: now,
      waitedMs: null,
    }).id;
    calls.recordCallbackOutcome(doneId, 'wrong_number', 'sup', now, null);
  });
  afterAll(async () => {
    await s?.cleanup();
  });

  const dial = (id: number, token: string, payload: object = {}) =>
    s.app.inject({ method: 'POST', url: `/callbacks/${id}/dial`, headers: bearer(token), payload });

  it('refused in quiet hours, when closed, unknown, with a body, or for a role without callbacks:handle', async () => {
    const agent = await tokenFor(s, 'agent');
    const auditor = await tokenFor(s, 'auditor');
    const quiet = await dial(cbId, agent);
    expect(quiet.statusCode).toBe(409);
    expect(quiet.json()).toMatchObject({ code: 'quiet-hours', message: expect.stringMatching(/quiet hours/) });
    expect((await dial(doneId, agent)).json()).toMatchObject({ statusCode: 409, code: 'already-done' });
    expect((await dial(999, agent)).statusCode).toBe(404);
    expect((await dial(cbId, agent, { now: true })).statusCode).toBe(400);
    expect((await dial(cbId, auditor)).statusCode).toBe(403);
  });

  it('at 10:00 an agent who is not signed in at a phone is told so, and the callback stays untouched', async () => {
    clock.advance(11 * 3_600_000);
    const agent = await tokenFor(s, 'agent');
    const r = await dial(cbId, agent);
    expect(r.statusCode).toBe(409);
    expect(r.json()).toMatchObject({ code: 'agent-not-signed-in' });
    const list = await s.app.inject({ method: 'GET', url: '/callbacks?status=pending', headers: bearer(agent) });
    expect(list.json()).toEqual([
      expect.objectContaining({ id: cbId, tries: 0, diallingBy: null, nextTryAt: null, number: '138****1234' }),
    ]);
    const attempts = await s.app.inject({ method: 'GET', url: `/callbacks/${cbId}/attempts`, headers: bearer(agent) });
    expect(attempts.json()).toEqual([]);
  });
});
