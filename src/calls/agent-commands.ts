import type { Rejection } from '../domain/calls/decide.ts';
import type { CallContext } from './call-context.ts';
import type { CallState, DesktopPop } from './call-events.ts';

export class CallCommandError extends Error {
  constructor(
    message: string,
    readonly code: 'no_call' | 'conflict' | 'bad_request',
  ) {
    super(message);
  }
}

const REASON = /^[\p{L}\p{N} ,.;:()_\-，。；：（）]{1,200}$/u;

function badReason(reason: unknown): Rejection | undefined {
  if (reason === undefined) return undefined;
  if (typeof reason !== 'string' || !REASON.test(reason)) {
    return {
      code: 'invalid-input',
      reason: 'bad-request',
      message: 'reason must be up to 200 letters, digits, spaces and punctuation',
    };
  }
  return undefined;
}

/**
 * The agent's commands, from the desktop (/agent) or HTTP: each becomes one domain input, so it is
 * accepted or refused on the domain's state alone, never on what ARI requests are still in flight.
 * Legs a command creates get their ids here, before the domain decides, so events map back to them.
 */
export class AgentCommands {
  constructor(private readonly ctx: CallContext) {}

  private get domain() {
    return this.ctx.o.domain;
  }

  /** Signs an agent in at a phone; the extension goes through AGENT_DIAL_TEMPLATE. */
  signIn(agentId: string, opts: { extension: string; skills: string[] }): Rejection | undefined {
    if (!/^[0-9A-Za-z_-]{1,32}$/.test(opts.extension))
      return { code: 'invalid-input', message: 'extension must be 1 to 32 letters, digits, _ or -' };
    const endpoint = this.ctx.o.agentDialTemplate.replace('{ext}', opts.extension);
    return this.ctx.feed({
      type: 'agent-sign-in',
      agentId,
      skills: opts.skills,
      endpoint,
    });
  }

  signOut(agentId: string): Rejection | undefined {
    return this.ctx.feed({ type: 'agent-sign-out', agentId });
  }

  ready(agentId: string): Rejection | undefined {
    return this.ctx.feed({ type: 'agent-ready', agentId });
  }

  /** The wrap-up code (事后处理) of the call just ended. */
  wrapUpCode(agentId: string, code: string): Rejection | undefined {
    return this.ctx.feed({ type: 'agent-wrap-up-code', agentId, code });
  }

  /** One more wrap-up period, up to the configured maximum. */
  extendWrapUp(agentId: string): Rejection | undefined {
    return this.ctx.feed({ type: 'agent-extend-wrap-up', agentId });
  }

  pause(agentId: string, reason: string): Rejection | undefined {
    if (typeof reason !== 'string' || !/^[A-Za-z0-9_-]{1,32}$/.test(reason.trim())) {
      return { code: 'invalid-input', message: 'reason must be a code of 1 to 32 letters, digits, _ or -' };
    }
    return this.ctx.feed({ type: 'agent-pause', agentId, reason: reason.trim() });
  }

  hold(agentId: string): Rejection | undefined {
    return this.ctx.feed({ type: 'hold', agentId });
  }

  unhold(agentId: string): Rejection | undefined {
    return this.ctx.feed({ type: 'unhold', agentId });
  }

  /** A leg id for a new party of the agent's call (any id will do when there is no call: the domain refuses). */
  private partyIdFor(agentId: string): string {
    return this.ctx.live.newPartyId(this.domain.agent(agentId)?.callId ?? `none-${agentId}`);
  }

  /** Blind transfer: the number is rung; once it answers the agent leaves and the caller stays with it. */
  transfer(agentId: string, number: string): Rejection | undefined {
    return this.ctx.feed({ type: 'blind-transfer', agentId, number, partyId: this.partyIdFor(agentId) });
  }

  /** Three-way call: the number is added to the bridge beside the agent and the caller. */
  conference(agentId: string, number: string): Rejection | undefined {
    return this.ctx.feed({ type: 'conference', agentId, number, partyId: this.partyIdFor(agentId) });
  }

  /** Attended transfer (咨询转接): consult an outside number or a ready colleague while the caller is held. */
  consultStart(agentId: string, target: { number?: string; agentId?: string }): Rejection | undefined {
    return this.ctx.feed({
      type: 'consult-start',
      agentId,
      partyId: this.partyIdFor(agentId),
      ...(target.number !== undefined ? { number: target.number } : {}),
      ...(target.agentId !== undefined ? { targetAgentId: target.agentId } : {}),
    });
  }

  consultComplete(agentId: string): Rejection | undefined {
    return this.ctx.feed({ type: 'consult-complete', agentId });
  }

  consultCancel(agentId: string): Rejection | undefined {
    return this.ctx.feed({ type: 'consult-cancel', agentId });
  }

  /** 内部转接 to a named ready agent. */
  transferToAgent(agentId: string, targetAgentId: string, reason?: string): Rejection | undefined {
    return (
      badReason(reason) ??
      this.ctx.feed({ type: 'transfer-to-agent', agentId, targetAgentId, ...(reason ? { reason } : {}) })
    );
  }

  /** 内部转接 to a desk (skill queue). */
  transferToDesk(agentId: string, skill: string, reason?: string): Rejection | undefined {
    return (
      badReason(reason) ?? this.ctx.feed({ type: 'transfer-to-desk', agentId, skill, ...(reason ? { reason } : {}) })
    );
  }

  /** The agent ends the call from the desktop. */
  hangup(agentId: string): Rejection | undefined {
    return this.ctx.feed({ type: 'end-call', agentId });
  }

  /**
   * Links a work order to a call. A call live here is known without asking the store; its row is written
   * (flushed) before the link that references it. Another call is looked up in the store first.
   */
  async linkWorkOrder(callId: string, workOrderId: string): Promise<void> {
    const { o, cdr, live } = this.ctx;
    cdr.flush();
    if (!live.get(callId) && !(await o.calls.getCall(callId)))
      throw new CallCommandError(`call ${callId} does not exist`, 'no_call');
    o.calls.linkWorkOrder(callId, workOrderId, o.clock.now());
  }

  /** The call an agent's desktop should show now: ringing or connected, with its pop. */
  currentCallOf(agentId: string): { pop: DesktopPop; state: CallState } | null {
    for (const call of this.ctx.live.all().values()) {
      const pop = call.pops.get(agentId);
      if (!pop || call.finalized) continue;
      const c = this.domain.call(call.callId);
      if (!c) continue;
      if (c.phase === 'connected' && c.agentId === agentId) return { pop, state: c.talk?.held ? 'held' : 'answered' };
      if (c.phase === 'ringing' && c.queue?.offeredTo === agentId) return { pop, state: 'ringing' };
      if (c.talk?.parties.some((p) => p.agentId === agentId))
        return { pop, state: this.domain.agent(agentId)?.status === 'on-call' ? 'answered' : 'ringing' };
    }
    return null;
  }
}
