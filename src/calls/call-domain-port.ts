import type { AgentState } from '../domain/acd/agent.ts';
import type { CallState } from '../domain/calls/call-center-state.ts';
import type { Effect } from '../domain/calls/effects.ts';
import type { Input } from '../domain/calls/inputs.ts';
import type { Rejection } from '../domain/calls/decide.ts';

/**
 * The call layer's view of the pure call domain: it keeps the domain state, feeds one input at a
 * time with the clock's `now`, and returns the effects to carry out (and why an input was refused).
 */
export interface CallDomainPort {
  handle(input: Input, now: number): { effects: Effect[]; rejected?: Rejection };
  /** Every agent the domain knows, signed out ones included. */
  agents(): readonly AgentState[];
  agent(agentId: string): AgentState | undefined;
  /** The domain's view of a live call (phase, agent, talk state). */
  call(callId: string): CallState | undefined;
  /** Where a waiting call stands in its queue (1 = next), undefined when not waiting. */
  queuePosition(callId: string): number | undefined;
}
