import type { FastifyInstance, FastifyRequest } from 'fastify';
import { verifyWebhook, type SignatureCheck } from '../sms/webhook-signature.ts';
import type { ReplayGuard } from './rate-limiter.ts';

/** Keeps the raw JSON body beside the parsed one in this scope: a signature covers the exact bytes sent. */
export function keepRawJsonBody(app: FastifyInstance): void {
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
}

export function headerOf(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Checks `<prefix>-signature: sha256=HMAC(secret, "<prefix>-timestamp.<raw body>")` within the accepted window
 * (the SMS webhook's scheme), then that this exact signature was not used before (a replay inside the window).
 */
export function checkSignedRequest(
  request: FastifyRequest,
  o: { prefix: string; secret: string; now: number; replays: ReplayGuard },
): SignatureCheck {
  const names = { signature: `${o.prefix}-signature`, timestamp: `${o.prefix}-timestamp` };
  const signature = headerOf(request.headers[names.signature]);
  const check = verifyWebhook({
    secret: o.secret,
    signature,
    timestamp: headerOf(request.headers[names.timestamp]),
    rawBody: (request as unknown as { rawBody?: string }).rawBody ?? '',
    now: o.now,
    headerNames: names,
  });
  if (!check.ok) return check;
  if (!o.replays.firstUse(signature!))
    return { ok: false, reason: 'this signed request was already received (replay)' };
  return check;
}
