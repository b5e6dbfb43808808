import { describe, expect, it } from 'vitest';
import { loadIvrConfig } from '../../../src/ivr-config/load-ivr-config.ts';
import { Harness } from './harness.ts';

const base = loadIvrConfig();
const config = { ...base, acd: { ...base.acd, announceEveryMs: 0 } };

/** Given agent a1 talking with caller c1 (answered at this instant, nothing else sent yet). */
function talking(extraAgents: string[] = []): Harness {
  const h = new Harness(config);
  h.signIn('a1', ['mandarin']);
  h.toQueue('c1', '1');
  h.now += 3000;
  const r = h.send({ type: 'agent-answered', agentId: 'a1', callId: 'c1', agentChannelId: 'a1-leg' });
  expect(r.rejected).toBeUndefined();
  for (const a of extraAgents) h.signIn(a, ['mandarin']);
  return h;
}

const updates = (h: Harness, agentId = 'a1') =>
  h
    .all('call-update')
    .filter((u) => u.agentId === agentId)
    .map((u) => u.state);

describe('talk phase: hold and commands right after the answer', () => {
  it('three-way, hold and transfer are accepted 0 ms after answered, whatever the adapter still has in flight', () => {
    // Given the domain just decided the answer (bridge and recording effects not yet carried out)
    const h = talking();
    expect(h.last.map((e) => e.type)).toEqual(expect.arrayContaining(['bridge', 'start-recording', 'call-update']));
    // When the agent presses hold at the same instant
    expect(h.send({ type: 'hold', agentId: 'a1' }).rejected).toBeUndefined();
    // Then music on hold starts and the desktop is told
    expect(h.last).toEqual(
      expect.arrayContaining([{ type: 'start-moh', callId: 'c1', channelId: 'ch-c1', onHold: true }]),
    );
    expect(h.send({ type: 'hold', agentId: 'a1' }).rejected).toMatchObject({
      code: 'invalid-transition',
      reason: 'conflict',
    });
    expect(h.send({ type: 'unhold', agentId: 'a1' }).rejected).toBeUndefined();
    // And a three-way call is dialled at once
    expect(h.send({ type: 'conference', agentId: 'a1', number: '110', partyId: 'p1' }).rejected).toBeUndefined();
    expect(h.all('dial-party', h.last)).toEqual([
      { type: 'dial-party', callId: 'c1', partyId: 'p1', purpose: 'conference', number: '110' },
    ]);
    expect(updates(h)).toEqual(['answered', 'held', 'resumed', 'transferring']);
  });

  it('an agent without a call is refused with no-call; a bad number with bad-request', () => {
    const h = new Harness(config);
    h.signIn('a1', ['mandarin']);
    expect(h.send({ type: 'hold', agentId: 'a1' }).rejected).toMatchObject({
      code: 'invalid-transition',
      reason: 'no-call',
    });
    const t = talking();
    expect(t.send({ type: 'blind-transfer', agentId: 'a1', number: '11x', partyId: 'p1' }).rejected).toMatchObject({
      code: 'invalid-input',
      reason: 'bad-request',
    });
  });
});

describe('talk phase: three-way and blind transfer', () => {
  it('three-way: the party joins the bridge; when the agent leaves the caller stays with it, the call ends when it hangs up', () => {
    const h = talking();
    h.send({ type: 'conference', agentId: 'a1', number: '110', partyId: 'p1' });
    h.now += 2000;
    h.send({ type: 'party-answered', callId: 'c1', partyId: 'p1' });
    expect(h.all('join-bridge', h.last)).toEqual([
      { type: 'join-bridge', callId: 'c1', bridge: 'main', channelIds: ['p1'] },
    ]);
    // When the agent hangs up
    h.send({ type: 'agent-hangup', agentId: 'a1', callId: 'c1' });
    // Then the caller is not hung up, the agent goes to wrap-up, the call is handed off
    expect(h.all('hangup', h.last)).toEqual([]);
    expect(h.agent('a1')?.status).toBe('wrap-up');
    expect(h.call('c1')?.phase).toBe('handed-off');
    // When the party hangs up, the caller is released and the call ends as transferred
    h.send({ type: 'party-gone', callId: 'c1', partyId: 'p1' });
    expect(h.all('hangup', h.last)).toEqual([
      { type: 'hangup', callId: 'c1', channelId: 'ch-c1', reason: 'transfer-ended' },
    ]);
    expect(h.record('c1')).toMatchObject({ outcome: 'transferred', endedAt: h.now });
  });

  it('blind transfer: once the number answers the agent leg is hung up and the agent is released', () => {
    const h = talking();
    h.send({ type: 'hold', agentId: 'a1' });
    h.send({ type: 'blind-transfer', agentId: 'a1', number: '12319', partyId: 'p1' });
    expect(h.send({ type: 'conference', agentId: 'a1', number: '110', partyId: 'p2' }).rejected).toMatchObject({
      reason: 'conflict',
    });
    h.send({ type: 'party-answered', callId: 'c1', partyId: 'p1' });
    expect(h.last).toEqual(
      expect.arrayContaining([
        { type: 'stop-moh', callId: 'c1', channelId: 'ch-c1', onHold: true },
        { type: 'hangup', callId: 'c1', channelId: 'a1-leg', reason: 'transferred' },
      ]),
    );
    expect(updates(h)).toEqual(['answered', 'held', 'transferring', 'transferred', 'ended']);
    expect(h.agent('a1')?.status).toBe('wrap-up');
    // The agent's leg going away afterwards changes nothing
    expect(h.send({ type: 'agent-hangup', agentId: 'a1', callId: 'c1' }).effects).toEqual([]);
    h.send({ type: 'caller-hangup', callId: 'c1' });
    expect(h.all('hangup-party', h.last)).toEqual([{ type: 'hangup-party', callId: 'c1', partyId: 'p1' }]);
    expect(h.record('c1')).toMatchObject({ outcome: 'transferred', transferNumber: '12319' });
  });

  it('an agent who hangs up while a blind transfer rings leaves the caller to it; answered, it joins and is noted', () => {
    const h = talking();
    h.send({ type: 'blind-transfer', agentId: 'a1', number: '12319', partyId: 'p1' });
    h.send({ type: 'agent-hangup', agentId: 'a1', callId: 'c1' });
    expect(h.call('c1')?.phase).toBe('handed-off');
    expect(h.all('hangup', h.last)).toEqual([]);
    h.send({ type: 'party-answered', callId: 'c1', partyId: 'p1' });
    expect(h.all('join-bridge', h.last)).toEqual([
      { type: 'join-bridge', callId: 'c1', bridge: 'main', channelIds: ['p1'] },
    ]);
    expect(h.record('c1')).toMatchObject({ transferNumber: '12319', outcome: 'transferred' });
  });

  it('a transfer that fails is reported and the agent keeps the caller', () => {
    const h = talking();
    h.send({ type: 'blind-transfer', agentId: 'a1', number: '12319', partyId: 'p1' });
    h.send({ type: 'party-failed', callId: 'c1', partyId: 'p1', cause: 'busy' });
    expect(h.lastOf('call-update')).toMatchObject({ agentId: 'a1', state: 'transfer-failed', detail: 'busy' });
    expect(h.call('c1')).toMatchObject({ phase: 'connected', agentId: 'a1' });
    expect(h.send({ type: 'conference', agentId: 'a1', number: '110', partyId: 'p2' }).rejected).toBeUndefined();
  });
});

describe('talk phase: attended transfer (咨询转接)', () => {
  it('consult a number, then complete: the caller held and recorded throughout, the consultation recorded, the agent leaves', () => {
    const h = talking();
    // When the agent starts a consultation with 12319
    expect(h.send({ type: 'consult-start', agentId: 'a1', partyId: 'p1', number: '12319' }).rejected).toBeUndefined();
    // Then the caller hears music in the recorded bridge, the agent moves to a consultation bridge, the number is dialled
    expect(h.last).toEqual(
      expect.arrayContaining([
        { type: 'start-moh', callId: 'c1', channelId: 'ch-c1', onHold: true },
        { type: 'join-bridge', callId: 'c1', bridge: 'consult:p1', channelIds: ['a1-leg'] },
        { type: 'dial-party', callId: 'c1', partyId: 'p1', purpose: 'consult', number: '12319' },
      ]),
    );
    expect(h.send({ type: 'consult-complete', agentId: 'a1' }).rejected).toMatchObject({
      reason: 'consult-not-answered',
    });
    expect(h.send({ type: 'unhold', agentId: 'a1' }).rejected).toMatchObject({ reason: 'conflict' });
    // When the number answers, the consultation is bridged and recorded on its own
    h.send({ type: 'party-answered', callId: 'c1', partyId: 'p1' });
    expect(h.last).toEqual(
      expect.arrayContaining([
        { type: 'join-bridge', callId: 'c1', bridge: 'consult:p1', channelIds: ['p1'] },
        { type: 'start-recording', callId: 'c1', bridge: 'consult:p1' },
      ]),
    );
    // When the agent completes
    h.now += 5000;
    expect(h.send({ type: 'consult-complete', agentId: 'a1' }).rejected).toBeUndefined();
    // Then the party joins the caller's bridge, the consultation bridge goes, music stops, the agent leg is hung up
    expect(h.last).toEqual(
      expect.arrayContaining([
        { type: 'join-bridge', callId: 'c1', bridge: 'main', channelIds: ['p1'] },
        { type: 'destroy-bridge', callId: 'c1', bridge: 'consult:p1' },
        { type: 'stop-moh', callId: 'c1', channelId: 'ch-c1', onHold: true },
        { type: 'hangup', callId: 'c1', channelId: 'a1-leg', reason: 'transfer-completed' },
      ]),
    );
    expect(updates(h)).toEqual(['answered', 'consulting', 'consult-connected', 'transferred', 'ended']);
    expect(h.agent('a1')?.status).toBe('wrap-up');
    expect(h.call('c1')?.phase).toBe('handed-off');
    h.send({ type: 'caller-hangup', callId: 'c1' });
    expect(h.record('c1')).toMatchObject({ outcome: 'transferred', transferNumber: '12319', endedAt: h.now });
  });

  it('cancel: the consulted party is released and the agent is back with the caller, music off', () => {
    const h = talking();
    h.send({ type: 'consult-start', agentId: 'a1', partyId: 'p1', number: '12319' });
    h.send({ type: 'party-answered', callId: 'c1', partyId: 'p1' });
    expect(h.send({ type: 'consult-cancel', agentId: 'a1' }).rejected).toBeUndefined();
    expect(h.last).toEqual(
      expect.arrayContaining([
        { type: 'hangup-party', callId: 'c1', partyId: 'p1' },
        { type: 'destroy-bridge', callId: 'c1', bridge: 'consult:p1' },
        { type: 'join-bridge', callId: 'c1', bridge: 'main', channelIds: ['a1-leg'] },
        { type: 'stop-moh', callId: 'c1', channelId: 'ch-c1', onHold: true },
      ]),
    );
    expect(h.lastOf('call-update')).toMatchObject({ state: 'consult-cancelled' });
    // The late hangup of the released party changes nothing
    expect(h.send({ type: 'party-gone', callId: 'c1', partyId: 'p1' }).rejected).toBeDefined();
    expect(h.call('c1')).toMatchObject({ phase: 'connected', talk: { held: false, parties: [] } });
    expect(h.send({ type: 'hold', agentId: 'a1' }).rejected).toBeUndefined();
  });

  it('a consultation that fails brings the agent back to the caller', () => {
    const h = talking();
    h.send({ type: 'consult-start', agentId: 'a1', partyId: 'p1', number: '12319' });
    h.send({ type: 'party-failed', callId: 'c1', partyId: 'p1', cause: 'no_answer' });
    expect(h.last).toEqual(
      expect.arrayContaining([{ type: 'join-bridge', callId: 'c1', bridge: 'main', channelIds: ['a1-leg'] }]),
    );
    expect(h.lastOf('call-update')).toMatchObject({ state: 'transfer-failed', detail: 'no_answer' });
  });

  it('consulting a ready colleague: reserved with a screen-pop noting who consults; on complete the call is theirs', () => {
    const h = talking(['a2']);
    h.send({ type: 'consult-start', agentId: 'a1', partyId: 'p1', targetAgentId: 'a2' });
    expect(h.agent('a2')).toMatchObject({ status: 'reserved', callId: 'c1' });
    expect(h.lastOf('screen-pop')).toMatchObject({
      agentId: 'a2',
      pop: { callId: 'c1', transfer: { fromAgentId: 'a1', reason: 'consult' } },
    });
    h.send({ type: 'party-answered', callId: 'c1', partyId: 'p1' });
    expect(h.agent('a2')).toMatchObject({ status: 'on-call', callId: 'c1' });
    h.send({ type: 'consult-complete', agentId: 'a1' });
    expect(h.call('c1')).toMatchObject({ phase: 'connected', agentId: 'a2', agentChannelId: 'p1' });
    expect(h.agent('a1')?.status).toBe('wrap-up');
    // a2 now commands the call; their leg going ends it as an agent call
    expect(h.send({ type: 'hold', agentId: 'a2' }).rejected).toBeUndefined();
    h.send({ type: 'party-gone', callId: 'c1', partyId: 'p1' });
    expect(h.record('c1')).toMatchObject({ outcome: 'answered', agentId: 'a2' });
    expect(h.agent('a2')?.status).toBe('wrap-up');
  });

  it('a colleague who is not ready is refused with agent-not-ready', () => {
    const h = talking(['a2']);
    h.send({ type: 'agent-pause', agentId: 'a2', reason: 'LUNCH' });
    expect(h.send({ type: 'consult-start', agentId: 'a1', partyId: 'p1', targetAgentId: 'a2' }).rejected).toMatchObject(
      {
        code: 'invalid-transition',
        reason: 'agent-not-ready',
      },
    );
    expect(
      h.send({ type: 'consult-start', agentId: 'a1', partyId: 'p1', targetAgentId: 'nobody' }).rejected,
    ).toMatchObject({ reason: 'agent-not-signed-in' });
  });
});

describe('talk phase: transfer to another agent or desk (内部转接)', () => {
  it('to a ready agent: rung with a pop noting who and why; the call keeps its priority and first answer', () => {
    const h = talking(['a2']);
    const answeredAt = h.record('c1')!.answeredAt;
    h.now += 30_000;
    expect(
      h.send({ type: 'transfer-to-agent', agentId: 'a1', targetAgentId: 'a2', reason: 'housing question' }).rejected,
    ).toBeUndefined();
    expect(h.all('hangup', h.last)).toEqual([
      { type: 'hangup', callId: 'c1', channelId: 'a1-leg', reason: 'transferred' },
    ]);
    expect(updates(h)).toEqual(['answered', 'transferred', 'ended']);
    expect(h.agent('a1')?.status).toBe('wrap-up');
    expect(h.agent('a2')).toMatchObject({ status: 'reserved', callId: 'c1' });
    expect(h.lastOf('screen-pop')).toMatchObject({
      agentId: 'a2',
      pop: { transfer: { fromAgentId: 'a1', reason: 'housing question', at: h.now } },
    });
    expect(h.all('start-moh', h.last)).toHaveLength(1);
    h.now += 2000;
    h.send({ type: 'agent-answered', agentId: 'a2', callId: 'c1', agentChannelId: 'a2-leg' });
    expect(h.record('c1')).toMatchObject({ answeredAt, agentId: 'a2' });
  });

  it('to an agent who does not answer: the call goes on through the queue, watchdog included', () => {
    const h = talking(['a2']);
    h.send({ type: 'transfer-to-agent', agentId: 'a1', targetAgentId: 'a2' });
    // When a2's phone rings out
    h.advance(config.acd.ringTimeoutMs);
    expect(h.call('c1')?.phase).toBe('queued');
    expect(h.agent('a2')?.status).toBe('paused');
    // And a1, ready again after wrap-up, is offered it
    h.advance(config.acd.wrapUpMs - config.acd.ringTimeoutMs);
    expect(h.call('c1')).toMatchObject({ phase: 'ringing', queue: { offeredTo: 'a1' } });
    // Then the watchdog, armed again at the transfer, alerts like for any waiting call
    h.advance(config.acd.breachMs - config.acd.wrapUpMs);
    expect(h.all('alert').map((a) => a.kind)).toEqual(['ring-no-answer', 'answer-prewarning', 'answer-breach']);
    // And the record keeps the figures of the first answer
    expect(h.record('c1')?.breach).toBeUndefined();
  });

  it('to an agent not ready, or a desk nobody staffs: refused with a reason, the agent keeps the caller', () => {
    const h = talking(['a2']);
    h.send({ type: 'agent-pause', agentId: 'a2', reason: 'LUNCH' });
    expect(h.send({ type: 'transfer-to-agent', agentId: 'a1', targetAgentId: 'a2' }).rejected).toMatchObject({
      reason: 'agent-not-ready',
    });
    expect(h.send({ type: 'transfer-to-desk', agentId: 'a1', skill: 'zhuang' }).rejected).toMatchObject({
      reason: 'desk-unstaffed',
    });
    expect(h.send({ type: 'transfer-to-desk', agentId: 'a1', skill: 'klingon' }).rejected).toMatchObject({
      code: 'invalid-input',
    });
    expect(h.call('c1')).toMatchObject({ phase: 'connected', agentId: 'a1' });
  });

  it('to a desk: queued at its original place and priority, offered to the next agent of that desk', () => {
    const h = talking();
    h.signIn('z1', ['zhuang']);
    h.send({ type: 'agent-pause', agentId: 'z1', reason: 'BREAK' });
    const ivrExitAt = h.record('c1')!.ivrExitAt;
    expect(
      h.send({ type: 'transfer-to-desk', agentId: 'a1', skill: 'zhuang', reason: 'speaks Zhuang' }).rejected,
    ).toBeUndefined();
    expect(h.call('c1')).toMatchObject({ phase: 'queued', queue: { skill: 'zhuang', enqueuedAt: ivrExitAt } });
    h.send({ type: 'agent-ready', agentId: 'z1' });
    expect(h.call('c1')).toMatchObject({ phase: 'ringing', queue: { offeredTo: 'z1' } });
    expect(h.lastOf('screen-pop')).toMatchObject({
      agentId: 'z1',
      pop: { skill: 'zhuang', transfer: { fromAgentId: 'a1', reason: 'speaks Zhuang' } },
    });
  });
});

describe('talk phase: legs going away', () => {
  it('the caller hanging up during a consultation releases the agent and the consulted party', () => {
    const h = talking();
    h.send({ type: 'consult-start', agentId: 'a1', partyId: 'p1', number: '12319' });
    h.send({ type: 'party-answered', callId: 'c1', partyId: 'p1' });
    h.send({ type: 'caller-hangup', callId: 'c1' });
    expect(h.last).toEqual(
      expect.arrayContaining([
        { type: 'hangup-party', callId: 'c1', partyId: 'p1' },
        { type: 'destroy-bridge', callId: 'c1', bridge: 'consult:p1' },
        expect.objectContaining({ type: 'hangup-agent', agentId: 'a1' }),
      ]),
    );
    expect(h.record('c1')).toMatchObject({ outcome: 'answered', endedAt: h.now });
  });

  it('the agent hanging up while consulting an answered number completes the transfer', () => {
    const h = talking();
    h.send({ type: 'consult-start', agentId: 'a1', partyId: 'p1', number: '12319' });
    h.send({ type: 'party-answered', callId: 'c1', partyId: 'p1' });
    h.send({ type: 'agent-hangup', agentId: 'a1', callId: 'c1' });
    expect(h.call('c1')).toMatchObject({ phase: 'handed-off' });
    expect(h.all('join-bridge', h.last)).toEqual([
      { type: 'join-bridge', callId: 'c1', bridge: 'main', channelIds: ['p1'] },
    ]);
  });
});
