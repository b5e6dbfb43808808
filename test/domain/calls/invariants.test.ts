import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { leaderOnDuty } from '../../../src/domain/acd/rota.ts';
import { isEligible } from '../../../src/domain/acd/routing.ts';
import type { Input } from '../../../src/domain/calls/inputs.ts';
import { loadIvrConfig } from '../../../src/ivr-config/load-ivr-config.ts';
import { Harness } from './harness.ts';

const base = loadIvrConfig();
const config = { ...base, acd: { ...base.acd, announceEveryMs: 7_000, wrapUpMs: 3_000, ringTimeoutMs: 4_000 } };
const AGENTS = ['a1', 'a2', 'a3', 'a4'];
const SKILLS = [['mandarin'], ['zhuang'], ['cantonese'], ['mandarin', 'cantonese']];
const CALLS = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];

type Step =
  | { k: 'arrive'; call: number }
  | { k: 'dtmf'; call: number; digit: string }
  | { k: 'finish'; call: number }
  | { k: 'hangup'; call: number }
  | { k: 'advance'; ms: number }
  | { k: 'sign-in'; agent: number; leader: boolean }
  | { k: 'sign-out' | 'ready' | 'answer' | 'fail' | 'agent-hangup'; agent: number }
  | { k: 'pause'; agent: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ k: fc.constant('arrive' as const), call: fc.nat(5) }),
  fc.record({
    k: fc.constant('dtmf' as const),
    call: fc.nat(5),
    digit: fc.constantFrom('0', '1', '2', '3', '4', '5', '7', '8', '9', '#', '*'),
  }),
  fc.record({ k: fc.constant('finish' as const), call: fc.integer({ min: -1, max: 5 }) }),
  fc.record({ k: fc.constant('dtmf' as const), call: fc.constant(-1), digit: fc.constantFrom('0', '1', '2', '3') }),
  fc.record({ k: fc.constant('hangup' as const), call: fc.nat(5) }),
  fc.record({ k: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 12_000 }) }),
  fc.record({ k: fc.constant('sign-in' as const), agent: fc.nat(3), leader: fc.boolean() }),
  fc.record({
    k: fc.constantFrom(
      'sign-out' as const,
      'ready' as const,
      'answer' as const,
      'fail' as const,
      'agent-hangup' as const,
    ),
    agent: fc.nat(3),
  }),
  // Answers whichever agent is ringing, so that calls do get answered in random runs.
  fc.record({ k: fc.constant('answer' as const), agent: fc.constant(-1) }),
  fc.record({ k: fc.constant('pause' as const), agent: fc.nat(3) }),
);

function apply(h: Harness, s: Step): void {
  // call -1: whichever call is playing something (moves calls along the menu in random runs).
  const busy = [...h.playing.keys()].find((id) => h.call(id)?.phase === 'ivr') ?? [...h.playing.keys()][0] ?? 'c1';
  const callId = 'call' in s ? (s.call < 0 ? busy : (CALLS[s.call] as string)) : '';
  const ringing = [...h.state.agents.values()].find((a) => a.status === 'reserved')?.agentId ?? 'a1';
  const agentId = 'agent' in s ? (s.agent < 0 ? ringing : (AGENTS[s.agent] as string)) : '';
  const agent = agentId ? h.agent(agentId) : undefined;
  let input: Input | undefined;
  switch (s.k) {
    case 'arrive':
      if (!h.call(callId))
        input = { type: 'call-arrived', callId, channelId: `ch-${callId}-${h.now}`, callerNumber: '13800000000' };
      break;
    case 'dtmf':
      input = { type: 'dtmf', callId, digit: s.digit };
      break;
    case 'finish':
      if (h.playing.has(callId)) {
        h.finishPlayback(callId);
        return;
      }
      break;
    case 'hangup':
      input = { type: 'caller-hangup', callId };
      break;
    case 'advance':
      h.advance(s.ms);
      return;
    case 'sign-in':
      // A leader signs in like an agent and is put on the rota (art. 23) from now on.
      if (s.leader && !h.state.rota.some((r) => r.agentId === agentId))
        h.send({
          type: 'rota-set',
          spans: [
            ...h.state.rota,
            { spanId: agentId, agentId, from: h.now, to: h.now + 86_400_000, seat: null, skill: null },
          ],
        });
      input = { type: 'agent-sign-in', agentId, skills: SKILLS[s.agent] as string[] };
      break;
    case 'sign-out':
      input = { type: 'agent-sign-out', agentId };
      break;
    case 'ready':
      input = { type: 'agent-ready', agentId };
      break;
    case 'pause':
      input = { type: 'agent-pause', agentId, reason: 'break' };
      break;
    case 'answer':
      input = { type: 'agent-answered', agentId, callId: agent?.callId ?? 'none', agentChannelId: `leg-${agentId}` };
      break;
    case 'fail':
      input = { type: 'agent-leg-failed', agentId, callId: agent?.callId ?? 'none', cause: 'busy' };
      break;
    case 'agent-hangup':
      input = { type: 'agent-hangup', agentId, callId: agent?.callId ?? 'none' };
      break;
  }
  if (input) h.send(input);
  // A ticket lookup is answered at once, as the adapter would.
  for (const e of h.last) {
    if (e.type === 'read-ticket-status')
      h.send({ type: 'ticket-status-result', callId: e.callId, ticketNumber: e.ticketNumber, status: 'closed' });
  }
}

function checkInvariants(h: Harness): void {
  const st = h.state;
  // The adapter's timers and the domain's registry agree.
  expect([...st.timers.keys()].sort()).toEqual([...h.timers.keys()].sort());
  const offeredAgents = new Set<string>();
  for (const c of st.calls.values()) {
    // Only a call handed off to an outside number (menu transfer) knows its outcome before it ends.
    expect(c.record.outcome).toBe(c.phase === 'handed-off' ? 'transferred' : 'in-progress');
    if (c.phase === 'ringing') {
      const to = c.queue?.offeredTo as string;
      expect(offeredAgents.has(to)).toBe(false);
      offeredAgents.add(to);
      expect(st.agents.get(to)).toMatchObject({ status: 'reserved', callId: c.callId });
    }
    if (c.phase === 'queued') {
      // Nobody who could take a waiting call is left idle.
      for (const a of st.agents.values())
        expect(isEligible(a, c.queue!, config.acd, leaderOnDuty(st.rota, a.agentId, c.queue!.skill, h.now))).toBe(
          false,
        );
    }
    if (c.phase === 'queued' || c.phase === 'ringing') {
      expect(c.record.ivrExitAt).toBe(c.queue?.enqueuedAt);
      // The watchdog is armed until it has fired.
      if (c.record.breach === undefined) expect(c.timers.breach).toBeDefined();
    }
  }
  for (const a of st.agents.values()) {
    if (a.status === 'reserved' || a.status === 'on-call') {
      const c = st.calls.get(a.callId as string);
      expect(c?.phase).toBe(a.status === 'reserved' ? 'ringing' : 'connected');
    } else {
      expect(a.callId).toBeUndefined();
    }
  }
}

/** A call that ends gets exactly one final record, and was in the state before. */
function checkEndings(h: Harness, before: ReadonlyMap<string, unknown>, from: number): void {
  const ended = h.log
    .slice(from)
    .filter((e) => e.type === 'call-record' && e.record.endedAt !== undefined)
    .map((e) => (e.type === 'call-record' ? e.record.callId : ''));
  expect(new Set(ended).size).toBe(ended.length);
  for (const id of ended) {
    expect(
      before.has(id) ||
        h.log
          .slice(from)
          .some((e) => e.type === 'call-record' && e.record.callId === id && e.record.endedAt === undefined),
    ).toBe(true);
    expect(h.state.calls.has(id)).toBe(false);
  }
}

describe('invariants under random call and agent events', () => {
  it('no agent holds two calls, no waiting call sits beside an idle eligible agent, timers stay in step', () => {
    const seen = { bridge: 0, breach: 0, rona: 0, abandoned: 0, transfer: 0, wrapUpEnded: 0 };
    fc.assert(
      fc.property(fc.array(step, { minLength: 40, maxLength: 100 }), (steps) => {
        const h = new Harness(config);
        for (const s of steps) {
          const before = h.state.calls;
          const from = h.log.length;
          apply(h, s);
          checkInvariants(h);
          checkEndings(h, before, from);
        }
        const abandoned = h
          .all('call-record')
          .filter((e) => e.record.outcome === 'abandoned' && e.record.endedAt !== undefined);
        const callbacks = h.all('add-callback').filter((e) => e.reason === 'abandoned');
        expect(callbacks.length).toBe(abandoned.length);
        seen.bridge += h.all('bridge').length;
        seen.breach += h.all('alert').filter((a) => a.kind === 'answer-breach').length;
        seen.rona += h.all('agent-state').filter((a) => a.reason === 'RONA').length;
        seen.abandoned += abandoned.length;
        seen.transfer += h.all('transfer').length;
        seen.wrapUpEnded += h.all('set-timer').filter((t) => t.key.startsWith('wrap-up:')).length;
      }),
      { numRuns: 50, seed: 12345 },
    );
    // The random runs did reach the interesting states (a fixed seed keeps this stable).
    for (const [what, n] of Object.entries(seen)) expect(n, `${what} in ${JSON.stringify(seen)}`).toBeGreaterThan(0);
  });
});
