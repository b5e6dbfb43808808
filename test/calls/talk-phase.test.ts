import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from './harness.ts';

const states = (d: { received<T>(n: string): T[] }) => d.received<{ state: string }>('call-update').map((u) => u.state);

/** Runs a command the way either controller generation answers it: a refusal (returned or thrown) or null. */
function attempt(fn: () => unknown): unknown {
  try {
    return fn() ?? null;
  } catch (err) {
    return err;
  }
}

describe('talk phase on the simulator', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('hold, three-way and transfer commanded 0 ms after answered are accepted and carried out in order', async () => {
    h = await Harness.start();
    h.sim.control.setExternal('110', { answerAfterMs: 1000 });
    const agent = await h.agent('a1', '1001', { answerAfterMs: 1000 });
    const results: unknown[] = [];
    // The moment the domain tells the desktop "answered", before any ARI request of the answer has returned.
    const off = h.layer.events.on('callUpdate', (agentId, u) => {
      if (agentId !== 'a1' || u.state !== 'answered') return;
      const c = h!.layer.controller;
      results.push(
        attempt(() => c.hold('a1')),
        attempt(() => c.unhold('a1')),
        attempt(() => c.conference('a1', '110')),
      );
    });
    const placed = h.sim.control.placeCall({ from: '13812341234', to: '12345' });
    await h.until(() => states(agent).includes('conference'), 'three-way connected');
    off();
    expect(results).toEqual([null, null, null]);
    expect(states(agent)).toEqual(['answered', 'held', 'resumed', 'transferring', 'conference']);
    const callId = agent.last('screen-pop').callId;
    const bridgeId = h.records.getCall(callId)!.bridgeId!;
    // Caller, agent and 110 in the one recorded bridge.
    const caller = h.records.getCall(callId)!.callerChannelId;
    // The desktop hears "conference" when the domain decides it; under REST latency the add-channel request may still be in flight.
    const inBridge = () => h!.sim.control.state().bridges.find((b) => b.id === bridgeId)?.channels ?? [];
    await h.until(
      () => [caller, `${callId}-a1`, `${callId}-p1`].every((c) => inBridge().includes(c)),
      'three-way bridged on the PBX',
    );
    expect(inBridge()).toEqual(expect.arrayContaining([caller, `${callId}-a1`, `${callId}-p1`]));
    h.sim.control.hangupCall(placed.callerChannelId);
    await h.until(() => h!.recordings.byCall(callId)[0]?.status === 'archived', 'archived');
  });

  it('attended transfer to a number: caller held and recorded, the consultation recorded too; complete joins caller and party', async () => {
    h = await Harness.start();
    h.sim.control.setExternal('12319', { answerAfterMs: 1000 });
    const agent = await h.agent('a1', '1001', { answerAfterMs: 1000 });
    const placed = h.sim.control.placeCall({ from: '13812341234', to: '12345' });
    await h.until(() => states(agent).includes('answered'), 'answered');
    const callId = agent.last('screen-pop').callId;
    await h.run(2000);
    // When the agent consults 12319
    expect(await agent.call('consult', { number: '12319' })).toEqual({ ok: true });
    expect(await agent.call('consult-complete')).toMatchObject({
      ok: false,
      error: { statusCode: 409, code: 'consult-not-answered' },
    });
    await h.until(() => states(agent).includes('consult-connected'), 'consultation connected');
    // Then the agent and 12319 talk in a bridge of their own while the caller, alone in the recorded bridge, is held
    const { bridgeId: main, callerChannelId: caller } = h.records.getCall(callId)!;
    const agentLeg = h.records.legs(callId).find((l) => l.kind === 'agent')!.channelId;
    const partyLeg = h.records.legs(callId).find((l) => l.kind === 'consult')!.channelId;
    // "consult-connected" is decided before the PBX has moved the legs (REST latency): wait for the bridges, then look.
    await h.until(() => {
      const bs = h!.sim.control.state().bridges;
      const consultChannels = bs.find((b) => b.id !== main && b.id.includes(callId))?.channels ?? [];
      return (
        consultChannels.includes(agentLeg) &&
        consultChannels.includes(partyLeg) &&
        !bs.find((b) => b.id === main)?.channels.includes(agentLeg)
      );
    }, 'consultation bridged on the PBX');
    const bridges = h.sim.control.state().bridges;
    expect(bridges.find((b) => b.id === main)?.channels).toContain(caller);
    expect(bridges.find((b) => b.id === main)?.channels).not.toContain(agentLeg);
    expect(bridges.find((b) => b.id !== main && b.id.includes(callId))?.channels).toEqual(
      expect.arrayContaining([agentLeg, partyLeg]),
    );
    await h.run(3000);
    // When the agent completes
    expect(await agent.call('consult-complete')).toEqual({ ok: true });
    await h.until(() => states(agent).includes('ended'), 'agent left');
    expect(states(agent)).toEqual(['answered', 'consulting', 'consult-connected', 'transferred', 'ended']);
    await h.until(
      () => h!.layer.controller.agents().find((a) => a.agentId === 'a1')!.status === 'wrap-up',
      'agent released',
    );
    await h.until(
      () =>
        h!.sim.control
          .state()
          .bridges.find((b) => b.id === main)
          ?.channels.includes(partyLeg) === true,
      'party joined the caller',
    );
    await h.until(
      () => h!.sim.control.state().bridges.filter((b) => b.id.includes(callId)).length === 1,
      'consultation bridge gone',
    );
    expect(h.records.getCall(callId)!.status).toBe('active');
    await h.run(2000);
    h.sim.control.hangupCall(placed.callerChannelId);
    await h.until(() => h!.records.getCall(callId)!.status === 'ended', 'ended');
    const row = h.records.getCall(callId)!;
    expect(row.outcome).toBe('transferred');
    expect(row.transferNumber).toBe('12319');
    // Two recordings linked to the call: the caller's bridge throughout, and the consultation.
    await h.until(
      () =>
        h!.recordings.byCall(callId).length === 2 && h!.recordings.byCall(callId).every((r) => r.status === 'archived'),
      'both archived',
    );
    const [whole, consult] = [...h.recordings.byCall(callId)].sort((a, b) => a.startedAt - b.startedAt);
    expect(Math.abs(whole!.durationMs! - (row.endedAt! - row.answeredAt!))).toBeLessThanOrEqual(2000);
    expect(consult!.name).toMatch(/consult$/);
    expect(consult!.durationMs!).toBeGreaterThan(2000);
  });

  it('attended transfer to a colleague, cancelled: the colleague is released, the agent is back with the caller', async () => {
    h = await Harness.start();
    const agent = await h.agent('a1', '1001', { answerAfterMs: 1000 });
    const placed = h.sim.control.placeCall({ from: '13812341234', to: '12345' });
    await h.until(() => states(agent).includes('answered'), 'answered');
    const callId = agent.last('screen-pop').callId;
    const colleague = await h.agent('a2', '1002', { answerAfterMs: 1000 });
    expect(await agent.call('consult', { agentId: 'a2' })).toEqual({ ok: true });
    await h.until(() => states(colleague).includes('answered'), 'colleague answered');
    expect(colleague.last('screen-pop')).toMatchObject({ callId, transfer: { fromAgentId: 'a1', reason: 'consult' } });
    await h.until(() => states(agent).includes('consult-connected'), 'consultation connected');
    expect(await agent.call('consult-cancel')).toEqual({ ok: true });
    await h.until(() => states(colleague).includes('ended'), 'colleague released');
    const main = h.records.getCall(callId)!.bridgeId!;
    await h.until(
      () =>
        h!.sim.control
          .state()
          .bridges.find((b) => b.id === main)
          ?.channels.includes(`${callId}-a1`) === true,
      'agent back in the bridge',
    );
    await h.until(
      () => h!.sim.control.state().bridges.filter((b) => b.id.includes(callId)).length === 1,
      'consultation bridge gone',
    );
    expect(await agent.call('hold')).toEqual({ ok: true });
    h.sim.control.hangupCall(placed.callerChannelId);
    await h.until(() => h!.records.getCall(callId)!.status === 'ended', 'ended');
    expect(h.records.getCall(callId)!.outcome).toBe('answered');
    await h.until(
      () =>
        h!.recordings.byCall(callId).every((r) => r.status === 'archived') && h!.recordings.byCall(callId).length === 2,
      'archived',
    );
  });

  it('transfer to a ready agent: the pop notes who and why; the call keeps its first answer; a desk nobody staffs is refused', async () => {
    h = await Harness.start();
    const agent = await h.agent('a1', '1001', { answerAfterMs: 1000 });
    const placed = h.sim.control.placeCall({ from: '13812341234', to: '12345' });
    await h.until(() => states(agent).includes('answered'), 'answered');
    const callId = agent.last('screen-pop').callId;
    const answeredAt = h.records.getCall(callId)!.answeredAt;
    expect(await agent.call('transfer-to-desk', { skill: 'zhuang' })).toMatchObject({
      ok: false,
      error: { statusCode: 409, code: 'desk-unstaffed', messageZh: '该坐席组当前无人签入，不能转入' },
    });
    expect(await agent.call('transfer-to-agent', { agentId: 'a2' })).toMatchObject({
      ok: false,
      error: { statusCode: 409, code: 'agent-not-signed-in' },
    });
    expect(await agent.call('transfer-to-agent', {})).toMatchObject({ ok: false, error: { statusCode: 400 } });
    const colleague = await h.agent('a2', '1002', { answerAfterMs: 2000 });
    expect(await agent.call('transfer-to-agent', { agentId: 'a2', reason: '住房问题' })).toEqual({ ok: true });
    await colleague.until(() => colleague.received('screen-pop').length > 0);
    expect(colleague.last('screen-pop')).toMatchObject({ callId, transfer: { fromAgentId: 'a1', reason: '住房问题' } });
    await h.until(() => states(colleague).includes('answered'), 'colleague answered');
    expect(states(agent)).toEqual(['answered', 'transferred', 'ended']);
    await h.run(2000);
    h.sim.control.hangupCall(placed.callerChannelId);
    await h.until(() => h!.records.getCall(callId)!.status === 'ended', 'ended');
    const row = h.records.getCall(callId)!;
    expect(row).toMatchObject({ outcome: 'answered', agentId: 'a2', answeredAt });
    await h.until(() => h!.recordings.byCall(callId)[0]?.status === 'archived', 'archived');
    expect(h.recordings.byCall(callId)).toHaveLength(1);
  });

  it('a voice-menu transfer to 110 is bridged, recorded, archived and linked to the call', async () => {
    h = await Harness.start();
    h.sim.control.setExternal('110', { answerAfterMs: 1000 });
    const placed = h.sim.control.placeCall({
      from: '13812341234',
      to: '12345',
      script: [
        { kind: 'awaitPrompt', media: 'hotline/desk-choice' },
        { kind: 'dtmf', digits: '1' },
        { kind: 'awaitPrompt', media: 'hotline/emergency-advice' },
        { kind: 'dtmf', digits: '1' },
      ],
    });
    await h.until(() => [...h!.records.activeCalls()].some((c) => c.transferNumber === '110'), 'transferred');
    const callId = h.records.activeCalls().find((c) => c.transferNumber === '110')!.id;
    await h.until(() => h!.recordings.byCall(callId).length === 1, 'recording started');
    await h.run(5000);
    h.sim.control.hangupCall(placed.callerChannelId);
    await h.until(() => h!.recordings.byCall(callId)[0]?.status === 'archived', 'archived');
    const row = h.records.getCall(callId)!;
    expect(row).toMatchObject({ status: 'ended', outcome: 'transferred', transferNumber: '110' });
    expect(h.recordings.byCall(callId)[0]!.durationMs!).toBeGreaterThan(3000);
  });
});
