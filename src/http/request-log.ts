import type { FastifyRequest } from 'fastify';
import { maskLogText, REDACTED } from '../shared/log-masking.ts';
import { maskPhone } from '../shared/phone-mask.ts';

/**
 * Query parameters that carry a phone number, by name. The routes' query schemas have one today
 * (`phone` of GET /work-orders/by-phone; test/platform/request-log.test.ts checks that every query
 * parameter with the phone pattern is covered); the others are names a client or a future route may use.
 */
const NUMBER_PARAM = /phone|mobile|msisdn|caller|contact|^(?:number|tel|ani)$|[a-z]Number$/i;
/** Query parameters that must never be logged at all. */
const SECRET_PARAM =
  /^(?:(?:access_|refresh_)?token|accessToken|password|secret|[a-z_]*secret|apiKey|api_key|signature|sig)$/i;

export function isNumberParam(name: string): boolean {
  return NUMBER_PARAM.test(name);
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    // A malformed escape: keep the text, still masked by pattern (which reads %3x digits) below.
    return s.replace(/\+/g, ' ');
  }
}

/** Runs of 7 or more digits (a local number, or an id) once separators are gone: masked like a phone number. */
function maskLongDigitRuns(s: string): string {
  return s.replace(/\+?\d{7,}/g, (run) => maskPhone(run));
}

function maskText(decoded: string): string {
  return maskLongDigitRuns(maskLogText(decoded));
}

/** Encodes what was masked for the log, keeping the stars readable. */
const encode = (s: string) => encodeURIComponent(s).replace(/%2A/g, '*');

function maskSegment(raw: string): string {
  const decoded = decode(raw);
  const masked = maskText(decoded);
  return masked === decoded ? raw : encode(masked);
}

function maskParam(pair: string): string {
  const eq = pair.indexOf('=');
  const rawName = eq < 0 ? pair : pair.slice(0, eq);
  const name = decode(rawName);
  if (eq < 0) return maskSegment(pair);
  if (SECRET_PARAM.test(name)) return `${maskSegment(rawName)}=${REDACTED}`;
  const value = decode(pair.slice(eq + 1));
  if (NUMBER_PARAM.test(name)) {
    // Whatever was sent (separators, encodings, a prefix), only the masked digits are logged.
    const digits = value.replace(/\D/g, '');
    return `${maskSegment(rawName)}=${digits.length === 0 ? encode(value) : encode(maskPhone(value))}`;
  }
  return `${maskSegment(rawName)}=${maskSegment(pair.slice(eq + 1))}`;
}

/**
 * The URL as logged: each path segment and query value is decoded (`%31`, `+`, `%20`) before it is
 * read, so no encoding hides a number; parameters that carry a number are masked by name, every other
 * part by pattern (phone numbers with any separators, +86/0086 prefixes, runs of 7+ digits), and
 * `token`/`password`/`secret` parameters are never written (rules art. 22).
 */
export function maskUrlForLog(url: string): string {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const masked = path.split('/').map(maskSegment).join('/');
  if (q < 0) return masked;
  return `${masked}?${url
    .slice(q + 1)
    .split(/([&;])/)
    .map((part) => (part === '&' || part === ';' || part === '' ? part : maskParam(part)))
    .join('')}`;
}

/**
 * What is logged of each request: no headers (tokens), and the URL masked, because look-ups by
 * phone number put the number in the query string (rules art. 22: never in full in logs).
 */
export function requestLogSerializer(req: FastifyRequest): Record<string, unknown> {
  return {
    method: req.method,
    url: maskUrlForLog(req.url),
    remoteAddress: req.ip,
  };
}
