import { describe, expect, it } from 'vitest';
import { queuePosition } from '../../../src/domain/calls/decide.ts';
import { loadIvrConfig } from '../../../src/ivr-config/load-ivr-config.ts';
import { Harness, T0 } from '../calls/harness.ts';

const base = loadIvrConfig();
const config = { ...base, acd: { ...base.acd, announceEveryMs: 0 } };

describe('ACD routing', () => {
  it('offers a call to the longest-idle ready agent with the skill', () => {
    const h = new Harness(config);
    h.signIn('a', ['mandarin']);
    h.advance(1000);
    h.signIn('b', ['mandarin']);
    h.advance(1000);
    h.signIn('c', ['mandarin', 'cantonese']);
    h.signIn('x', ['cantonese']); // idle longest among none: wrong skill anyway
    h.advance(10_000);
    h.toQueue('c1', '1');
    expect(h.all('originate-agent').map((e) => e.agentId)).toEqual(['a']);

    // a talks, hangs up, wraps up; meanwhile b is the longest idle.
    h.send({ type: 'agent-answered', agentId: 'a', callId: 'c1', agentChannelId: 'a-leg' });
    h.send({ type: 'agent-hangup', agentId: 'a', callId: 'c1' });
    expect(h.agent('a')?.status).toBe('wrap-up');
    h.advance(config.acd.wrapUpMs);
    expect(h.agent('a')?.status).toBe('ready');
    h.toQueue('c2', '1');
    h.toQueue('c3', '1');
    h.toQueue('c4', '1');
    expect(h.all('originate-agent').map((e) => e.agentId)).toEqual(['a', 'b', 'c', 'a']);
  });

  it('ring-no-answer pauses the agent with RONA and re-offers the call without losing its place', () => {
    const h = new Harness(config);
    h.signIn('a', ['mandarin']);
    h.toQueue('c1', '1');
    h.advance(1000);
    h.toQueue('c2', '1');
    expect(h.call('c1')?.phase).toBe('ringing');
    expect(h.call('c2')?.phase).toBe('queued');
    expect(queuePosition(h.state, 'c2')).toBe(2);

    h.advance(config.acd.ringTimeoutMs - 1000);
    expect(h.agent('a')).toMatchObject({ status: 'paused', pauseReason: 'RONA' });
    expect(h.all('cancel-agent-leg')).toEqual([{ type: 'cancel-agent-leg', callId: 'c1', agentId: 'a' }]);
    // The desk is told why the offer went away (issue 9 item 4).
    expect(h.lastOf('call-update')).toMatchObject({
      agentId: 'a',
      callId: 'c1',
      state: 'withdrawn',
      detail: 'no-answer',
    });
    expect(h.lastOf('alert')).toMatchObject({ kind: 'ring-no-answer', agentId: 'a', callId: 'c1' });
    expect(h.call('c1')?.phase).toBe('queued');
    expect(queuePosition(h.state, 'c1')).toBe(1);
    expect(queuePosition(h.state, 'c2')).toBe(2);

    // The next agent gets c1, the call that was first, not c2.
    h.signIn('b', ['mandarin']);
    expect(h.lastOf('originate-agent')).toMatchObject({ agentId: 'b', callId: 'c1' });
    expect(h.record('c1')?.failedOffers).toEqual([{ agentId: 'a', at: T0 + 10_000, cause: 'rona' }]);
    expect(h.record('c1')?.offers).toBe(2);

    // A late answer from a on the withdrawn offer is refused and its leg hung up.
    const late = h.send({ type: 'agent-answered', agentId: 'a', callId: 'c1', agentChannelId: 'late' });
    expect(late.rejected?.code).toBe('invalid-transition');
    expect(late.effects).toContainEqual({
      type: 'hangup-agent',
      callId: 'c1',
      agentId: 'a',
      reason: 'offer-withdrawn',
    });
    expect(h.call('c1')?.phase).toBe('ringing');
  });

  it('an agent whose phone cannot be rung is paused UNREACHABLE and the call goes to the next agent', () => {
    const h = new Harness(config);
    h.signIn('a', ['mandarin']);
    h.signIn('b', ['mandarin']);
    h.toQueue('c1', '1');
    h.send({ type: 'agent-leg-failed', agentId: 'a', callId: 'c1', cause: 'busy' });
    expect(h.agent('a')).toMatchObject({ status: 'paused', pauseReason: 'UNREACHABLE' });
    expect(h.lastOf('originate-agent')).toMatchObject({ agentId: 'b', callId: 'c1' });
  });

  it('priorities: urgent (emergency advice) first, then repeat callers with an open order, then arrival order', () => {
    const h = new Harness(config);
    h.toQueue('plain', '1');
    h.advance(1000);
    h.toQueue('repeat', '1', { repeatCallerWithOpenOrder: true });
    h.advance(1000);
    h.arrive('urgent');
    h.finishPlayback('urgent');
    h.send({ type: 'dtmf', callId: 'urgent', digit: '1' });
    h.send({ type: 'dtmf', callId: 'urgent', digit: '9' });
    h.advance(1000);
    h.toQueue('plain2', '1');
    h.toQueue('late-flag', '1');
    h.send({ type: 'caller-flags', callId: 'late-flag', repeatCallerWithOpenOrder: true });
    expect(['urgent', 'repeat', 'late-flag', 'plain', 'plain2'].map((c) => queuePosition(h.state, c))).toEqual([
      1, 2, 3, 4, 5,
    ]);
    for (const a of ['a1', 'a2', 'a3', 'a4', 'a5']) h.signIn(a, ['mandarin']);
    expect(h.all('originate-agent').map((e) => e.callId)).toEqual(['urgent', 'repeat', 'late-flag', 'plain', 'plain2']);
  });

  it('a call arriving with a priority (handed over by an emergency line) goes first', () => {
    const h = new Harness(config);
    h.toQueue('plain', '1');
    h.toQueue('handover', '1', { priority: 20 });
    h.signIn('a', ['mandarin']);
    expect(h.lastOf('originate-agent')?.callId).toBe('handover');
  });

  it('music on hold while waiting, and periodic position announcements', () => {
    const h = new Harness({
      ...base,
      acd: { ...base.acd, announceEveryMs: 12_000, prewarnMs: 60_000, breachMs: 90_000 },
    });
    h.toQueue('c1', '1');
    h.toQueue('c2', '1');
    h.toQueue('c3', '1');
    expect(h.all('start-moh').map((e) => e.callId)).toEqual(['c1', 'c2', 'c3']);
    h.advance(12_000);
    expect(h.media('c1')).toEqual(['sound:hotline/queue-next']);
    expect(h.media('c2')).toEqual([
      'sound:hotline/queue-ahead-before',
      'sound:hotline/digit-1',
      'sound:hotline/queue-ahead-after',
    ]);
    expect(h.media('c3')).toEqual([
      'sound:hotline/queue-ahead-before',
      'sound:hotline/digit-2',
      'sound:hotline/queue-ahead-after',
    ]);
    expect(h.all('stop-moh').map((e) => e.callId)).toEqual(['c1', 'c2', 'c3']);
    h.finishPlayback('c2');
    expect(h.lastOf('start-moh')).toEqual({ type: 'start-moh', callId: 'c2', channelId: 'ch-c2' });
    // An agent answering during an announcement stops it.
    h.signIn('a', ['mandarin']);
    const playing = h.playing.get('c1')!.playbackId;
    h.send({ type: 'agent-answered', agentId: 'a', callId: 'c1', agentChannelId: 'a-leg' });
    expect(h.last).toContainEqual({ type: 'stop-playback', callId: 'c1', playbackId: playing });
    h.advance(12_000);
    expect(h.all('play').filter((e) => e.callId === 'c2' && e.playbackId.includes(':announce:'))).toHaveLength(2);
    // a now staffs the desk: the estimated wait (1 × 4 min ÷ 1 agent) follows the position.
    expect(h.media('c2')).toEqual([
      'sound:hotline/queue-next',
      'sound:hotline/queue-wait-before',
      'sound:hotline/digit-4',
      'sound:hotline/queue-wait-minutes',
    ]);
  });
});

describe('estimated wait in the announcement', () => {
  it.each([
    // staffed agents of the skill (one on a call, the others paused or not), position → minutes said
    { staffed: 1, position: 1, said: ['digit-4'] },
    { staffed: 1, position: 3, said: ['number-ten', 'digit-2'] },
    { staffed: 4, position: 1, said: ['digit-1'] },
    { staffed: 8, position: 1, said: [] },
  ])('$staffed staffed, position $position', ({ staffed, position, said }) => {
    const h = new Harness({
      ...base,
      acd: { ...base.acd, announceEveryMs: 10_000, averageHandleMs: 240_000, prewarnMs: 60_000, breachMs: 90_000 },
    });
    h.signIn('busy', ['mandarin']);
    h.toQueue('talking', '1');
    h.send({ type: 'agent-answered', agentId: 'busy', callId: 'talking', agentChannelId: 'l' });
    for (let i = 1; i < staffed; i++) {
      h.signIn(`w${i}`, ['mandarin']);
      h.toQueue(`t${i}`, '1');
      h.send({ type: 'agent-answered', agentId: `w${i}`, callId: `t${i}`, agentChannelId: `l${i}` });
    }
    h.signIn('paused', ['mandarin']);
    h.send({ type: 'agent-pause', agentId: 'paused', reason: 'lunch' });
    for (let i = 1; i <= position; i++) h.toQueue(`q${i}`, '1');
    h.advance(10_000);
    const media = h.media(`q${position}`);
    const wait =
      said.length > 0
        ? [
            'sound:hotline/queue-wait-before',
            ...said.map((p) => `sound:hotline/${p}`),
            'sound:hotline/queue-wait-minutes',
          ]
        : [];
    expect(media.slice(media.length - wait.length)).toEqual(wait);
    expect(media.includes('sound:hotline/queue-wait-before')).toBe(said.length > 0);
  });
});

describe('agent states', () => {
  it.each([
    ['pause while ringing', 'reserved', { type: 'agent-pause', agentId: 'a', reason: 'break' }, 'invalid-transition'],
    ['sign out while ringing', 'reserved', { type: 'agent-sign-out', agentId: 'a' }, 'invalid-transition'],
    ['pause while on call', 'on-call', { type: 'agent-pause', agentId: 'a', reason: 'break' }, 'invalid-transition'],
    ['ready while on call', 'on-call', { type: 'agent-ready', agentId: 'a' }, 'invalid-transition'],
    ['sign in twice', 'on-call', { type: 'agent-sign-in', agentId: 'a', skills: ['mandarin'] }, 'invalid-transition'],
    ['pause without a reason', 'ready', { type: 'agent-pause', agentId: 'a', reason: ' ' }, 'invalid-input'],
    ['unknown agent', 'ready', { type: 'agent-ready', agentId: 'ghost' }, 'unknown-agent'],
    ['unknown skill', 'ready', { type: 'agent-sign-in', agentId: 'n', skills: ['klingon'] }, 'invalid-input'],
  ] as const)('refuses %s', (_name, status, input, code) => {
    const h = new Harness(config);
    h.signIn('a', ['mandarin']);
    if (status !== 'ready') h.toQueue('c1', '1');
    if (status === 'on-call') h.send({ type: 'agent-answered', agentId: 'a', callId: 'c1', agentChannelId: 'l' });
    expect(h.agent('a')?.status).toBe(status);
    const r = h.send(input as never);
    expect(r.rejected?.code).toBe(code);
    expect(r.effects).toEqual([]);
    expect(h.agent('a')?.status).toBe(status);
  });

  it('keeps a phone to one agent: another agent signing in on it is refused naming the holder, until the holder signs out', () => {
    // Given agent a signed in (and paused) on PJSIP/1001
    const h = new Harness(config);
    const signIn = (agentId: string, endpoint: string) =>
      h.send({ type: 'agent-sign-in', agentId, skills: ['mandarin'], endpoint });
    expect(signIn('a', 'PJSIP/1001').rejected).toBeUndefined();
    h.send({ type: 'agent-pause', agentId: 'a', reason: 'break' });
    // When agent b signs in on the same phone
    const second = signIn('b', 'PJSIP/1001');
    // Then b is refused with the holder named, and nothing changes
    expect(second.rejected).toMatchObject({ code: 'extension-in-use', holder: 'a' });
    expect(second.rejected?.message).toContain('agent a');
    expect(second.effects).toEqual([]);
    expect(h.agent('b')).toBeUndefined();
    // And another phone is free for b
    expect(signIn('b', 'PJSIP/1002').rejected).toBeUndefined();
    // And once a signs out, the phone is free for others; a signs in again on its own phone when it is free
    h.send({ type: 'agent-sign-out', agentId: 'b' });
    h.send({ type: 'agent-sign-out', agentId: 'a' });
    expect(signIn('a', 'PJSIP/1001').rejected).toBeUndefined();
    h.send({ type: 'agent-sign-out', agentId: 'a' });
    expect(signIn('b', 'PJSIP/1001').rejected).toBeUndefined();
    expect(h.agent('b')).toMatchObject({ status: 'ready', endpoint: 'PJSIP/1001' });
  });

  it('paused with a reason, ready again, wrap-up ended early, sign-out', () => {
    const h = new Harness(config);
    h.signIn('a', ['mandarin']);
    h.send({ type: 'agent-pause', agentId: 'a', reason: 'training' });
    expect(h.agent('a')).toMatchObject({ status: 'paused', pauseReason: 'training' });
    expect(h.lastOf('agent-state')).toMatchObject({ agentId: 'a', status: 'paused', reason: 'training' });
    h.toQueue('c1', '1');
    expect(h.all('originate-agent')).toEqual([]);
    h.send({ type: 'agent-ready', agentId: 'a' });
    expect(h.lastOf('originate-agent')?.callId).toBe('c1');
    h.send({ type: 'agent-answered', agentId: 'a', callId: 'c1', agentChannelId: 'l' });
    h.send({ type: 'caller-hangup', callId: 'c1' });
    expect(h.last).toContainEqual({ type: 'hangup-agent', callId: 'c1', agentId: 'a', reason: 'caller-hung-up' });
    expect(h.record('c1')?.outcome).toBe('answered');
    expect(h.agent('a')?.status).toBe('wrap-up');
    // Ready again early: after choosing the wrap-up code (config/ivr.json acd.wrapUpCodes).
    h.send({ type: 'agent-wrap-up-code', agentId: 'a', code: 'answered' });
    h.send({ type: 'agent-ready', agentId: 'a' });
    expect(h.agent('a')?.status).toBe('ready');
    expect([...h.timers.keys()]).toEqual([]);
    h.send({ type: 'agent-sign-out', agentId: 'a' });
    expect(h.agent('a')?.status).toBe('signed-out');
    h.toQueue('c2', '1');
    expect(h.all('originate-agent')).toHaveLength(1);
  });
});
