import type { Namespace, Socket } from 'socket.io';
import { can, type Principal } from '../auth/principal.ts';
import { SUPERVISOR_PAUSE } from '../domain/acd/agent.ts';
import type { Rejection } from '../domain/calls/decide.ts';
import type { Clock } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { AuditEntry } from '../store/audit-repo.ts';
import type { CallController } from './call-controller.ts';
import type { Ack } from './namespace-agent.ts';
import { refusalZh } from './refusal-text.ts';

const STATUS_OF: Record<Rejection['code'], number> = {
  'unknown-agent': 404,
  'unknown-call': 404,
  'invalid-transition': 409,
  'invalid-input': 400,
  'invalid-extension': 400,
  'extension-in-use': 409,
};

const FORCED = ['paused', 'ready', 'signed-out'] as const;
type Forced = (typeof FORCED)[number];

export interface SupervisorCommandOptions {
  nsp: Namespace;
  controller: CallController;
  audit: { append(e: AuditEntry): Promise<number> };
  clock: Clock;
  logger: Logger;
}

const refused = (statusCode: number, code: string, message: string): Ack => ({
  ok: false,
  error: { statusCode, code, message, messageZh: refusalZh(code) },
});

/**
 * Supervisor actions on `/supervisor`, acknowledged like the desktop's commands (`{ ok: true }` or
 * `{ ok: false, error: { statusCode, code, message, messageZh } }`), each written to the audit log:
 * - `agent-force { agentId, state: 'paused' | 'ready' | 'signed-out', reason }` (permission `agents:force`):
 *   the agent's desktop gets its new `agent-state` like any change;
 * - `send-to-leaders { callId, reason? }`: a waiting call goes to the leaders on duty (art. 23).
 */
export function attachSupervisorCommands(o: SupervisorCommandOptions): void {
  const log = o.logger.child({ component: 'supervisor-commands' });
  o.nsp.on('connection', (socket: Socket) => {
    const principal = (socket.data as { principal: Principal }).principal;
    const handle = (event: string, fn: (p: Record<string, unknown>) => Promise<Ack>) => {
      socket.on(event, async (...args: unknown[]) => {
        const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (a: Ack) => void) : undefined;
        const payload = args[0];
        if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
          ack?.(refused(400, 'invalid-input', `${event}: the payload must be an object`));
          return;
        }
        ack?.(await fn(payload as Record<string, unknown>));
      });
    };
    const audited = async (entry: Omit<AuditEntry, 'actorId' | 'actorRole' | 'at'>): Promise<Ack> => {
      try {
        await o.audit.append({ ...entry, actorId: principal.username, actorRole: principal.role, at: o.clock.now() });
        return { ok: true };
      } catch (err) {
        log.error({ err, action: entry.action }, 'supervisor action done but not audited');
        return refused(500, 'audit-failed', 'the action was carried out but could not be written to the audit log');
      }
    };
    const rejection = (r: Rejection): Ack => refused(STATUS_OF[r.code], r.reason ?? r.code, r.message);

    handle('agent-force', async (p) => {
      if (!can(principal, 'agents:force'))
        return refused(403, 'forbidden', `role ${principal.role} may not force an agent's state`);
      const extra = Object.keys(p).find((k) => k !== 'agentId' && k !== 'state' && k !== 'reason');
      if (extra !== undefined) return refused(400, 'invalid-input', `agent-force: unknown field ${extra}`);
      const { agentId, state, reason } = p;
      if (typeof agentId !== 'string' || agentId.length === 0 || agentId.length > 64)
        return refused(400, 'invalid-input', 'agent-force: agentId must be a non-empty string');
      if (typeof state !== 'string' || !(FORCED as readonly string[]).includes(state))
        return refused(400, 'invalid-input', `agent-force: state must be one of ${FORCED.join(', ')}`);
      if (typeof reason !== 'string' || reason.trim() === '' || reason.length > 500)
        return refused(400, 'reason-required', 'agent-force: a reason (1 to 500 characters) is required');
      const before = o.controller.agents().find((a) => a.agentId === agentId)?.status;
      if (before === undefined || before === 'signed-out')
        return refused(404, 'unknown-agent', `agent ${agentId} is not signed in`);
      const r = force(o.controller, agentId, state as Forced);
      if (r) return rejection(r);
      return audited({
        entity: 'agent',
        entityId: agentId,
        action: 'agent-force',
        reason: reason.trim(),
        fromStatus: before,
        toStatus: state,
      });
    });

    handle('send-to-leaders', async (p) => {
      if (!can(principal, 'agents:force'))
        return refused(403, 'forbidden', `role ${principal.role} may not route calls`);
      const { callId, reason } = p;
      if (typeof callId !== 'string' || callId.length === 0 || callId.length > 128)
        return refused(400, 'invalid-input', 'send-to-leaders: callId must be a non-empty string');
      if (reason !== undefined && (typeof reason !== 'string' || reason.length > 500))
        return refused(400, 'invalid-input', 'send-to-leaders: reason must be a string of at most 500 characters');
      const r = o.controller.input({ type: 'send-to-leaders', callId });
      if (r) return rejection(r);
      return audited({
        entity: 'call',
        entityId: callId,
        action: 'send-to-leaders',
        reason: typeof reason === 'string' && reason.trim() !== '' ? reason.trim() : null,
      });
    });
  });
}

function force(controller: CallController, agentId: string, state: Forced): Rejection | undefined {
  switch (state) {
    case 'paused':
      return controller.pause(agentId, SUPERVISOR_PAUSE);
    case 'ready':
      return controller.ready(agentId);
    case 'signed-out':
      return controller.signOut(agentId);
  }
}
