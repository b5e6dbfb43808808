import { timingSafeEqual } from 'node:crypto';
import type { RoutePlugin } from '../http/app/build-app.ts';
import type { HotlineMetrics } from './hotline-metrics.ts';

/**
 * `GET /metrics` in Prometheus text format. Not behind the users' tokens (Prometheus has no account): with
 * METRICS_TOKEN set it needs `Authorization: Bearer <that token>`; without, only loopback clients get an answer.
 */
export function metricsRoute(o: { metrics: HotlineMetrics; token: string | undefined }): RoutePlugin {
  return async (app) => {
    app.get(
      '/metrics',
      {
        config: { public: true },
        schema: {
          summary:
            'Prometheus metrics (docs/metrics.md): a bearer METRICS_TOKEN, or from loopback only when no token is set',
          tags: ['system'],
          produces: ['text/plain'],
          response: {
            200: { type: 'string' },
            401: errorBody,
            403: errorBody,
          },
        },
      },
      async (req, reply) => {
        if (o.token !== undefined) {
          const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
          if (!given || !sameSecret(given, o.token)) {
            return reply.code(401).header('www-authenticate', 'Bearer').send({
              statusCode: 401,
              code: 'metrics-token',
              message: 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>',
              messageZh: '访问监控指标需要正确的令牌',
            });
          }
        } else if (!isLoopback(req.socket.remoteAddress)) {
          return reply.code(403).send({
            statusCode: 403,
            code: 'metrics-loopback-only',
            message: 'GET /metrics answers loopback clients only; set METRICS_TOKEN to scrape from elsewhere',
            messageZh: '监控指标仅允许本机访问；如需远程采集请设置 METRICS_TOKEN',
          });
        }
        const text = await o.metrics.text();
        return reply.type(o.metrics.contentType).send(text);
      },
    );
  };
}

const errorBody = {
  type: 'object',
  properties: {
    statusCode: { type: 'integer' },
    code: { type: 'string' },
    message: { type: 'string' },
    messageZh: { type: 'string' },
  },
} as const;

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function isLoopback(addr: string | undefined): boolean {
  if (!addr) return false;
  return addr === '::1' || addr.startsWith('127.') || addr.startsWith('::ffff:127.');
}
