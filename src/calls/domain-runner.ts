import type { AgentState } from '../domain/acd/agent.ts';
import {
  createCallCenterState,
  type CallCenterConfig,
  type CallCenterState,
} from '../domain/calls/call-center-state.ts';
import { decide, queuePosition } from '../domain/calls/decide.ts';
import type { Input } from '../domain/calls/inputs.ts';
import type { CallDomainPort } from './call-domain-port.ts';

/** Holds the domain's state between inputs: the only mutable thing around the pure `decide`. */
export class DomainRunner implements CallDomainPort {
  private state: CallCenterState;

  constructor(config: CallCenterConfig) {
    this.state = createCallCenterState(config);
  }

  handle(input: Input, now: number) {
    const result = decide(this.state, input, now);
    this.state = result.state;
    return result.rejected ? { effects: result.effects, rejected: result.rejected } : { effects: result.effects };
  }

  agents(): readonly AgentState[] {
    return [...this.state.agents.values()];
  }

  agent(agentId: string): AgentState | undefined {
    return this.state.agents.get(agentId);
  }

  call(callId: string) {
    return this.state.calls.get(callId);
  }

  queuePosition(callId: string): number | undefined {
    return queuePosition(this.state, callId);
  }

  get snapshot(): CallCenterState {
    return this.state;
  }
}
