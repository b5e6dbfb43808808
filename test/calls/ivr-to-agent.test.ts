import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from './harness.ts';

describe('call flow on the simulator', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('a caller who presses nothing reaches an agent; the call is bridged and recorded', async () => {
    h = await Harness.start();
    const agent = await h.agent('agent1', '1001', { answerAfterMs: 2000 });
    const placed = h.sim.control.placeCall({ from: '13812341234', to: '12345' });
    await h.until(() => agent.received('screen-pop').length > 0, 'screen-pop');
    await h.until(() => agent.received('call-update').some((u: any) => u.state === 'answered'), 'answered');
    const callId = agent.last('screen-pop').callId;
    const row = h.records.getCall(callId)!;
    expect(row.phase).toBe('talking');
    expect(row.answerMs).toBeGreaterThanOrEqual(2000);
    expect(row.ivrExitAt).not.toBeNull();
    const bridged = () => {
      const r = h!.records.getCall(callId)!;
      const b = h!.sim.control.state().bridges.find((x) => x.id === r.bridgeId);
      return (
        b?.channels.includes(r.callerChannelId) === true &&
        h!.records.legs(callId).some((l) => l.kind === 'agent' && b.channels.includes(l.channelId))
      );
    };
    await h.until(bridged, 'caller and agent in one bridge');
    await h.until(
      () => h!.sim.control.state().bridges.length === 1 && h!.recordings.byCall(callId).length === 1,
      'recording started',
    );
    await h.run(5000);
    h.sim.control.hangupCall(placed.callerChannelId);
    await h.until(() => h!.records.getCall(callId)!.status === 'ended', 'call ended');
    await h.until(() => h!.recordings.byCall(callId)[0]?.status === 'archived', 'recording archived');
    const ended = h.records.getCall(callId)!;
    expect(ended.outcome).toBe('answered');
    expect(
      h.records
        .legs(callId)
        .map((l) => l.kind)
        .sort(),
    ).toEqual(['agent', 'caller']);
  });
});
