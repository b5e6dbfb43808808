import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/shared/clock.ts';
import { projectSoundsDir, startSimulator, type SimulatorHandle } from '../../src/simulator/index.ts';
import { SqliteSignInsRepo, type SignInsRepo } from '../../src/store/sign-ins-repo.ts';
import { STORE_KINDS, storeFactory } from '../support/stores.ts';
import { APP, Harness } from './harness.ts';

const noLeaks = { ok: true, channels: [], bridges: [], playbacks: [], recordings: [] };
const states = (d: { received<T>(n: string): T[] }) => d.received<{ state: string }>('call-update').map((u) => u.state);

describe.each(STORE_KINDS)(
  'agents stay signed in when this server is killed (kill -9) and restarted, sign-ins on %s',
  (kind) => {
    const stores = storeFactory(kind);
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

    it('the talking agent is on its adopted call, the paused one paused with its reason, all without signing in again; a desk that never comes back is signed out after the grace counted from the restart', async () => {
      // Given three agents: a1 talking with a caller, a2 paused for lunch, a3 ready
      dir = mkdtempSync(join(tmpdir(), 'calls-restart-sign-ins-'));
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
      // The sign-ins in PostgreSQL (as with DATABASE_URL), or in the SQLite file of the data dir
      const signIns: SignInsRepo | undefined = kind === 'postgres' ? (await stores.fresh()).repos.signIns : undefined;
      const first = await Harness.start({ clock, sim, dataDir: dir, signIns });
      const a1 = await first.agent('a1', '1001', { answerAfterMs: 1000 });
      const a2 = await first.agent('a2', '1002', { answerAfterMs: 1000 });
      expect(await a2.call('pause', { reason: 'LUNCH' })).toEqual({ ok: true });
      await first.agent('a3', '1003', { answerAfterMs: 1000 });
      const placed = sim.control.placeCall({ from: '13812341234', to: '12345' });
      await first.until(() => states(a1).includes('answered'), 'a1 answered');
      const callId = a1.last('screen-pop').callId;
      await first.run(2000);
      // When this server dies without cleaning up, stays down ten minutes (longer than the sign-out grace), and
      // comes back; no desk has reconnected yet
      await first.crash();
      await first.run(600_000, 1000);
      // (its sockets declared after the reconcile, as the server may: the grace must still start)
      h = await Harness.start({ clock, sim, dataDir: dir, signIns, socketsAfterAri: true });
      // Then every agent is signed in as before, the talking one on its adopted call
      const agents = () => new Map(h!.layer.controller.agents().map((a) => [a.agentId, a]));
      expect(agents().get('a1')).toMatchObject({ status: 'on-call', callId, endpoint: 'Local/1001@agents' });
      expect(agents().get('a2')).toMatchObject({ status: 'paused', pauseReason: 'LUNCH' });
      expect(agents().get('a3')).toMatchObject({ status: 'ready', skills: ['mandarin'] });
      // and a1's desk, reconnecting, gets its call back and can end it without signing in
      const desk1 = await h.desktop('a1');
      expect(desk1.last('current-call')).toMatchObject({ state: 'answered', pop: { callId } });
      expect(desk1.last('agent-state')).toMatchObject({ status: 'on-call' });
      const desk2 = await h.desktop('a2');
      expect(desk2.last('agent-state')).toMatchObject({ status: 'paused', pauseReason: 'LUNCH' });
      // When a3's desk never comes back: still signed in just before the grace (2 min) from the restart ends
      await h.run(110_000, 1000);
      expect(agents().get('a3')?.status).toBe('ready');
      // Then it is signed out once the grace has passed, and its stored sign-in is gone; the others stay
      await h.run(15_000, 1000);
      expect(agents().get('a3')?.status).toBe('signed-out');
      expect(agents().get('a2')?.status).toBe('paused');
      const sqliteFile = new SqliteSignInsRepo(h.store.db);
      const stored = async () =>
        (await (signIns ?? sqliteFile).list()).map((s) => [s.agentId, s.status, s.pauseReason]);
      const expected = [
        ['a1', 'on-call', null],
        ['a2', 'paused', 'LUNCH'],
      ];
      // (written behind the domain: wait for the queue, in real time)
      for (let i = 0; i < 100 && JSON.stringify(await stored()) !== JSON.stringify(expected); i++)
        await new Promise((r) => setTimeout(r, 20));
      expect(await stored()).toEqual(expected);
      if (signIns) expect(await sqliteFile.list()).toEqual([]);
      // And the call ends normally when the caller hangs up
      sim.control.hangupCall(placed.callerChannelId);
      await h.until(() => h!.records.getCall(callId)!.status === 'ended', 'ended');
      await h.until(() => h!.recordings.byCall(callId).every((r) => r.status === 'archived'), 'archived');
      expect(states(desk1)).toContain('ended');
    });
  },
);
