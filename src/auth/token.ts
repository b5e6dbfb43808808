import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../shared/clock.ts';

/**
 * Short-lived bearer tokens: `v1.<payload>.<signature>`, payload base64url JSON, signature HMAC-SHA256
 * over `v1.<payload>`. The token names the user and the user's token version; role and permissions are
 * read from the store on every use, so a role change or a disabled account takes effect at once.
 */
export interface TokenClaims {
  /** User id. */
  sub: number;
  /** The user's token version when the token was issued. */
  ver: number;
  /** Issued at, ms since the epoch. */
  iat: number;
  /** Expires at, ms since the epoch. */
  exp: number;
}

export type TokenCheck =
  | { ok: true; claims: TokenClaims }
  | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' };

export interface TokenService {
  issue(userId: number, tokenVersion: number): { token: string; claims: TokenClaims };
  verify(token: string): TokenCheck;
  readonly ttlMs: number;
}

export function createTokenService(opts: { secret: string | Buffer; ttlSeconds: number; clock: Clock }): TokenService {
  const key = typeof opts.secret === 'string' ? Buffer.from(opts.secret, 'utf8') : opts.secret;
  const ttlMs = opts.ttlSeconds * 1000;
  const sign = (data: string) => createHmac('sha256', key).update(data).digest();

  return {
    ttlMs,
    issue(userId, tokenVersion) {
      const iat = opts.clock.now();
      const claims: TokenClaims = { sub: userId, ver: tokenVersion, iat, exp: iat + ttlMs };
      const body = `v1.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
      return { token: `${body}.${sign(body).toString('base64url')}`, claims };
    },
    verify(token) {
      if (typeof token !== 'string' || token.length > 2048) return { ok: false, reason: 'malformed' };
      const parts = token.split('.');
      if (parts.length !== 3 || parts[0] !== 'v1' || !parts[1] || !parts[2]) return { ok: false, reason: 'malformed' };
      const body = `${parts[0]}.${parts[1]}`;
      // Compare the encoded text, not the decoded bytes: Node's base64url decoder also takes '=' padding,
      // '+' and '/', and ignores the unused low bits of the last character, so several spellings decode
      // to the same signature. Only the one canonical spelling the server issues is accepted.
      const given = Buffer.from(parts[2], 'utf8');
      const expected = Buffer.from(sign(body).toString('base64url'), 'utf8');
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        return { ok: false, reason: 'bad-signature' };
      let claims: unknown;
      try {
        claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
      } catch {
        return { ok: false, reason: 'malformed' };
      }
      if (!isClaims(claims)) return { ok: false, reason: 'malformed' };
      if (opts.clock.now() >= claims.exp) return { ok: false, reason: 'expired' };
      return { ok: true, claims };
    },
  };
}

function isClaims(x: unknown): x is TokenClaims {
  if (typeof x !== 'object' || x === null) return false;
  const c = x as Record<string, unknown>;
  return ['sub', 'ver', 'iat', 'exp'].every((k) => typeof c[k] === 'number' && Number.isSafeInteger(c[k]));
}
