import { afterEach, describe, expect, it } from 'vitest';
import { SqliteAuditRepo } from '../../src/store/audit-repo.ts';
import { Harness } from './harness.ts';

/**
 * Listen, whisper and barge (issue 10 item 1) through ARI snoop, checked through the simulator's media model
 * (who hears whom, src/simulator/hearing.ts), with the audit rows and nothing left on the PBX afterwards.
 */

const states = (d: { received<T>(n: string): T[] }) => d.received<{ state: string }>('call-update').map((u) => u.state);
const CALLER = '13812341234';

describe('supervisor monitor sessions on the simulator', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  /** Given a caller talking with agent a1 at 1001, and supervisor s1 whose phone is 2001. */
  async function talking(opts: { notify?: boolean } = {}) {
    h = await Harness.start({ notifyAgentOfMonitoring: opts.notify ?? false });
    const agent = await h.agent('a1', '1001', { answerAfterMs: 500 });
    h.sim.control.setPhone('2001', { answerAfterMs: 500 });
    const placed = h.sim.control.placeCall({ from: CALLER, to: '12345' });
    await h.until(() => states(agent).includes('answered'), 'answered');
    const callId = agent.last('screen-pop').callId as string;
    const caller = placed.callerChannelId;
    await h.until(() => h!.sim.engine.hears(caller).includes('1001'), 'caller and agent bridged');
    const sup = await h.supervisor('s1');
    return { h, agent, sup, callId, caller };
  }

  const hears = (who: string) => h!.sim.engine.hears(who);

  it('listen → whisper → barge → stop: who hears whom in each mode, the sessions audited, nothing left', async () => {
    const { agent, sup, callId, caller } = await talking();

    // When s1 listens on a1 from extension 2001
    expect(await sup.call('monitor', { agentId: 'a1', mode: 'listen', extension: '2001' })).toEqual({ ok: true });
    await h!.until(() => hears('2001').includes('1001') && hears('2001').includes(caller), 'supervisor hears the call');
    // Then the supervisor hears both; neither the caller nor the agent hears the supervisor
    expect(hears('2001')).toEqual(['1001', caller].sort());
    expect(hears(caller)).toEqual(['1001']);
    expect(hears('1001')).toEqual([caller]);
    expect(sup.last('monitor')).toMatchObject({ callId, agentId: 'a1', mode: 'listen', state: 'active' });

    // When the mode switches to whisper
    expect(await sup.call('monitor', { agentId: 'a1', mode: 'whisper', extension: '2001' })).toEqual({ ok: true });
    await h!.until(() => hears('1001').includes('2001'), 'agent hears the whisper');
    // Then the agent hears the supervisor, the caller still does not
    expect(hears('1001')).toEqual(['2001', caller].sort());
    expect(hears(caller)).toEqual(['1001']);
    expect(hears('2001')).toEqual(['1001', caller].sort());

    // When the supervisor barges in
    expect(await sup.call('monitor', { agentId: 'a1', mode: 'barge', extension: '2001' })).toEqual({ ok: true });
    await h!.until(() => hears(caller).includes('2001'), 'caller hears the supervisor');
    // Then all three hear each other
    expect(hears(caller)).toEqual(['1001', '2001']);
    expect(hears('1001')).toEqual(['2001', caller].sort());
    expect(hears('2001')).toEqual(['1001', caller].sort());
    // And the snoop channel of the earlier modes is gone from the PBX
    await h!.until(
      () => !h!.sim.control.state().channels.some((c: { name: string }) => c.name.startsWith('Snoop/')),
      'no snoop left',
    );

    // And back to listen: the caller no longer hears the supervisor
    expect(await sup.call('monitor', { agentId: 'a1', mode: 'listen', extension: '2001' })).toEqual({ ok: true });
    await h!.until(() => !hears(caller).includes('2001') && hears('2001').includes(caller), 'back to listening');
    expect(hears('1001')).toEqual([caller]);

    // When the supervisor stops
    expect(await sup.call('monitor-stop', {})).toEqual({ ok: true });
    await h!.until(() => hears('2001').length === 0, 'supervisor off the call');
    expect(hears(caller)).toEqual(['1001']);
    expect(sup.last('monitor')).toMatchObject({ state: 'ended', reason: 'stopped' });
    // The agent was not told (notification off by default)
    expect(states(agent)).not.toContain('monitored');

    // Then the audit log holds the session: who, which call, each mode with its start and end
    await h!.run(100);
    const audit = await new SqliteAuditRepo(h!.store.db).listFor('call', callId);
    const rows = audit.map((r) => ({ action: r.action, actor: r.actorId, mode: r.data?.mode }));
    expect(rows).toEqual([
      { action: 'monitor-start', actor: 's1', mode: 'listen' },
      { action: 'monitor-mode-end', actor: 's1', mode: 'listen' },
      { action: 'monitor-start', actor: 's1', mode: 'whisper' },
      { action: 'monitor-mode-end', actor: 's1', mode: 'whisper' },
      { action: 'monitor-start', actor: 's1', mode: 'barge' },
      { action: 'monitor-mode-end', actor: 's1', mode: 'barge' },
      { action: 'monitor-start', actor: 's1', mode: 'listen' },
      { action: 'monitor-end', actor: 's1', mode: 'listen' },
    ]);
    const end = audit.at(-1)!;
    expect(end.data).toMatchObject({
      agentId: 'a1',
      endedAt: expect.any(Number),
      sessionStartedAt: expect.any(Number),
    });
    expect(end.data!.endedAt as number).toBeGreaterThanOrEqual(end.data!.sessionStartedAt as number);

    // The call ends; nothing is left on the PBX (leak check in close)
    h!.sim.control.hangupCall(caller);
    await h!.until(() => h!.layer.controller.liveCalls().size === 0, 'call over');
  });

  it('the call ending ends the session: the supervisor leg and the snoop are hung up; the agent was told', async () => {
    const { agent, sup, callId, caller } = await talking({ notify: true });
    expect(await sup.call('monitor', { agentId: 'a1', mode: 'whisper', extension: '2001' })).toEqual({ ok: true });
    await h!.until(() => hears('1001').includes('2001'), 'whispering');
    // The agent's desktop says a supervisor is on the call, and how
    await h!.until(() => states(agent).includes('monitored'), 'agent told');
    expect(
      agent.received<{ state: string; detail?: string }>('call-update').find((u) => u.state === 'monitored'),
    ).toMatchObject({ callId, detail: 'whisper' });

    // When the caller hangs up
    h!.sim.control.hangupCall(caller);
    await h!.until(() => h!.layer.controller.liveCalls().size === 0, 'call over');
    await h!.until(() => sup.last('monitor')?.state === 'ended', 'session ended');
    expect(sup.last('monitor')).toMatchObject({ callId, reason: 'call-ended' });
    await h!.until(() => h!.sim.control.state().channels.length === 0, 'PBX empty');
    const audit = await new SqliteAuditRepo(h!.store.db).listFor('call', callId);
    expect(audit.map((r) => r.action)).toEqual(['monitor-start', 'monitor-end']);
  });

  it('refusals: no call, another supervisor already on it, bad mode, bad extension, and a role without calls:snoop', async () => {
    const { sup } = await talking();
    // An admin watches the wallboard (calls:monitor) but may not snoop
    const admin = await h!.supervisor('boss', 'admin');
    expect(await admin.call('monitor', { agentId: 'a1', mode: 'listen', extension: '2002' })).toMatchObject({
      ok: false,
      error: { statusCode: 403, code: 'forbidden', messageZh: '当前账号无权执行此操作' },
    });
    expect(await sup.call('monitor', { agentId: 'a1', mode: 'eavesdrop', extension: '2001' })).toMatchObject({
      ok: false,
      error: { statusCode: 400, code: 'bad-request' },
    });
    expect(await sup.call('monitor', { agentId: 'a1', mode: 'listen', extension: '20x' })).toMatchObject({
      ok: false,
      error: { statusCode: 400, code: 'invalid-extension' },
    });
    expect(await sup.call('monitor', { agentId: 'nobody', mode: 'listen', extension: '2001' })).toMatchObject({
      ok: false,
      error: { statusCode: 404, code: 'unknown-agent' },
    });
    expect(await sup.call('monitor-stop', {})).toMatchObject({
      ok: false,
      error: { statusCode: 409, code: 'no-monitor', messageZh: '当前没有进行中的监听' },
    });
    expect(await sup.call('monitor', { agentId: 'a1', mode: 'listen', extension: '2001' })).toEqual({ ok: true });
    const other = await h!.supervisor('s2');
    expect(await other.call('monitor', { agentId: 'a1', mode: 'listen', extension: '2003' })).toMatchObject({
      ok: false,
      error: { statusCode: 409, code: 'conflict' },
    });
    expect(await sup.call('monitor-stop', {})).toEqual({ ok: true });
    await h!.until(
      () => h!.sim.control.state().channels.every((c: { id: string }) => !c.id.includes('-m')),
      'leg gone',
    );
    h!.sim.control.hangupCall(
      h!.sim.control
        .state()
        .channels.find((c: { name: string }) => c.name.endsWith(';1') && c.name.includes('cti-inbound'))!.id,
    );
    await h!.until(() => h!.layer.controller.liveCalls().size === 0, 'call over');
  });
});
