import { createHmac, timingSafeEqual } from 'node:crypto';

/** Replies older or newer than this (by their signed timestamp) are refused, so a captured request cannot be replayed later. */
export const SIGNATURE_TOLERANCE_MS = 5 * 60 * 1000;

/** `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${rawBody}`): what the SMS provider sends in `x-sms-signature`. */
export function signWebhook(secret: string, timestamp: string, rawBody: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

export function verifyWebhook(opts: {
  secret: string;
  signature: string | undefined;
  timestamp: string | undefined;
  rawBody: string;
  now: number;
  /** Header names used in the reasons (other signed webhooks use the same scheme). Default: the SMS ones. */
  headerNames?: { signature: string; timestamp: string };
}): SignatureCheck {
  const h = opts.headerNames ?? { signature: 'x-sms-signature', timestamp: 'x-sms-timestamp' };
  if (!opts.signature) return { ok: false, reason: `missing ${h.signature} header` };
  if (!opts.timestamp || !/^\d{10,13}$/.test(opts.timestamp))
    return { ok: false, reason: `missing or malformed ${h.timestamp} header (epoch seconds or milliseconds)` };
  const ts = opts.timestamp.length <= 10 ? Number(opts.timestamp) * 1000 : Number(opts.timestamp);
  if (Math.abs(opts.now - ts) > SIGNATURE_TOLERANCE_MS)
    return { ok: false, reason: `${h.timestamp} is outside the accepted window` };
  const expected = Buffer.from(signWebhook(opts.secret, opts.timestamp, opts.rawBody));
  const given = Buffer.from(opts.signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'signature does not match' };
  return { ok: true };
}
