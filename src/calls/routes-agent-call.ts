import type { FastifyPluginAsync } from 'fastify';
import type { Principal } from '../auth/principal.ts';
import type { Rejection } from '../domain/calls/decide.ts';
import { errorResponses, errorSchema } from '../http/error-schema.ts';
import { HttpError } from '../http/error-handler.ts';
import type { AgentCommands } from './agent-commands.ts';
import { consultBody, emptyBody, numberBody, transferToAgentBody, transferToDeskBody } from './schemas.ts';

const STATUS: Record<Rejection['code'], number> = {
  'unknown-agent': 404,
  'unknown-call': 404,
  'invalid-transition': 409,
  'invalid-input': 400,
  'invalid-extension': 400,
  'extension-in-use': 409,
};
const rejections = { ...errorResponses, 404: errorSchema, 409: errorSchema };

/**
 * The agent's commands on their current call over HTTP, beside the /agent namespace (same
 * commands, same refusals): `POST /agents/me/call/{command}`, 204 when accepted, else 400 (bad
 * input), 404 (unknown agent), 409 with a reason code (`no-call`, `conflict`, `agent-not-ready`,
 * `agent-not-signed-in`, `desk-unstaffed`, `consult-not-answered`).
 */
export function agentCallRoutes(deps: {
  commands: AgentCommands;
  agentIdOf: (p: Principal) => string;
}): FastifyPluginAsync {
  const { commands, agentIdOf } = deps;
  return async (app) => {
    const command = <B>(
      path: string,
      summary: string,
      body: object,
      fn: (agentId: string, body: B) => Rejection | undefined,
    ) =>
      app.post<{ Body: B }>(
        `/agents/me/call/${path}`,
        {
          config: { permission: 'calls:take' },
          schema: { summary, tags: ['agents'], security: [{ bearer: [] }], body, response: rejections },
        },
        async (request, reply) => {
          const r = fn(agentIdOf(request.principal!), (request.body ?? {}) as B);
          if (r) throw new HttpError(STATUS[r.code], r.reason ?? r.code, r.message);
          return reply.code(204).send();
        },
      );
    command('hold', 'Put the caller on hold (music)', emptyBody, (id) => commands.hold(id));
    command('unhold', 'Take the caller off hold', emptyBody, (id) => commands.unhold(id));
    command('hangup', 'End my call', emptyBody, (id) => commands.hangup(id));
    command<{ number: string }>('conference', 'Three-way call with an outside number', numberBody, (id, b) =>
      commands.conference(id, b.number),
    );
    command<{ number: string }>('transfer', 'Blind transfer to an outside number', numberBody, (id, b) =>
      commands.transfer(id, b.number),
    );
    command<{ number?: string; agentId?: string }>(
      'consult',
      'Attended transfer: hold the caller and consult a number or a ready colleague',
      consultBody,
      (id, b) => commands.consultStart(id, b),
    );
    command(
      'consult/complete',
      'Attended transfer: join the caller to the consulted party and leave',
      emptyBody,
      (id) => commands.consultComplete(id),
    );
    command(
      'consult/cancel',
      'Attended transfer: release the consulted party and return to the caller',
      emptyBody,
      (id) => commands.consultCancel(id),
    );
    command<{ agentId: string; reason?: string }>(
      'transfer-to-agent',
      'Hand the call to a named ready agent',
      transferToAgentBody,
      (id, b) => commands.transferToAgent(id, b.agentId, b.reason),
    );
    command<{ skill: string; reason?: string }>(
      'transfer-to-desk',
      'Hand the call to a desk (skill queue), keeping its priority and place',
      transferToDeskBody,
      (id, b) => commands.transferToDesk(id, b.skill, b.reason),
    );
  };
}
