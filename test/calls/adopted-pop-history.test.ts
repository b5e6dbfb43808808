import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CallerHistorySource, CallerOrder } from '../../src/calls/caller-history.ts';
import { FakeClock } from '../../src/shared/clock.ts';
import { projectSoundsDir, startSimulator, type SimulatorHandle } from '../../src/simulator/index.ts';
import { APP, Harness } from './harness.ts';

const CALLER = '13812341234';
const noLeaks = { ok: true, channels: [], bridges: [], playbacks: [], recordings: [] };

const order = (id: string, confidential: boolean, createdAt: number): CallerOrder => ({
  id,
  number: id,
  title: 'environment.noise',
  category: 'environment.noise',
  status: 'dispatched',
  open: true,
  confidential,
  createdAt,
  unitIds: ['u1'],
});

/** The caller's open orders in the work-order store: a plain one (7) and a newer confidential one (8). */
const history: CallerHistorySource = {
  ordersByPhone: async (phone) =>
    phone === CALLER ? [order('8', true, Date.UTC(2025, 11, 2)), order('7', false, Date.UTC(2025, 11, 1))] : [],
  ticketStatus: async () => null,
  orderFacts: async () => null,
};

/** Issue 12 (takeover): the pop of a talking call lived in the dead process; the adopting one reads its history again. */
describe('the pop of a call adopted after kill -9', () => {
  let dir: string;
  let sim: SimulatorHandle | undefined;
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close({ leakCheck: false });
    h = undefined;
    if (sim) {
      const leaks = sim.leaks();
      await sim.close();
      sim = undefined;
      expect(leaks).toEqual(noLeaks);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it("given an agent talking with a caller who has orders, when the server restarts and the desktop reconnects, then the call's pop lists the caller's visible history again", async () => {
    dir = mkdtempSync(join(tmpdir(), 'calls-adopted-pop-'));
    const clock = new FakeClock(Date.UTC(2026, 0, 5, 2, 0, 0));
    sim = await startSimulator({
      ariUser: 'cti',
      ariPassword: 'cti-secret',
      recordingsDir: join(dir, 'pbx-recordings'),
      clock,
      port: 0,
      inboundApp: APP,
      soundsDirs: [projectSoundsDir(new URL('../../sounds', import.meta.url).pathname)],
    });
    const first = await Harness.start({ clock, sim, dataDir: dir, history });
    const agent = await first.agent('a1', '1001', { answerAfterMs: 1000 });
    const placed = sim.control.placeCall({ from: CALLER, to: '12345' });
    await first.until(() => agent.received('call-update').some((u: any) => u.state === 'answered'), 'answered');
    const callId = agent.last('screen-pop').callId;
    expect(agent.last('screen-pop').history.map((o: any) => o.number)).toEqual(['7']);
    await first.run(1000);
    await first.crash();
    await first.run(2000);

    h = await Harness.start({ clock, sim, dataDir: dir, history });
    const desk = await h.desktop('a1');
    const popNow = () =>
      desk.events
        .filter((e) => e.name === 'current-call' || e.name === 'pop-history')
        .map((e) => (e.name === 'current-call' ? (e.payload as any)?.pop : e.payload))
        .at(-1);
    await h.until(() => popNow()?.history.length > 0, 'the history back on the desk');

    expect(popNow().callId).toBe(callId);
    expect(popNow().history.map((o: any) => o.number)).toEqual(['7']);
    expect(popNow().draft.repeatOf).toBe('7');
    expect(JSON.stringify(desk.events)).not.toContain('unitIds');
    sim.control.hangupCall(placed.callerChannelId);
    await h.until(() => h!.layer.controller.liveCalls().size === 0, 'ended');
    await h.until(() => h!.recordings.list().every((r) => r.status === 'archived'), 'archived');
  });
});
