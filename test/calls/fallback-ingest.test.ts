import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FallbackIngest, parseFallbackName } from '../../src/fallback/fallback-ingest.ts';
import { ariRecordingSource } from '../../src/recordings/ari-recording-source.ts';
import { FakeClock } from '../../src/shared/clock.ts';
import { projectSoundsDir, startSimulator, type SimulatorHandle } from '../../src/simulator/index.ts';
import { encodeWav, synthesizeTone } from '../../src/simulator/wav.ts';
import { openStore } from '../../src/store/db.ts';
import { RecordingSearchRepo } from '../../src/store/recording-search-repo.ts';
import { RecordingsRepo } from '../../src/store/recordings-repo.ts';
import { SqliteRecordingsStore } from '../../src/store/recordings-store.ts';
import { startServer } from '../../src/server.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { SqliteCallRecords } from '../../src/store/call-records.ts';
import { CallsRepo } from '../../src/store/calls-repo.ts';
import { FAST_SCRYPT, testConfig } from '../platform/helpers.ts';
import { APP, Harness, realTick } from './harness.ts';

const T0 = Date.UTC(2026, 0, 5, 2, 0, 0);
const noLeaks = { ok: true, channels: [], bridges: [], playbacks: [], recordings: [] };
const pbxFiles = (dir: string) => readdirSync(join(dir, 'pbx-recordings')).sort();

describe('fallback recordings: made by the dialplan while this server is down, archived once it is back', () => {
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

  it('the [hotline-inbound] fallback records with MixMonitor; after the restart the call becomes a fallback CDR with an archived recording, and the PBX copy is deleted', async () => {
    dir = mkdtempSync(join(tmpdir(), 'fallback-'));
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

    // Given this server is down (nothing registered the ARI application), a caller rings the hotline,
    // is answered by the dialplan fallback and hangs up after about 20 s.
    sim.control.placeCall({
      from: '13812341234',
      to: '12345',
      context: 'hotline-inbound',
      script: [{ kind: 'wait', ms: 20_000 }, { kind: 'hangup' }],
    });
    for (let t = 0; t < 25_000; t += 100) {
      await realTick();
      await clock.advanceAsync(100);
    }
    await realTick();
    expect(sim.leaks().ok).toBe(true);
    const files = pbxFiles(dir);
    expect(files).toHaveLength(1);
    const stored = files[0]!.replace(/\.wav$/, '');
    const parsed = parseFallbackName(stored);
    expect(parsed).toMatchObject({ callerNumber: '13812341234', startedAt: T0 });
    const pbxBytes = readFileSync(join(dir, 'pbx-recordings', files[0]!));

    // When this server starts and its ARI connection is up, the ingest pass runs (server.ts runs it after each reconcile).
    h = await Harness.start({ clock, sim, dataDir: dir });
    const ingest = new FallbackIngest({
      calls: h.layer.calls,
      recordings: h.layer.recordings,
      pbx: ariRecordingSource(h.conn.rest),
      dataDir: dir,
      clock,
    });
    const results = await ingest.run();
    const callId = `fallback-${parsed!.uniqueId}`;
    // The server's name for it leaves the number out: names travel in URLs, the access log and packages.
    const name = callId;
    expect(results).toEqual([{ name, callId, status: 'archived' }]);

    // Then the call is on record, marked fallback, with the caller and time from the file name …
    const call = h.records.getCall(callId)!;
    expect(call).toMatchObject({
      callerNumber: '13812341234',
      status: 'ended',
      outcome: 'fallback',
      fallback: true,
      arrivedAt: T0,
      recordingName: name,
    });
    // … and the recording archived like the server's own: checksum, duration, retention, PBX copy deleted.
    const row = h.recordings.get(name)!;
    expect(h.recordings.get(stored)).toBeUndefined();
    expect(row.path).not.toContain('13812341234');
    expect(row).toMatchObject({
      callId,
      status: 'archived',
      bytes: pbxBytes.length,
      sha256: createHash('sha256').update(pbxBytes).digest('hex'),
    });
    expect(row.durationMs).toBeGreaterThan(19_000);
    expect(row.durationMs).toBeLessThan(21_000);
    expect(call.endedAt).toBe(T0 + row.durationMs!);
    expect(row.retainUntil).toBeGreaterThan(T0 + 3 * 365 * 86_400_000);
    expect(row.deletedFromPbxAt).not.toBeNull();
    expect(readFileSync(h.layer.archive.resolveFile(row)!).equals(pbxBytes)).toBe(true);
    expect(pbxFiles(dir)).toEqual([]);
    // The auditor console finds it with the fallback filter.
    expect(new RecordingSearchRepo(h.store.db).search({ fallback: true }).map((r) => r.name)).toEqual([name]);

    // A second pass (the next reconnection) finds nothing left to do and creates nothing twice.
    expect(await ingest.run()).toEqual([]);
    ingest.close();
    expect(h.records.listCalls({}).filter((c) => c.fallback)).toHaveLength(1);
    await h.until(() => sim!.leaks().ok, 'PBX clean');
  }, 60_000);

  it('the whole server, started after the outage, ingests them as soon as its ARI connection is up', async () => {
    dir = mkdtempSync(join(tmpdir(), 'fallback-server-'));
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
    // Given two callers answered by the fallback while the server is down.
    for (const from of ['13812341234', '13900001111']) {
      sim.control.placeCall({
        from,
        to: '12345',
        context: 'hotline-inbound',
        script: [{ kind: 'wait', ms: 5_000 }, { kind: 'hangup' }],
      });
    }
    for (let t = 0; t < 8_000; t += 100) {
      await realTick();
      await clock.advanceAsync(100);
    }
    expect(pbxFiles(dir)).toHaveLength(2);
    // When the server starts against that PBX.
    const server = await startServer(
      testConfig(join(dir, 'server'), {
        ASTERISK_ARI_URL: sim.ariUrl,
        ASTERISK_ARI_USER: 'cti',
        ASTERISK_ARI_PASSWORD: 'cti-secret',
      }),
      { clock, logger: createLogger({ level: 'silent', pretty: false }), scrypt: FAST_SCRYPT, scanner: false },
    );
    try {
      const fallbackCalls = () => new CallsRepo(server.store.db).listCalls({}).filter((c) => c.fallback);
      for (let i = 0; i < 400 && (fallbackCalls().length < 2 || pbxFiles(dir).length > 0); i++) {
        await realTick();
        await clock.advanceAsync(50);
      }
      // Then both are fallback CDRs with archived recordings, and the PBX holds none any more.
      expect(
        fallbackCalls()
          .map((c) => c.callerNumber)
          .sort(),
      ).toEqual(['13812341234', '13900001111']);
      expect(pbxFiles(dir)).toEqual([]);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('reads caller, time and unique id from the name; other stored recordings are not fallback files', () => {
    expect(parseFallbackName('hotline-fallback-1767578400-13812341234-1767578400.17')).toEqual({
      name: 'hotline-fallback-1767578400-13812341234-1767578400.17',
      startedAt: 1_767_578_400_000,
      callerNumber: '13812341234',
      uniqueId: '1767578400.17',
    });
    // A withheld number leaves the digits empty.
    expect(parseFallbackName('hotline-fallback-1767578400--1767578400.18')?.callerNumber).toBe('');
    for (const other of ['call-abc', 'hotline-fallback-x-1-2.3', 'hotline-fallback-1767578400-138-../x'])
      expect(parseFallbackName(other)).toBeNull();
  });
});

describe('fallback ingest against a PBX whose delete fails once', () => {
  it('archives, keeps the PBX copy while the delete fails, and deletes it at the next pass even if marked gone, without archiving twice', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fallback-unit-'));
    const store = openStore({ dataDir });
    try {
      const clock = new FakeClock(T0);
      const wav = encodeWav(synthesizeTone(3000, [440]));
      const pbxName = 'hotline-fallback-1767578400-13812341234-1767578400.17';
      const files = new Map([[pbxName, wav]]);
      let failDeletes = 1;
      const pbx = {
        fetch: async (n: string) => files.get(n) ?? null,
        remove: async (n: string) => {
          if (failDeletes-- > 0) throw new Error('ARI 500');
          files.delete(n);
        },
        list: async () => [...files.keys(), 'call-abc'],
      };
      const recordings = new RecordingsRepo(store.db);
      const ingest = new FallbackIngest({
        calls: new SqliteCallRecords(new CallsRepo(store.db)),
        recordings: new SqliteRecordingsStore(recordings),
        pbx,
        dataDir,
        clock,
        retryBaseMs: 1_000_000,
      });
      // Given the first pass archives the file but cannot delete the PBX copy.
      expect(await ingest.run()).toEqual([
        { name: 'fallback-1767578400.17', callId: 'fallback-1767578400.17', status: 'archived' },
      ]);
      expect(files.has(pbxName)).toBe(true);
      const archived = recordings.get('fallback-1767578400.17')!;
      expect(archived).toMatchObject({ status: 'archived', deletedFromPbxAt: null, bytes: wav.length });
      // And the call layer's own recovery, which looks for the row's name on the PBX and does not find
      // it there (the PBX knows the file by its number-bearing name), marks the copy as gone.
      recordings.markDeletedFromPbx('fallback-1767578400.17', clock.now());
      // When the next connection's pass runs, then the copy is deleted and nothing is archived again.
      expect(await ingest.run()).toEqual([
        { name: 'fallback-1767578400.17', callId: 'fallback-1767578400.17', status: 'already-archived' },
      ]);
      expect(files.has(pbxName)).toBe(false);
      expect(recordings.get('fallback-1767578400.17')!.archivedAt).toBe(archived.archivedAt);
      expect(await ingest.run()).toEqual([]);
      ingest.close();
    } finally {
      store.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
