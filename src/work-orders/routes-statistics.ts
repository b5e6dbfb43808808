import type { FastifyPluginAsync } from 'fastify';
import type { HotTopicGroup, HotTopicsService } from './hot-topics.ts';
import { allErrors, mapServiceErrors, security } from './routes-common.ts';

const dateSchema = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const;

/** Statistics over work orders: hot topics (art. 17). */
export function workOrderStatisticsRoutes(deps: { hotTopics: HotTopicsService }): FastifyPluginAsync {
  return async (app) => {
    mapServiceErrors(app);
    app.get<{ Querystring: { from: string; to: string; groupBy: HotTopicGroup; limit?: number } }>(
      '/statistics/hot-topics',
      {
        config: { permission: 'statistics:read' },
        schema: {
          summary:
            'Hot topics (art. 17): intakes per category or per area in a period of Asia/Shanghai days (both ends included), largest first',
          tags: ['statistics'],
          security,
          querystring: {
            type: 'object',
            additionalProperties: false,
            required: ['from', 'to', 'groupBy'],
            properties: {
              from: dateSchema,
              to: dateSchema,
              groupBy: { type: 'string', enum: ['category', 'area'] },
              limit: { type: 'integer', minimum: 1, maximum: 100 },
            },
          },
          response: {
            200: {
              type: 'object',
              additionalProperties: false,
              required: ['from', 'to', 'groupBy', 'total', 'topics'],
              properties: {
                from: { type: 'string' },
                to: { type: 'string' },
                groupBy: { type: 'string' },
                total: { type: 'integer' },
                topics: {
                  type: 'array',
                  items: {
                    type: 'object',
                    additionalProperties: false,
                    required: ['key', 'name', 'count', 'share'],
                    properties: {
                      key: { type: 'string' },
                      name: { type: 'string' },
                      count: { type: 'integer' },
                      share: { type: 'number' },
                    },
                  },
                },
              },
            },
            ...allErrors,
          },
        },
      },
      async (request) => deps.hotTopics.report(request.query),
    );
  };
}
