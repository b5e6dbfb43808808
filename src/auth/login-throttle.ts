import type { Clock } from '../shared/clock.ts';

/**
 * Slows password guessing: after `maxFailures` failed sign-ins for one username (or from one client
 * address) within `windowMs`, further attempts are refused until the window has passed. A successful
 * sign-in clears the username's count. In memory: a restart forgets, which is acceptable for a limiter.
 */
export interface LoginThrottle {
  /** Milliseconds to wait before another attempt is allowed, or 0. */
  retryAfter(username: string, address: string): number;
  failed(username: string, address: string): void;
  succeeded(username: string): void;
}

export function createLoginThrottle(opts: { clock: Clock; maxFailures?: number; windowMs?: number; maxPerAddress?: number }): LoginThrottle {
  const max = opts.maxFailures ?? 10;
  const maxPerAddress = opts.maxPerAddress ?? 50;
  const windowMs = opts.windowMs ?? 15 * 60_000;
  const byUser = new Map<string, number[]>();
  const byAddress = new Map<string, number[]>();

  const recent = (map: Map<string, number[]>, key: string): number[] => {
    const now = opts.clock.now();
    const list = (map.get(key) ?? []).filter((t) => now - t < windowMs);
    if (list.length === 0) map.delete(key);
    else map.set(key, list);
    return list;
  };
  const wait = (list: number[], limit: number): number =>
    list.length >= limit ? Math.max(1, list[list.length - limit]! + windowMs - opts.clock.now()) : 0;
  const userKey = (u: string) => u.toLowerCase();

  return {
    retryAfter(username, address) {
      return Math.max(wait(recent(byUser, userKey(username)), max), wait(recent(byAddress, address), maxPerAddress));
    },
    failed(username, address) {
      const now = opts.clock.now();
      byUser.set(userKey(username), [...recent(byUser, userKey(username)), now]);
      byAddress.set(address, [...recent(byAddress, address), now]);
      // Bound memory under a spray of random usernames.
      if (byUser.size > 100_000) byUser.clear();
      if (byAddress.size > 100_000) byAddress.clear();
    },
    succeeded(username) {
      byUser.delete(userKey(username));
    },
  };
}
