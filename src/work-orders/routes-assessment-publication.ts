import type { FastifyPluginAsync } from 'fastify';
import {
  MANUAL_ITEMS,
  SCORE_ITEMS,
  type AssessmentWeights,
  type ManualItem,
} from '../domain/work-orders/assessment-score.ts';
import type { OrganisationRepo } from '../store/organisation-repo.ts';
import type { AssessmentRepo } from '../store/assessment-repo.ts';
import { bulletinHtml } from './assessment-bulletin.ts';
import type { AssessmentPublisher } from './assessment-publication.ts';
import { allErrors, caller, mapServiceErrors, openObject, security, text, unitIdSchema } from './routes-common.ts';

const monthSchema = { type: 'string', pattern: '^\\d{4}-\\d{2}$', examples: ['2026-01'] } as const;
const cycleSchema = { type: 'integer', minimum: 2000, maximum: 2200 } as const;
const weightsSchema = {
  type: 'object',
  additionalProperties: false,
  required: [...SCORE_ITEMS],
  properties: Object.fromEntries(SCORE_ITEMS.map((i) => [i, { type: 'number', minimum: 0, maximum: 100 }])),
} as const;

/** The 100-point assessment's publication (art. 30–33): weights, manual items, monthly publications, bulletin. */
export function assessmentPublicationRoutes(deps: {
  publisher: AssessmentPublisher;
  repo: AssessmentRepo;
  org: OrganisationRepo;
}): FastifyPluginAsync {
  const { publisher } = deps;
  return async (app) => {
    mapServiceErrors(app);
    const read = { permission: 'assessment:read' } as const;
    const decide = { permission: 'assessment:decide' } as const;
    const tags = ['assessment'];

    app.get<{ Params: { cycle: number } }>(
      '/assessment/weights/:cycle',
      {
        config: read,
        schema: {
          summary: "A cycle's item weights (the defaults until configured)",
          tags,
          security,
          params: {
            type: 'object',
            additionalProperties: false,
            required: ['cycle'],
            properties: { cycle: cycleSchema },
          },
          response: { 200: openObject, ...allErrors },
        },
      },
      async (request) => publisher.weights(request.params.cycle),
    );

    app.put<{ Params: { cycle: number }; Body: AssessmentWeights }>(
      '/assessment/weights/:cycle',
      {
        config: decide,
        schema: {
          summary:
            "Set a cycle's item weights (art. 31: set by the regional bureau every year); they must add up to 100",
          tags,
          security,
          params: {
            type: 'object',
            additionalProperties: false,
            required: ['cycle'],
            properties: { cycle: cycleSchema },
          },
          body: weightsSchema,
          response: { 200: openObject, ...allErrors },
        },
      },
      async (request) => publisher.setWeights(request.params.cycle, request.body, caller(request)),
    );

    app.get<{ Querystring: { month: string } }>(
      '/assessment/manual-scores',
      {
        config: read,
        schema: {
          summary: "A month's manual item scores with their evidence",
          tags,
          security,
          querystring: {
            type: 'object',
            additionalProperties: false,
            required: ['month'],
            properties: { month: monthSchema },
          },
          response: { 200: { type: 'array', items: openObject }, ...allErrors },
        },
      },
      async (request) => publisher.manualScores(request.query.month, caller(request)),
    );

    app.put<{ Body: { month: string; unitId: string; item: ManualItem; points: number; evidence: string } }>(
      '/assessment/manual-scores',
      {
        config: decide,
        schema: {
          summary:
            'Score a manual item (material review, ledgers, test calls) of a unit for a month, with the evidence',
          tags,
          security,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['month', 'unitId', 'item', 'points', 'evidence'],
            properties: {
              month: monthSchema,
              unitId: unitIdSchema,
              item: { type: 'string', enum: [...MANUAL_ITEMS] },
              points: { type: 'number', minimum: 0, maximum: 100 },
              evidence: text(2000),
            },
          },
          response: { 200: openObject, ...allErrors },
        },
      },
      async (request) => publisher.setManualScore(request.body, caller(request)),
    );

    app.post<{ Body: { month: string } }>(
      '/assessment/publications',
      {
        config: decide,
        schema: {
          summary: 'Publish a finished month (art. 30): scores and ranks frozen with their inputs',
          tags,
          security,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['month'],
            properties: { month: monthSchema },
          },
          response: { 201: openObject, ...allErrors },
        },
      },
      async (request, reply) => reply.code(201).send(await publisher.publish(request.body.month, caller(request))),
    );

    app.get<{ Querystring: { cycle: number } }>(
      '/assessment/publications',
      {
        config: read,
        schema: {
          summary: "A cycle's published months (newest version of each, with the history of corrections)",
          tags,
          security,
          querystring: {
            type: 'object',
            additionalProperties: false,
            required: ['cycle'],
            properties: { cycle: cycleSchema },
          },
          response: { 200: openObject, ...allErrors },
        },
      },
      async (request) => publisher.list(request.query.cycle),
    );

    const monthParams = {
      type: 'object',
      additionalProperties: false,
      required: ['month'],
      properties: { month: monthSchema },
    } as const;
    const versionQuery = {
      type: 'object',
      additionalProperties: false,
      properties: { version: { type: 'integer', minimum: 1, maximum: 10_000 } },
    } as const;

    app.get<{ Params: { month: string }; Querystring: { version?: number } }>(
      '/assessment/publications/:month',
      {
        config: read,
        schema: {
          summary: 'One published month (default the newest version) with its frozen weights and inputs',
          tags,
          security,
          params: monthParams,
          querystring: versionQuery,
          response: { 200: openObject, ...allErrors },
        },
      },
      async (request) => publisher.get(request.params.month, request.query.version, caller(request)),
    );

    app.get<{ Params: { month: string }; Querystring: { version?: number } }>(
      '/assessment/publications/:month/bulletin',
      {
        config: read,
        schema: {
          summary: 'The monthly bulletin (月度通报) as printable HTML in Chinese',
          tags,
          security,
          params: monthParams,
          querystring: versionQuery,
          response: { 200: { type: 'string' }, ...allErrors },
        },
      },
      async (request, reply) => {
        const p = await publisher.get(request.params.month, request.query.version, caller(request));
        const history = (await deps.repo.publications(p.cycle)).filter(
          (x) => x.month === p.month && x.version <= p.version,
        );
        const names = new Map((await deps.org.list()).map((u) => [u.id, u.name]));
        return reply
          .type('text/html; charset=utf-8')
          .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
          .header('content-disposition', `inline; filename="assessment-bulletin-${p.month}-v${p.version}.html"`)
          .send(bulletinHtml(p, history, (id) => names.get(id) ?? id));
      },
    );
  };
}
