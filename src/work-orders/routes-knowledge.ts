import type { FastifyPluginAsync } from 'fastify';
import type { EntryInput, KnowledgeService } from './knowledge-service.ts';
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

const date = { type: 'string', format: 'date' } as const;
const keyParams = {
  type: 'object',
  additionalProperties: false,
  required: ['key'],
  properties: { key: { type: 'string', minLength: 1, maxLength: 80, pattern: '^[A-Za-z0-9_.:-]+$' } },
} as const;

const entryBody = (requireContent: boolean) =>
  ({
    type: 'object',
    additionalProperties: false,
    required: requireContent ? ['title', 'body'] : ['title', 'body'],
    properties: {
      unitId: unitIdSchema,
      title: text(300),
      body: text(50_000),
      category: { anyOf: [text(64), { type: 'null' }] },
      validFrom: date,
      validTo: { anyOf: [date, { type: 'null' }] },
    },
  }) as const;

/** Knowledge base kept by the units (art. 29): versioned entries with validity dates, Chinese full-text search, questions with a 3-working-day clock. */
export function knowledgeRoutes(deps: { knowledge: KnowledgeService }): FastifyPluginAsync {
  const { knowledge } = deps;
  const tags = ['knowledge'];
  const actor = (r: Parameters<typeof caller>[0]) => {
    const c = caller(r);
    return { id: c.id, role: c.role, unitId: c.unitId };
  };
  return async (app) => {
    mapServiceErrors(app);

    app.get<{ Querystring: { q: string; unitId?: string; includeExpired?: boolean; limit?: number } }>(
      '/knowledge/search',
      {
        config: { permission: 'knowledge:read' },
        schema: {
          summary: 'Full-text search (works for Chinese: trigram index; 1–2 character terms are matched by substring)',
          tags,
          security,
          querystring: {
            type: 'object',
            additionalProperties: false,
            required: ['q'],
            properties: {
              q: { type: 'string', minLength: 1, maxLength: 200 },
              unitId: unitIdSchema,
              includeExpired: { type: 'boolean' },
              limit: { type: 'integer', minimum: 1, maximum: 100 },
            },
          },
          response: { 200: { type: 'array', items: openObject }, ...allErrors },
        },
      },
      async (request) => {
        const { q, ...rest } = request.query;
        return knowledge.search({ ...rest, query: q });
      },
    );

    app.post<{ Body: EntryInput }>(
      '/knowledge/entries',
      {
        config: { permission: 'knowledge:write' },
        schema: {
          summary: 'Create an entry (unit handlers: for their own unit)',
          tags,
          security,
          body: entryBody(true),
          response: { 201: openObject, ...allErrors },
        },
      },
      async (request, reply) => reply.code(201).send(await knowledge.create(request.body, actor(request))),
    );

    app.get<{ Params: { key: string } }>(
      '/knowledge/entries/:key',
      {
        config: { permission: 'knowledge:read' },
        schema: {
          summary: 'The current version of an entry',
          tags,
          security,
          params: keyParams,
          response: { 200: openObject, ...allErrors },
        },
      },
      async (request) => knowledge.current(request.params.key),
    );

    app.put<{ Params: { key: string }; Body: EntryInput }>(
      '/knowledge/entries/:key',
      {
        config: { permission: 'knowledge:write' },
        schema: {
          summary: 'Revise an entry: a new version becomes current (owning unit only)',
          tags,
          security,
          params: keyParams,
          body: entryBody(true),
          response: { 200: openObject, ...allErrors },
        },
      },
      async (request) => knowledge.revise(request.params.key, request.body, actor(request)),
    );

    app.get<{ Params: { key: string } }>(
      '/knowledge/entries/:key/versions',
      {
        config: { permission: 'knowledge:read' },
        schema: {
          summary: 'Every version of an entry',
          tags,
          security,
          params: keyParams,
          response: { 200: { type: 'array', items: openObject }, ...allErrors },
        },
      },
      async (request) => knowledge.versions(request.params.key),
    );

    app.post<{ Body: { unitId: string; question: string } }>(
      '/knowledge/questions',
      {
        config: { permission: 'knowledge:ask' },
        schema: {
          summary: 'Put a knowledge question to a unit; due within 3 working days (art. 29)',
          tags,
          security,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['unitId', 'question'],
            properties: { unitId: unitIdSchema, question: text(5000) },
          },
          response: { 201: openObject, ...allErrors },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await knowledge.ask(request.body.unitId, request.body.question, actor(request))),
    );

    app.get<{ Querystring: { unitId?: string; open?: boolean; overdue?: boolean } }>(
      '/knowledge/questions',
      {
        config: { permission: 'knowledge:read' },
        schema: {
          summary: "List questions (unit handlers: their unit's)",
          tags,
          security,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { unitId: unitIdSchema, open: { type: 'boolean' }, overdue: { type: 'boolean' } },
          },
          response: { 200: { type: 'array', items: openObject }, ...allErrors },
        },
      },
      async (request) => knowledge.questions(request.query, actor(request)),
    );

    app.post<{ Params: { id: number }; Body: { answer: string; entryKey?: string } }>(
      '/knowledge/questions/:id/answer',
      {
        config: { permission: 'knowledge:write' },
        schema: {
          summary: 'Answer a question put to your unit, optionally pointing to an entry',
          tags,
          security,
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['answer'],
            properties: { answer: text(20_000), entryKey: keyParams.properties.key },
          },
          response: { 200: openObject, ...allErrors },
        },
      },
      async (request) =>
        knowledge.answer(request.params.id, request.body.answer, actor(request), request.body.entryKey),
    );
  };
}
