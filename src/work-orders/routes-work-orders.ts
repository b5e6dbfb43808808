import type { FastifyPluginAsync } from 'fastify';
import type { Permission } from '../auth/permissions.ts';
import {
  CHANNELS,
  NOT_ACCEPTED_REASONS,
  ORDER_TYPES,
  WORK_ORDER_STATUSES,
  type WorkOrderCommand,
  type WorkOrderStatus,
} from '../domain/work-orders/types.ts';
import type { AreaTree } from './area-tree.ts';
import { toExchangeRecord } from './exchange-format.ts';
import { orderView, summaryView } from './order-view.ts';
import type { IntakeInput, WorkOrderService } from './work-order-service.ts';
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

const summarySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    id: { type: 'integer' },
    channel: { type: 'string' },
    type: { type: 'string' },
    status: { type: 'string' },
    category: { type: 'string' },
    emergency: { type: 'boolean' },
    confidential: { type: 'boolean' },
    requesterPhone: { type: ['string', 'null'] },
    leadUnitId: { type: ['string', 'null'] },
    nextDeadlineAt: { type: ['integer', 'null'] },
    nextDeadlineKind: { type: ['string', 'null'] },
    supervisionLevel: { type: 'integer' },
    createdAt: { type: 'integer' },
    updatedAt: { type: 'integer' },
    closedAt: { type: ['integer', 'null'] },
  },
} as const;

const phoneSchema = { type: 'string', minLength: 3, maxLength: 32, pattern: '^[0-9+() -]+$' } as const;

const intakeBody = {
  type: 'object',
  additionalProperties: false,
  required: ['channel', 'type', 'content', 'category'],
  properties: {
    channel: { type: 'string', enum: [...CHANNELS] },
    type: { type: 'string', enum: [...ORDER_TYPES] },
    callId: text(128),
    requesterName: text(100),
    // A phone order's requester number comes from the call; the desk may send back the masked draft value.
    requesterPhone: { ...phoneSchema, pattern: '^[0-9+()* -]+$' },
    contactPhone: phoneSchema,
    content: text(10_000),
    category: text(64),
    emergency: { type: 'boolean' },
    confidential: { type: 'boolean' },
    location: text(500),
    area: { type: 'string', pattern: '^[0-9]{6}$' },
    receivedByUnitId: unitIdSchema,
  },
} as const;

type ActionSpec = {
  path: string;
  summary: string;
  permission: Permission;
  body: object;
  toCommand: (body: Record<string, unknown>) => WorkOrderCommand;
};

const obj = (required: string[], properties: Record<string, unknown>) => ({
  type: 'object',
  additionalProperties: false,
  required,
  properties,
});
const units = { leadUnitId: unitIdSchema, assistingUnitIds: { type: 'array', maxItems: 20, items: unitIdSchema } };

/** Every transition of the state machine, one route each (the domain decides whether it is allowed now). */
const ACTIONS: ActionSpec[] = [
  {
    path: 'not-accept',
    summary: 'Record the demand as not accepted (art. 21) with the reason code; it is not dispatched',
    permission: 'work-orders:dispatch',
    body: obj(['reasonCode'], { reasonCode: { type: 'string', enum: [...NOT_ACCEPTED_REASONS] }, note: text(2000) }),
    toCommand: (b) => ({
      action: 'not-accept',
      reasonCode: b['reasonCode'] as never,
      ...(b['note'] ? { note: b['note'] as string } : {}),
    }),
  },
  {
    path: 'answer-directly',
    summary: 'The agent answered the demand directly: close without dispatch',
    permission: 'work-orders:dispatch',
    body: obj(['answer'], { answer: text(10_000) }),
    toCommand: (b) => ({ action: 'answer-directly', answer: b['answer'] as string }),
  },
  {
    path: 'dispatch',
    summary: 'Dispatch to a lead unit and assisting units (art. 18, 25); emergencies create a phone-notification task',
    permission: 'work-orders:dispatch',
    body: obj(['leadUnitId'], units),
    toCommand: (b) => ({
      action: 'dispatch',
      leadUnitId: b['leadUnitId'] as string,
      assistingUnitIds: (b['assistingUnitIds'] as string[] | undefined) ?? [],
    }),
  },
  {
    path: 'disputes',
    summary: 'Record that units dispute responsibility (art. 19)',
    permission: 'work-orders:dispatch',
    body: obj(['unitIds', 'reason'], {
      unitIds: { type: 'array', minItems: 1, maxItems: 20, items: unitIdSchema },
      reason: text(2000),
    }),
    toCommand: (b) => ({ action: 'raise-dispute', unitIds: b['unitIds'] as string[], reason: b['reason'] as string }),
  },
  {
    path: 'disputes/resolve',
    summary: "Record the joint meeting's decision on a disputed order and dispatch accordingly (art. 19)",
    permission: 'work-orders:supervise',
    body: obj(['leadUnitId', 'minutes'], { ...units, minutes: text(10_000) }),
    toCommand: (b) => ({
      action: 'resolve-dispute',
      leadUnitId: b['leadUnitId'] as string,
      assistingUnitIds: (b['assistingUnitIds'] as string[] | undefined) ?? [],
      minutes: b['minutes'] as string,
    }),
  },
  {
    path: 'sign',
    summary: 'The lead unit signs the order (签收)',
    permission: 'work-orders:handle',
    body: emptyBodySchema,
    toCommand: () => ({ action: 'sign' }),
  },
  {
    path: 'return',
    summary: 'The lead unit hands the order back (退单) within the return window, with a reason (art. 26(3))',
    permission: 'work-orders:handle',
    body: obj(['reason'], { reason: text(2000) }),
    toCommand: (b) => ({ action: 'return', reason: b['reason'] as string }),
  },
  {
    path: 'forward',
    summary:
      'A county workstation passes a signed order to a unit below it (art. 8); the handling clock and extension allowance carry over',
    permission: 'work-orders:handle',
    body: obj(['unitId', 'reason'], { unitId: unitIdSchema, reason: text(2000) }),
    toCommand: (b) => ({ action: 'forward', toUnitId: b['unitId'] as string, note: b['reason'] as string }),
  },
  {
    path: 'extension',
    summary: 'Ask for an extension before the deadline (working days, or ms for emergencies; art. 26(2))',
    permission: 'work-orders:handle',
    body: obj(['extra', 'reason'], {
      extra: { type: 'integer', minimum: 1, maximum: 864_000_000 },
      reason: text(2000),
    }),
    toCommand: (b) => ({ action: 'request-extension', extra: b['extra'] as number, reason: b['reason'] as string }),
  },
  {
    path: 'extension/approve',
    summary: 'Approve the pending extension',
    permission: 'work-orders:supervise',
    body: emptyBodySchema,
    toCommand: () => ({ action: 'approve-extension' }),
  },
  {
    path: 'extension/refuse',
    summary: 'Refuse the pending extension, with a reason',
    permission: 'work-orders:supervise',
    body: obj(['reason'], { reason: text(2000) }),
    toCommand: (b) => ({ action: 'refuse-extension', reason: b['reason'] as string }),
  },
  {
    path: 'opinions',
    summary: "An assisting unit's opinion, forwarded to the lead unit (art. 18)",
    permission: 'work-orders:handle',
    body: obj(['opinion'], { opinion: text(10_000) }),
    toCommand: (b) => ({ action: 'assist-opinion', opinion: b['opinion'] as string }),
  },
  {
    path: 'overdue-explanation',
    summary: 'The overdue lead unit states why (art. 27(1))',
    permission: 'work-orders:handle',
    body: obj(['reason'], { reason: text(2000) }),
    toCommand: (b) => ({ action: 'explain-overdue', reason: b['reason'] as string }),
  },
  {
    path: 'reply',
    summary: 'The lead unit replies, with attachments uploaded before (photos, video; art. 26(4))',
    permission: 'work-orders:handle',
    body: obj(['content'], {
      content: text(20_000),
      attachmentIds: { type: 'array', maxItems: 20, items: { type: 'integer', minimum: 1 } },
    }),
    // Attachment ids are resolved to references by the route handler below.
    toCommand: (b) => ({ action: 'reply', content: b['content'] as string }),
  },
  {
    path: 'reply/reject',
    summary: 'The hotline sends an inadequate reply back to the lead unit',
    permission: 'work-orders:dispatch',
    body: obj(['reason'], { reason: text(2000) }),
    toCommand: (b) => ({ action: 'reject-reply', reason: b['reason'] as string }),
  },
  {
    path: 'close',
    summary: 'Close (办结) after the reply; sends the satisfaction SMS',
    permission: 'work-orders:dispatch',
    body: emptyBodySchema,
    toCommand: () => ({ action: 'close' }),
  },
  {
    path: 'satisfaction',
    summary: "Record the requester's satisfaction answer given by other means than SMS (e.g. a callback)",
    permission: 'work-orders:dispatch',
    body: obj(['replyText'], { replyText: text(500) }),
    toCommand: (b) => ({ action: 'record-satisfaction', replyText: b['replyText'] as string }),
  },
  {
    path: 'review',
    summary: 'Conclude the review of a dissatisfied order: uphold, or re-dispatch (art. 27(3))',
    permission: 'work-orders:supervise',
    body: obj(['outcome', 'note'], { outcome: { type: 'string', enum: ['upheld', 'redispatch'] }, note: text(2000) }),
    toCommand: (b) => ({
      action: 'conclude-review',
      outcome: b['outcome'] as 'upheld' | 'redispatch',
      note: b['note'] as string,
    }),
  },
  {
    path: 'merge',
    summary: 'Merge this registered order into another open order on the same matter',
    permission: 'work-orders:dispatch',
    body: obj(['targetOrderId'], { targetOrderId: { type: 'integer', minimum: 1 } }),
    toCommand: (b) => ({ action: 'merge-into', targetOrderId: b['targetOrderId'] as number }),
  },
];

/** Work-order intake, reads and every transition. */
export function workOrderRoutes(deps: { orders: WorkOrderService; areas: AreaTree }): FastifyPluginAsync {
  const { orders, areas } = deps;
  return async (app) => {
    mapServiceErrors(app);
    const tags = ['work-orders'];

    app.post<{ Body: IntakeInput }>(
      '/work-orders',
      {
        config: { permission: 'work-orders:create' },
        schema: {
          summary: 'Take in a demand from any channel (art. 2); repeats are flagged or merged',
          tags,
          security,
          body: intakeBody,
          response: {
            201: {
              type: 'object',
              additionalProperties: false,
              properties: { order: openObject, mergedInto: { type: 'integer' }, repeatOf: { type: 'integer' } },
            },
            ...allErrors,
          },
        },
      },
      async (request, reply) => {
        const c = caller(request);
        const r = await orders.intake(request.body, c);
        return reply.code(201).send({ ...r, order: orderView(r.order, c) });
      },
    );

    app.get<{ Querystring: { status?: WorkOrderStatus; unitId?: string; beforeId?: number; limit?: number } }>(
      '/work-orders',
      {
        config: { permission: 'work-orders:read' },
        schema: {
          summary: "List orders, newest first (unit handlers: their unit's only)",
          tags,
          security,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              status: { type: 'string', enum: [...WORK_ORDER_STATUSES] },
              unitId: unitIdSchema,
              beforeId: idSchema,
              limit: { type: 'integer', minimum: 1, maximum: 500 },
            },
          },
          response: { 200: { type: 'array', items: summarySchema }, ...allErrors },
        },
      },
      async (request) => {
        const c = caller(request);
        return (await orders.list(request.query, c)).map((s) => summaryView(s, c));
      },
    );

    app.get<{ Querystring: { phone: string; limit?: number } }>(
      '/work-orders/by-phone',
      {
        config: { permission: 'work-orders:read' },
        schema: {
          summary: "A requester's orders by phone number, newest first (numbers masked unless phone:see-full)",
          tags,
          security,
          querystring: {
            type: 'object',
            additionalProperties: false,
            required: ['phone'],
            properties: { phone: phoneSchema, limit: { type: 'integer', minimum: 1, maximum: 200 } },
          },
          response: { 200: { type: 'array', items: summarySchema }, ...allErrors },
        },
      },
      async (request) => {
        const c = caller(request);
        if (c.role === 'unit_handler') return [];
        return (await orders.findByPhone(request.query.phone, c, request.query.limit)).map((s) => summaryView(s, c));
      },
    );

    app.get(
      '/work-orders/categories',
      {
        config: { permission: 'work-orders:read' },
        schema: {
          summary: 'The category tree; fastResponse marks the 接诉即办 categories (art. 15)',
          tags,
          security,
          response: {
            200: {
              type: 'array',
              items: {
                type: 'object',
                additionalProperties: false,
                properties: {
                  code: { type: 'string' },
                  name: { type: 'string' },
                  parentCode: { type: ['string', 'null'] },
                  fastResponse: { type: 'boolean' },
                },
              },
            },
            ...allErrors,
          },
        },
      },
      async () => orders.categories(),
    );

    app.get(
      '/work-orders/areas',
      {
        config: { permission: 'work-orders:read' },
        schema: {
          summary: "The area tree (region → city → county/district) an order's `area` code is picked from",
          tags,
          security,
          // Nodes { code, name, children? }, nested up to three levels.
          response: { 200: { type: 'array', items: openObject }, ...allErrors },
        },
      },
      async () => areas.roots,
    );
    app.get<{ Params: { id: number } }>(
      '/work-orders/:id',
      {
        config: { permission: 'work-orders:read' },
        schema: {
          summary: 'Read one order',
          tags,
          security,
          params: idParams,
          response: { 200: openObject, ...allErrors },
        },
      },
      async (request) => {
        const c = caller(request);
        return orderView(await orders.get(request.params.id, c), c);
      },
    );

    app.get<{ Params: { id: number } }>(
      '/work-orders/:id/audit',
      {
        config: { permission: 'work-orders:read' },
        schema: {
          summary: "The order's append-only audit trail",
          tags,
          security,
          params: idParams,
          response: { 200: { type: 'array', items: openObject }, ...allErrors },
        },
      },
      async (request) => orders.audit(request.params.id, caller(request)),
    );

    app.get<{ Params: { id: number } }>(
      '/work-orders/:id/exchange',
      {
        config: { permission: 'work-orders:read' },
        schema: {
          summary: 'The order in the exchange format for the regional platform (art. 5, 16; docs/work-orders.md)',
          tags,
          security,
          params: idParams,
          response: { 200: openObject, ...allErrors },
        },
      },
      async (request) => {
        const c = caller(request);
        return toExchangeRecord(orderView(await orders.get(request.params.id, c), c));
      },
    );

    app.post<{ Params: { id: number }; Body: { fileName: string; mimeType: string; contentBase64: string } }>(
      '/work-orders/:id/attachments',
      {
        config: { permission: 'work-orders:handle' },
        bodyLimit: 30 * 1024 * 1024,
        schema: {
          summary: 'Upload a file (photo, video, document) for the reply; base64 in JSON',
          tags,
          security,
          params: idParams,
          body: obj(['fileName', 'mimeType', 'contentBase64'], {
            fileName: text(200),
            mimeType: text(100),
            contentBase64: { type: 'string', minLength: 1 },
          }),
          response: { 201: openObject, ...allErrors },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await orders.addAttachment(request.params.id, request.body, caller(request))),
    );

    app.get<{ Params: { id: number; attachmentId: number } }>(
      '/work-orders/:id/attachments/:attachmentId',
      {
        config: { permission: 'work-orders:read' },
        schema: {
          summary: "Download an attachment's bytes",
          tags,
          security,
          params: {
            type: 'object',
            additionalProperties: false,
            required: ['id', 'attachmentId'],
            properties: { id: idSchema, attachmentId: idSchema },
          },
        },
      },
      async (request, reply) => {
        const { meta, bytes } = await orders.attachment(
          request.params.id,
          request.params.attachmentId,
          caller(request),
        );
        return reply.type(meta.mimeType).header('x-content-sha256', meta.sha256).send(bytes);
      },
    );

    for (const spec of ACTIONS) {
      app.post<{ Params: { id: number }; Body: Record<string, unknown> }>(
        `/work-orders/:id/${spec.path}`,
        {
          config: { permission: spec.permission },
          schema: {
            summary: spec.summary,
            tags,
            security,
            params: idParams,
            body: spec.body,
            response: { 200: openObject, ...allErrors },
          },
        },
        async (request) => {
          const c = caller(request);
          let command = spec.toCommand(request.body ?? {});
          if (command.action === 'reply') {
            const ids = (request.body['attachmentIds'] as number[] | undefined) ?? [];
            const refs = [];
            const all = ids.length > 0 ? await orders.attachmentsOf(request.params.id) : [];
            for (const id of ids) {
              const m = all.find((a) => a.id === id);
              refs.push({ id: String(id), fileName: m?.fileName ?? '?', mimeType: m?.mimeType ?? '?' });
            }
            command = { ...command, attachments: refs };
          }
          return orderView(await orders.act(request.params.id, command, c), c);
        },
      );
    }
  };
}
