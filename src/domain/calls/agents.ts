import type { AgentState } from '../acd/agent.ts';
import type { Draft, Rejection } from './draft.ts';
import type { Input } from './inputs.ts';
import { dispatch } from './queue.ts';

/** Agent state: sign in and out, ready, pause with a reason, wrap-up after a call. */
export function signIn(d: Draft, input: Extract<Input, { type: 'agent-sign-in' }>): Rejection | undefined {
  const skills = [...new Set(input.skills)];
  if (skills.length === 0)
    return { code: 'invalid-input', message: `agent ${input.agentId}: at least one skill is needed` };
  const unknown = skills.filter((s) => !d.ivrConfig.skills.includes(s));
  if (unknown.length > 0) {
    return {
      code: 'invalid-input',
      message: `agent ${input.agentId}: unknown skill ${unknown.map((s) => `"${s}"`).join(', ')} (known: ${d.ivrConfig.skills.join(', ')})`,
    };
  }
  const existing = d.agents.get(input.agentId);
  if (existing && existing.status !== 'signed-out') {
    return { code: 'invalid-transition', message: `agent ${input.agentId} is already signed in (${existing.status})` };
  }
  // One phone, one agent: a second agent on the same phone would be offered calls that ring at the
  // first one's desk, and both desktops would pop for one call.
  if (input.endpoint !== undefined) {
    for (const other of d.agents.values()) {
      if (other.agentId !== input.agentId && other.status !== 'signed-out' && other.endpoint === input.endpoint) {
        return {
          code: 'extension-in-use',
          message: `${input.endpoint} is in use by agent ${other.agentId}`,
          holder: other.agentId,
        };
      }
    }
  }
  const agent: AgentState = {
    agentId: input.agentId,
    skills,
    status: 'signed-out',
    since: d.now,
    idleSince: d.now,
  };
  if (input.endpoint !== undefined) agent.endpoint = input.endpoint;
  d.addAgent(agent);
  const talking = [...d.calls.values()].find((c) => c.phase === 'connected' && c.agentId === agent.agentId);
  if (talking) {
    // A call restored after a restart, still in progress with this agent.
    agent.agentChannelId = talking.agentChannelId;
    d.setAgentStatus(agent, 'on-call', { callId: talking.callId });
    return undefined;
  }
  d.setAgentStatus(agent, 'ready');
  dispatch(d);
  return undefined;
}

export function signOut(d: Draft, agentId: string): Rejection | undefined {
  const agent = d.agent(agentId);
  if (!agent) return { code: 'unknown-agent', message: `no agent ${agentId}` };
  if (agent.status === 'reserved' || agent.status === 'on-call' || agent.status === 'signed-out') {
    return { code: 'invalid-transition', message: `agent ${agentId} cannot sign out while ${agent.status}` };
  }
  cancelWrapUpTimer(d, agentId);
  delete agent.wrapUp;
  d.setAgentStatus(agent, 'signed-out');
  return undefined;
}

export function ready(d: Draft, agentId: string): Rejection | undefined {
  const agent = d.agent(agentId);
  if (!agent) return { code: 'unknown-agent', message: `no agent ${agentId}` };
  if (agent.status === 'ready') return undefined;
  if (agent.status !== 'paused' && agent.status !== 'wrap-up') {
    return { code: 'invalid-transition', message: `agent ${agentId} cannot become ready while ${agent.status}` };
  }
  // The wrap-up code (事后处理) is chosen before the agent takes the next call.
  if (agent.status === 'wrap-up' && d.acd.wrapUpCodes.length > 0 && agent.wrapUp?.code === undefined) {
    return {
      code: 'invalid-transition',
      reason: 'wrap-up-code-required',
      message: `agent ${agentId}: choose a wrap-up code first`,
    };
  }
  makeReady(d, agent);
  return undefined;
}

export function pause(d: Draft, agentId: string, reason: string): Rejection | undefined {
  const agent = d.agent(agentId);
  if (!agent) return { code: 'unknown-agent', message: `no agent ${agentId}` };
  if (typeof reason !== 'string' || reason.trim() === '')
    return { code: 'invalid-input', message: 'a pause needs a reason code' };
  if (agent.status !== 'ready' && agent.status !== 'wrap-up' && agent.status !== 'paused') {
    return { code: 'invalid-transition', message: `agent ${agentId} cannot pause while ${agent.status}` };
  }
  cancelWrapUpTimer(d, agentId);
  delete agent.wrapUp;
  d.setAgentStatus(agent, 'paused', { reason: reason.trim() });
  return undefined;
}

export function wrapUpEnded(d: Draft, agentId: string): void {
  const agent = d.agent(agentId);
  if (agent && agent.status === 'wrap-up') makeReady(d, agent);
}

/** The agent's part of a call is over: wrap-up (or ready at once without a wrap-up time). */
export function startWrapUp(d: Draft, agent: AgentState): void {
  if (d.acd.wrapUpMs <= 0) {
    makeReady(d, agent);
    return;
  }
  const callId = agent.callId;
  agent.wrapUp = { startedAt: d.now, endsAt: d.now + d.acd.wrapUpMs, ...(callId ? { callId } : {}) };
  d.setAgentStatus(agent, 'wrap-up');
  d.setTimer(`wrap-up:${agent.agentId}`, agent.wrapUp.endsAt, { kind: 'wrap-up', agentId: agent.agentId });
}

function wrappingUp(d: Draft, agentId: string): AgentState | Rejection {
  const agent = d.agent(agentId);
  if (!agent) return { code: 'unknown-agent', message: `no agent ${agentId}` };
  if (agent.status !== 'wrap-up' || !agent.wrapUp)
    return { code: 'invalid-transition', reason: 'not-in-wrap-up', message: `agent ${agentId} is not in wrap-up` };
  return agent;
}

/** The agent picks the wrap-up code of the call just ended (one of acd.wrapUpCodes); it goes on the call's record. */
export function chooseWrapUpCode(d: Draft, agentId: string, code: string): Rejection | undefined {
  const a = wrappingUp(d, agentId);
  if (!('status' in a)) return a;
  if (!d.acd.wrapUpCodes.some((c) => c.code === code))
    return {
      code: 'invalid-input',
      reason: 'unknown-wrap-up-code',
      message: `unknown wrap-up code ${JSON.stringify(code)}`,
    };
  a.wrapUp = { ...a.wrapUp!, code };
  if (a.wrapUp.callId) d.emit({ type: 'wrap-up-code', agentId, callId: a.wrapUp.callId, code, at: d.now });
  d.setAgentStatus(a, 'wrap-up');
  return undefined;
}

/** One more wrap-up period (acd.wrapUpMs), up to acd.wrapUpMaxMs from the start in all; the timer moves with it. */
export function extendWrapUp(d: Draft, agentId: string): Rejection | undefined {
  const a = wrappingUp(d, agentId);
  if (!('status' in a)) return a;
  const w = a.wrapUp!;
  const limit = w.startedAt + d.acd.wrapUpMaxMs;
  if (w.endsAt >= limit)
    return {
      code: 'invalid-transition',
      reason: 'wrap-up-limit',
      message: `agent ${agentId}: the wrap-up already lasts the most allowed (${d.acd.wrapUpMaxMs} ms)`,
    };
  cancelWrapUpTimer(d, agentId);
  a.wrapUp = { ...w, endsAt: Math.min(w.endsAt + d.acd.wrapUpMs, limit) };
  d.setTimer(`wrap-up:${agentId}`, a.wrapUp.endsAt, { kind: 'wrap-up', agentId });
  d.setAgentStatus(a, 'wrap-up');
  return undefined;
}

export function makeReady(d: Draft, agent: AgentState): void {
  cancelWrapUpTimer(d, agent.agentId);
  delete agent.wrapUp;
  agent.idleSince = d.now;
  d.setAgentStatus(agent, 'ready');
  dispatch(d);
}

function cancelWrapUpTimer(d: Draft, agentId: string): void {
  if (d.agents.get(agentId)?.status !== 'wrap-up') return; // only then is a wrap-up timer pending
  for (const [key, owner] of d.timers.entries()) {
    if (owner.kind === 'wrap-up' && owner.agentId === agentId) d.cancelTimer(key);
  }
}
