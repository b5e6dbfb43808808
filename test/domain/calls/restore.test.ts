import { describe, expect, it } from 'vitest';
import { queuePosition } from '../../../src/domain/calls/decide.ts';
import { loadIvrConfig } from '../../../src/ivr-config/load-ivr-config.ts';
import { Harness } from './harness.ts';

const base = loadIvrConfig();
const config = { ...base, acd: { ...base.acd, announceEveryMs: 0 } };

/** A record as the CDR store held it when the previous process died. */
function stored(h: Harness, callId: string, queuedAgoMs: number | undefined, extra: Record<string, unknown> = {}) {
  const queuedAt = queuedAgoMs === undefined ? undefined : h.now - queuedAgoMs;
  return {
    callId,
    callerNumber: '13812341234',
    arrivedAt: h.now - 60_000,
    ivrPath: ['welcome', 'desk'],
    ivrChoices: [],
    ivrInvalidInputs: 0,
    ivrTimeouts: 0,
    priority: 0,
    repeatCaller: false,
    offers: 0,
    failedOffers: [],
    outcome: 'in-progress' as const,
    ...(queuedAt !== undefined ? { queuedAt, ivrExitAt: queuedAt, skill: 'mandarin' } : {}),
    ...extra,
  };
}

describe('calls restored after a restart', () => {
  it('a queued call keeps its place and its answer clock', () => {
    const h = new Harness(config);
    h.toQueue('new', '1');
    h.send({
      type: 'call-restored',
      callId: 'old',
      channelId: 'ch-old',
      record: stored(h, 'old', 17_000, { prewarnedAt: h.now - 2000 }),
    });
    expect(h.last).toContainEqual({ type: 'start-moh', callId: 'old', channelId: 'ch-old' });
    expect(queuePosition(h.state, 'old')).toBe(1);
    expect(queuePosition(h.state, 'new')).toBe(2);
    h.advance(2_999);
    expect(h.all('alert').map((a) => a.kind)).toEqual([]);
    h.advance(1);
    expect(h.all('alert').map((a) => [a.kind, a.callId])).toEqual([['answer-breach', 'old']]);
    h.signIn('m', ['mandarin']);
    expect(h.lastOf('originate-agent')?.callId).toBe('old');
  });

  it('deadlines already past are due at once', () => {
    const h = new Harness(config);
    h.send({ type: 'call-restored', callId: 'old', channelId: 'ch-old', record: stored(h, 'old', 40_000) });
    h.advance(0);
    expect(h.all('alert').map((a) => a.kind)).toEqual(['answer-prewarning', 'answer-breach']);
    expect(h.record('old')?.breach?.cause).toBe('nobody-ready');
  });

  it('a call caught in the menu goes to the queue, its answer clock starting now', () => {
    const h = new Harness(config);
    h.send({ type: 'call-restored', callId: 'm', channelId: 'ch-m', record: stored(h, 'm', undefined) });
    expect(h.call('m')?.phase).toBe('queued');
    expect(h.record('m')).toMatchObject({ ivrExitAt: h.now, queuedAt: h.now, skill: 'mandarin' });
  });

  it('an answered call is connected again and its agent is on the call once signed in', () => {
    const h = new Harness(config);
    const record = stored(h, 'talk', 50_000, { answeredAt: h.now - 40_000, answerMs: 10_000, agentId: 'm' });
    h.send({ type: 'call-restored', callId: 'talk', channelId: 'ch-t', record, agentChannelId: 'leg-m' });
    expect(h.call('talk')?.phase).toBe('connected');
    h.signIn('m', ['mandarin']);
    expect(h.agent('m')).toMatchObject({ status: 'on-call', callId: 'talk', agentChannelId: 'leg-m' });
    h.toQueue('next', '1');
    expect(h.all('originate-agent')).toEqual([]);
    h.send({ type: 'agent-hangup', agentId: 'm', callId: 'talk' });
    expect(h.record('talk')).toMatchObject({ outcome: 'answered', answerMs: 10_000 });
    expect(h.agent('m')?.status).toBe('wrap-up');
  });

  it('a call restored mid-consultation goes on: the caller stays held, the agent can complete the transfer', () => {
    // Given a call killed while its agent consulted 12319 (answered), caller on hold
    const h = new Harness(config);
    const record = stored(h, 'c', 50_000, { answeredAt: h.now - 40_000, answerMs: 10_000, agentId: 'm' });
    h.send({
      type: 'call-restored',
      callId: 'c',
      channelId: 'ch-c',
      record,
      agentChannelId: 'leg-m',
      talk: {
        held: true,
        parties: [{ partyId: 'p1', purpose: 'consult', number: '12319', answered: true }],
        consultPartyId: 'p1',
      },
    });
    h.signIn('m', ['mandarin']);
    // Then hold is refused as during any consultation, and completing joins caller and party
    expect(h.send({ type: 'unhold', agentId: 'm' }).rejected).toMatchObject({ reason: 'conflict' });
    expect(h.send({ type: 'consult-complete', agentId: 'm' }).rejected).toBeUndefined();
    expect(h.last).toEqual(
      expect.arrayContaining([
        { type: 'join-bridge', callId: 'c', bridge: 'main', channelIds: ['p1'] },
        { type: 'stop-moh', callId: 'c', channelId: 'ch-c', onHold: true },
      ]),
    );
    expect(h.call('c')?.phase).toBe('handed-off');
    h.send({ type: 'caller-hangup', callId: 'c' });
    expect(h.record('c')).toMatchObject({ outcome: 'transferred', transferNumber: '12319', answerMs: 10_000 });
  });

  it('a call restored after its agent left (caller with a third party) ends when the party hangs up', () => {
    const h = new Harness(config);
    const record = {
      ...stored(h, 'c', 50_000, { answeredAt: h.now - 40_000, agentId: 'm' }),
      outcome: 'transferred' as const,
    };
    h.send({
      type: 'call-restored',
      callId: 'c',
      channelId: 'ch-c',
      record,
      talk: { held: false, parties: [{ partyId: 'p1', purpose: 'conference', number: '110', answered: true }] },
    });
    expect(h.call('c')?.phase).toBe('handed-off');
    h.send({ type: 'party-gone', callId: 'c', partyId: 'p1' });
    expect(h.all('hangup', h.last)).toEqual([
      { type: 'hangup', callId: 'c', channelId: 'ch-c', reason: 'transfer-ended' },
    ]);
    expect(h.record('c')).toMatchObject({ outcome: 'transferred', endedAt: h.now });
  });

  it('refuses a record that does not fit', () => {
    const h = new Harness(config);
    expect(
      h.send({ type: 'call-restored', callId: 'x', channelId: 'c', record: stored(h, 'y', 1000) }).rejected?.code,
    ).toBe('invalid-input');
    expect(
      h.send({ type: 'call-restored', callId: 'x', channelId: 'c', record: stored(h, 'x', 1000, { endedAt: h.now }) })
        .rejected?.code,
    ).toBe('invalid-transition');
    const answered = stored(h, 'x', 1000, { answeredAt: h.now, agentId: 'm' });
    const r = h.send({ type: 'call-restored', callId: 'x', channelId: 'c', record: answered });
    expect(r.rejected?.code).toBe('invalid-input');
    expect(r.effects).toEqual([]);
    expect(h.state.calls.size).toBe(0);
  });
});
