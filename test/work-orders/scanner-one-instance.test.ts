// Several instances on one PostgreSQL (issue 12): the supervision scanner runs on one of them only, and another
// takes the job over when that one stops.
import { afterAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/shared/clock.ts';
import { startTestServer, type TestServer } from '../platform/helpers.ts';
import { storeFactory } from '../support/stores.ts';

const MIN = 60_000;

describe('the supervision scanner with two instances on one PostgreSQL', () => {
  const stores = storeFactory('postgres');
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const s of servers.splice(0)) await s.cleanup();
  });

  /** Counts the scanner's passes (each asks the repository for the orders due) of one server. */
  function passes(server: TestServer): { n: number } {
    const count = { n: 0 };
    const repo = server.workOrders.repo;
    const due = repo.dueForCheck.bind(repo);
    repo.dueForCheck = (now, limit) => {
      count.n++;
      return due(now, limit);
    };
    return count;
  }

  async function minute(server: TestServer, clock: FakeClock): Promise<void> {
    await clock.advanceAsync(MIN);
    await server.workOrders.scanner.idle();
  }

  it('given A and B with their scanners started, when minutes pass, then only one of them scans; when it stops, the other scans', async () => {
    // Given two instances on one database, each with its scanner on its own clock
    const url = (await stores.freshUrl())!;
    const clockA = new FakeClock(Date.UTC(2026, 0, 5, 1, 0, 0));
    const clockB = new FakeClock(Date.UTC(2026, 0, 5, 1, 0, 0));
    const a = await startTestServer({ clock: clockA, env: { DATABASE_URL: url } });
    servers.push(a);
    const b = await startTestServer({ clock: clockB, env: { DATABASE_URL: url } });
    servers.push(b);
    const onA = passes(a);
    const onB = passes(b);
    // When three scan intervals pass on both
    for (let i = 0; i < 3; i++) {
      await minute(a, clockA);
      await minute(b, clockB);
    }
    // Then exactly one instance scanned, every time
    expect([onA.n, onB.n].sort()).toEqual([0, 3]);
    // When the scanning one stops (a clean shutdown gives its lock back)
    const [stopping, other, otherClock, otherPasses] = onA.n > 0 ? [a, b, clockB, onB] : [b, a, clockA, onA];
    await stopping.cleanup();
    servers.splice(servers.indexOf(stopping), 1);
    // Then the other scans from its next interval on
    await minute(other, otherClock);
    await minute(other, otherClock);
    expect(otherPasses.n).toBe(2);
  });
});
