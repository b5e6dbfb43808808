import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../src/auth/password.ts';
import { PERMISSIONS, permissionsOf, roleHas } from '../../src/auth/permissions.ts';
import { ROLES } from '../../src/auth/roles.ts';
import { createTokenService } from '../../src/auth/token.ts';
import { loadOrCreateTokenSecret } from '../../src/auth/token-secret.ts';
import { FakeClock } from '../../src/shared/clock.ts';
import { FAST_SCRYPT, tempDir } from './helpers.ts';

describe('scrypt passwords', () => {
  it('round-trips, refuses a wrong password, salts every hash, stores its parameters', async () => {
    const h1 = await hashPassword('correct horse battery', FAST_SCRYPT);
    const h2 = await hashPassword('correct horse battery', FAST_SCRYPT);
    expect(h1).toMatch(/^scrypt\$1024\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(h1).not.toBe(h2);
    expect(await verifyPassword('correct horse battery', h1)).toBe(true);
    expect(await verifyPassword('correct horse batterY', h1)).toBe(false);
    expect(await verifyPassword('', h1)).toBe(false);
  });

  it('uses the default (memory-hard) parameters when none are given', async () => {
    const h = await hashPassword('pw-default-params');
    expect(h.startsWith('scrypt$32768$8$1$')).toBe(true);
    expect(await verifyPassword('pw-default-params', h)).toBe(true);
  });

  it('answers false, never throws, for malformed stored hashes', async () => {
    for (const bad of [
      '',
      'plain',
      'scrypt$1$2$3',
      'bcrypt$1024$8$1$a$b',
      'scrypt$x$8$1$abc$def',
      'scrypt$1024$8$1$$',
      'scrypt$4194304$8$1$abc$def',
    ]) {
      expect(await verifyPassword('x', bad)).toBe(false);
    }
  });
});

describe('tokens', () => {
  const secret = 'k'.repeat(32);

  it('verifies until the TTL passes on the clock, then reports expiry', () => {
    const clock = new FakeClock();
    const tokens = createTokenService({ secret, ttlSeconds: 900, clock });
    const { token, claims } = tokens.issue(7, 3);
    expect(claims.exp - claims.iat).toBe(900_000);
    expect(tokens.verify(token)).toEqual({ ok: true, claims });
    clock.advance(899_999);
    expect(tokens.verify(token).ok).toBe(true);
    clock.advance(1);
    expect(tokens.verify(token)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses tampered, foreign and malformed tokens', () => {
    const clock = new FakeClock();
    const tokens = createTokenService({ secret, ttlSeconds: 60, clock });
    const other = createTokenService({ secret: 'z'.repeat(32), ttlSeconds: 60, clock });
    const { token } = tokens.issue(1, 1);
    const [v, payload, sig] = token.split('.') as [string, string, string];
    const forged = Buffer.from(JSON.stringify({ sub: 2, ver: 1, iat: clock.now(), exp: clock.now() + 1e9 })).toString(
      'base64url',
    );
    expect(tokens.verify(`${v}.${forged}.${sig}`)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(tokens.verify(other.issue(1, 1).token)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(tokens.verify(`${v}.${payload}`)).toEqual({ ok: false, reason: 'malformed' });
    expect(tokens.verify('garbage')).toEqual({ ok: false, reason: 'malformed' });
    expect(tokens.verify('v1..')).toEqual({ ok: false, reason: 'malformed' });
  });

  it('accepts only the canonical signature encoding, not variants that decode to the same bytes', () => {
    // Given valid tokens, one of whose signatures uses '-' or '_' (base64url's own characters)
    const clock = new FakeClock();
    const tokens = createTokenService({ secret, ttlSeconds: 60, clock });
    let ver = 1;
    let issued = tokens.issue(1, ver).token;
    while (!/[-_]/.test(issued.split('.')[2]!)) issued = tokens.issue(1, ++ver).token;
    const [head, payload, sig] = issued.split('.') as [string, string, string];
    // A 32-byte signature is 43 characters; the last carries 4 bits, its 2 low bits are unused.
    expect(sig).toHaveLength(43);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(sig.at(-1)!);
    const variants: Record<string, string> = {
      'padding =': `${sig}=`,
      'padding ==': `${sig}==`,
      'standard alphabet +/': sig.replaceAll('-', '+').replaceAll('_', '/'),
      'unused low bit 1': sig.slice(0, -1) + alphabet[last ^ 1],
      'unused low bit 2': sig.slice(0, -1) + alphabet[last ^ 2],
      'unused low bits 1+2': sig.slice(0, -1) + alphabet[last ^ 3],
    };
    for (const [label, variant] of Object.entries(variants)) {
      // When a variant that decodes to exactly the same bytes is sent
      expect(Buffer.from(variant, 'base64url').equals(Buffer.from(sig, 'base64url')), label).toBe(true);
      expect(variant, label).not.toBe(sig);
      // Then it is refused
      expect(tokens.verify(`${head}.${payload}.${variant}`), label).toEqual({ ok: false, reason: 'bad-signature' });
    }
    // And a trailing character the decoder would drop is refused too, while the canonical token verifies
    expect(tokens.verify(`${head}.${payload}.${sig}A`)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(tokens.verify(issued)).toMatchObject({ ok: true, claims: { sub: 1, ver } });
  });

  it('keeps a generated secret in DATA_DIR so tokens survive a restart, and prefers a configured one', () => {
    const t = tempDir();
    try {
      const a = loadOrCreateTokenSecret(t.dir);
      const b = loadOrCreateTokenSecret(t.dir);
      expect(a.length).toBe(32);
      expect(b.equals(a)).toBe(true);
      expect(loadOrCreateTokenSecret(t.dir, 'c'.repeat(40)).toString()).toBe('c'.repeat(40));
    } finally {
      t.cleanup();
    }
  });
});

describe('permissions table', () => {
  it('denies by default: an unknown permission is held by no role', () => {
    for (const role of ROLES) expect(roleHas(role, 'work-orders:delete-everything')).toBe(false);
  });

  it('derives each role’s set from the table', () => {
    expect(roleHas('admin', 'users:manage')).toBe(true);
    for (const role of ROLES.filter((r) => r !== 'admin')) expect(roleHas(role, 'users:manage')).toBe(false);
    for (const role of ROLES) {
      for (const p of permissionsOf(role)) expect(PERMISSIONS[p] as readonly string[]).toContain(role);
      expect(permissionsOf(role).has('self:manage')).toBe(true);
    }
  });
});
