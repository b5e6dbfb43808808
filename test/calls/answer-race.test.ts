/**
 * Issue 8: an agent who presses three-way, hold or transfer within about a second of `call-update answered`
 * got `409 no-call` from a real Asterisk, because the controller learned the agent's leg only once its queued
 * ARI requests (stop music, create bridge, add channels) came back. The simulator answers with Asterisk 22's
 * latency here (the harness default, callTestTiming()), and the desktop sends its command from inside the
 * `answered` handler: 0 ms after it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Harness, type Desktop } from './harness.ts';

type Ack = { ok: true } | { ok: false; error: { statusCode: number; code: string; message: string } };

/** Sends `event` from the desktop's own `call-update answered` handler, before anything else can happen. */
function onAnswered(agent: Desktop, event: string, payload: Record<string, unknown> = {}): Promise<Ack> {
  return new Promise((resolve, reject) => {
    const listener = (u: { state?: string }) => {
      if (u?.state !== 'answered') return;
      agent.socket.off('call-update', listener);
      agent.socket
        .timeout(5000)
        .emit(event, payload, (err: Error | null, ack: Ack) => (err ? reject(err) : resolve(ack)));
    };
    agent.socket.on('call-update', listener);
  });
}

const states = (agent: Desktop) => agent.received<{ state: string }>('call-update').map((u) => u.state);

describe('agent commands 0 ms after answered, with real REST latency', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    // A failed test may leave the call up; the passing path checks for leaks itself.
    await h?.close({ leakCheck: false });
    h = undefined;
  });

  async function answeredCall(command: string, payload?: Record<string, unknown>) {
    h = await Harness.start();
    expect(h.sim.timing.get()?.routes?.['POST /channels']).toBeDefined();
    h.sim.control.setExternal('110', { answerAfterMs: 1000 });
    h.sim.control.setExternal('12319', { answerAfterMs: 1000 });
    const agent = await h.agent('a1', '1001', { answerAfterMs: 1000 });
    const ack = onAnswered(agent, command, payload);
    const placed = h.sim.control.placeCall({ from: '13812341234', to: '12345' });
    await h.until(() => states(agent).includes('answered'), 'answered');
    const callId: string = agent.last('screen-pop').callId;
    return { h, agent, placed, callId, ack: await ack };
  }

  /** The caller hangs up; returns the call's final row once its recording is archived and nothing is left on the PBX. */
  async function endAndCheckLeaks(hh: Harness, callerChannelId: string, callId: string) {
    hh.sim.control.hangupCall(callerChannelId);
    await hh.until(() => hh.records.getCall(callId)?.status === 'ended', 'call ended');
    await hh.until(() => hh.recordings.byCall(callId)[0]?.status === 'archived', 'recording archived');
    const row = hh.records.getCall(callId);
    h = undefined;
    await hh.close();
    return row;
  }

  it('three-way: the third party is added to the call', async () => {
    const { h, agent, placed, callId, ack } = await answeredCall('conference', { number: '110' });
    expect(ack).toEqual({ ok: true });
    await h.until(() => states(agent).includes('conference'), 'three-way');
    expect(h.records.legs(callId).filter((l) => l.kind === 'third_party')).toHaveLength(1);
    await endAndCheckLeaks(h, placed.callerChannelId, callId);
  });

  it('hold: the caller is put on hold, and taken off it again', async () => {
    const { h, agent, placed, callId, ack } = await answeredCall('hold');
    expect(ack).toEqual({ ok: true });
    await h.until(() => states(agent).includes('held'), 'held');
    await h.run(1000);
    expect(await agent.call('unhold')).toEqual({ ok: true });
    await h.until(() => states(agent).includes('resumed'), 'resumed');
    await endAndCheckLeaks(h, placed.callerChannelId, callId);
  });

  it('blind transfer: the caller stays with the third party, the agent is released', async () => {
    const { h, agent, placed, callId, ack } = await answeredCall('transfer', { number: '12319' });
    expect(ack).toEqual({ ok: true });
    await h.until(() => states(agent).includes('transferred'), 'transferred');
    await h.until(
      () => h.layer.controller.agents().find((a) => a.agentId === 'a1')?.status !== 'on-call',
      'agent released',
    );
    expect(h.records.getCall(callId)?.status).toBe('active');
    expect((await endAndCheckLeaks(h, placed.callerChannelId, callId))?.outcome).toBe('transferred');
  });
});
