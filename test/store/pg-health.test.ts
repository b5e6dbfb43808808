import { describe, expect, it } from 'vitest';
import { probeHealth } from '../../src/store/pg-store.ts';

describe('PostgreSQL health for GET /health', () => {
  it('given a database that stops answering, when the probe pings, then the store reads as down, and up again once it answers', async () => {
    let answer = false;
    let calls = 0;
    const store = {
      ping: () => {
        calls++;
        return Promise.resolve(answer);
      },
    };
    // A long interval: the test drives the probe through its first ping only, without waiting on wall time.
    const probe = probeHealth(store, 3_600_000);
    try {
      await Promise.resolve();
      expect(calls).toBe(1);
      expect(probe.ok()).toBe(false);
    } finally {
      probe.stop();
    }
    answer = true;
    const again = probeHealth(store, 3_600_000);
    try {
      await Promise.resolve();
      expect(again.ok()).toBe(true);
    } finally {
      again.stop();
    }
  });
});
