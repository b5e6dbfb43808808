import type { Rejection } from '../domain/calls/decide.ts';
import type { CallContext } from './call-context.ts';

export const MONITOR_MODES = ['listen', 'whisper', 'barge'] as const;
export type MonitorModeName = (typeof MONITOR_MODES)[number];

/**
 * A supervisor's monitor commands (issue 10) → domain inputs. The supervisor's phone leg and the
 * snoop channel get their ids here, before the domain decides, so their events map back to the call.
 */
export class MonitorCommands {
  private seq = 0;
  constructor(
    private readonly ctx: CallContext,
    /** Tell the agent's desktop that a supervisor is on the call. */
    private readonly notifyAgent: boolean,
  ) {}

  start(supervisorId: string, p: { agentId: string; mode: MonitorModeName; extension: string }): Rejection | undefined {
    const callId = this.ctx.o.domain.agent(p.agentId)?.callId ?? `none-${p.agentId}`;
    const n = ++this.seq;
    return this.ctx.feed({
      type: 'monitor',
      supervisorId,
      agentId: p.agentId,
      mode: p.mode,
      extension: p.extension,
      legId: `${callId}-m${n}`,
      snoopId: `${callId}-m${n}-s${n}`,
      notifyAgent: this.notifyAgent,
    });
  }

  stop(supervisorId: string): Rejection | undefined {
    return this.ctx.feed({ type: 'monitor-stop', supervisorId });
  }
}
