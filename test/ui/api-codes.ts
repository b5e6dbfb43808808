import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every .ts file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => join(dir, f));
}

const CODE = `'([a-z][a-z0-9_-]*)'`;

/**
 * The ways the server constructs an error code it answers with (HTTP body `code`, socket.io ack `error.code`
 * and the call commands' `reason`): the error classes, their helpers, `sendError`, the domains' refusals.
 * A new construction style needs a pattern here, or its codes go unchecked.
 */
const ERROR_PATTERNS: RegExp[] = [
  new RegExp(`new (?:HttpError|ServiceError|AuthError|LinkRefusal)\\(\\s*[^,]+,\\s*${CODE}`, 'g'),
  new RegExp(`\\b(?:badInput|notYours|notFound|conflict|unauthenticated|forbidden|refuse)\\(\\s*${CODE}`, 'g'),
  new RegExp(`sendError\\(\\s*\\w+,\\s*\\d+,\\s*${CODE}`, 'g'),
  // Call-domain rejections: { code: 'invalid-transition', reason: 'no-call', ... }; the reason is what the desk shows.
  new RegExp(`code: '(?:invalid|unknown)-[a-z]+',\\s*reason:\\s*${CODE}`, 'g'),
  // Error objects written out: { code: '…', message } or { statusCode, code: '…' } (socket.io acks, handshake errors).
  new RegExp(`\\bcode: ${CODE},\\s*(?:reason:[^,]+,\\s*)?(?:message|holder|reason)\\b`, 'g'),
  new RegExp(`statusCode: [^,]+,\\s*code: ${CODE}`, 'g'),
  // Errors of a slice that carry (message, code), e.g. new CallbackStateError(`…`, 'not_found').
  new RegExp(`new \\w+Error\\(\\s*(?:\`[^\`]*\`|'[^']*'),\\s*${CODE}\\)`, 'g'),
];

/**
 * Not the pages' API: literal `code: '…'` that are data (the fast-response categories), the PBX clients'
 * internal errors and the simulator's own ARI/AMI surface.
 */
const NOT_API = ['src/domain/work-orders/fast-response.ts', 'src/telephony/', 'src/simulator/'];

/** The error codes the server can answer with, read from its source. */
export function errorCodesInSource(root: string): Set<string> {
  const codes = new Set<string>();
  for (const file of sources(join(root, 'src'))) {
    const rel = file.slice(root.length + 1);
    if (NOT_API.some((p) => rel.startsWith(p))) continue;
    const text = readFileSync(file, 'utf8');
    for (const re of ERROR_PATTERNS)
      for (const m of text.matchAll(re)) {
        codes.add(m[1]!);
        // Slice codes with underscores are answered over HTTP with dashes (routes-callbacks.ts).
        if (m[1]!.includes('_')) codes.add(m[1]!.replaceAll('_', '-'));
      }
    // The mapping of Fastify's own errors in the error handler: `return 'body-too-large'` and the like.
    if (file.endsWith('src/http/error-handler.ts'))
      for (const m of text.matchAll(new RegExp(`return ${CODE};`, 'g'))) codes.add(m[1]!);
  }
  return codes;
}

/** Alert kinds pushed to the pages: the `AlertKind` unions and the `kind` of alert effects and raised alerts. */
export function alertKindsInSource(root: string): Set<string> {
  const kinds = new Set<string>();
  for (const file of sources(join(root, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/type AlertKind =([^;]+);/g))
      for (const k of m[1]!.matchAll(/'([a-z-]+)'/g)) kinds.add(k[1]!);
    for (const m of text.matchAll(/type: '(?:[a-z]+-)?alert';[^}]*?kind: ((?:'[a-z-]+'\s*\|?\s*)+)/g))
      for (const k of m[1]!.matchAll(/'([a-z-]+)'/g)) kinds.add(k[1]!);
    // Alerts raised outside a domain: `emit('alert', { … kind: '…' })` and the integrity monitor's `raise({ kind: '…' })`.
    for (const m of text.matchAll(/(?:emit\('alert',\s*\{|raise\(\{)[^}]*?kind: '([a-z-]+)'/g)) kinds.add(m[1]!);
  }
  return kinds;
}
