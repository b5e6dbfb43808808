export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

/**
 * Delay before reconnect attempt `failures` (0-based): doubling from initialMs, capped at maxMs, with
 * "equal jitter" (half fixed, half random) so that many clients cut off together do not return in step.
 */
export function backoffDelay(failures: number, opts: BackoffOptions, random: () => number): number {
  const ceiling = Math.min(opts.maxMs, opts.initialMs * 2 ** Math.min(failures, 30));
  const half = ceiling / 2;
  return Math.round(half + half * Math.min(1, Math.max(0, random())));
}
