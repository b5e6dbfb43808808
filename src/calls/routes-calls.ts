import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { can } from '../auth/principal.ts';
import type { FiguresPublisher } from './live-figures.ts';
import { LinkRefusal, type WorkOrderLinker } from './work-order-link.ts';
import { maskPhone } from '../shared/phone-mask.ts';
import type { CallsRepo } from '../store/calls-repo.ts';
import type { RecordingsRepo } from '../store/recordings-repo.ts';
import type { CallLegRow, CallRow } from '../store/schema/calls.ts';
import { errorResponses, errorSchema } from '../http/error-schema.ts';
import { HttpError } from '../http/error-handler.ts';
import { epochMsSchema, offsetSchema } from '../http/number-bounds.ts';

export interface CallRoutesDeps {
  calls: CallsRepo;
  recordings: RecordingsRepo;
  figures: FiguresPublisher;
  linker: WorkOrderLinker;
}

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    from: epochMsSchema,
    to: epochMsSchema,
    limit: { type: 'integer', minimum: 1, maximum: 1000 },
    offset: offsetSchema,
  },
} as const;

const callIdParams = {
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' } },
} as const;

function view(row: CallRow, full: boolean) {
  let ivrPath: unknown = [];
  try {
    ivrPath = JSON.parse(row.ivrPath);
  } catch {
    ivrPath = [];
  }
  return { ...row, callerNumber: full ? row.callerNumber : maskPhone(row.callerNumber), ivrPath };
}

function legView(leg: CallLegRow, full: boolean) {
  return { ...leg, number: leg.number === null || full ? leg.number : maskPhone(leg.number) };
}

function seesFull(request: FastifyRequest): boolean {
  return can(request.principal, 'phone:see-full');
}

/** Call detail records (issue 4 item 9), live figures, and linking work orders made during a call. */
export function callRoutes(deps: CallRoutesDeps): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: { from?: number; to?: number; limit?: number; offset?: number } }>(
      '/calls',
      {
        config: { permission: 'calls:read' },
        schema: {
          summary: 'List call detail records, newest first',
          tags: ['calls'],
          security: [{ bearer: [] }],
          querystring: listQuery,
          response: { ...errorResponses },
        },
      },
      async (request) => {
        const q = request.query;
        if (q.from !== undefined && q.to !== undefined && q.to < q.from)
          throw new HttpError(400, 'invalid-range', 'to must not be before from');
        const full = seesFull(request);
        return deps.calls.listCalls(q).map((r) => view(r, full));
      },
    );

    app.get(
      '/calls/live',
      {
        config: { permission: 'calls:monitor' },
        schema: {
          summary: 'Live figures now (the /supervisor socket.io namespace pushes the same on every change)',
          tags: ['calls'],
          security: [{ bearer: [] }],
          response: { ...errorResponses },
        },
      },
      async () => deps.figures.current(),
    );

    app.get<{ Params: { id: string } }>(
      '/calls/:id',
      {
        config: { permission: 'calls:read' },
        schema: {
          summary: 'One call: its record, every leg, its recordings and the work orders made during it',
          tags: ['calls'],
          security: [{ bearer: [] }],
          params: callIdParams,
          response: { ...errorResponses, 404: errorSchema },
        },
      },
      async (request) => {
        const row = deps.calls.getCall(request.params.id);
        if (!row) throw new HttpError(404, 'call-not-found', `call ${request.params.id} does not exist`);
        const full = seesFull(request);
        return {
          ...view(row, full),
          legs: deps.calls.legs(row.id).map((l) => legView(l, full)),
          workOrders: deps.calls.workOrdersOf(row.id),
          recordings: deps.recordings.byCall(row.id).map(({ path: _p, ...r }) => r),
        };
      },
    );

    app.post<{ Params: { id: string }; Body: { workOrderId: string } }>(
      '/calls/:id/work-orders',
      {
        config: { permission: 'calls:take' },
        schema: {
          summary: 'Link a work order created during this call (the recording is linked through the call)',
          description:
            '204 when linked now, 200 `{ alreadyLinked: true }` when the link existed (idempotent); 404 `call-not-found` or ' +
            '`work-order-not-found`; 403 `confidential` / `not-your-unit` when your role may not see the order (art. 22).',
          tags: ['calls'],
          security: [{ bearer: [] }],
          params: callIdParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['workOrderId'],
            properties: { workOrderId: { type: 'string', minLength: 1, maxLength: 64 } },
          },
          response: {
            200: {
              type: 'object',
              additionalProperties: false,
              properties: {
                callId: { type: 'string' },
                workOrderId: { type: 'string' },
                alreadyLinked: { type: 'boolean' },
              },
            },
            204: { type: 'null' },
            ...errorResponses,
            404: errorSchema,
          },
        },
      },
      async (request, reply) => {
        const p = request.principal;
        if (!p) throw new HttpError(401, 'unauthenticated', 'sign in first');
        const { id } = request.params;
        const { workOrderId } = request.body;
        let r;
        try {
          r = await deps.linker.link(p, id, workOrderId);
        } catch (err) {
          if (err instanceof LinkRefusal) throw new HttpError(err.statusCode, err.code, err.message);
          throw err;
        }
        if (r.alreadyLinked) return reply.code(200).send({ callId: id, workOrderId, alreadyLinked: true });
        return reply.code(204).send();
      },
    );
  };
}
