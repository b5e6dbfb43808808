import { describe, expect, it } from 'vitest';
import type { AcdConfig } from '../../../src/domain/acd/acd-config.ts';
import type { RotaSpan } from '../../../src/domain/acd/rota.ts';
import { loadIvrConfig } from '../../../src/ivr-config/load-ivr-config.ts';
import { Harness } from '../calls/harness.ts';

const base = loadIvrConfig();
const withAcd = (acd: Partial<AcdConfig>) => ({ ...base, acd: { ...base.acd, announceEveryMs: 0, ...acd } });
const HOUR = 3_600_000;

function span(h: Harness, agentId: string, fromIn: number, toIn: number, skill: string | null = null): RotaSpan {
  return { spanId: `${agentId}-${fromIn}`, agentId, from: h.now + fromIn, to: h.now + toIn, seat: '8001', skill };
}

describe('the leader rota (art. 23) in routing', () => {
  it('a signed-in leader off duty is not offered an escalated call; from the span start on, they are', () => {
    const h = new Harness(withAcd({ overflow: ['leaders'] }));
    h.signIn('li.leader', ['zhuang']);
    h.send({ type: 'rota-set', spans: [span(h, 'li.leader', 30_000, HOUR)] });
    h.toQueue('c1', '1');
    h.advance(20_000);
    expect(h.record('c1')?.breach).toBeDefined();
    // Escalated at 20 s, but the leader's span has not started yet.
    expect(h.all('originate-agent')).toEqual([]);
    h.advance(10_000);
    expect(h.all('originate-agent')).toEqual([expect.objectContaining({ agentId: 'li.leader', callId: 'c1' })]);
  });

  it("a span for another desk does not make the leader part of this desk's overflow", () => {
    const h = new Harness(withAcd({ overflow: ['leaders'] }));
    h.signIn('li.leader', ['zhuang']);
    h.send({ type: 'rota-set', spans: [span(h, 'li.leader', -1, HOUR, 'cantonese')] });
    h.toQueue('c1', '1');
    h.advance(25_000);
    expect(h.all('originate-agent')).toEqual([]);
  });

  it('a call a supervisor sends to the leaders goes to the leader on duty, not to a ready agent of its desk', () => {
    const h = new Harness(withAcd({ overflow: [] }));
    h.signIn('m1', ['mandarin']);
    h.send({ type: 'agent-pause', agentId: 'm1', reason: 'BREAK' });
    h.signIn('li.leader', ['zhuang']);
    h.send({ type: 'rota-set', spans: [span(h, 'li.leader', -1, HOUR)] });
    h.send({ type: 'agent-pause', agentId: 'li.leader', reason: 'BREAK' });
    h.toQueue('c1', '1');
    expect(h.send({ type: 'send-to-leaders', callId: 'c1' }).rejected).toBeUndefined();
    h.send({ type: 'agent-ready', agentId: 'm1' });
    expect(h.all('originate-agent')).toEqual([]);
    h.send({ type: 'agent-ready', agentId: 'li.leader' });
    expect(h.all('originate-agent')).toEqual([expect.objectContaining({ agentId: 'li.leader', callId: 'c1' })]);
  });

  it('sending to the leaders withdraws the ringing agent (ready again) and is refused with nobody on duty', () => {
    const h = new Harness(withAcd({ overflow: [] }));
    h.signIn('m1', ['mandarin']);
    h.toQueue('c1', '1');
    expect(h.call('c1')?.phase).toBe('ringing');
    expect(h.send({ type: 'send-to-leaders', callId: 'c1' }).rejected).toMatchObject({
      code: 'invalid-transition',
      reason: 'no-leader-on-duty',
    });
    h.signIn('li.leader', ['zhuang']);
    h.send({ type: 'agent-pause', agentId: 'li.leader', reason: 'BREAK' });
    h.send({ type: 'rota-set', spans: [span(h, 'li.leader', -1, HOUR)] });
    h.send({ type: 'send-to-leaders', callId: 'c1' });
    expect(h.last).toEqual(
      expect.arrayContaining([
        { type: 'cancel-agent-leg', callId: 'c1', agentId: 'm1' },
        expect.objectContaining({ type: 'call-update', agentId: 'm1', state: 'withdrawn' }),
      ]),
    );
    expect(h.agent('m1')?.status).toBe('ready');
    expect(h.call('c1')?.phase).toBe('queued');
    expect(h.send({ type: 'send-to-leaders', callId: 'nope' }).rejected?.code).toBe('unknown-call');
  });

  it('alerts 10 min before a span whose leader has not signed in, and not when they have', () => {
    const h = new Harness(withAcd({}));
    h.signIn('wang.leader', ['mandarin']);
    h.send({
      type: 'rota-set',
      spans: [span(h, 'li.leader', HOUR, 2 * HOUR), span(h, 'wang.leader', HOUR, 2 * HOUR)],
    });
    h.advance(HOUR - 10 * 60_000 - 1);
    expect(h.all('rota-alert')).toEqual([]);
    h.advance(1);
    expect(h.all('rota-alert')).toEqual([
      expect.objectContaining({ kind: 'rota-unstaffed', agentId: 'li.leader', seat: '8001', at: h.now }),
    ]);
    h.advance(2 * HOUR);
    expect(h.all('rota-alert')).toHaveLength(1);
  });

  it('a rota set within the warning time is checked at once; a new rota replaces the old timers', () => {
    const h = new Harness(withAcd({}));
    h.send({ type: 'rota-set', spans: [span(h, 'li.leader', 5 * 60_000, HOUR)] });
    expect(h.all('rota-alert')).toHaveLength(1);
    h.send({ type: 'rota-set', spans: [span(h, 'zhao.leader', 2 * HOUR, 3 * HOUR)] });
    expect([...h.state.timers.values()].filter((t) => t.kind.startsWith('rota'))).toHaveLength(2);
    expect(h.send({ type: 'rota-set', spans: [span(h, 'x', HOUR, HOUR)] }).rejected?.code).toBe('invalid-input');
  });
});
