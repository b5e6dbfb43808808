import type { FastifyRequest } from 'fastify';
import { maskPhone } from '../shared/phone-mask.ts';

/** Masks every run of 7 or more digits (a phone number in a path or query) the way phone numbers are shown. */
export function maskDigitsInUrl(url: string): string {
  return url.replace(/(?:%2B|\+)?\d{7,}/gi, (run) => maskPhone(run.replace(/^%2B/i, '+')));
}

/**
 * What is logged of each request: no headers (tokens), and the URL with phone numbers masked, because
 * look-ups by phone number put the number in the query string (rules art. 22: never in full in logs).
 */
export function requestLogSerializer(req: FastifyRequest): Record<string, unknown> {
  return {
    method: req.method,
    url: maskDigitsInUrl(req.url),
    remoteAddress: req.ip,
  };
}
