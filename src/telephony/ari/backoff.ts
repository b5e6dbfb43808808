export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** Returns a number in [0, 1). Injected so tests can pin the jitter. */
  random: () => number;
}

export const defaultBackoff: BackoffPolicy = {
  initialMs: 500,
  maxMs: 30_000,
  factor: 2,
  random: Math.random,
};

/**
 * Delay before reconnect attempt number `attempt` (0 = first retry): exponential, capped, with
 * "equal jitter" — half fixed, half random — so that a fleet of servers restarted together does not
 * reconnect in lock-step, while no retry comes sooner than half the nominal delay.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy = defaultBackoff): number {
  const nominal = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.min(attempt, 60));
  return Math.round(nominal / 2 + policy.random() * (nominal / 2));
}
