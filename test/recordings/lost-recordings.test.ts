import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecordingArchive, type LostRecording, type StoredRecordingSource } from '../../src/recordings/archive.ts';
import { FakeClock } from '../../src/shared/clock.ts';
import { CallsRepo } from '../../src/store/calls-repo.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { RecordingsRepo } from '../../src/store/recordings-repo.ts';
import { SqliteRecordingsStore } from '../../src/store/recordings-store.ts';

const wav = readFileSync(new URL('../fixtures/asterisk-reference/recordings/rec-bridge-500.wav', import.meta.url));

/** Asterisk's stored recordings: a restart may leave a call's file in the spool, or not. */
class Spool implements StoredRecordingSource {
  files = new Map<string, Uint8Array>();
  async fetch(name: string) {
    return this.files.get(name) ?? null;
  }
  async remove(name: string) {
    this.files.delete(name);
  }
  async list() {
    return [...this.files.keys()];
  }
}

describe('recordings not on the PBX: lost with an alert, found again by name on reconnect', () => {
  let dir: string;
  let store: Store;
  let repo: RecordingsRepo;
  let spool: Spool;
  let archive: RecordingArchive;
  let lost: LostRecording[];
  const clock = new FakeClock(Date.UTC(2026, 0, 5, 17, 0, 0));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rec-lost-'));
    store = openStore({ dataDir: dir });
    repo = new RecordingsRepo(store.db);
    new CallsRepo(store.db).insertCall({
      id: 'c1',
      callerChannelId: 'ch1',
      callerNumber: '13812341234',
      status: 'ended',
      phase: 'ended',
      arrivedAt: clock.now(),
    });
    spool = new Spool();
    archive = new RecordingArchive({
      dataDir: dir,
      repo: new SqliteRecordingsStore(repo),
      source: spool,
      clock,
      retryBaseMs: 1000,
      maxAttempts: 3,
    });
    lost = [];
    archive.onLost = (l) => lost.push(l);
    // Given a call that ended while Asterisk was restarting: its recording is pending.
    repo.insertRecording({ name: 'rec-c1', callId: 'c1', startedAt: clock.now() });
    repo.markPending('rec-c1', { stoppedAt: clock.now(), talkMs: 500 });
  });
  afterEach(() => {
    archive.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Every retry on the clock (1 s, 2 s, 4 s, … doubling), until nothing is in flight. */
  async function exhaustRetries(): Promise<void> {
    for (let i = 0; i < 6; i++) {
      await clock.advanceAsync(60_000);
      await archive.idle();
    }
  }

  it('when the PBX never has the file, after the configured attempts it is marked lost and alerted once (not left pending)', async () => {
    expect((await archive.archiveWithRetry('rec-c1')).status).toBe('not-found');
    await exhaustRetries();
    const row = repo.get('rec-c1')!;
    expect(row.status).toBe('lost');
    expect(row.attempts).toBe(3);
    expect(row.lastError).toBe('not found on the PBX after 3 attempts');
    expect(lost).toEqual([{ name: 'rec-c1', callId: 'c1', attempts: 3, lastError: 'not found on the PBX' }]);
    // Looking again while it is still missing changes nothing and alerts no second time.
    expect(await archive.rediscover()).toEqual({ found: [] });
    await exhaustRetries();
    expect(repo.get('rec-c1')!.status).toBe('lost');
    expect(lost).toHaveLength(1);
  });

  it('a lost recording back in the stored recordings after the restart is archived by name on reconnect', async () => {
    await archive.archiveWithRetry('rec-c1');
    await exhaustRetries();
    expect(repo.get('rec-c1')!.status).toBe('lost');
    // When Asterisk is back with the file in its spool and ARI reconnects:
    spool.files.set('rec-c1', wav);
    expect(await archive.rediscover()).toEqual({ found: ['rec-c1'] });
    const row = repo.get('rec-c1')!;
    expect(row.status).toBe('archived');
    expect(row.originalSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(spool.files.has('rec-c1')).toBe(false);
  });

  it('a pending recording still being retried is archived at once when the reconnect finds it', async () => {
    await archive.archiveWithRetry('rec-c1');
    expect(repo.get('rec-c1')!.status).toBe('pending');
    spool.files.set('rec-c1', wav);
    expect(await archive.rediscover()).toEqual({ found: ['rec-c1'] });
    expect(repo.get('rec-c1')!.status).toBe('archived');
    // The retry timer it had is gone: nothing runs later, nothing is alerted.
    await exhaustRetries();
    expect(lost).toEqual([]);
  });

  it('a write that keeps failing is `failed`, not lost: only a recording the PBX does not have is lost', async () => {
    spool.files.set('rec-c1', Buffer.from('not a wav'));
    await archive.archiveWithRetry('rec-c1');
    await exhaustRetries();
    expect(repo.get('rec-c1')!.status).toBe('failed');
    expect(lost).toEqual([]);
  });
});
