import { afterEach, describe, expect, it } from 'vitest';
import { Cluster, type DataLayout, type Desktop, STRAIGHT_TO_QUEUE, scrape, stepper } from './cluster-harness.ts';

// `per-instance`: each instance its own DATA_DIR, the store on PostgreSQL (DATABASE_URL), as a site runs it.
// `shared`: one SQLite file for both instances and the cluster on PostgreSQL (CLUSTER_DATABASE_URL).
describe.each([
  ['shared', it],
  ['per-instance', it],
] as Array<[DataLayout, typeof it]>)('takeover (%s data): the owner killed with calls on the PBX', (layout, test) => {
  let c: Cluster | undefined;
  afterEach(async () => {
    if (process.env.CLUSTER_DEBUG) c?.dump();
    await c?.stop();
    c = undefined;
  });

  test('kill -9 of the owner during 20 waiting and 10 talking calls: the standby takes over in under 3 s, every call kept with its place and clock, every agent still signed in; the killed one restarts as a standby', async () => {
    // Given A owning the calls, B standing by, ten agents: five desktops on A, five on B
    const step = stepper();
    c = await Cluster.start({ layout });
    step('postgres and simulator up');
    const a = await c.spawn('a');
    await c.until(async () => (await c!.health(a)).telephony.connected, 'A connected to ARI');
    const b = await c.spawn('b');
    step('A and B listening');
    const names = Array.from({ length: 10 }, (_, i) => `agent-${i + 1}`);
    await c.createAgents(a, names);
    const desks: Desktop[] = [];
    for (const [i, name] of names.entries()) {
      const ext = String(3001 + i);
      c.sim.control.setPhone(ext, { answerAfterMs: 200 });
      const d = await c.desktop(i < 5 ? a : b, name);
      expect(await d.call('sign-in', { extension: ext, skills: ['mandarin'] })).toEqual({ ok: true });
      desks.push(d);
    }
    step('ten agents signed in, five on A and five on B');
    // ten callers talking with them
    const placed: Array<{ callerChannelId: string }> = [];
    for (let i = 0; i < 10; i++)
      placed.push(
        c.sim.control.placeCall({
          from: `1381000${String(i).padStart(4, '0')}`,
          to: '12345',
          script: STRAIGHT_TO_QUEUE,
        }),
      );
    await c.until(
      () => desks.every((d) => d.received('call-update').some((u: any) => u.state === 'answered')),
      'ten calls talking',
      120_000,
    );
    step('ten calls talking');
    // and twenty more waiting, with no agent free
    for (let i = 0; i < 20; i++)
      placed.push(
        c.sim.control.placeCall({
          from: `1392000${String(i).padStart(4, '0')}`,
          to: '12345',
          script: STRAIGHT_TO_QUEUE,
        }),
      );
    await c.until(async () => (await scrape(a))('hotline_calls_waiting') === 20, 'twenty waiting', 120_000, 200);
    await new Promise((r) => setTimeout(r, 300)); // the CDR write-behind (100 ms) has the last changes on disk
    expect((await scrape(a))('hotline_calls_talking')).toBe(10);
    const before = await c.activeCalls();
    const waitingBefore = [...before.values()].filter((r) => r.phase === 'queued');
    const talkingBefore = [...before.values()].filter((r) => r.phase === 'talking');
    expect(waitingBefore).toHaveLength(20);
    expect(talkingBefore).toHaveLength(10);

    step('twenty waiting');
    // When A is killed with SIGKILL
    const killedAt = Date.now();
    await c.kill9('a');
    await c.until(
      async () => {
        const h = await c!.health(b);
        return h.telephony.owner && h.telephony.connected;
      },
      'B owns the calls and is connected',
      15_000,
      10,
    );
    const takeoverMs = Date.now() - killedAt;

    // Then B took over: the goal is under 3 s (measured figures in docs/scale-out.md); the bound here leaves room
    // for a loaded test machine: the lease's expiry (2 s) plus the ARI connection and the reconciliation.
    const logAt = (msg: string) => b.lines().find((l) => l.msg === msg)?.time as number;
    const acquiredMs = logAt('call ownership acquired: connecting to ARI') - killedAt;
    const connectedMs = logAt('ARI connected') - killedAt;
    console.log(
      `takeover after kill -9 with 30 calls: lease taken after ${acquiredMs} ms, ARI reconciled after ${connectedMs} ms, seen ready by the test after ${takeoverMs} ms`,
    );
    expect(acquiredMs).toBeLessThanOrEqual(c.leaseTtlMs + 500);
    expect(takeoverMs).toBeLessThan(5000);
    // with every call, the waiting ones back in the queue, the talking ones adopted, and every agent still
    // signed in (their sign-ins are in the store) and on its adopted call: no desk signed in again
    await c.until(
      async () => (await scrape(b))('hotline_agents', { state: 'on-call' }) === 10,
      'ten agents on their adopted calls',
      10_000,
    );
    const m = await scrape(b);
    expect(m('hotline_calls_waiting')).toBe(20);
    expect(m('hotline_calls_talking')).toBe(10);
    expect(m('hotline_agents', { state: 'on-call' })).toBe(10);
    expect(m('hotline_agents', { state: 'ready' })).toBe(0);
    // The desktops of A reconnect to B and get their call back
    const popOf = (d: Desktop) => (d.received('screen-pop') as Array<{ callId: string }>).at(-1)!.callId;
    const moved: Desktop[] = [];
    for (const [i, name] of names.slice(0, 5).entries()) {
      expect(desks[i]!.socket.connected).toBe(false);
      const d = await c.desktop(b, name);
      expect(d.last('current-call')).toMatchObject({ state: 'answered', pop: { callId: popOf(desks[i]!) } });
      expect(d.last('agent-state')).toMatchObject({ agentId: name, status: 'on-call' });
      moved.push(d);
    }
    const after = await c.activeCalls();
    for (const r of waitingBefore) {
      // the same place (queued at the same moment) and the same answer clock (left the menu at the same moment)
      expect(after.get(r.id)).toMatchObject({ phase: 'queued', queued_at: r.queued_at, ivr_exit_at: r.ivr_exit_at });
    }
    for (const r of talkingBefore)
      expect(after.get(r.id)).toMatchObject({ phase: 'talking', ivr_exit_at: r.ivr_exit_at });
    // no caller lost on the PBX
    const channels = new Set(c.sim.control.state().channels.map((ch) => ch.id));
    expect(placed.filter((p) => !channels.has(p.callerChannelId))).toEqual([]);
    // the desktops on B kept their socket, and a command now runs on B itself
    expect(desks.slice(5).every((d) => d.socket.connected)).toBe(true);
    // (each desk's own call: which caller reached which agent is the queue's choice)
    const firstDeskCall = popOf(desks[0]!);
    expect((await c.activeCalls()).has(firstDeskCall)).toBe(true);
    expect(await moved[0]!.call('hangup')).toEqual({ ok: true });
    await c.until(async () => !(await c!.activeCalls()).has(firstDeskCall), 'the first desk call ended', 30_000);
    // and the agent takes the next waiting caller once its wrap-up is done, without signing in
    expect(await moved[0]!.call('wrap-up-code', { code: 'answered' })).toEqual({ ok: true });
    expect(await moved[0]!.call('ready')).toEqual({ ok: true });
    await c.until(
      () => moved[0]!.received('call-update').some((u: any) => u.state === 'answered' && u.callId !== firstDeskCall),
      'the next caller answered by the first agent',
      30_000,
    );
    const nextCall = popOf(moved[0]!);
    expect(nextCall).not.toBe(firstDeskCall);
    // (its row is written behind, within 100 ms)
    await c.until(
      async () => (await c!.activeCalls()).get(nextCall)?.phase === 'talking',
      'the next call talking in the store',
      5000,
    );
    expect((await scrape(b))('hotline_calls_waiting')).toBe(19);

    // And A, restarted, rejoins as a standby
    const a2 = await c.spawn('a');
    await new Promise((r) => setTimeout(r, c!.leaseTtlMs));
    expect(await c.health(a2)).toMatchObject({ status: 'ok', telephony: { owner: false, connected: false } });
    expect((await c.health(b)).telephony).toMatchObject({ owner: true, connected: true });

    // Clean up: every caller hangs up, the PBX ends clean
    for (const p of placed) c.sim.control.hangupCall(p.callerChannelId);
    await c.until(() => c!.sim.leaks().ok, 'PBX clean', 30_000);
    expect(c.sim.leaks()).toEqual({ ok: true, channels: [], bridges: [], playbacks: [], recordings: [] });
  }, 900_000);
});
