import { describe, expect, it } from 'vitest';
import { loadIvrConfig } from '../../../src/ivr-config/load-ivr-config.ts';
import { Harness } from './harness.ts';

const config = { ...loadIvrConfig(), acd: { ...loadIvrConfig().acd, announceEveryMs: 0 } };

describe('an agent who signs in again while signed in', () => {
  it('on the same phone with the same skills: accepted, the agent keeps its state and its call', () => {
    // Given an agent talking with a caller
    const h = new Harness(config);
    h.send({ type: 'agent-sign-in', agentId: 'a', skills: ['mandarin'], endpoint: 'PJSIP/1001' });
    h.toQueue('c1', '1');
    h.send({ type: 'agent-answered', agentId: 'a', callId: 'c1', agentChannelId: 'l' });
    expect(h.agent('a')).toMatchObject({ status: 'on-call', callId: 'c1' });
    // When its desk sends the same sign-in again (a lost acknowledgement, a restart that kept the sign-in)
    const r = h.send({ type: 'agent-sign-in', agentId: 'a', skills: ['mandarin'], endpoint: 'PJSIP/1001' });
    // Then it is accepted and nothing changes
    expect(r.rejected).toBeUndefined();
    expect(r.effects).toEqual([]);
    expect(h.agent('a')).toMatchObject({ status: 'on-call', callId: 'c1', endpoint: 'PJSIP/1001' });
  });

  it('on another phone or with other skills: refused as before', () => {
    // Given a ready agent on 1001
    const h = new Harness(config);
    h.send({ type: 'agent-sign-in', agentId: 'a', skills: ['mandarin'], endpoint: 'PJSIP/1001' });
    // When it signs in on 1002, or with another skill
    const other = h.send({ type: 'agent-sign-in', agentId: 'a', skills: ['mandarin'], endpoint: 'PJSIP/1002' });
    const skills = h.send({ type: 'agent-sign-in', agentId: 'a', skills: ['zhuang'], endpoint: 'PJSIP/1001' });
    // Then both are refused: already signed in
    expect(other.rejected).toMatchObject({ code: 'invalid-transition' });
    expect(skills.rejected).toMatchObject({ code: 'invalid-transition' });
    expect(h.agent('a')).toMatchObject({ status: 'ready', endpoint: 'PJSIP/1001', skills: ['mandarin'] });
  });
});
