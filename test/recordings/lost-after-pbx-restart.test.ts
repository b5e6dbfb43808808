import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connect } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/server.ts';
import { FakeClock } from '../../src/shared/clock.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { projectSoundsDir, startSimulator, type SimulatorHandle } from '../../src/simulator/index.ts';
import { encodeWav, synthesizeTone } from '../../src/simulator/wav.ts';
import { CallsRepo } from '../../src/store/calls-repo.ts';
import { openStore } from '../../src/store/db.ts';
import { RecordingsRepo } from '../../src/store/recordings-repo.ts';
import { APP, realTick } from '../calls/harness.ts';
import { FAST_SCRYPT, testConfig, tokenFor } from '../platform/helpers.ts';

const T0 = Date.UTC(2026, 0, 5, 2, 0, 0);
const noLeaks = { ok: true, channels: [], bridges: [], playbacks: [], recordings: [] };

describe('recordings left behind by an Asterisk restart: found again by name, or lost with an alert', () => {
  let dir: string;
  let sim: SimulatorHandle | undefined;
  let server: RunningServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
    if (sim) {
      const leaks = sim.leaks();
      await sim.close();
      sim = undefined;
      expect(leaks).toEqual(noLeaks);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('without the stored file the recording ends lost with a supervisor alert; restarted with the file in the spool, it is archived by name', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rec-lost-sim-'));
    const clock = new FakeClock(T0);
    sim = await startSimulator({
      ariUser: 'cti',
      ariPassword: 'cti-secret',
      recordingsDir: join(dir, 'pbx-recordings'),
      clock,
      port: 0,
      inboundApp: APP,
      soundsDirs: [projectSoundsDir(new URL('../../sounds', import.meta.url).pathname)],
    });
    // Given two calls that ended while Asterisk restarted: their recordings are pending, the PBX has neither file.
    const dataDir = join(dir, 'server');
    mkdirSync(dataDir, { recursive: true });
    const seed = openStore({ dataDir });
    for (const id of ['c-gone', 'c-back']) {
      new CallsRepo(seed.db).insertCall({
        id,
        callerChannelId: `${id}-ch`,
        callerNumber: '13812341234',
        status: 'ended',
        phase: 'ended',
        arrivedAt: T0 - 60_000,
        answeredAt: T0 - 50_000,
        endedAt: T0 - 10_000,
        outcome: 'answered',
      });
      const recs = new RecordingsRepo(seed.db);
      recs.insertRecording({ name: `rec-${id}`, callId: id, startedAt: T0 - 50_000 });
      recs.markPending(`rec-${id}`, { stoppedAt: T0 - 10_000, talkMs: 40_000 });
    }
    seed.close();

    server = await startServer(
      testConfig(dataDir, {
        ASTERISK_ARI_URL: sim.ariUrl,
        ASTERISK_ARI_USER: 'cti',
        ASTERISK_ARI_PASSWORD: 'cti-secret',
      }),
      { clock, logger: createLogger({ level: 'silent', pretty: false }), scrypt: FAST_SCRYPT, scanner: false },
    );
    const s = server;
    const recs = new RecordingsRepo(s.store.db);
    const status = (name: string) => recs.get(name)!.status;
    const supervisor = await tokenFor(s as never, 'supervisor');
    const socket = connect(`${s.url}/supervisor`, {
      auth: { token: supervisor },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    const alerts: Array<{ kind: string; callId: string; message: string }> = [];
    socket.on('alert', (a) => alerts.push(a));
    await new Promise<void>((resolve, reject) => {
      socket.on('connect', () => resolve());
      socket.on('connect_error', reject);
    });
    const until = async (cond: () => boolean, what: string, stepMs: number) => {
      for (let i = 0; i < 400 && !cond(); i++) {
        await realTick();
        await clock.advanceAsync(stepMs);
      }
      expect(cond(), what).toBe(true);
    };

    // When every attempt (8, doubling from 1 s) finds nothing on the PBX: lost, one alert per recording.
    await until(() => status('rec-c-gone') === 'lost' && status('rec-c-back') === 'lost', 'both lost', 2_000);
    await until(() => alerts.length >= 2, 'two alerts', 100);
    expect(alerts.map((a) => [a.kind, a.callId]).sort()).toEqual([
      ['recording-lost', 'c-back'],
      ['recording-lost', 'c-gone'],
    ]);
    expect(alerts[0]!.message).toMatch(/not on the PBX after 8 attempts/);

    // When Asterisk restarts without the files: still lost, no second alert.
    const reconnects = () => s.telephony.ari.counters.reconnects;
    const before = reconnects();
    sim.faults.restart();
    await until(() => reconnects() > before, 'reconnected', 500);
    for (let i = 0; i < 20; i++) {
      await realTick();
      await clock.advanceAsync(100);
    }
    expect([status('rec-c-gone'), status('rec-c-back')]).toEqual(['lost', 'lost']);
    expect(alerts).toHaveLength(2);

    // When it restarts with one call's file left in its spool: that one is archived by name and removed from the PBX.
    const pbxFile = join(dir, 'pbx-recordings', 'rec-c-back.wav');
    writeFileSync(pbxFile, encodeWav(synthesizeTone(40_000, [440])));
    sim.faults.restart();
    await until(() => status('rec-c-back') === 'archived' && !existsSync(pbxFile), 'archived after the restart', 500);
    const back = recs.get('rec-c-back')!;
    expect(back.durationCheck).toBe('ok');
    expect(back.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(status('rec-c-gone')).toBe('lost');
    expect(alerts).toHaveLength(2);
    socket.close();
  }, 90_000);
});
