import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Clock } from '../shared/clock.ts';
import { maskPhone } from '../shared/phone-mask.ts';
import { throttledWarning } from '../shared/throttled-warning.ts';
import { verifyWebhook } from '../sms/webhook-signature.ts';
import type { WorkOrderService } from './work-order-service.ts';
import { sendError } from '../http/error-handler.ts';
import { allErrors, mapServiceErrors, openObject } from './routes-common.ts';

/**
 * Incoming SMS (satisfaction replies, art. 27) from the provider. No user token: the provider signs each call
 * with HMAC-SHA256 over `${x-sms-timestamp}.${raw body}` using the shared secret (header x-sms-signature:
 * sha256=<hex>); unsigned, wrongly signed or stale calls are refused with 401, and without a configured secret
 * the webhook refuses everything (503).
 */
export function smsWebhookRoutes(deps: {
  orders: WorkOrderService;
  secret: string | undefined;
  clock: Clock;
}): FastifyPluginAsync {
  return async (app) => {
    mapServiceErrors(app);
    // The signature covers the exact bytes sent, so this scope keeps the raw body beside the parsed one.
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      (request as unknown as { rawBody: string }).rawBody = body as string;
      try {
        done(null, (body as string).length === 0 ? undefined : JSON.parse(body as string));
      } catch {
        const err = new Error('request body is not valid JSON') as Error & { statusCode: number; code: string };
        err.statusCode = 400;
        err.code = 'FST_ERR_CTP_INVALID_JSON_BODY';
        done(err, undefined);
      }
    });

    // Anyone can call this URL, so a refusal is answered without an error line (no stack trace) and
    // counted on one warn line a minute at most (issue 7 item 10).
    const refusals = throttledWarning({
      logger: app.log,
      clock: deps.clock,
      msg: 'SMS webhook calls refused (at most one line a minute)',
    });
    app.addHook('onClose', async () => refusals.flush());
    const refuse = (reply: FastifyReply, status: number, code: string, message: string) => {
      refusals.note({ statusCode: status, reason: code });
      return sendError(reply, status, code, message);
    };

    app.addHook('preValidation', async (request, reply) => {
      if (!deps.secret)
        return refuse(
          reply,
          503,
          'webhook-not-configured',
          'the SMS webhook secret is not configured, so every call is refused',
        );
      const check = verifyWebhook({
        secret: deps.secret,
        signature: headerOf(request.headers['x-sms-signature']),
        timestamp: headerOf(request.headers['x-sms-timestamp']),
        rawBody: (request as unknown as { rawBody?: string }).rawBody ?? '',
        now: deps.clock.now(),
      });
      if (!check.ok) return refuse(reply, 401, 'bad-signature', `SMS webhook refused: ${check.reason}`);
    });

    app.post<{ Body: { from: string; text: string; receivedAt?: string; messageId?: string } }>(
      '/webhooks/sms',
      {
        config: { public: true, selfAuthenticated: true },
        schema: {
          summary: 'SMS provider callback for incoming messages (signed with HMAC, see docs/work-orders.md)',
          tags: ['sms'],
          headers: {
            type: 'object',
            required: ['x-sms-signature', 'x-sms-timestamp'],
            properties: {
              'x-sms-signature': { type: 'string', maxLength: 200 },
              'x-sms-timestamp': { type: 'string', maxLength: 20 },
            },
          },
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['from', 'text'],
            properties: {
              from: { type: 'string', minLength: 3, maxLength: 32, pattern: '^[0-9+() -]+$' },
              text: { type: 'string', maxLength: 1000 },
              receivedAt: { type: 'string', maxLength: 40 },
              messageId: { type: 'string', maxLength: 100 },
            },
          },
          response: { 200: openObject, ...allErrors, 503: allErrors[400] },
        },
      },
      async (request) => {
        const r = await deps.orders.satisfactionReply(request.body.from, request.body.text);
        if (!r) {
          request.log.info({ from: maskPhone(request.body.from) }, 'SMS reply matches no survey');
          return { matched: false };
        }
        return {
          matched: true,
          orderId: r.orderId,
          status: r.order.status,
          satisfaction: r.order.satisfaction?.result ?? null,
        };
      },
    );
  };
}

function headerOf(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
