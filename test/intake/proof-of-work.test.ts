import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { leadingZeroBits, ProofOfWork, solveChallenge } from '../../src/intake/proof-of-work.ts';
import { ReplayGuard, SlidingWindowLimiter } from '../../src/intake/rate-limiter.ts';
import { parseCredentials } from '../../src/intake/routes-intake.ts';
import { FakeClock } from '../../src/shared/clock.ts';

describe('proof of work for the public form', () => {
  it('given a solved challenge, when it is verified, then it passes once; unsolved, tampered, foreign or expired ones fail', () => {
    const clock = new FakeClock();
    const pow = new ProofOfWork(clock, 8, 60_000);
    const c = pow.issue();
    const nonce = solveChallenge(c.challenge, c.bits);
    expect(pow.verify(c.challenge, nonce)).toBeNull();
    expect(pow.verify(c.challenge, nonce)).toBe('challenge already used');

    const d = pow.issue();
    const hashBits = (n: number) => leadingZeroBits(createHash('sha256').update(`${d.challenge}:${n}`).digest());
    let bad = 0;
    while (hashBits(bad) >= d.bits) bad++;
    expect(pow.verify(d.challenge, String(bad))).toBe('proof of work does not hold');
    const tampered = d.challenge.replace(/^\d+/, (t) => String(Number(t) + 1));
    expect(pow.verify(tampered, solveChallenge(tampered, d.bits))).toBe('challenge not issued here');
    expect(new ProofOfWork(clock, 8).verify(d.challenge, solveChallenge(d.challenge, d.bits))).toBe(
      'challenge not issued here',
    );
    clock.advance(60_001);
    expect(pow.verify(d.challenge, solveChallenge(d.challenge, d.bits))).toBe('challenge expired');
  });

  it('counts leading zero bits across bytes', () => {
    expect(leadingZeroBits(Buffer.from([0, 0x0f]))).toBe(12);
    expect(leadingZeroBits(Buffer.from([0x80]))).toBe(0);
  });
});

describe('intake limits and credentials', () => {
  it('given a limit of 2 a minute, when a third comes, then it waits until the oldest leaves the window', () => {
    const clock = new FakeClock();
    const l = new SlidingWindowLimiter(clock, 2, 60_000);
    expect(l.take('a')).toBeNull();
    clock.advance(10_000);
    expect(l.take('a')).toBeNull();
    expect(l.take('a')).toBe(50_000);
    expect(l.take('b')).toBeNull();
    clock.advance(50_000);
    expect(l.take('a')).toBeNull();
  });

  it('given a signature, when seen again inside the window, then it is a replay', () => {
    const clock = new FakeClock();
    const g = new ReplayGuard(clock, 300_000);
    expect(g.firstUse('sha256=aa')).toBe(true);
    expect(g.firstUse('sha256=aa')).toBe(false);
    expect(g.firstUse('sha256=bb')).toBe(true);
  });

  it('given credential entries, when one is malformed, for the phone channel or listed twice, then start-up names it', () => {
    const ok = parseCredentials(['wechat:wx:0123456789abcdef0123']);
    expect(ok.get('wx')).toEqual({ id: 'wx', channel: 'wechat', secret: '0123456789abcdef0123' });
    expect(() => parseCredentials(['phone:p:0123456789abcdef0123'])).toThrow('intake.credentials[0]');
    expect(() => parseCredentials(['wechat:wx:short'])).toThrow('at least 16');
    expect(() => parseCredentials(['wechat:wx:0123456789abcdef0123', 'website:wx:0123456789abcdef0123'])).toThrow(
      'listed twice',
    );
  });
});
