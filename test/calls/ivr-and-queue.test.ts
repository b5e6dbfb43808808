import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from './harness.ts';

const waitPrompt = (media: string) => ({ kind: 'awaitPrompt' as const, media });

describe('IVR navigation and the ACD queue on the simulator', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('DTMF through two menu levels reaches the chosen desk, and the pop shows the path', async () => {
    h = await Harness.start();
    const mandarin = await h.agent('m1', '1001', { answerAfterMs: 1000 }, ['mandarin']);
    const zhuang = await h.agent('z1', '1002', { answerAfterMs: 1000 }, ['zhuang']);
    const placed = h.sim.control.placeCall({
      from: '13912345678',
      to: '12345',
      script: [
        waitPrompt('hotline/desk-choice'),
        { kind: 'dtmf', digits: '2' },
        waitPrompt('hotline/emergency-advice'),
        { kind: 'dtmf', digits: '0' },
      ],
    });
    await h.until(
      () => zhuang.received('call-update').some((u: any) => u.state === 'answered'),
      'zhuang desk answered',
    );
    const pop = zhuang.last('screen-pop');
    expect(pop.skill).toBe('zhuang');
    expect(pop.ivrChoices.map((c: any) => [c.node, c.digit])).toEqual([
      ['desk', '2'],
      ['emergency-advice', '0'],
    ]);
    expect(mandarin.received('screen-pop')).toHaveLength(0);
    const row = h.records.getCall(pop.callId)!;
    expect(row.skill).toBe('zhuang');
    expect(JSON.parse(row.ivrPath).map((c: any) => c.digit)).toEqual(['2', '0']);
    await h.run(3000);
    h.sim.control.hangupCall(placed.callerChannelId);
    await h.until(() => h!.recordings.byCall(pop.callId)[0]?.status === 'archived', 'archived');
  });

  it('invalid input is re-prompted and a time-out moves on; both are counted in the CDR', async () => {
    h = await Harness.start();
    const agent = await h.agent('m1', '1001', { answerAfterMs: 1000 });
    const placed = h.sim.control.placeCall({
      from: '13912345678',
      to: '12345',
      // 5 is not an option of the desk menu; then the caller presses nothing at all.
      script: [waitPrompt('hotline/desk-choice'), { kind: 'dtmf', digits: '5' }],
    });
    await h.until(() => agent.received('screen-pop').length > 0, 'offered');
    const callId = agent.last('screen-pop').callId;
    const log = h.sim.control
      .callLog(placed.callerChannelId)
      .filter((e) => e.kind === 'prompt')
      .map((e: any) => e.media);
    const invalidAt = log.findIndex((m: string) => m.includes('hotline/invalid-input'));
    expect(invalidAt).toBeGreaterThan(0);
    // The menu is played again after the invalid-input prompt.
    expect(log.slice(invalidAt).some((m: string) => m.includes('hotline/desk-choice'))).toBe(true);
    await h.until(() => agent.received('call-update').some((u: any) => u.state === 'answered'), 'answered');
    const row = h.records.getCall(callId)!;
    expect(row.ivrInvalidInputs).toBe(1);
    expect(row.ivrTimeouts).toBeGreaterThanOrEqual(1);
    expect(row.skill).toBe('mandarin');
    await h.run(3000);
    h.sim.control.hangupCall(placed.callerChannelId);
    await h.until(() => h!.records.getCall(callId)!.status === 'ended', 'ended');
    await h.until(() => h!.recordings.byCall(callId)[0]?.status === 'archived', 'archived');
  });

  it('ring-no-answer pauses the agent with RONA and re-offers the call ahead of a later caller', async () => {
    h = await Harness.start();
    const sleepy = await h.agent('sleepy', '1001', {}); // never answers
    const a = h.sim.control.placeCall({ from: '13800000001', to: '12345' });
    await h.until(() => sleepy.received('screen-pop').length > 0, 'first offer');
    const callA = sleepy.last('screen-pop').callId;
    const b = h.sim.control.placeCall({ from: '13800000002', to: '12345' });
    await h.until(
      () =>
        h!.layer.controller.liveCalls().size === 2 &&
        [...h!.layer.controller.liveCalls().values()].every((c) => c.record?.queuedAt !== undefined),
      'both queued',
    );
    // 10 s ring timeout (config/ivr.json acd.ringTimeoutMs).
    await h.until(
      () => sleepy.received('call-update').some((u: any) => u.callId === callA && u.state === 'withdrawn'),
      'RONA',
    );
    const st = h.layer.controller.agents().find((x) => x.agentId === 'sleepy')!;
    expect(st.status).toBe('paused');
    expect(st.pauseReason).toBe('RONA');
    const awake = await h.agent('awake', '1002', { answerAfterMs: 1000 });
    await h.until(() => awake.received('screen-pop').length > 0, 'second offer');
    expect(awake.received('screen-pop')[0].callId).toBe(callA);
    await h.until(() => awake.received('call-update').some((u: any) => u.state === 'answered'), 'answered');
    const row = h.records.getCall(callA)!;
    expect(row.ronaCount).toBe(1);
    expect(row.offers).toBe(2);
    expect(h.records.legs(callA).find((l) => l.agentId === 'sleepy')?.outcome).toBe('no_answer');
    await h.run(3000);
    h.sim.control.hangupCall(a.callerChannelId);
    h.sim.control.hangupCall(b.callerChannelId);
    await h.until(() => h!.layer.controller.liveCalls().size === 0, 'all ended');
    await h.until(() => h!.recordings.byCall(callA)[0]?.status === 'archived', 'archived');
  });

  it('pre-warning at 15 s and escalation at 20 s after the IVR exit, with the breach cause', async () => {
    h = await Harness.start();
    const sup = await h.supervisor();
    // Only a Zhuang agent is ready: a Mandarin caller waits until the overflow (any skill) takes it.
    const zhuang = await h.agent('z1', '1002', { answerAfterMs: 1000 }, ['zhuang']);
    const placed = h.sim.control.placeCall({ from: '13800000003', to: '12345' });
    await h.until(() => sup.received('alert').some((a: any) => a.kind === 'answer-prewarning'), 'pre-warning');
    const pre = sup.received('alert').find((a: any) => a.kind === 'answer-prewarning');
    const row0 = h.records.getCall(pre.callId)!;
    expect(pre.at - row0.ivrExitAt!).toBe(15_000);
    expect(zhuang.received('screen-pop')).toHaveLength(0);
    await h.until(() => sup.received('alert').some((a: any) => a.kind === 'answer-breach'), 'breach');
    const breach = sup.received('alert').find((a: any) => a.kind === 'answer-breach');
    expect(breach.at - row0.ivrExitAt!).toBe(20_000);
    expect(breach.cause).toBe('nobody-ready');
    await h.until(() => zhuang.received('screen-pop').length > 0, 'overflow offer');
    expect(zhuang.last('screen-pop').callId).toBe(pre.callId);
    await h.until(() => zhuang.received('call-update').some((u: any) => u.state === 'answered'), 'answered');
    const row = h.records.getCall(pre.callId)!;
    expect(row.prewarnedAt! - row.ivrExitAt!).toBe(15_000);
    expect(row.breachAt! - row.ivrExitAt!).toBe(20_000);
    expect(row.breachCause).toBe('nobody-ready');
    expect(row.answerMs).toBeGreaterThan(20_000);
    // Figures pushed on change: the breach counts against the regulator's rate.
    await h.run(500);
    const fig = sup.last('figures');
    expect(fig.today.breaches).toBe(1);
    expect(fig.today.regulatorRate).toBe(0);
    await h.run(3000);
    h.sim.control.hangupCall(placed.callerChannelId);
    await h.until(() => h!.recordings.byCall(pre.callId)[0]?.status === 'archived', 'archived');
  });

  it('a caller who hangs up while queued lands on the callback list, pushed to supervisors with the number masked', async () => {
    h = await Harness.start();
    const sup = await h.supervisor();
    const placed = h.sim.control.placeCall({ from: '13812341234', to: '12345' });
    await h.until(
      () => [...h!.layer.controller.liveCalls().values()].some((c) => c.record?.queuedAt !== undefined),
      'queued',
    );
    await h.run(3000);
    h.sim.control.hangupCall(placed.callerChannelId);
    await h.until(() => sup.received('callback').length > 0, 'callback pushed');
    const cb = sup.last('callback');
    expect(cb.reason).toBe('abandoned_queue');
    expect(cb.status).toBe('pending');
    // A supervisor has phone:see-full.
    expect(cb.number).toBe('13812341234');
    expect(cb.waitedMs).toBeGreaterThanOrEqual(3000);
    const row = h.records.getCall(cb.callId)!;
    expect(row.outcome).toBe('abandoned');
    const done = h.records.recordCallbackOutcome(cb.id, 'reached', 'sup', h.clock.now(), 'explained');
    expect(done.status).toBe('done');
    expect(() => h!.records.recordCallbackOutcome(cb.id, 'reached', 'sup', h!.clock.now(), null)).toThrow(/already/);
  });
});
