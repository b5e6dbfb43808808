import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/shared/clock.ts';
import { projectSoundsDir, startSimulator, type SimulatorHandle } from '../../src/simulator/index.ts';
import { APP, callTestTiming, Harness } from './harness.ts';

async function sharedSim(clock: FakeClock, dir: string): Promise<SimulatorHandle> {
  return startSimulator({
    ariUser: 'cti',
    ariPassword: 'cti-secret',
    recordingsDir: join(dir, 'pbx-recordings'),
    clock,
    port: 0,
    inboundApp: APP,
    soundsDirs: [projectSoundsDir(new URL('../../sounds', import.meta.url).pathname)],
    timing: callTestTiming(),
  });
}

const noLeaks = { ok: true, channels: [], bridges: [], playbacks: [], recordings: [] };

function queuedCalls(h: Harness) {
  return [...h.layer.controller.liveCalls().values()].filter((c) => c.record?.queuedAt !== undefined);
}

describe('this server killed while callers wait, then restarted', () => {
  let dir: string;
  let sim: SimulatorHandle | undefined;
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close({ leakCheck: false });
    h = undefined;
    if (sim) {
      const leaks = sim.leaks();
      await sim.close();
      sim = undefined;
      expect(leaks).toEqual(noLeaks);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('two callers waiting: both restored in order, the earlier is offered first, the answer clock runs from the original IVR exit', async () => {
    dir = mkdtempSync(join(tmpdir(), 'calls-restart-q-'));
    const clock = new FakeClock(Date.UTC(2026, 0, 5, 2, 0, 0));
    sim = await sharedSim(clock, dir);
    const first = await Harness.start({ clock, sim, dataDir: dir });
    // Both in the menu together, a second apart, so both wait in the queue at the restart.
    const a = sim.control.placeCall({ from: '13800000001', to: '12345' });
    await first.run(1000);
    const b = sim.control.placeCall({ from: '13800000002', to: '12345' });
    await first.until(() => queuedCalls(first).length === 2, 'second caller queued');
    const [callA, callB] = queuedCalls(first).sort((x, y) => x.record!.queuedAt! - y.record!.queuedAt!);
    const idA = callA!.callId;
    const idB = callB!.callId;
    const exitA = callA!.record!.ivrExitAt!;
    const exitB = callB!.record!.ivrExitAt!;
    expect(exitB).toBeGreaterThan(exitA);
    await first.crash();
    await first.run(3000); // the server is down for 3 s; the callers stay on the line

    h = await Harness.start({ clock, sim, dataDir: dir });
    for (const [id, exit] of [
      [idA, exitA],
      [idB, exitB],
    ] as const) {
      expect(h.records.getCall(id)).toMatchObject({
        status: 'active',
        phase: 'queued',
        ivrExitAt: exit,
        queuedAt: exit,
        outcome: null,
      });
      expect(h.layer.controller.liveCalls().get(id)?.record?.queuedAt).toBe(exit);
    }
    expect(h.records.listCallbacks({})).toEqual([]);

    // Pre-warnings 15 s after each original IVR exit, though this process only started later.
    await h.until(
      () => h!.records.alertsSince(0).filter((x) => x.kind === 'answer-prewarning').length === 2,
      'pre-warnings',
    );
    const prewarn = (id: string) =>
      h!.records.alertsSince(0).find((x) => x.callId === id && x.kind === 'answer-prewarning')!.at;
    expect(prewarn(idA)).toBe(exitA + 15_000);
    expect(prewarn(idB)).toBe(exitB + 15_000);

    // An agent becomes ready 17 s after the first caller left the menu: the first caller is offered.
    await h.run(exitA + 17_000 - clock.now());
    const agent = await h.agent('a1', '1001', { answerAfterMs: 1000 });
    await h.until(() => agent.received('screen-pop').length === 1, 'first offer');
    const pop = agent.last('screen-pop');
    expect(pop.callId).toBe(idA);
    expect(pop.ivrExitAt).toBe(exitA);
    expect(pop.waitedMs).toBeGreaterThanOrEqual(17_000);
    await h.until(
      () => agent.received('call-update').some((u: any) => u.callId === idA && u.state === 'answered'),
      'first answered',
    );
    const rowA = h.records.getCall(idA)!;
    expect(rowA.answerMs).toBe(rowA.answeredAt! - exitA);
    expect(rowA.answerMs!).toBeLessThan(20_000);
    expect(rowA.breachAt).toBeNull();

    // The second caller passes the answer target while the only agent talks: breach 20 s after its original exit.
    await h.until(
      () => h!.records.alertsSince(0).some((x) => x.callId === idB && x.kind === 'answer-breach'),
      'breach of the second caller',
    );
    expect(h.records.alertsSince(0).find((x) => x.callId === idB && x.kind === 'answer-breach')).toMatchObject({
      at: exitB + 20_000,
      cause: 'all-busy',
    });

    await h.until(() => h!.recordings.byCall(idA).length === 1, 'recording A');
    await h.run(1000);
    expect(await agent.call('hangup')).toEqual({ ok: true });
    await h.until(() => h!.records.getCall(idA)!.status === 'ended', 'A ended');
    // After wrap-up, the second caller.
    await h.until(() => agent.received('screen-pop').length === 2, 'second offer');
    expect(agent.last('screen-pop').callId).toBe(idB);
    await h.until(
      () => agent.received('call-update').some((u: any) => u.callId === idB && u.state === 'answered'),
      'second answered',
    );
    const rowB = h.records.getCall(idB)!;
    expect(rowB.answerMs).toBe(rowB.answeredAt! - exitB);
    await h.until(() => h!.recordings.byCall(idB).length === 1, 'recording B');
    await h.run(1000);
    sim.control.hangupCall(b.callerChannelId);
    await h.until(() => h!.records.getCall(idB)!.status === 'ended', 'B ended');
    expect(
      [a.callerChannelId, b.callerChannelId].every((id) => !sim!.control.state().channels.some((c) => c.id === id)),
    ).toBe(true);
    expect(h.records.getCall(idA)!.outcome).toBe('answered');
    expect(h.records.getCall(idB)!.outcome).toBe('answered');
    await h.until(
      () => [idA, idB].every((id) => h!.recordings.byCall(id)[0]?.deletedFromPbxAt != null),
      'both archived',
    );
    await h.run(16_000); // wrap-up of the last call
    expect(h.layer.controller.liveCalls().size).toBe(0);
    expect(h.layer.controller.pendingTimers()).toBe(0);
    expect(h.records.listCallbacks({})).toEqual([]);
    await h.until(() => sim!.leaks().ok, 'PBX clean');
  });

  it('killed while an agent rings: the agent leg is hung up, the caller keeps its place and is offered again to the agent, still signed in', async () => {
    dir = mkdtempSync(join(tmpdir(), 'calls-restart-q-'));
    const clock = new FakeClock(Date.UTC(2026, 0, 5, 2, 0, 0));
    sim = await sharedSim(clock, dir);
    const first = await Harness.start({ clock, sim, dataDir: dir });
    const ringing = await first.agent('a1', '1001', {}); // never answers
    const placed = sim.control.placeCall({ from: '13812341234', to: '12345' });
    await first.until(() => ringing.received('screen-pop').length === 1, 'offered');
    const callId = ringing.last('screen-pop').callId as string;
    const exit = first.layer.controller.liveCalls().get(callId)!.record!.ivrExitAt!;
    await first.until(
      () => sim!.control.state().channels.some((c) => c.id.startsWith(`${callId}-a`)),
      'agent phone ringing',
    );
    const firstLeg = sim.control.state().channels.find((c) => c.id.startsWith(`${callId}-a`))!.id;
    await first.crash();
    await first.run(1000);
    // The agent picks up the phone next time; its sign-in was kept (issue 12)
    sim.control.setPhone('1001', { answerAfterMs: 500 });

    h = await Harness.start({ clock, sim, dataDir: dir });
    expect(sim.control.state().channels.some((c) => c.id === firstLeg)).toBe(false);
    expect(h.records.getCall(callId)).toMatchObject({
      status: 'active',
      queuedAt: exit,
      ronaCount: 0,
    });
    expect(h.records.legs(callId).find((l) => l.channelId === firstLeg)?.outcome).toBe('cancelled');

    const agent = await h.desktop('a1');
    await h.until(
      () => agent.received('call-update').some((u: any) => u.state === 'answered' && u.callId === callId),
      'answered at the desk',
    );
    expect(h.layer.controller.liveCalls().get(callId)!.record).toMatchObject({ agentId: 'a1', ivrExitAt: exit });
    const legs = h.records.legs(callId).filter((l) => l.kind === 'agent');
    expect(legs).toHaveLength(2);
    expect(new Set(legs.map((l) => l.channelId)).size).toBe(2);
    expect(legs.map((l) => l.outcome)).toEqual(['cancelled', 'answered']);
    expect(h.records.getCall(callId)!.offers).toBe(2);
    await h.until(() => h!.recordings.byCall(callId).length === 1, 'recording');
    await h.run(1000);
    sim.control.hangupCall(placed.callerChannelId);
    await h.until(() => h!.recordings.byCall(callId)[0]?.deletedFromPbxAt != null, 'archived');
    expect(h.records.getCall(callId)).toMatchObject({ status: 'ended', outcome: 'answered' });
    await h.until(() => sim!.leaks().ok, 'PBX clean');
  });

  it('killed while a caller is in the voice menu: restored straight into the queue, its answer clock starting at the restart', async () => {
    dir = mkdtempSync(join(tmpdir(), 'calls-restart-q-'));
    const clock = new FakeClock(Date.UTC(2026, 0, 5, 2, 0, 0));
    sim = await sharedSim(clock, dir);
    const first = await Harness.start({ clock, sim, dataDir: dir });
    const placed = sim.control.placeCall({ from: '13812341234', to: '12345' });
    await first.until(() => first.layer.controller.liveCalls().size === 1, 'in the menu');
    const callId = [...first.layer.controller.liveCalls().keys()][0]!;
    await first.run(500);
    expect(first.layer.controller.liveCalls().get(callId)!.record!.ivrExitAt).toBeUndefined();
    await first.crash();
    await first.run(1000);

    const beforeRestart = clock.now();
    h = await Harness.start({ clock, sim, dataDir: dir });
    const row = h.records.getCall(callId)!;
    // The menu position died with the old process: the caller goes on to an agent, the clock starting at the restart.
    expect(row).toMatchObject({ status: 'active', phase: 'queued', skill: 'mandarin' });
    expect(row.ivrExitAt).toBeGreaterThanOrEqual(beforeRestart);
    expect(row.ivrExitAt).toBeLessThanOrEqual(clock.now());
    expect(row.queuedAt).toBe(row.ivrExitAt);
    const agent = await h.agent('a1', '1001', { answerAfterMs: 500 });
    await h.until(
      () => agent.received('call-update').some((u: any) => u.callId === callId && u.state === 'answered'),
      'answered',
    );
    await h.until(() => h!.recordings.byCall(callId).length === 1, 'recording');
    await h.run(1000);
    sim.control.hangupCall(placed.callerChannelId);
    await h.until(() => h!.recordings.byCall(callId)[0]?.deletedFromPbxAt != null, 'archived');
    await h.until(() => sim!.leaks().ok, 'PBX clean');
  });
});
