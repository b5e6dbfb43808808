import type { FastifyPluginAsync } from 'fastify';
import type { Clock } from '../shared/clock.ts';
import type { AssessmentService } from './assessment-service.ts';
import { summaryView } from './order-view.ts';
import type { SupervisionScanner } from './supervision-scanner.ts';
import type { WorkOrderService } from './work-order-service.ts';
import type { WorkOrderRepo } from '../store/work-orders-repo.ts';
import { idSchema } from '../http/number-bounds.ts';
import { emptyBodySchema } from '../http/routes/user-schema.ts';
import {
  allErrors,
  caller,
  idParams,
  mapServiceErrors,
  openObject,
  security,
  text,
  unitIdSchema,
} from './routes-common.ts';

const taskSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    id: { type: 'integer' },
    orderId: { type: 'integer' },
    kind: { type: 'string' },
    unitId: { type: ['string', 'null'] },
    note: { type: ['string', 'null'] },
    status: { type: 'string' },
    createdAt: { type: 'integer' },
    doneAt: { type: ['integer', 'null'] },
    doneBy: { type: ['string', 'null'] },
  },
} as const;

/** Tasks for people (emergency phone notifications, callbacks, re-dispatch), supervision, assessment and appeals. */
export function workOrderAdminRoutes(deps: {
  orders: WorkOrderService;
  scanner: SupervisionScanner;
  assessment: AssessmentService;
  repo: WorkOrderRepo;
  clock: Clock;
}): FastifyPluginAsync {
  const { orders, scanner, assessment, repo, clock } = deps;
  return async (app) => {
    mapServiceErrors(app);

    app.get<{ Querystring: { status?: 'open' | 'done'; kind?: string; orderId?: number; limit?: number } }>(
      '/work-order-tasks',
      {
        config: { permission: 'work-orders:tasks' },
        schema: {
          summary:
            'Tasks for the hotline: emergency phone notifications (art. 25), manual callbacks and reviews (art. 27), re-dispatch, overdue reasons',
          tags: ['work-orders'],
          security,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              status: { type: 'string', enum: ['open', 'done'] },
              kind: {
                type: 'string',
                enum: [
                  'emergency-phone-notification',
                  'manual-callback',
                  'review-result',
                  're-dispatch',
                  'explain-overdue',
                ],
              },
              orderId: idSchema,
              limit: { type: 'integer', minimum: 1, maximum: 500 },
            },
          },
          response: { 200: { type: 'array', items: taskSchema }, ...allErrors },
        },
      },
      async (request) => orders.tasks(request.query, caller(request)),
    );

    app.post<{ Params: { id: number }; Body: { note?: string } }>(
      '/work-order-tasks/:id/complete',
      {
        config: { permission: 'work-orders:tasks' },
        schema: {
          summary: 'Mark a task done (e.g. the unit was phoned), with a note',
          tags: ['work-orders'],
          security,
          params: idParams,
          body: { type: 'object', additionalProperties: false, properties: { note: text(2000) } },
          response: { 200: taskSchema, ...allErrors },
        },
      },
      async (request) => orders.completeTask(request.params.id, request.body.note ?? null, caller(request)),
    );

    app.get<{ Querystring: { limit?: number } }>(
      '/supervision/overdue',
      {
        config: { permission: 'work-orders:supervise' },
        schema: {
          summary: 'Orders past their pending deadline (dispatch, sign, completion), most overdue first',
          tags: ['supervision'],
          security,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { limit: { type: 'integer', minimum: 1, maximum: 5000 } },
          },
          response: { 200: { type: 'array', items: openObject }, ...allErrors },
        },
      },
      async (request) => {
        const c = caller(request);
        const rows = await repo.dueBefore(clock.now(), request.query.limit ?? 500);
        const visible = await orders.visibleSummaries(rows, c);
        return visible.filter((r) => r.nextDeadlineKind !== 'satisfaction').map((r) => summaryView(r, c));
      },
    );

    app.get<{ Params: { id: number } }>(
      '/supervision/orders/:id/notices',
      {
        config: { permission: 'work-orders:read' },
        schema: {
          summary: 'Supervision notices sent for an order (art. 34)',
          tags: ['supervision'],
          security,
          params: idParams,
          response: { 200: { type: 'array', items: openObject }, ...allErrors },
        },
      },
      async (request) => {
        await orders.get(request.params.id, caller(request));
        return repo.notices(request.params.id);
      },
    );

    app.post(
      '/supervision/scan',
      {
        config: { permission: 'work-orders:supervise' },
        schema: {
          summary: 'Run one supervision and satisfaction-timeout pass now',
          tags: ['supervision'],
          security,
          body: emptyBodySchema,
          response: { 200: openObject, ...allErrors },
        },
      },
      async () => scanner.scanOnce(),
    );

    app.get<{ Querystring: { year: number; month?: number; unitId?: string } }>(
      '/assessment/figures',
      {
        config: { permission: 'assessment:read' },
        schema: {
          summary:
            'Per-unit figures for a month or a cycle (1 Dec – 30 Nov, art. 30): on-time signing and completion, return, extension and satisfaction rates',
          tags: ['assessment'],
          security,
          querystring: {
            type: 'object',
            additionalProperties: false,
            required: ['year'],
            properties: {
              year: { type: 'integer', minimum: 2000, maximum: 2200 },
              month: { type: 'integer', minimum: 1, maximum: 12 },
              unitId: unitIdSchema,
            },
          },
          response: { 200: openObject, ...allErrors },
        },
      },
      async (request) => assessment.figures(request.query, caller(request)),
    );

    app.post<{ Body: { cycleYear: number; orderId?: number; reason: string; unitId?: string } }>(
      '/assessment/appeals',
      {
        config: { permission: 'assessment:appeal' },
        schema: {
          summary: "Appeal a cycle's figures (until 7 working days after the cycle, art. 33)",
          tags: ['assessment'],
          security,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['cycleYear', 'reason'],
            properties: {
              cycleYear: { type: 'integer', minimum: 2000, maximum: 2200 },
              orderId: { type: 'integer', minimum: 1 },
              reason: text(5000),
              unitId: unitIdSchema,
            },
          },
          response: { 201: openObject, ...allErrors },
        },
      },
      async (request, reply) => reply.code(201).send(await assessment.appeal(request.body, caller(request))),
    );

    app.get<{ Querystring: { unitId?: string; cycle?: string } }>(
      '/assessment/appeals',
      {
        config: { permission: 'assessment:read' },
        schema: {
          summary: 'List appeals',
          tags: ['assessment'],
          security,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { unitId: unitIdSchema, cycle: { type: 'string', pattern: '^[0-9]{4}$' } },
          },
          response: { 200: { type: 'array', items: openObject }, ...allErrors },
        },
      },
      async (request) => assessment.appeals(request.query, caller(request)),
    );

    app.post<{ Params: { id: number }; Body: { status: 'accepted' | 'rejected'; decision: string } }>(
      '/assessment/appeals/:id/decision',
      {
        config: { permission: 'assessment:decide' },
        schema: {
          summary: 'Accept or reject an appeal',
          tags: ['assessment'],
          security,
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['status', 'decision'],
            properties: { status: { type: 'string', enum: ['accepted', 'rejected'] }, decision: text(5000) },
          },
          response: { 200: openObject, ...allErrors },
        },
      },
      async (request) => assessment.decide(request.params.id, request.body, caller(request)),
    );
  };
}
