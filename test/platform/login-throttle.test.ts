import { describe, expect, it } from 'vitest';
import { createLoginThrottle, type LoginAttempt, type LoginThrottle } from '../../src/auth/login-throttle.ts';
import { FakeClock } from '../../src/shared/clock.ts';

const reserve = (t: LoginThrottle, user = 'li.wei', address = '10.0.0.1'): LoginAttempt => {
  const r = t.begin(user, address);
  if (!r.ok) throw new Error(`refused, retry after ${r.retryAfterMs} ms`);
  return r.attempt;
};

describe('login throttle', () => {
  it('counts attempts in flight: the limit is reached before any of them has failed', () => {
    // Given a limit of 3 and three attempts reserved but not yet settled
    const clock = new FakeClock();
    const t = createLoginThrottle({ clock, maxFailures: 3, windowMs: 60_000 });
    const inFlight = [reserve(t), reserve(t), reserve(t)];
    // When a fourth arrives
    const fourth = t.begin('LI.WEI', '10.0.0.2');
    // Then it is refused (usernames compare without case), with a wait on the clock
    expect(fourth).toEqual({ ok: false, retryAfterMs: 60_000 });
    // And an attempt that ends without a verdict frees its place
    inFlight[0]!.abandoned();
    expect(t.begin('li.wei', '10.0.0.3').ok).toBe(true);
  });

  it('never lets a success erase failures, whether they came before it or were in flight beside it', () => {
    // Given a limit of 3: one failure settled, one attempt in flight, and a right password
    const clock = new FakeClock();
    const t = createLoginThrottle({ clock, maxFailures: 3, windowMs: 60_000 });
    reserve(t).failed();
    const wrong = reserve(t);
    const right = reserve(t);
    // When the right one succeeds first and the wrong one fails after it
    right.succeeded();
    wrong.failed();
    // Then both failures still count: one more attempt fits, the one after is refused
    const third = reserve(t);
    third.failed();
    third.failed(); // settling twice counts once
    expect(t.begin('li.wei', '10.0.0.1')).toEqual({ ok: false, retryAfterMs: 60_000 });
    // And the window runs on the injected clock: the oldest failure leaving it frees one place
    clock.advance(60_000);
    expect(t.begin('li.wei', '10.0.0.1').ok).toBe(true);
  });

  it('limits one address across usernames, counting attempts in flight', () => {
    // Given a per-address limit of 2
    const clock = new FakeClock();
    const t = createLoginThrottle({ clock, maxFailures: 10, maxPerAddress: 2, windowMs: 60_000 });
    reserve(t, 'a-user', '10.9.9.9').failed();
    reserve(t, 'b-user', '10.9.9.9');
    // When a third username is tried from the same address
    // Then it is refused, while the same username from another address is not
    expect(t.begin('c-user', '10.9.9.9').ok).toBe(false);
    expect(t.begin('c-user', '10.9.9.8').ok).toBe(true);
  });
});
