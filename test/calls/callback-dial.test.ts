import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/shared/clock.ts';
import { CallbackStateError } from '../../src/store/calls-repo.ts';
import { Harness } from './harness.ts';

/**
 * Callback dial-out (回拨, issue 10 item 3) end to end on the simulator: the agent's phone rings, then the
 * citizen is dialled through EXTERNAL_DIAL_TEMPLATE with caller id 12345, bridged and recorded; the outcome is
 * chosen afterwards (never defaulted); no answer is retried by the plan (3 tries, 30 min apart), never in quiet
 * hours (22:00–08:00 Beijing time), on the fake clock.
 */

const CITIZEN = '13912345678';
const states = (d: { received<T>(n: string): T[] }) => d.received<{ state: string }>('call-update').map((u) => u.state);

describe('callback dial-out on the simulator', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  /** Given a missed call from the citizen on the callback list. */
  function missedCall(harness: Harness): number {
    const at = harness.clock.now() - 3_600_000;
    harness.records.insertCall({
      id: 'c-missed',
      callerChannelId: 'old-ch',
      callerNumber: CITIZEN,
      dialedNumber: '12345',
      status: 'ended',
      phase: 'ended',
      arrivedAt: at,
      skill: 'mandarin',
      outcome: 'abandoned_queue',
      endedAt: at + 40_000,
    });
    return harness.records.addCallback({
      callId: 'c-missed',
      number: CITIZEN,
      reason: 'abandoned_queue',
      createdAt: at + 40_000,
      waitedMs: 40_000,
    }).id;
  }

  const dial = async (id: number) => {
    const r = await h!.layer.controller.callbacks.dial('a1', id);
    if ('code' in r) throw new Error(`refused: ${r.message}`);
    return r.callId;
  };

  it('reached: agent rung first, citizen dialled with caller id 12345, bridged, recorded, popped with the history; outcome chosen after', async () => {
    h = await Harness.start();
    const id = missedCall(h);
    const agent = await h.agent('a1', '1001', { answerAfterMs: 500 });
    h.sim.control.setExternal(CITIZEN, { answerAfterMs: 1000, hangupAfterMs: 8000 });
    const sup = await h.supervisor('s1');

    // When the agent takes the callback
    const callId = await dial(id);
    // Then their desk pops the original call's data and the callback's history while their phone rings
    await h.until(() => agent.received('screen-pop').length > 0, 'pop');
    const pop = agent.last('screen-pop');
    expect(pop).toMatchObject({
      callId,
      skill: 'callback',
      callback: { callbackId: id, originalCallId: 'c-missed' },
      callbackHistory: {
        callbackId: id,
        tries: 0,
        reason: 'abandoned_queue',
        original: { callId: 'c-missed', skill: 'mandarin' },
      },
    });
    // And the citizen is dialled only once the agent answered, showing the hotline's number
    await h.until(() => states(agent).includes('dialling'), 'dialling');
    const citizenLeg = `${callId}-c1`;
    await h.until(() => h!.sim.engine.getChannel(citizenLeg) !== undefined, 'citizen leg');
    expect(h.sim.engine.getChannel(citizenLeg)!.caller.number).toBe('12345');
    expect(h.sim.engine.getChannel(citizenLeg)!.name).toMatch(new RegExp(`^Local/${CITIZEN}@external`));
    // When the citizen answers, they and the agent hear each other, and the call is recorded
    await h.until(() => states(agent).includes('answered'), 'answered');
    await h.until(() => h!.sim.engine.hears(CITIZEN).includes('1001'), 'bridged');
    expect(h.sim.engine.hears('1001')).toEqual([CITIZEN]);
    await h.until(() => h!.recordings.byCall(callId).length > 0, 'recording row');
    // The list shows the callback as being dialled
    expect(sup.last('callback')).toMatchObject({ id, diallingBy: 'a1', tries: 0, status: 'pending' });

    // When the citizen hangs up
    await h.until(() => h!.layer.controller.liveCalls().size === 0, 'call over');
    // Then nothing is recorded by default: the callback waits for the agent's outcome
    expect(h.records.getCallback(id)).toMatchObject({
      status: 'pending',
      outcome: null,
      diallingBy: 'a1',
      tries: 0,
    });
    await h.until(() => h!.recordings.byCall(callId)[0]?.status === 'archived', 'recording archived');
    expect(h.records.getCall(callId)).toMatchObject({ callerNumber: CITIZEN, agentId: 'a1', outcome: 'answered' });

    // When the agent chooses "reached"
    const done = h.records.recordCallbackOutcome(id, 'reached', 'a1', h.clock.now(), null);
    expect(done).toMatchObject({ status: 'done', outcome: 'reached', tries: 1, diallingBy: null, nextTryAt: null });
    expect(h.records.callbackAttempts(id)).toEqual([
      expect.objectContaining({ callId, agentId: 'a1', outcome: 'reached' }),
    ]);
  });

  it('no answer: retried 30 min later, at most 3 tries; never dialled early or twice at once', async () => {
    h = await Harness.start();
    const id = missedCall(h);
    const agent = await h.agent('a1', '1001', { answerAfterMs: 500 });
    // The citizen's phone rings and nobody answers
    h.sim.control.setExternal(CITIZEN, {});

    for (let t = 1; t <= 3; t++) {
      // When the agent dials (try t)
      const callId = await dial(id);
      // Then the citizen is not reached; the agent hears why and the call ends
      await h.until(() => h!.layer.controller.liveCalls().size === 0, `try ${t} over`, { stepMs: 500 });
      const failedOf = () =>
        agent
          .received<{ callId: string; state: string; detail?: string }>('call-update')
          .find((u) => u.callId === callId && u.state === 'callback-failed');
      await agent.until(() => failedOf() !== undefined);
      const failed = failedOf();
      expect(failed?.detail).toBe('no_answer');
      expect(h.records.getCall(callId)!.outcome).toBe('callback-failed');
      // And a second dial before the outcome is refused: the agent must choose one first
      await expect(h!.layer.controller.callbacks.dial('a1', id)).rejects.toThrow(CallbackStateError);
      // When the agent chooses "no answer"
      const row = h.records.recordCallbackOutcome(id, 'no_answer', 'a1', h.clock.now(), null);
      if (t < 3) {
        // Then the callback stays on the list with the next try 30 minutes on
        expect(row).toMatchObject({ status: 'pending', tries: t, outcome: 'no_answer' });
        expect(row.nextTryAt).toBe(h.clock.now() + 30 * 60_000);
        let early: unknown;
        try {
          await h.layer.controller.callbacks.dial('a1', id);
        } catch (err) {
          early = err;
        }
        expect(early).toMatchObject({ code: 'too_early' });
        await h.run(30 * 60_000, 5000);
      } else {
        // Then after the third try the callback is closed as not reached
        expect(row).toMatchObject({ status: 'done', tries: 3, outcome: 'no_answer', nextTryAt: null });
      }
    }
    expect(h.records.callbackAttempts(id).map((a) => a.outcome)).toEqual(['no_answer', 'no_answer', 'no_answer']);
  });

  it('quiet hours: a retry falling after 22:00 waits until 08:00, and nobody is dialled in between', async () => {
    // 21:50 in Beijing (13:50 UTC)
    h = await Harness.start({ clock: new FakeClock(Date.UTC(2026, 0, 5, 13, 50, 0)) });
    const id = missedCall(h);
    await h.agent('a1', '1001', { answerAfterMs: 500 });
    h.sim.control.setExternal(CITIZEN, { busy: true });

    await dial(id);
    await h.until(() => h!.layer.controller.liveCalls().size === 0, 'busy try over');
    const row = h.records.recordCallbackOutcome(id, 'busy', 'a1', h.clock.now(), null);
    // The next try would be at about 22:20: it moves to 08:00 the next morning (00:00 UTC)
    expect(row).toMatchObject({
      status: 'pending',
      tries: 1,
      outcome: 'busy',
      nextTryAt: Date.UTC(2026, 0, 6, 0, 0, 0),
    });

    // At 23:00 Beijing time the callback cannot be dialled
    await h.run(Date.UTC(2026, 0, 5, 15, 0, 0) - h.clock.now(), 5000);
    let quiet: unknown;
    try {
      await h.layer.controller.callbacks.dial('a1', id);
    } catch (err) {
      quiet = err;
    }
    expect(quiet).toMatchObject({ code: 'quiet_hours' });
    expect(h.records.getCallback(id)).toMatchObject({ diallingBy: null, tries: 1 });

    // At 08:00 it can
    h.sim.control.setExternal(CITIZEN, { answerAfterMs: 1000, hangupAfterMs: 3000 });
    await h.run(Date.UTC(2026, 0, 6, 0, 0, 0) - h.clock.now(), 5000);
    const callId = await dial(id);
    await h.until(() => h!.records.getCall(callId)?.answeredAt != null, 'reached at 08:00');
    await h.until(() => h!.layer.controller.liveCalls().size === 0, 'call over');
    expect(h.records.recordCallbackOutcome(id, 'reached', 'a1', h.clock.now(), null)).toMatchObject({
      status: 'done',
      tries: 2,
    });
  });

  it('an agent not free cannot take a callback, and the callback is given back untouched', async () => {
    h = await Harness.start();
    const id = missedCall(h);
    // Not signed in
    const r = await h.layer.controller.callbacks.dial('a1', id);
    expect(r).toMatchObject({ code: 'unknown-agent', reason: 'agent-not-signed-in' });
    expect(h.records.getCallback(id)).toMatchObject({ diallingBy: null, tries: 0, status: 'pending' });
    expect(h.records.callbackAttempts(id)).toEqual([]);
    expect(h.layer.controller.liveCalls().size).toBe(0);
  });
});
