import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../shared/clock.ts';

export interface Challenge {
  challenge: string;
  /** Leading zero bits sha256(`${challenge}:${nonce}`) must have. */
  bits: number;
  expiresAt: number;
}

/** Leading zero bits of a digest. */
export function leadingZeroBits(digest: Buffer): number {
  let n = 0;
  for (const byte of digest) {
    if (byte === 0) {
      n += 8;
      continue;
    }
    return n + Math.clz32(byte) - 24;
  }
  return n;
}

/** Finds a nonce for a challenge (what the public form's script does in the browser; tests and tools use it). */
export function solveChallenge(challenge: string, bits: number): string {
  for (let i = 0; ; i++) {
    if (leadingZeroBits(createHash('sha256').update(`${challenge}:${i}`).digest()) >= bits) return String(i);
  }
}

/**
 * A proof-of-work challenge against bots on the public form (no login): the server hands out a signed,
 * expiring challenge; the browser searches a nonce so that sha256(`challenge:nonce`) starts with `bits`
 * zero bits (about 2^bits hashes), and each solved challenge is accepted once. Nothing is stored per
 * challenge until it is spent.
 */
export class ProofOfWork {
  private readonly key = randomBytes(32);
  private readonly spent = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    readonly bits: number,
    private readonly ttlMs = 10 * 60_000,
  ) {}

  issue(): Challenge {
    const expiresAt = this.clock.now() + this.ttlMs;
    const body = `${expiresAt}.${this.bits}.${randomBytes(12).toString('hex')}`;
    return { challenge: `${body}.${this.mac(body)}`, bits: this.bits, expiresAt };
  }

  /** null when accepted (and now spent), else why not. */
  verify(challenge: string, nonce: string): string | null {
    const parts = challenge.split('.');
    if (parts.length !== 4 || !/^\d{1,20}$/.test(nonce)) return 'malformed challenge or nonce';
    const body = parts.slice(0, 3).join('.');
    const mac = Buffer.from(parts[3]!);
    const expected = Buffer.from(this.mac(body));
    if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return 'challenge not issued here';
    const now = this.clock.now();
    const expiresAt = Number(parts[0]);
    if (now > expiresAt) return 'challenge expired';
    const bits = Number(parts[1]);
    if (leadingZeroBits(createHash('sha256').update(`${challenge}:${nonce}`).digest()) < bits)
      return 'proof of work does not hold';
    for (const [c, exp] of this.spent) if (exp < now) this.spent.delete(c);
    if (this.spent.has(challenge)) return 'challenge already used';
    this.spent.set(challenge, expiresAt);
    return null;
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
