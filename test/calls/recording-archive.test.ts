import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecordingArchive, retentionEnd, type StoredRecordingSource } from '../../src/recordings/archive.ts';
import { readWavInfo } from '../../src/recordings/wav-info.ts';
import { FakeClock } from '../../src/shared/clock.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { CallsRepo } from '../../src/store/calls-repo.ts';
import { RecordingsRepo } from '../../src/store/recordings-repo.ts';
import { SqliteRecordingsStore } from '../../src/store/recordings-store.ts';

const wav = readFileSync(new URL('../fixtures/asterisk-reference/recordings/rec-bridge-500.wav', import.meta.url));

class DirSource implements StoredRecordingSource {
  files = new Map<string, Uint8Array>();
  failNext = 0;
  removed: string[] = [];
  async fetch(name: string) {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('connection reset');
    }
    return this.files.get(name) ?? null;
  }
  async remove(name: string) {
    this.removed.push(name);
    this.files.delete(name);
  }
  async list() {
    return [...this.files.keys()];
  }
}

describe('recording archive', () => {
  let dir: string;
  let store: Store;
  let repo: RecordingsRepo;
  let calls: CallsRepo;
  const clock = new FakeClock(Date.UTC(2026, 0, 5, 17, 0, 0));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rec-'));
    store = openStore({ dataDir: dir });
    repo = new RecordingsRepo(store.db);
    calls = new CallsRepo(store.db);
    calls.insertCall({
      id: 'c1',
      callerChannelId: 'ch1',
      callerNumber: '13812341234',
      status: 'ended',
      phase: 'ended',
      arrivedAt: clock.now(),
    });
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads the duration of an Asterisk WAV', () => {
    const info = readWavInfo(wav);
    expect(info.sampleRate).toBe(8000);
    expect(info.bitsPerSample).toBe(16);
    expect(info.durationMs).toBe(Math.round(((wav.length - 44) * 1000) / 16000));
  });

  it('archives: SHA-256, duration check, local-date folder, retention, then deletes the PBX copy', async () => {
    const source = new DirSource();
    source.files.set('rec-c1', wav);
    const archive = new RecordingArchive({ dataDir: dir, repo: new SqliteRecordingsStore(repo), source, clock });
    repo.insertRecording({ name: 'rec-c1', callId: 'c1', startedAt: clock.now() });
    repo.markPending('rec-c1', { stoppedAt: clock.now(), talkMs: 1900 });
    const res = await archive.archive('rec-c1');
    expect(res.status).toBe('archived');
    const row = repo.get('rec-c1')!;
    // 17:00 UTC on 5 Jan is 01:00 on 6 Jan in China.
    expect(row.path).toBe('2026/01/06/rec-c1.wav');
    const onDisk = readFileSync(join(dir, 'recordings', row.path!));
    expect(row.sha256).toBe(createHash('sha256').update(onDisk).digest('hex'));
    expect(row.sha256).toBe(createHash('sha256').update(wav).digest('hex'));
    expect(row.durationCheck).toBe('ok');
    expect(row.retainUntil).toBe(retentionEnd(clock.now()));
    expect(row.retainUntil! - clock.now()).toBeGreaterThanOrEqual(3 * 365 * 86_400_000);
    expect(source.removed).toEqual(['rec-c1']);
    expect(row.deletedFromPbxAt).not.toBeNull();
  });

  it('flags a duration that does not match talk time', async () => {
    const source = new DirSource();
    source.files.set('rec-c1', wav);
    const archive = new RecordingArchive({ dataDir: dir, repo: new SqliteRecordingsStore(repo), source, clock });
    repo.insertRecording({ name: 'rec-c1', callId: 'c1', startedAt: clock.now() });
    repo.markPending('rec-c1', { stoppedAt: clock.now(), talkMs: 60_000 });
    await archive.archive('rec-c1');
    expect(repo.get('rec-c1')!.durationCheck).toBe('mismatch');
  });

  it('keeps the PBX copy when fetching fails, retries on the clock and then archives', async () => {
    const source = new DirSource();
    source.files.set('rec-c1', wav);
    source.failNext = 1;
    const archive = new RecordingArchive({
      dataDir: dir,
      repo: new SqliteRecordingsStore(repo),
      source,
      clock,
      retryBaseMs: 1000,
    });
    repo.insertRecording({ name: 'rec-c1', callId: 'c1', startedAt: clock.now() });
    repo.markPending('rec-c1', { stoppedAt: clock.now(), talkMs: 1900 });
    expect((await archive.archiveWithRetry('rec-c1')).status).toBe('error');
    expect(source.files.has('rec-c1')).toBe(true);
    expect(repo.get('rec-c1')!.attempts).toBe(1);
    await clock.advanceAsync(2000);
    await archive.idle();
    expect(repo.get('rec-c1')!.status).toBe('archived');
    expect(source.files.has('rec-c1')).toBe(false);
    archive.close();
  });

  it('recovers after a restart: pending rows are archived, archived-but-not-deleted PBX copies are removed', async () => {
    const source = new DirSource();
    source.files.set('rec-a', wav);
    source.files.set('rec-b', wav);
    repo.insertRecording({ name: 'rec-a', callId: 'c1', startedAt: clock.now() });
    repo.markPending('rec-a', { stoppedAt: clock.now(), talkMs: null });
    // rec-b was archived but the process died before deleting it from the PBX.
    repo.insertRecording({ name: 'rec-b', callId: 'c1', startedAt: clock.now() });
    const first = new RecordingArchive({
      dataDir: dir,
      repo: new SqliteRecordingsStore(repo),
      source: {
        ...source,
        fetch: (n) => source.fetch(n),
        list: () => source.list(),
        remove: async () => {
          throw new Error('down');
        },
      },
      clock,
    });
    repo.markPending('rec-b', { stoppedAt: clock.now(), talkMs: null });
    await first.archive('rec-b');
    expect(repo.get('rec-b')!.status).toBe('archived');
    expect(repo.get('rec-b')!.deletedFromPbxAt).toBeNull();
    const second = new RecordingArchive({ dataDir: dir, repo: new SqliteRecordingsStore(repo), source, clock });
    await second.recover();
    expect(repo.get('rec-a')!.status).toBe('archived');
    expect(existsSync(join(dir, 'recordings', repo.get('rec-a')!.path!))).toBe(true);
    expect(source.files.size).toBe(0);
    second.close();
  });

  it('the database refuses to delete a recording inside its retention or to shorten it', async () => {
    const source = new DirSource();
    source.files.set('rec-c1', wav);
    const archive = new RecordingArchive({ dataDir: dir, repo: new SqliteRecordingsStore(repo), source, clock });
    repo.insertRecording({ name: 'rec-c1', callId: 'c1', startedAt: Date.now() });
    repo.markPending('rec-c1', { stoppedAt: clock.now(), talkMs: null });
    await archive.archive('rec-c1');
    expect(() => store.sqlite.prepare("delete from recordings where name = 'rec-c1'").run()).toThrow(/retain_until/);
    expect(() => store.sqlite.prepare("update recordings set retain_until = 0 where name = 'rec-c1'").run()).toThrow(
      /shortened|cannot be changed/,
    );
    expect(() => store.sqlite.prepare("update recordings set sha256 = 'x' where name = 'rec-c1'").run()).toThrow(
      /archived/,
    );
  });
});
