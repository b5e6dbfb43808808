import type { Clock } from '../shared/clock.ts';

/**
 * Slows password guessing: after `maxFailures` failed sign-ins for one username (or `maxPerAddress`
 * from one client address) within `windowMs` on the injected clock, further attempts are refused until
 * the oldest of them leaves the window.
 *
 * An attempt is reserved before its password is hashed and counts against the limit while in flight:
 * a burst sent in parallel cannot slip past the check before any of it has failed. A success ends its
 * own reservation only; it never erases failures, so a right password guessed inside a burst does not
 * reset the count (failures age out of the window instead). In memory: a restart forgets, which is
 * acceptable for a limiter.
 */
export interface LoginThrottle {
  /** Reserves an attempt, or says how many milliseconds to wait before another is allowed. */
  begin(username: string, address: string): { ok: true; attempt: LoginAttempt } | { ok: false; retryAfterMs: number };
}

/** A reserved attempt; settle it exactly once (later calls are ignored). */
export interface LoginAttempt {
  /** The credentials were wrong: counts as a failure in the window. */
  failed(): void;
  /** The sign-in succeeded: the reservation ends, earlier failures stay. */
  succeeded(): void;
  /** The attempt ended for another reason (store error): the reservation ends, nothing is counted. */
  abandoned(): void;
}

interface Entry {
  failures: number[];
  /** Reservation times of attempts still in flight. */
  pending: Set<{ at: number }>;
}

/** Above this many tracked keys, idle ones are dropped (a spray of random usernames must not grow memory). */
const MAX_KEYS = 100_000;

export function createLoginThrottle(opts: {
  clock: Clock;
  maxFailures?: number;
  windowMs?: number;
  maxPerAddress?: number;
}): LoginThrottle {
  const maxPerUser = opts.maxFailures ?? 10;
  const maxPerAddress = opts.maxPerAddress ?? 50;
  const windowMs = opts.windowMs ?? 15 * 60_000;
  const byUser = new Map<string, Entry>();
  const byAddress = new Map<string, Entry>();

  const entry = (map: Map<string, Entry>, key: string): Entry => {
    let e = map.get(key);
    if (!e) {
      if (map.size >= MAX_KEYS) prune(map);
      e = { failures: [], pending: new Set() };
      map.set(key, e);
    }
    const now = opts.clock.now();
    e.failures = e.failures.filter((t) => now - t < windowMs);
    return e;
  };
  const prune = (map: Map<string, Entry>): void => {
    const now = opts.clock.now();
    for (const [key, e] of map) {
      if (e.pending.size === 0 && e.failures.every((t) => now - t >= windowMs)) map.delete(key);
    }
    // Still full of live entries: drop the oldest idle ones; entries with attempts in flight stay.
    for (const [key, e] of map) {
      if (map.size < MAX_KEYS) break;
      if (e.pending.size === 0) map.delete(key);
    }
  };
  /** 0 if one more attempt fits, else the wait until the oldest counted attempt leaves the window. */
  const wait = (e: Entry, limit: number): number => {
    const counted = [...e.failures, ...[...e.pending].map((p) => p.at)].sort((a, b) => a - b);
    if (counted.length < limit) return 0;
    return Math.max(1, counted[counted.length - limit]! + windowMs - opts.clock.now());
  };
  const dropIfIdle = (map: Map<string, Entry>, key: string, e: Entry): void => {
    if (e.pending.size === 0 && e.failures.length === 0 && map.get(key) === e) map.delete(key);
  };

  return {
    begin(username, address) {
      const userKey = username.toLowerCase();
      const user = entry(byUser, userKey);
      const addr = entry(byAddress, address);
      const retryAfterMs = Math.max(wait(user, maxPerUser), wait(addr, maxPerAddress));
      if (retryAfterMs > 0) {
        dropIfIdle(byUser, userKey, user);
        dropIfIdle(byAddress, address, addr);
        return { ok: false, retryAfterMs };
      }
      const reservation = { at: opts.clock.now() };
      user.pending.add(reservation);
      addr.pending.add(reservation);
      let settled = false;
      const settle = (failed: boolean) => {
        if (settled) return;
        settled = true;
        user.pending.delete(reservation);
        addr.pending.delete(reservation);
        if (failed) {
          const now = opts.clock.now();
          // The entry may have been pruned meanwhile: count the failure in the live one.
          entry(byUser, userKey).failures.push(now);
          entry(byAddress, address).failures.push(now);
        } else {
          dropIfIdle(byUser, userKey, user);
          dropIfIdle(byAddress, address, addr);
        }
      };
      return {
        ok: true,
        attempt: { failed: () => settle(true), succeeded: () => settle(false), abandoned: () => settle(false) },
      };
    },
  };
}
