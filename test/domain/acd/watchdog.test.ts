import { describe, expect, it } from 'vitest';
import type { AcdConfig } from '../../../src/domain/acd/acd-config.ts';
import { loadIvrConfig } from '../../../src/ivr-config/load-ivr-config.ts';
import { Harness } from '../calls/harness.ts';

const base = loadIvrConfig();
const withAcd = (acd: Partial<AcdConfig>) => ({ ...base, acd: { ...base.acd, announceEveryMs: 0, ...acd } });

describe('the answer watchdog (art. 25)', () => {
  it('alerts supervisors at 15 s and escalates at 20 s after IVR exit, recording the breach', () => {
    const h = new Harness(withAcd({}));
    h.signIn('cantonese-1', ['cantonese']);
    h.toQueue('c1', '1');
    const exit = h.record('c1')!.ivrExitAt!;
    expect(exit).toBe(h.now);

    h.advance(14_999);
    expect(h.all('alert')).toEqual([]);
    h.advance(1);
    expect(h.all('alert')).toEqual([
      expect.objectContaining({
        level: 'warning',
        kind: 'answer-prewarning',
        callId: 'c1',
        skill: 'mandarin',
        waitedMs: 15_000,
      }),
    ]);
    expect(h.record('c1')?.prewarnedAt).toBe(exit + 15_000);
    // Not yet escalated: the other desk's agent is not offered the call.
    expect(h.all('originate-agent')).toEqual([]);

    h.advance(4_999);
    expect(h.all('alert')).toHaveLength(1);
    h.advance(1);
    expect(h.lastOf('alert')).toMatchObject({
      level: 'critical',
      kind: 'answer-breach',
      callId: 'c1',
      waitedMs: 20_000,
      cause: 'nobody-ready',
    });
    expect(h.record('c1')?.breach).toEqual({ at: exit + 20_000, cause: 'nobody-ready' });
    expect(h.record('c1')?.escalatedAt).toBe(exit + 20_000);
    // Overflow (any skill): the Cantonese desk agent now gets it.
    expect(h.lastOf('originate-agent')).toMatchObject({ agentId: 'cantonese-1', callId: 'c1' });
    h.advance(3_000);
    h.send({ type: 'agent-answered', agentId: 'cantonese-1', callId: 'c1', agentChannelId: 'l' });
    expect(h.record('c1')?.answerMs).toBe(23_000);
  });

  it.each([
    {
      cause: 'nobody-ready',
      setup: (h: Harness) => {
        h.signIn('m', ['mandarin']);
        h.send({ type: 'agent-pause', agentId: 'm', reason: 'lunch' });
      },
    },
    {
      cause: 'all-busy',
      setup: (h: Harness) => {
        h.signIn('m', ['mandarin']);
        h.toQueue('other', '1');
        h.send({ type: 'agent-answered', agentId: 'm', callId: 'other', agentChannelId: 'l' });
      },
    },
    {
      cause: 'rona',
      setup: (h: Harness) => {
        h.signIn('m', ['mandarin']);
      },
    },
    {
      cause: 'still-ringing',
      setup: (h: Harness) => {
        h.signIn('m', ['mandarin']);
        h.send({ type: 'agent-pause', agentId: 'm', reason: 'meeting' });
      },
      during: (h: Harness) => {
        h.advance(16_000);
        h.send({ type: 'agent-ready', agentId: 'm' });
      },
    },
  ])('records the breach cause $cause', ({ cause, setup, during }) => {
    const h = new Harness(withAcd({ overflow: [] }));
    setup(h);
    h.toQueue('c1', '1');
    const exit = h.now;
    during?.(h);
    h.advance(exit + 20_000 - h.now);
    expect(h.record('c1')?.breach).toEqual({ at: exit + 20_000, cause });
    expect(h.lastOf('alert')).toMatchObject({ kind: 'answer-breach', cause });
  });

  it('the leaders overflow group takes escalated calls from the leaders on duty per the rota only', () => {
    const h = new Harness(withAcd({ overflow: ['leaders'] }));
    h.signIn('cantonese-1', ['cantonese']);
    h.signIn('leader', ['zhuang']);
    h.send({
      type: 'rota-set',
      spans: [
        { spanId: 's1', agentId: 'leader', from: h.now - 60_000, to: h.now + 3_600_000, seat: '8001', skill: null },
      ],
    });
    h.toQueue('c1', '1');
    h.advance(20_000);
    expect(h.all('originate-agent')).toEqual([expect.objectContaining({ agentId: 'leader', callId: 'c1' })]);
  });

  it('thresholds come from config', () => {
    const h = new Harness(withAcd({ prewarnMs: 8_000, breachMs: 12_000 }));
    h.toQueue('c1', '1');
    h.advance(8_000);
    expect(h.all('alert').map((a) => a.kind)).toEqual(['answer-prewarning']);
    h.advance(4_000);
    expect(h.all('alert').map((a) => a.kind)).toEqual(['answer-prewarning', 'answer-breach']);
  });

  it('a call answered within the target raises no alert and leaves no timer', () => {
    const h = new Harness(withAcd({}));
    h.signIn('m', ['mandarin']);
    h.toQueue('c1', '1');
    h.advance(9_000);
    h.send({ type: 'agent-answered', agentId: 'm', callId: 'c1', agentChannelId: 'l' });
    h.advance(60_000);
    expect(h.all('alert')).toEqual([]);
    expect(h.record('c1')).toMatchObject({ answerMs: 9_000 });
    expect(h.record('c1')?.breach).toBeUndefined();
  });
});

describe('missed calls', () => {
  it('a caller who hangs up while queued lands on the callback list', () => {
    const h = new Harness(withAcd({}));
    h.toQueue('c1', '1');
    h.advance(7_000);
    h.send({ type: 'caller-hangup', callId: 'c1' });
    expect(h.last).toContainEqual({
      type: 'add-callback',
      callId: 'c1',
      callerNumber: '13812341234',
      reason: 'abandoned',
      at: h.now,
    });
    expect(h.record('c1')).toMatchObject({ outcome: 'abandoned', endedAt: h.now });
    expect(h.state.timers.size).toBe(0);
    expect([...h.timers.keys()]).toEqual([]);
    h.advance(30_000);
    expect(h.all('alert')).toEqual([]);
  });

  it('a caller who hangs up while an agent rings: the offer is withdrawn and the agent is ready again', () => {
    const h = new Harness(withAcd({}));
    h.signIn('m', ['mandarin']);
    h.toQueue('c1', '1');
    h.advance(3_000);
    h.send({ type: 'caller-hangup', callId: 'c1' });
    expect(h.last).toEqual(
      expect.arrayContaining([
        { type: 'cancel-agent-leg', callId: 'c1', agentId: 'm' },
        expect.objectContaining({
          type: 'call-update',
          agentId: 'm',
          callId: 'c1',
          state: 'withdrawn',
          detail: 'caller-hung-up',
        }),
        expect.objectContaining({ type: 'add-callback', callId: 'c1', reason: 'abandoned' }),
      ]),
    );
    expect(h.agent('m')?.status).toBe('ready');
    h.toQueue('c2', '1');
    expect(h.lastOf('originate-agent')).toMatchObject({ agentId: 'm', callId: 'c2' });
  });
});
