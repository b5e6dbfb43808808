// Takeover with the call records on PostgreSQL (issue 12 gap 1, item 4): the owner dies (kill -9) while one
// caller talks and one waits; the next owner finds their rows in PostgreSQL (the SQLite file holds none), adopts
// the talking call and gives the waiting one its place and answer clock back.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/shared/clock.ts';
import { projectSoundsDir, startSimulator, type SimulatorHandle } from '../../src/simulator/index.ts';
import { PgCallRecords } from '../../src/store/pg-call-records.ts';
import { openPgStore, type PgStore } from '../../src/store/pg-store.ts';
import { storeFactory } from '../support/stores.ts';
import { APP, callTestTiming, Harness } from './harness.ts';

const noLeaks = { ok: true, channels: [], bridges: [], playbacks: [], recordings: [] };
const TALKER = '13800000001';
const WAITER = '13800000002';

describe('takeover with the call records on PostgreSQL', () => {
  const stores = storeFactory('postgres');
  let dir: string;
  let sim: SimulatorHandle | undefined;
  let h: Harness | undefined;
  const pools: PgStore[] = [];
  afterEach(async () => {
    await h?.close({ leakCheck: false });
    h = undefined;
    for (const p of pools.splice(0)) await p.close();
    if (sim) {
      const leaks = sim.leaks();
      await sim.close();
      sim = undefined;
      expect(leaks).toEqual(noLeaks);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('given a talking and a waiting call, when the owner is killed and another instance starts on the same database, then it adopts the one and restores the other from PostgreSQL', async () => {
    dir = mkdtempSync(join(tmpdir(), 'calls-pg-takeover-'));
    const url = (await stores.freshUrl())!;
    const clock = new FakeClock(Date.UTC(2026, 0, 5, 2, 0, 0));
    sim = await startSimulator({
      ariUser: 'cti',
      ariPassword: 'cti-secret',
      recordingsDir: join(dir, 'pbx-recordings'),
      clock,
      port: 0,
      inboundApp: APP,
      soundsDirs: [projectSoundsDir(new URL('../../sounds', import.meta.url).pathname)],
      timing: callTestTiming(),
    });
    const storeA = await openPgStore({ url, poolSize: 2 });
    pools.push(storeA);
    const recordsA = new PgCallRecords(storeA.pool);
    const first = await Harness.start({ clock, sim, dataDir: dir, calls: recordsA });
    const agent = await first.agent('a1', '1001', { answerAfterMs: 1000 });
    sim.control.placeCall({ from: TALKER, to: '12345' });
    await first.until(
      () => agent.received('call-update').some((u: { state: string }) => u.state === 'answered'),
      'first caller answered',
    );
    const talkId = agent.last('screen-pop').callId as string;
    sim.control.placeCall({ from: WAITER, to: '12345' });
    await first.until(
      () =>
        [...first.layer.controller.liveCalls().values()].some(
          (c) => c.record?.queuedAt !== undefined && c.callId !== talkId,
        ),
      'second caller queued',
    );
    const waiting = [...first.layer.controller.liveCalls().values()].find((c) => c.callId !== talkId)!;
    const waitId = waiting.callId;
    // Stored as whole milliseconds (bigint); the simulator's timing gives fractions.
    const exit = Math.round(waiting.record!.ivrExitAt!);
    await first.run(2000);

    // When the owner dies: nothing more of it reaches the database.
    recordsA.stopWriting('killed');
    await first.crash();
    await first.run(2000);
    const storeB = await openPgStore({ url, poolSize: 2 });
    pools.push(storeB);
    h = await Harness.start({ clock, sim, dataDir: dir, calls: new PgCallRecords(storeB.pool) });

    // Then the talking call is adopted and the waiting one is back in the queue with its answer clock.
    expect(h.layer.controller.liveCalls().get(talkId)?.adopted).toBe(true);
    expect(h.layer.controller.liveCalls().get(waitId)?.record?.queuedAt).toBe(exit);
    expect(await h.layer.calls.getCall(waitId)).toMatchObject({
      status: 'active',
      queuedAt: exit,
      callerNumber: WAITER,
    });
    // The rows came from PostgreSQL: the SQLite file never held a call.
    expect(h.records.listCalls({})).toEqual([]);
    // And the agent's desk gets its call back.
    const desk = await h.desktop('a1');
    expect(desk.last('current-call')).toMatchObject({ state: 'answered', pop: { callId: talkId } });

    // and the agent is still signed in (the sign-ins are kept in the store), on that call.
    expect(desk.last('agent-state')).toMatchObject({ agentId: 'a1', status: 'on-call' });
    // When the agent hangs up, the waiting caller is offered to them next; both calls end in PostgreSQL.
    expect(await desk.call('hangup')).toEqual({ ok: true });
    await h.until(() => h!.layer.controller.liveCalls().get(talkId) === undefined, 'first call over');
    await h.run(8000);
    await h.until(
      () => desk.received('screen-pop').some((p: { callId: string }) => p.callId === waitId),
      'the waiting caller offered',
      { maxMs: 60_000 },
    );
    await h.until(
      () =>
        desk
          .received('call-update')
          .some((u: { callId: string; state: string }) => u.callId === waitId && u.state === 'answered'),
      'second answered',
    );
    expect(await desk.call('hangup')).toEqual({ ok: true });
    await h.until(() => h!.layer.controller.liveCalls().size === 0, 'all calls over');
    await h.layer.calls.flushed();
    expect(await h.layer.calls.getCall(talkId)).toMatchObject({ status: 'ended', outcome: 'answered' });
    expect(await h.layer.calls.getCall(waitId)).toMatchObject({
      status: 'ended',
      outcome: 'answered',
      ivrExitAt: exit,
    });
  }, 120_000);
});
