import { describe, expect, it } from 'vitest';
import { loadIvrConfig } from '../../../src/ivr-config/load-ivr-config.ts';
import { Harness } from './harness.ts';

const base = loadIvrConfig();
const config = { ...base, acd: { ...base.acd, announceEveryMs: 0 } };

function talking(): Harness {
  const h = new Harness(config);
  h.signIn('a1', ['mandarin']);
  h.toQueue('c1', '1');
  h.now += 3000;
  expect(
    h.send({ type: 'agent-answered', agentId: 'a1', callId: 'c1', agentChannelId: 'a1-leg' }).rejected,
  ).toBeUndefined();
  return h;
}

const monitor = (mode: 'listen' | 'whisper' | 'barge', snoopId: string, notifyAgent = false) =>
  ({
    type: 'monitor',
    supervisorId: 's1',
    agentId: 'a1',
    mode,
    extension: '2001',
    legId: 'm1',
    snoopId,
    notifyAgent,
  }) as const;

describe('monitor sessions (pure)', () => {
  it('listen rings the supervisor, then snoops the agent leg spying both ways and whispering nothing', () => {
    const h = talking();
    expect(h.send(monitor('listen', 's0')).rejected).toBeUndefined();
    expect(h.last.map((e) => e.type)).toEqual(['dial-monitor', 'monitor-state']);
    expect(h.send({ type: 'monitor-answered', callId: 'c1', legId: 'm1' }).rejected).toBeUndefined();
    expect(h.last.filter((e) => e.type === 'snoop')).toEqual([
      { type: 'snoop', callId: 'c1', snoopId: 'm1-s0', channelId: 'a1-leg', spy: 'both', whisper: 'none' },
    ]);
    expect(h.last.filter((e) => e.type === 'join-bridge')).toEqual([
      { type: 'join-bridge', callId: 'c1', bridge: 'monitor', channelIds: ['m1', 'm1-s0'] },
    ]);
    // No effect of the session touches the caller's channel
    expect(JSON.stringify(h.last)).not.toContain('ch-c1');
  });

  it('whisper goes out to the agent only; barge joins the main bridge and drops the snoop', () => {
    const h = talking();
    h.send(monitor('listen', 's0', true));
    h.send({ type: 'monitor-answered', callId: 'c1', legId: 'm1' });
    expect(h.send(monitor('whisper', 's2', true)).rejected).toBeUndefined();
    expect(h.last.find((e) => e.type === 'snoop')).toMatchObject({ snoopId: 's2', spy: 'both', whisper: 'out' });
    expect(h.last).toEqual(
      expect.arrayContaining([{ type: 'hangup', callId: 'c1', channelId: 'm1-s0', reason: 'monitor-mode' }]),
    );
    expect(h.send(monitor('barge', 's3', true)).rejected).toBeUndefined();
    expect(h.last.filter((e) => e.type === 'join-bridge')).toEqual([
      { type: 'join-bridge', callId: 'c1', bridge: 'main', channelIds: ['m1'] },
    ]);
    expect(h.last).toEqual(expect.arrayContaining([{ type: 'destroy-bridge', callId: 'c1', bridge: 'monitor' }]));
    // The agent was told each mode
    expect(
      h
        .all('call-update')
        .filter((u) => u.state === 'monitored')
        .map((u) => u.detail),
    ).toEqual(['listen', 'whisper', 'barge']);
  });

  it('the call ending ends the session; a second supervisor and a supervisor without a session are refused', () => {
    const h = talking();
    h.send(monitor('listen', 's0'));
    h.send({ type: 'monitor-answered', callId: 'c1', legId: 'm1' });
    expect(h.send({ ...monitor('listen', 'x'), supervisorId: 's2', legId: 'm2' }).rejected).toMatchObject({
      code: 'invalid-transition',
      reason: 'conflict',
    });
    expect(h.send({ type: 'monitor-stop', supervisorId: 's2' }).rejected).toMatchObject({ reason: 'no-monitor' });
    h.send({ type: 'caller-hangup', callId: 'c1' });
    expect(h.last).toEqual(
      expect.arrayContaining([
        { type: 'hangup', callId: 'c1', channelId: 'm1', reason: 'monitor-ended' },
        { type: 'hangup', callId: 'c1', channelId: 'm1-s0', reason: 'monitor-ended' },
        expect.objectContaining({ type: 'monitor-state', state: 'ended', reason: 'call-ended', supervisorId: 's1' }),
      ]),
    );
    expect(h.send({ type: 'monitor-stop', supervisorId: 's1' }).rejected).toMatchObject({ reason: 'no-monitor' });
  });
});

describe('callback call (pure)', () => {
  const dial = {
    type: 'callback-dial',
    callId: 'cb1',
    channelId: 'cb1-c1',
    callbackId: 7,
    originalCallId: 'c0',
    agentId: 'a1',
    number: '13912345678',
  } as const;

  it("rings the agent first; the citizen is dialled only on the agent's answer, then bridged and recorded", () => {
    const h = new Harness(config);
    h.signIn('a1', ['mandarin']);
    expect(h.send(dial).rejected).toBeUndefined();
    expect(h.last.map((e) => e.type)).toEqual(expect.arrayContaining(['screen-pop', 'originate-agent']));
    expect(h.last.some((e) => e.type === 'dial-citizen')).toBe(false);
    expect(h.agent('a1')?.status).toBe('reserved');
    h.send({ type: 'agent-answered', agentId: 'a1', callId: 'cb1', agentChannelId: 'cb1-a1' });
    expect(h.last).toEqual(
      expect.arrayContaining([{ type: 'dial-citizen', callId: 'cb1', channelId: 'cb1-c1', number: '13912345678' }]),
    );
    h.send({ type: 'callback-answered', callId: 'cb1' });
    expect(h.last.map((e) => e.type)).toEqual(expect.arrayContaining(['bridge', 'start-recording']));
  });

  it('a citizen not reached ends the call in wrap-up without deciding the outcome; an agent not free is refused', () => {
    const h = new Harness(config);
    h.signIn('a1', ['mandarin']);
    h.send(dial);
    h.send({ type: 'agent-answered', agentId: 'a1', callId: 'cb1', agentChannelId: 'cb1-a1' });
    h.send({ type: 'callback-failed', callId: 'cb1', cause: 'busy' });
    expect(h.record('cb1')?.outcome).toBe('callback-failed');
    expect(h.all('call-update').find((u) => u.state === 'callback-failed')?.detail).toBe('busy');
    expect(h.agent('a1')?.status).toBe('wrap-up');
    expect(h.send({ ...dial, callId: 'cb2', channelId: 'cb2-c1' }).rejected).toMatchObject({
      reason: 'agent-not-ready',
    });
  });
});
