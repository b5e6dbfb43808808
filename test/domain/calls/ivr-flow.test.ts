import { describe, expect, it } from 'vitest';
import { loadIvrConfig } from '../../../src/ivr-config/load-ivr-config.ts';
import { Harness, T0 } from './harness.ts';

const config = loadIvrConfig();

describe('call flow through the default menu', () => {
  it('a caller who presses nothing reaches an agent of the Mandarin desk', () => {
    const h = new Harness(config);
    h.signIn('zh-1', ['zhuang']);
    h.signIn('m-1', ['mandarin']);
    h.arrive('c1');
    expect(h.last.map((e) => e.type)).toEqual(['answer', 'play', 'call-record']);
    expect(h.media('c1')).toEqual(['sound:hotline/welcome']);

    h.finishPlayback('c1');
    expect(h.media('c1')).toEqual(['sound:hotline/desk-choice']);
    h.finishPlayback('c1');
    expect(h.lastOf('set-timer')?.at).toBe(T0 + 5000);
    h.advance(5000);
    expect(h.media('c1')).toEqual(['sound:hotline/emergency-advice']);
    h.finishPlayback('c1');
    expect(h.all('originate-agent')).toEqual([]);
    h.advance(3000);

    const exitAt = T0 + 8000;
    expect(h.call('c1')?.phase).toBe('ringing');
    expect(h.all('start-moh')).toEqual([{ type: 'start-moh', callId: 'c1', channelId: 'ch-c1' }]);
    expect(h.all('originate-agent')).toEqual([
      { type: 'originate-agent', callId: 'c1', agentId: 'm-1', timeoutMs: 10_000 },
    ]);
    const pop = h.lastOf('screen-pop');
    expect(pop?.agentId).toBe('m-1');
    expect(pop?.pop).toMatchObject({
      callId: 'c1',
      skill: 'mandarin',
      ivrPath: ['welcome', 'desk', 'emergency-advice'],
      ivrChoices: [
        { node: 'desk', digit: null, label: 'timeout' },
        { node: 'emergency-advice', digit: null, label: 'timeout' },
      ],
      ivrExitAt: exitAt,
      waitedMs: 0,
    });
    expect(h.agent('m-1')?.status).toBe('reserved');

    h.advance(4000);
    h.send({ type: 'agent-answered', agentId: 'm-1', callId: 'c1', agentChannelId: 'ach-1' });
    expect(h.last.filter((e) => e.type === 'bridge' || e.type === 'start-recording' || e.type === 'stop-moh')).toEqual([
      { type: 'stop-moh', callId: 'c1', channelId: 'ch-c1' },
      { type: 'bridge', callId: 'c1', channelId: 'ch-c1', agentId: 'm-1', agentChannelId: 'ach-1' },
      { type: 'start-recording', callId: 'c1', agentId: 'm-1' },
    ]);
    expect(h.record('c1')).toMatchObject({
      ivrExitAt: exitAt,
      answeredAt: exitAt + 4000,
      answerMs: 4000,
      agentId: 'm-1',
      ivrTimeouts: 2,
    });
    // The watchdog and ring timers are gone once the call is answered.
    expect([...h.timers.keys()]).toEqual([]);
  });

  it('DTMF through two menu levels: desk 2 (Zhuang), then 9 (urgent, non-police) queues with priority', () => {
    const h = new Harness(config);
    h.signIn('m-1', ['mandarin']);
    h.signIn('z-1', ['zhuang']);
    h.arrive('c1');
    h.finishPlayback('c1');
    const deskPlayback = h.playing.get('c1')?.playbackId;
    h.send({ type: 'dtmf', callId: 'c1', digit: '2' }); // barges in on the desk prompt
    expect(h.last[0]).toEqual({ type: 'stop-playback', callId: 'c1', playbackId: deskPlayback });
    expect(h.media('c1')).toEqual(['sound:hotline/emergency-advice']);
    h.send({ type: 'dtmf', callId: 'c1', digit: '9' });
    expect(h.all('originate-agent').map((e) => e.agentId)).toEqual(['z-1']);
    expect(h.record('c1')).toMatchObject({
      skill: 'zhuang',
      priority: 10,
      ivrPath: ['welcome', 'desk', 'emergency-advice'],
      ivrChoices: [
        { node: 'desk', digit: '2', label: '壮话' },
        { node: 'emergency-advice', digit: '9', label: '紧急非警务事项' },
      ],
    });
  });

  it.each([
    ['1', '110'],
    ['2', '119'],
    ['3', '120'],
    ['4', '122'],
  ])('emergency advice: key %s transfers to %s after the transfer prompt', (digit, number) => {
    const h = new Harness(config);
    h.arrive('c1');
    h.finishPlayback('c1');
    h.send({ type: 'dtmf', callId: 'c1', digit: '1' });
    h.send({ type: 'dtmf', callId: 'c1', digit });
    expect(h.media('c1')).toEqual(['sound:hotline/transferring']);
    expect(h.all('transfer')).toEqual([]);
    h.finishPlayback('c1');
    const [transfer] = h.all('transfer');
    expect(transfer).toEqual({
      type: 'transfer',
      callId: 'c1',
      channelId: 'ch-c1',
      number,
      partyId: expect.any(String),
    });
    expect(h.record('c1')).toMatchObject({ outcome: 'transferred', transferNumber: number });
    // The call stays ours until both ends hang up, so it can be recorded (issue 8 item 5).
    expect(h.call('c1')?.phase).toBe('handed-off');
    expect(h.record('c1')?.endedAt).toBeUndefined();
  });

  it('a voice-menu transfer is bridged and recorded once the number answers, and ends when it hangs up', () => {
    // Given a caller transferred to 110 from the emergency advice
    const h = new Harness(config);
    h.arrive('c1');
    h.finishPlayback('c1');
    h.send({ type: 'dtmf', callId: 'c1', digit: '1' });
    h.send({ type: 'dtmf', callId: 'c1', digit: '1' });
    h.finishPlayback('c1');
    const partyId = h.all('transfer')[0]!.partyId;
    // When 110 answers
    h.now += 4000;
    h.send({ type: 'party-answered', callId: 'c1', partyId });
    // Then caller and 110 share the main bridge, which is recorded
    expect(h.last).toEqual(
      expect.arrayContaining([
        { type: 'join-bridge', callId: 'c1', bridge: 'main', channelIds: ['ch-c1', partyId] },
        { type: 'start-recording', callId: 'c1', bridge: 'main' },
      ]),
    );
    expect(h.record('c1')?.transferAnsweredAt).toBe(h.now);
    // When 110 hangs up, the caller is hung up and the call ends as transferred
    h.now += 60_000;
    h.send({ type: 'party-gone', callId: 'c1', partyId });
    expect(h.all('hangup', h.last)).toEqual([
      { type: 'hangup', callId: 'c1', channelId: 'ch-c1', reason: 'transfer-ended' },
    ]);
    expect(h.record('c1')).toMatchObject({ outcome: 'transferred', transferNumber: '110', endedAt: h.now });
    expect(h.call('c1')).toBeUndefined();
  });

  it('invalid digits are re-prompted and counted; after the retries the caller goes on to the Mandarin desk', () => {
    const h = new Harness(config);
    h.arrive('c1');
    h.finishPlayback('c1');
    h.send({ type: 'dtmf', callId: 'c1', digit: '5' });
    expect(h.media('c1')).toEqual(['sound:hotline/invalid-input', 'sound:hotline/desk-choice']);
    h.finishPlayback('c1');
    h.send({ type: 'dtmf', callId: 'c1', digit: '#' });
    expect(h.media('c1')).toEqual(['sound:hotline/invalid-input', 'sound:hotline/desk-choice']);
    h.send({ type: 'dtmf', callId: 'c1', digit: '6' }); // third invalid: retries (2) used up
    expect(h.media('c1')).toEqual(['sound:hotline/emergency-advice']);
    h.send({ type: 'dtmf', callId: 'c1', digit: '0' });
    expect(h.record('c1')).toMatchObject({ skill: 'mandarin', ivrInvalidInputs: 3, ivrTimeouts: 0 });
  });

  it('time-outs without an onTimeout action re-prompt, are counted, and end in onFailure (ticket entry → queue)', () => {
    const h = new Harness(config);
    h.arrive('c1');
    h.finishPlayback('c1');
    h.send({ type: 'dtmf', callId: 'c1', digit: '8' });
    expect(h.media('c1')).toEqual(['sound:hotline/ticket-enter-number']);
    h.finishPlayback('c1');
    h.advance(8000);
    expect(h.media('c1')).toEqual(['sound:hotline/no-input', 'sound:hotline/ticket-enter-number']);
    h.finishPlayback('c1');
    h.advance(8000);
    h.finishPlayback('c1');
    expect(h.call('c1')?.phase).toBe('ivr');
    h.advance(8000);
    expect(h.call('c1')?.phase).toBe('queued');
    expect(h.record('c1')).toMatchObject({
      ivrTimeouts: 3,
      ivrExitAt: h.now,
      ivrPath: ['welcome', 'desk', 'ticket-status'],
    });
  });

  it('a timer that is no longer current does nothing', () => {
    const h = new Harness(config);
    h.arrive('c1');
    h.finishPlayback('c1');
    h.finishPlayback('c1');
    const stale = h.lastOf('set-timer')!.key;
    h.send({ type: 'dtmf', callId: 'c1', digit: '1' });
    expect(h.last).toContainEqual({ type: 'cancel-timer', key: stale });
    const before = h.state;
    const r = h.send({ type: 'timer-fired', key: stale });
    expect(r.effects).toEqual([]);
    expect(r.state.calls).toBe(before.calls);
    expect(h.media('c1')).toEqual(['sound:hotline/emergency-advice']);
  });

  it('ticket-status self-service: digits and # look the order up and read the status back with digit prompts', () => {
    const h = new Harness(config);
    h.arrive('c1');
    h.finishPlayback('c1');
    h.send({ type: 'dtmf', callId: 'c1', digit: '8' });
    for (const d of '2026015') h.send({ type: 'dtmf', callId: 'c1', digit: d });
    h.send({ type: 'dtmf', callId: 'c1', digit: '#' });
    expect(h.last).toContainEqual({
      type: 'read-ticket-status',
      callId: 'c1',
      ticketNumber: '2026015',
      callerNumber: '13812341234',
    });
    h.send({ type: 'ticket-status-result', callId: 'c1', ticketNumber: '2026015', status: 'in-progress' });
    expect(h.media('c1')).toEqual([
      'sound:hotline/ticket-number-is',
      ...[2, 0, 2, 6, 0, 1, 5].map((d) => `sound:hotline/digit-${d}`),
      'sound:hotline/ticket-status-is',
      'sound:hotline/status-in-progress',
    ]);
    h.finishPlayback('c1');
    expect(h.media('c1')).toEqual(['sound:hotline/after-status']);
    h.send({ type: 'dtmf', callId: 'c1', digit: '1' });
    for (const d of '99') h.send({ type: 'dtmf', callId: 'c1', digit: d });
    h.send({ type: 'dtmf', callId: 'c1', digit: '#' });
    h.send({ type: 'ticket-status-result', callId: 'c1', ticketNumber: '99', status: null });
    expect(h.media('c1')).toEqual(['sound:hotline/ticket-not-found']);
    h.finishPlayback('c1');
    h.send({ type: 'dtmf', callId: 'c1', digit: '9' });
    expect(h.media('c1')).toEqual(['sound:hotline/goodbye']);
    h.finishPlayback('c1');
    expect(h.lastOf('hangup')).toMatchObject({ callId: 'c1', reason: 'ivr-finished' });
    expect(h.record('c1')?.outcome).toBe('completed-in-ivr');
  });

  describe('status self-service cannot be used to enumerate orders (issue 7 item 2, art. 22)', () => {
    /** Keys `number` and # on the ticket node and answers the look-up with `status`. */
    const lookUp = (h: Harness, number: string, status: string | null) => {
      for (const d of number) h.send({ type: 'dtmf', callId: 'c1', digit: d });
      h.send({ type: 'dtmf', callId: 'c1', digit: '#' });
      h.send({ type: 'ticket-status-result', callId: 'c1', ticketNumber: number, status });
    };
    const onTicketNode = () => {
      const h = new Harness(config);
      h.arrive('c1');
      h.finishPlayback('c1');
      h.send({ type: 'dtmf', callId: 'c1', digit: '8' });
      return h;
    };

    it('given a caller on the ticket menu, when a keyed number is not found, then "not found" plays and the after-status menu follows', () => {
      const h = onTicketNode();
      lookUp(h, '101', null);
      expect(h.media('c1')).toEqual(['sound:hotline/ticket-not-found']);
      h.finishPlayback('c1');
      expect(h.media('c1')).toEqual(['sound:hotline/after-status']);
      expect(h.all('hangup')).toEqual([]);
    });

    it('given two failed look-ups, when a third number is not found after going round the menu, then goodbye plays and the call is hung up', () => {
      const h = onTicketNode();
      lookUp(h, '101', null);
      h.finishPlayback('c1');
      h.send({ type: 'dtmf', callId: 'c1', digit: '1' }); // 再次查询: the node is entered afresh
      lookUp(h, '102', null);
      h.finishPlayback('c1');
      h.send({ type: 'dtmf', callId: 'c1', digit: '1' });
      lookUp(h, '103', null);
      expect(h.media('c1')).toEqual(['sound:hotline/ticket-not-found']);
      h.finishPlayback('c1');
      expect(h.media('c1')).toEqual(['sound:hotline/goodbye']);
      expect(h.all('read-ticket-status')).toHaveLength(3);
      h.finishPlayback('c1');
      expect(h.lastOf('hangup')).toMatchObject({ callId: 'c1', reason: 'ivr-finished' });
      expect(h.record('c1')?.outcome).toBe('completed-in-ivr');
    });

    it('given a found status between failures, when the count is reached, then found look-ups did not count', () => {
      const h = onTicketNode();
      lookUp(h, '101', null);
      h.finishPlayback('c1');
      h.send({ type: 'dtmf', callId: 'c1', digit: '1' });
      lookUp(h, '7', 'closed');
      h.finishPlayback('c1');
      h.send({ type: 'dtmf', callId: 'c1', digit: '1' });
      lookUp(h, '102', null);
      h.finishPlayback('c1');
      expect(h.media('c1')).toEqual(['sound:hotline/after-status']);
      h.send({ type: 'dtmf', callId: 'c1', digit: '1' });
      lookUp(h, '103', null);
      h.finishPlayback('c1');
      expect(h.media('c1')).toEqual(['sound:hotline/goodbye']);
    });
  });

  it('an unknown status code is read as the generic status prompt', () => {
    const h = new Harness(config);
    h.arrive('c1');
    h.finishPlayback('c1');
    h.send({ type: 'dtmf', callId: 'c1', digit: '8' });
    h.send({ type: 'dtmf', callId: 'c1', digit: '7' });
    h.send({ type: 'dtmf', callId: 'c1', digit: '#' });
    h.send({ type: 'ticket-status-result', callId: 'c1', ticketNumber: '7', status: 'something-new' });
    expect(h.media('c1').at(-1)).toBe('sound:hotline/status-unknown');
  });

  it('a callback request is registered at once, confirmed, and the call ends', () => {
    const h = new Harness(config);
    h.arrive('c1');
    h.finishPlayback('c1');
    h.send({ type: 'dtmf', callId: 'c1', digit: '7' });
    expect(h.all('add-callback')).toEqual([
      { type: 'add-callback', callId: 'c1', callerNumber: '13812341234', reason: 'requested', at: T0 },
    ]);
    expect(h.media('c1')).toEqual(['sound:hotline/callback-confirm']);
    h.finishPlayback('c1');
    expect(h.lastOf('hangup')).toMatchObject({ callId: 'c1', reason: 'callback-requested' });
    expect(h.record('c1')?.outcome).toBe('callback-requested');
  });

  it('hanging up during the callback confirmation still counts as a callback request', () => {
    const h = new Harness(config);
    h.arrive('c1');
    h.finishPlayback('c1');
    h.send({ type: 'dtmf', callId: 'c1', digit: '7' });
    h.send({ type: 'caller-hangup', callId: 'c1' });
    expect(h.record('c1')?.outcome).toBe('callback-requested');
    expect(h.all('add-callback')).toHaveLength(1);
    expect(h.all('hangup')).toEqual([]);
  });

  it('hang-up in the menu ends the call as abandoned in the IVR, cancels its timer, and adds no callback', () => {
    const h = new Harness(config);
    h.arrive('c1');
    h.finishPlayback('c1');
    h.finishPlayback('c1');
    expect(h.timers.size).toBe(1);
    h.send({ type: 'caller-hangup', callId: 'c1' });
    expect(h.timers.size).toBe(0);
    expect(h.record('c1')).toMatchObject({ outcome: 'abandoned-in-ivr', endedAt: T0, ivrPath: ['welcome', 'desk'] });
    expect(h.record('c1')?.ivrExitAt).toBeUndefined();
    expect(h.all('add-callback')).toEqual([]);
    expect(h.state.calls.size).toBe(0);
    expect(h.state.timers.size).toBe(0);
  });

  it('events for unknown calls are refused without effects', () => {
    const h = new Harness(config);
    const r = h.send({ type: 'dtmf', callId: 'nope', digit: '1' });
    expect(r.rejected?.code).toBe('unknown-call');
    expect(r.effects).toEqual([]);
  });
});
