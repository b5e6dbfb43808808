import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/shared/clock.ts';
import { projectSoundsDir, startSimulator, type SimulatorHandle } from '../../src/simulator/index.ts';
import { APP, Harness } from './harness.ts';

const noLeaks = { ok: true, channels: [], bridges: [], playbacks: [], recordings: [] };
const states = (d: { received<T>(n: string): T[] }) => d.received<{ state: string }>('call-update').map((u) => u.state);

describe('this server killed (kill -9) while a supervisor listens', () => {
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

  it('the restarted server hangs up the snoop channel and the supervisor leg, and takes neither for a caller', async () => {
    dir = mkdtempSync(join(tmpdir(), 'calls-restart-monitor-'));
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
    const first = await Harness.start({ clock, sim, dataDir: dir });
    const agent = await first.agent('a1', '1001', { answerAfterMs: 500 });
    sim.control.setPhone('2001', { answerAfterMs: 500 });
    const placed = sim.control.placeCall({ from: '13812341234', to: '12345' });
    await first.until(() => states(agent).includes('answered'), 'answered');
    const sup = await first.supervisor('s1');
    expect(await sup.call('monitor', { agentId: 'a1', mode: 'listen', extension: '2001' })).toEqual({ ok: true });
    await first.until(() => sim!.engine.hears('2001').length === 2, 'listening');
    // When this server dies and comes back
    await first.crash();
    await first.run(1000);
    h = await Harness.start({ clock, sim, dataDir: dir });
    // Then the supervisor is off the line and no snoop is left; the caller still talks with the agent
    await h.until(
      () => !sim!.control.state().channels.some((c: { name: string }) => c.name.startsWith('Snoop/')),
      'snoop hung up',
    );
    await h.until(() => sim!.engine.hears('2001').length === 0, 'supervisor leg hung up');
    expect(sim.engine.hears(placed.callerChannelId)).toEqual(['1001']);
    // And the only call is the adopted one (no snoop or supervisor leg taken for a new caller)
    expect([...h.layer.controller.liveCalls().values()].map((c) => c.adopted)).toEqual([true]);
    sim.control.hangupCall(placed.callerChannelId);
    await h.until(() => h!.layer.controller.liveCalls().size === 0, 'call over');
    await h.until(() => sim!.control.state().channels.length === 0, 'PBX empty');
  });
});
