import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/shared/clock.ts';
import { projectSoundsDir, startSimulator, type SimulatorHandle } from '../../src/simulator/index.ts';
import { APP, Harness } from './harness.ts';

const noLeaks = { ok: true, channels: [], bridges: [], playbacks: [], recordings: [] };
const states = (d: { received<T>(n: string): T[] }) => d.received<{ state: string }>('call-update').map((u) => u.state);

describe('this server killed (kill -9) during the talk phase', () => {
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

  async function start(): Promise<{ clock: FakeClock; first: Harness }> {
    dir = mkdtempSync(join(tmpdir(), 'calls-restart-talk-'));
    const clock = new FakeClock(Date.UTC(2026, 0, 5, 2, 0, 0));
    sim = await startSimulator({
      ariUser: 'cti',
      ariPassword: 'cti-secret',
      recordingsDir: join(dir, 'pbx-recordings'),
      clock,
      port: 0,
      inboundApp: APP,
      soundsDirs: [projectSoundsDir(new URL('../../sounds', import.meta.url).pathname)],
    });
    return { clock, first: await Harness.start({ clock, sim, dataDir: dir }) };
  }

  it('during a consultation: the restarted server gives the call back to the domain, and the agent can complete the transfer', async () => {
    const { clock, first } = await start();
    sim!.control.setExternal('12319', { answerAfterMs: 1000 });
    const agent = await first.agent('a1', '1001', { answerAfterMs: 1000 });
    const placed = sim!.control.placeCall({ from: '13812341234', to: '12345' });
    await first.until(() => states(agent).includes('answered'), 'answered');
    const callId = agent.last('screen-pop').callId;
    expect(await agent.call('consult', { number: '12319' })).toEqual({ ok: true });
    await first.until(() => states(agent).includes('consult-connected'), 'consulting');
    await first.until(() => first.recordings.byCall(callId).length === 2, 'both recordings started');
    await first.run(2000);
    // When this server dies without cleaning up, and comes back
    await first.crash();
    await first.run(2000);
    h = await Harness.start({ clock, sim, dataDir: dir });
    // Then the call is the domain's again, mid-consultation, caller held
    expect(h.layer.controller.liveCalls().get(callId)?.adopted).toBe(true);
    const desk = await h.desktop('a1');
    // (its sign-in was kept across the restart, issue 12: no need to sign in again)
    expect(desk.last('agent-state')).toMatchObject({ agentId: 'a1', status: 'on-call' });
    expect(h.layer.controller.agents().find((a) => a.agentId === 'a1')).toMatchObject({ status: 'on-call', callId });
    expect(await desk.call('hold')).toMatchObject({ ok: false, error: { statusCode: 409, code: 'conflict' } });
    // When the agent completes the transfer
    expect(await desk.call('consult-complete')).toEqual({ ok: true });
    await h.until(() => states(desk).includes('ended'), 'agent left');
    const main = h.records.getCall(callId)!.bridgeId!;
    const party = h.records.legs(callId).find((l) => l.kind === 'consult')!.channelId;
    await h.until(
      () =>
        sim!.control
          .state()
          .bridges.find((b) => b.id === main)
          ?.channels.includes(party) === true,
      'caller with 12319',
    );
    await h.run(2000);
    sim!.control.hangupCall(placed.callerChannelId);
    await h.until(() => h!.records.getCall(callId)!.status === 'ended', 'ended');
    expect(h.records.getCall(callId)).toMatchObject({ outcome: 'transferred', transferNumber: '12319' });
    // Both recordings archived: the caller's across the restart, and the consultation
    await h.until(() => h!.recordings.byCall(callId).every((r) => r.status === 'archived'), 'archived');
    expect(h.recordings.byCall(callId)).toHaveLength(2);
  });

  it('during a plain hold: the restarted server knows the caller is on hold, and the agent can resume', async () => {
    const { clock, first } = await start();
    const agent = await first.agent('a1', '1001', { answerAfterMs: 1000 });
    const placed = sim!.control.placeCall({ from: '13812341234', to: '12345' });
    await first.until(() => states(agent).includes('answered'), 'answered');
    const callId = agent.last('screen-pop').callId;
    expect(await agent.call('hold')).toEqual({ ok: true });
    await first.until(() => states(agent).includes('held'), 'held');
    await first.run(2000);
    // When this server dies while the caller hears the music, and comes back
    await first.crash();
    await first.run(2000);
    h = await Harness.start({ clock, sim, dataDir: dir });
    const mohStops: string[] = [];
    sim!.engine.events.on('mohStop', (e) => mohStops.push(e.channel.id));
    // Then the desk shows the call held, and a second hold is refused
    const desk = await h.desktop('a1');
    expect(desk.last('current-call')).toMatchObject({ state: 'held', pop: { callId } });
    // (its sign-in was kept across the restart, issue 12: no need to sign in again)
    expect(desk.last('agent-state')).toMatchObject({ agentId: 'a1', status: 'on-call' });
    expect(await desk.call('hold')).toMatchObject({ ok: false, error: { statusCode: 409, code: 'conflict' } });
    // When the agent resumes, the caller's music stops and the two talk again
    expect(await desk.call('unhold')).toEqual({ ok: true });
    await h.until(() => states(desk).includes('resumed'), 'resumed');
    const callerInStasis = h.records.getCall(callId)!.callerChannelId;
    await h.until(() => mohStops.includes(callerInStasis), 'music stopped on the caller');
    // And the call ends normally when the caller hangs up
    sim!.control.hangupCall(placed.callerChannelId);
    await h.until(() => h!.records.getCall(callId)!.status === 'ended', 'ended');
    await h.until(() => h!.recordings.byCall(callId)[0]?.status === 'archived', 'archived');
  });

  it('during a three-way call: adopted with its third party; the agent leaves and the caller stays with it until it hangs up', async () => {
    const { clock, first } = await start();
    sim!.control.setExternal('110', { answerAfterMs: 1000, hangupAfterMs: 30_000 });
    const agent = await first.agent('a1', '1001', { answerAfterMs: 1000 });
    const placed = sim!.control.placeCall({ from: '13812341234', to: '12345' });
    await first.until(() => states(agent).includes('answered'), 'answered');
    const callId = agent.last('screen-pop').callId;
    expect(await agent.call('conference', { number: '110' })).toEqual({ ok: true });
    await first.until(() => states(agent).includes('conference'), 'three-way');
    await first.crash();
    await first.run(2000);
    h = await Harness.start({ clock, sim, dataDir: dir });
    const desk = await h.desktop('a1');
    expect(desk.last('current-call')).toMatchObject({ state: 'answered', pop: { callId } });
    // (its sign-in was kept across the restart, issue 12: no need to sign in again)
    expect(desk.last('agent-state')).toMatchObject({ agentId: 'a1', status: 'on-call' });
    // When the agent hangs up
    expect(await desk.call('hangup')).toEqual({ ok: true });
    await h.until(() => states(desk).includes('ended'), 'agent left');
    // Then the caller still talks with 110 in the recorded bridge
    await h.run(3000);
    expect(h.records.getCall(callId)!.status).toBe('active');
    await h.until(
      () => h!.layer.controller.agents().find((a) => a.agentId === 'a1')!.status !== 'on-call',
      'agent released',
    );
    // When 110 hangs up, the call ends and nothing is left on the PBX
    await h.until(() => h!.records.getCall(callId)!.status === 'ended', 'ended when 110 hung up');
    expect(h.records.getCall(callId)!.outcome).toBe('transferred');
    await h.until(() => h!.recordings.byCall(callId)[0]?.status === 'archived', 'archived');
    void placed;
  });
});
