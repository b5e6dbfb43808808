import type { FastifyPluginAsync } from 'fastify';
import { can } from '../auth/principal.ts';
import type { CallEventHub } from './call-events.ts';
import { callbackView } from './namespace-supervisor.ts';
import type { Clock } from '../shared/clock.ts';
import type { CallRecords } from '../store/call-records.ts';
import { CALLBACK_OUTCOMES, CallbackStateError, type CallbackOutcome } from '../store/calls-repo.ts';
import { errorResponses, errorSchema } from '../http/error-schema.ts';
import { HttpError } from '../http/error-handler.ts';
import { idSchema } from '../http/number-bounds.ts';
import type { RetryPlan } from '../domain/callbacks/retry-plan.ts';
import type { CallbackDialer } from './callback-dialer.ts';

const STATE_STATUS: Record<CallbackStateError['code'], number> = {
  not_found: 404,
  already_done: 409,
  taken: 409,
  quiet_hours: 409,
  too_early: 409,
  not_yours: 409,
};

/** Refusals carry a code the pages translate (public/ui/agent-callbacks.js holds the Chinese text of each). */
function refused(status: number, code: string, message: string): HttpError {
  return new HttpError(status, code, message);
}

/** The callback list: missed calls and callback requests, tries and next try; dialling one; each try's outcome. */
export function callbackRoutes(deps: {
  calls: CallRecords;
  events: CallEventHub;
  clock: Clock;
  dialer?: CallbackDialer;
  plan?: RetryPlan;
}): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: { status?: 'pending' | 'done'; limit?: number } }>(
      '/callbacks',
      {
        config: { permission: 'callbacks:read' },
        schema: {
          summary: 'The callback list, oldest first',
          tags: ['callbacks'],
          security: [{ bearer: [] }],
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              status: { type: 'string', enum: ['pending', 'done'] },
              limit: { type: 'integer', minimum: 1, maximum: 1000 },
            },
          },
          response: { ...errorResponses },
        },
      },
      async (request) => {
        const full = can(request.principal, 'phone:see-full');
        return (await deps.calls.listCallbacks(request.query)).map((r) => callbackView(r, full));
      },
    );

    app.post<{ Params: { id: number }; Body: { outcome: CallbackOutcome; note?: string } }>(
      '/callbacks/:id/outcome',
      {
        config: { permission: 'callbacks:handle' },
        schema: {
          summary: 'Record the outcome of a callback (no_answer and busy keep it on the list)',
          tags: ['callbacks'],
          security: [{ bearer: [] }],
          params: { type: 'object', additionalProperties: false, required: ['id'], properties: { id: idSchema } },
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['outcome'],
            properties: {
              outcome: { type: 'string', enum: [...CALLBACK_OUTCOMES] },
              note: { type: 'string', maxLength: 2000 },
            },
          },
          response: { ...errorResponses, 404: errorSchema, 409: errorSchema },
        },
      },
      async (request) => {
        try {
          const row = await deps.calls.recordCallbackOutcome(
            request.params.id,
            request.body.outcome,
            request.principal!.username,
            deps.clock.now(),
            request.body.note ?? null,
            deps.plan,
            // A supervisor may close a callback an agent left open; an agent only their own.
            request.principal!.role === 'supervisor',
          );
          deps.events.emit('callback', row);
          return callbackView(row, can(request.principal, 'phone:see-full'));
        } catch (err) {
          if (err instanceof CallbackStateError)
            throw refused(STATE_STATUS[err.code], err.code.replace('_', '-'), err.message);
          throw err;
        }
      },
    );

    app.post<{ Params: { id: number } }>(
      '/callbacks/:id/dial',
      {
        config: { permission: 'callbacks:handle' },
        schema: {
          summary:
            "Take a pending callback and call the citizen: the agent's phone rings first, then the number is dialled (caller id 12345), bridged and recorded",
          tags: ['callbacks'],
          security: [{ bearer: [] }],
          params: { type: 'object', additionalProperties: false, required: ['id'], properties: { id: idSchema } },
          body: { type: 'object', additionalProperties: false, properties: {} },
          response: { ...errorResponses, 404: errorSchema, 409: errorSchema },
        },
      },
      async (request, reply) => {
        if (!deps.dialer) throw refused(409, 'not-available', 'dialling callbacks is not available here');
        try {
          const r = await deps.dialer.dial(request.principal!.username, request.params.id);
          if ('code' in r) {
            const code = r.reason ?? r.code;
            throw refused(r.code === 'unknown-agent' ? 409 : r.code === 'invalid-input' ? 400 : 409, code, r.message);
          }
          reply.code(201);
          return { callId: r.callId };
        } catch (err) {
          if (err instanceof CallbackStateError)
            throw refused(STATE_STATUS[err.code], err.code.replace('_', '-'), err.message);
          throw err;
        }
      },
    );

    app.get<{ Params: { id: number } }>(
      '/callbacks/:id/attempts',
      {
        config: { permission: 'callbacks:read' },
        schema: {
          summary: "A callback's tries, oldest first: the call made, by whom, and the outcome chosen",
          tags: ['callbacks'],
          security: [{ bearer: [] }],
          params: { type: 'object', additionalProperties: false, required: ['id'], properties: { id: idSchema } },
          response: { ...errorResponses, 404: errorSchema },
        },
      },
      async (request) => {
        if (!(await deps.calls.getCallback(request.params.id)))
          throw refused(404, 'not-found', `callback ${request.params.id} does not exist`);
        return deps.calls.callbackAttempts(request.params.id);
      },
    );
  };
}
