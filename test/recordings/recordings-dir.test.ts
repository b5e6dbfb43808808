import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { RecordingArchive, type StoredRecordingSource } from '../../src/recordings/archive.ts';
import { runVerify } from '../../src/recordings/verify-cli.ts';
import { FakeClock } from '../../src/shared/clock.ts';
import { CallsRepo } from '../../src/store/calls-repo.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { RecordingsRepo } from '../../src/store/recordings-repo.ts';
import { SqliteRecordingsStore } from '../../src/store/recordings-store.ts';

const wav = readFileSync(new URL('../fixtures/asterisk-reference/recordings/rec-bridge-500.wav', import.meta.url));

/** The PBX's stored recordings, one file. */
const pbx = (files: Map<string, Uint8Array>): StoredRecordingSource => ({
  fetch: async (name) => files.get(name) ?? null,
  remove: async (name) => void files.delete(name),
  list: async () => [...files.keys()],
});

describe('RECORDINGS_DIR: the archive outside DATA_DIR (shared between instances, docs/scale-out.md)', () => {
  let dataDir: string;
  let shared: string;
  let store: Store;
  const clock = new FakeClock(Date.UTC(2026, 0, 5, 9, 0, 0));

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'recdir-data-'));
    shared = mkdtempSync(join(tmpdir(), 'recdir-shared-'));
    store = openStore({ dataDir });
  });
  afterEach(() => {
    store.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(shared, { recursive: true, force: true });
  });

  it('given RECORDINGS_DIR set, when a recording is archived, then its file is under that directory and the verify command finds it there', async () => {
    // Given the setting as a site sets it, and a finished recording on the PBX
    const config = loadConfig({ env: { DATA_DIR: dataDir, RECORDINGS_DIR: shared }, cwd: dataDir });
    expect(config.recordings.dir).toBe(shared);
    const repo = new RecordingsRepo(store.db);
    new CallsRepo(store.db).insertCall({
      id: 'c1',
      callerChannelId: 'ch1',
      callerNumber: '13812341234',
      status: 'ended',
      phase: 'ended',
      arrivedAt: clock.now(),
    });
    repo.insertRecording({ name: 'rec-1', callId: 'c1', startedAt: clock.now() });
    repo.markPending('rec-1', { stoppedAt: clock.now(), talkMs: null });
    const archive = new RecordingArchive({
      dataDir,
      dir: config.recordings.dir,
      repo: new SqliteRecordingsStore(repo),
      source: pbx(new Map([['rec-1', wav]])),
      clock,
    });

    // When it is archived
    const res = await archive.archive('rec-1');

    // Then the file is in the shared directory, none under DATA_DIR/recordings
    expect(res.status).toBe('archived');
    const row = res.status === 'archived' ? res.row : undefined;
    const abs = archive.resolveFile(row!);
    expect(abs?.startsWith(`${shared}/`)).toBe(true);
    expect(existsSync(abs!)).toBe(true);
    expect(existsSync(join(dataDir, 'recordings'))).toBe(false);
    // and the integrity command reads the same setting: with it the file verifies, without it the file is missing
    store.close();
    const ok = await runVerify([], { DATA_DIR: dataDir, RECORDINGS_DIR: shared }, dataDir);
    expect(ok.exitCode).toBe(0);
    const without = await runVerify([], { DATA_DIR: dataDir }, dataDir);
    expect(without.exitCode).toBe(1);
    store = openStore({ dataDir });
  });
});
