import type { FastifyPluginAsync } from 'fastify';
import { can } from '../auth/principal.ts';
import type { CallEventHub } from './call-events.ts';
import { callbackView } from './namespace-supervisor.ts';
import type { Clock } from '../shared/clock.ts';
import { CALLBACK_OUTCOMES, CallbackStateError, type CallbackOutcome, type CallsRepo } from '../store/calls-repo.ts';
import { errorResponses, errorSchema } from '../http/error-schema.ts';
import { HttpError } from '../http/error-handler.ts';
import { idSchema } from '../http/number-bounds.ts';

/** The callback list: missed calls and callback requests, and each callback's outcome. */
export function callbackRoutes(deps: { calls: CallsRepo; events: CallEventHub; clock: Clock }): FastifyPluginAsync {
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
        return deps.calls.listCallbacks(request.query).map((r) => callbackView(r, full));
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
          const row = deps.calls.recordCallbackOutcome(
            request.params.id,
            request.body.outcome,
            request.principal!.username,
            deps.clock.now(),
            request.body.note ?? null,
          );
          deps.events.emit('callback', row);
          return callbackView(row, can(request.principal, 'phone:see-full'));
        } catch (err) {
          if (err instanceof CallbackStateError)
            throw new HttpError(err.code === 'not_found' ? 404 : 409, err.code.replace('_', '-'), err.message);
          throw err;
        }
      },
    );
  };
}
