import type { FastifyPluginAsync } from 'fastify';
import { dayFigures } from '../domain/stats/call-figures.ts';
import { shanghaiDayStart } from '../domain/stats/shanghai-day.ts';
import { errorResponses } from '../http/error-schema.ts';
import type { Clock } from '../shared/clock.ts';
import type { FiguresPublisher } from './live-figures.ts';

/**
 * `GET /calls/figures/days`: answer rate over offered calls, ASA, AHT, abandon rate and RONA count,
 * by hour and by agent, for today and yesterday (Asia/Shanghai); the same numbers the wallboard
 * is pushed (definitions: src/domain/stats/call-figures.ts, docs/calls.md).
 */
export function figuresRoutes(deps: {
  figures: FiguresPublisher;
  clock: Clock;
  thresholdMs: () => number;
}): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/calls/figures/days',
      {
        config: { permission: 'calls:monitor' },
        schema: {
          summary: 'Figures by hour and by agent, today and yesterday (Asia/Shanghai)',
          tags: ['calls'],
          security: [{ bearer: [] }],
          response: { ...errorResponses },
        },
      },
      async () => {
        const now = deps.clock.now();
        const records = deps.figures.withLive();
        const threshold = deps.thresholdMs();
        return {
          at: now,
          thresholdMs: threshold,
          today: dayFigures(records, now, now, threshold),
          yesterday: dayFigures(records, shanghaiDayStart(now) - 86_400_000, now, threshold),
        };
      },
    );
  };
}
