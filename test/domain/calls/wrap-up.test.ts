import { describe, expect, it } from 'vitest';
import { loadIvrConfig } from '../../../src/ivr-config/load-ivr-config.ts';
import { Harness } from './harness.ts';

const base = loadIvrConfig();
// 15 s wrap-up, extendable to 40 s in all; two codes.
const config = {
  ...base,
  acd: {
    ...base.acd,
    announceEveryMs: 0,
    wrapUpMs: 15_000,
    wrapUpMaxMs: 40_000,
    wrapUpCodes: [
      { code: 'answered', label: '咨询已解答' },
      { code: 'order-taken', label: '已登记工单' },
    ],
  },
};

/** An agent who has just finished a call (c1) and is in wrap-up. */
function afterCall(): Harness {
  const h = new Harness(config);
  h.signIn('a', ['mandarin']);
  h.toQueue('c1', '1');
  h.send({ type: 'agent-answered', agentId: 'a', callId: 'c1', agentChannelId: 'l' });
  h.advance(30_000);
  h.send({ type: 'caller-hangup', callId: 'c1' });
  return h;
}

describe('wrap-up (事后处理, issue 9 item 4): codes chosen before ready, time extendable up to a maximum', () => {
  it('given wrap-up, when the agent asks to be ready without a code, then refused with wrap-up-code-required; with a code, ready and the code goes on the call', () => {
    const h = afterCall();
    expect(h.agent('a')).toMatchObject({ status: 'wrap-up', wrapUp: { callId: 'c1', endsAt: h.now + 15_000 } });
    const r = h.send({ type: 'agent-ready', agentId: 'a' });
    expect(r.rejected).toMatchObject({ code: 'invalid-transition', reason: 'wrap-up-code-required' });
    expect(h.agent('a')?.status).toBe('wrap-up');

    const bad = h.send({ type: 'agent-wrap-up-code', agentId: 'a', code: 'made-up' });
    expect(bad.rejected).toMatchObject({ code: 'invalid-input', reason: 'unknown-wrap-up-code' });

    h.send({ type: 'agent-wrap-up-code', agentId: 'a', code: 'order-taken' });
    expect(h.last).toContainEqual({ type: 'wrap-up-code', agentId: 'a', callId: 'c1', code: 'order-taken', at: h.now });
    expect(h.agent('a')?.wrapUp?.code).toBe('order-taken');
    h.send({ type: 'agent-ready', agentId: 'a' });
    expect(h.agent('a')).toMatchObject({ status: 'ready' });
    expect(h.agent('a')?.wrapUp).toBeUndefined();
  });

  it('given wrap-up, when extended, then it ends one period later each time, never past the maximum; then refused with wrap-up-limit', () => {
    const h = afterCall();
    const start = h.now;
    h.advance(10_000);
    h.send({ type: 'agent-extend-wrap-up', agentId: 'a' });
    expect(h.agent('a')?.wrapUp?.endsAt).toBe(start + 30_000);
    h.send({ type: 'agent-extend-wrap-up', agentId: 'a' });
    expect(h.agent('a')?.wrapUp?.endsAt).toBe(start + 40_000);
    const r = h.send({ type: 'agent-extend-wrap-up', agentId: 'a' });
    expect(r.rejected).toMatchObject({ code: 'invalid-transition', reason: 'wrap-up-limit' });
    // The timer moved with it: still in wrap-up at 39.9 s, ready at 40 s.
    h.advance(start + 39_900 - h.now);
    expect(h.agent('a')?.status).toBe('wrap-up');
    h.advance(100);
    expect(h.agent('a')?.status).toBe('ready');
  });

  it('given an agent not in wrap-up, when a code or an extension is sent, then refused with not-in-wrap-up', () => {
    const h = new Harness(config);
    h.signIn('a', ['mandarin']);
    expect(h.send({ type: 'agent-extend-wrap-up', agentId: 'a' }).rejected).toMatchObject({ reason: 'not-in-wrap-up' });
    expect(h.send({ type: 'agent-wrap-up-code', agentId: 'a', code: 'answered' }).rejected).toMatchObject({
      reason: 'not-in-wrap-up',
    });
  });
});
