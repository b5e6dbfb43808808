import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecordingArchive, type StoredRecordingSource } from '../../src/recordings/archive.ts';
import { opusEncoder, pooledOpusEncoder } from '../../src/recordings/opus-codec.ts';
import { OpusWorkerPool, resolveEncoderThreads } from '../../src/recordings/opus-worker-pool.ts';
import { FakeClock } from '../../src/shared/clock.ts';
import { CallsRepo } from '../../src/store/calls-repo.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { RecordingsRepo } from '../../src/store/recordings-repo.ts';
import { SqliteRecordingsStore } from '../../src/store/recordings-store.ts';
import { speechLike, wavOf } from './speech-like.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = readFileSync(new URL('../fixtures/asterisk-reference/recordings/rec-bridge-500.wav', import.meta.url));
const dyingWorker = new URL('./fixtures/dying-opus-worker.mjs', import.meta.url);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** 16 kHz stereo: the right channel is the left one reversed. */
function stereo16k(): Buffer {
  const m = speechLike(3, 16000);
  const s = new Int16Array(m.length * 2);
  for (let i = 0; i < m.length; i++) {
    s[2 * i] = m[i]!;
    s[2 * i + 1] = m[m.length - 1 - i]!;
  }
  const wav = wavOf(s, 16000);
  wav.writeUInt16LE(2, 22);
  wav.writeUInt32LE(16000 * 4, 28);
  wav.writeUInt16LE(4, 32);
  return wav;
}

/**
 * SHA-256 of the Ogg files the main-thread encoder wrote before the worker pool existed (commit
 * afad700, opusscript 0.1.1): the pool must not change a single byte of the archive.
 */
const BEFORE_THE_POOL = [
  {
    name: '7 s speech-like 8 kHz mono',
    wav: wavOf(speechLike(7)),
    bytes: 7950,
    sha256: '81dc7f9d2663f509f49847685a939f1e0b0013e1884dd684bfc4f43b16082f4b',
  },
  {
    name: 'the Asterisk fixture recording',
    wav: fixture,
    bytes: 2621,
    sha256: '46f06371863361c6f958c8c7afa94c6e3170437b36858984499b338d15a539b4',
  },
  {
    name: '3 s 16 kHz stereo',
    wav: stereo16k(),
    bytes: 4402,
    sha256: '75968dc803c8dd03e601bca25aff2ddd1e66c6842b99478676bbedb3607fca96',
  },
];

describe('Opus encoding on worker threads', () => {
  const encoders: { close(): Promise<void> }[] = [];
  const pooled = (o: Parameters<typeof pooledOpusEncoder>[0]) => {
    const e = pooledOpusEncoder(o);
    encoders.push(e);
    return e;
  };
  afterEach(async () => {
    await Promise.all(encoders.splice(0).map((e) => e.close()));
  });

  it.each(BEFORE_THE_POOL)(
    'given $name, when encoded on the pool and on the main thread, then both give the bytes the encoder gave before the pool',
    async ({ wav, bytes, sha256 }) => {
      const facts = { originalSha256: sha(wav) };
      const inWorker = await pooled({ bitrate: 12_000, threads: 1 }).encode(wav, facts);
      const inThread = await opusEncoder({ bitrate: 12_000 }).encode(wav, facts);
      expect(inWorker.format).toBe('ogg-opus');
      expect(inWorker.bytes.length).toBe(bytes);
      expect(sha(inWorker.bytes)).toBe(sha256);
      expect(Buffer.from(inWorker.bytes).equals(Buffer.from(inThread.bytes))).toBe(true);
    },
  );

  it('given five recordings at once on two threads, when encoded, then each caller gets its own file', async () => {
    const encoder = pooled({ bitrate: 12_000, threads: 2 });
    const wavs = [3, 5, 2, 4, 1].map((s) => wavOf(speechLike(s)));
    const results = await Promise.all(wavs.map((w) => encoder.encode(w, { originalSha256: sha(w) })));
    const expected = await Promise.all(
      wavs.map((w) => opusEncoder({ bitrate: 12_000 }).encode(w, { originalSha256: sha(w) })),
    );
    results.forEach((r, i) => expect(sha(r.bytes), `recording ${i}`).toBe(sha(expected[i]!.bytes)));
  });

  it('given a WAV Opus cannot take (a-law), then the pool keeps it as WAV without a thread', async () => {
    const alaw = Buffer.from(fixture);
    alaw.writeUInt16LE(6, 20);
    alaw.writeUInt16LE(8, 34);
    const enc = await pooled({ bitrate: 12_000, threads: 1 }).encode(alaw, { originalSha256: sha(alaw) });
    expect(enc).toMatchObject({ format: 'wav', extension: 'wav' });
    expect(enc.bytes).toBe(alaw);
  });

  describe('a thread that dies', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'opus-pool-'));
      process.env.OPUS_TEST_DIE_MARKER = join(dir, 'died');
    });
    afterEach(() => {
      delete process.env.OPUS_TEST_DIE_MARKER;
      rmSync(dir, { recursive: true, force: true });
    });

    it('given one thread and two recordings waiting, when the thread dies on the first, then the first rejects and a new thread encodes the second', async () => {
      const encoder = pooled({ bitrate: 12_000, threads: 1, workerUrl: dyingWorker });
      const a = wavOf(speechLike(2));
      const b = wavOf(speechLike(3));
      const [first, second] = await Promise.allSettled([
        encoder.encode(a, { originalSha256: sha(a) }),
        encoder.encode(b, { originalSha256: sha(b) }),
      ]);
      expect(first.status).toBe('rejected');
      expect(String((first as PromiseRejectedResult).reason)).toMatch(
        /Opus encoder thread died \(exit code 1\): simulated abort inside the encoder/,
      );
      expect(second.status).toBe('fulfilled');
      const expected = await opusEncoder({ bitrate: 12_000 }).encode(b, { originalSha256: sha(b) });
      expect(sha((second as PromiseFulfilledResult<{ bytes: Uint8Array }>).value.bytes)).toBe(sha(expected.bytes));
    });

    it('given a worker entry that cannot load, when encoding, then each encode rejects naming the problem and no thread is left', async () => {
      const pool = new OpusWorkerPool({
        threads: 1,
        workerUrl: new URL('./fixtures/no-such-worker.mjs', import.meta.url),
      });
      try {
        const opts = { sampleRate: 8000, channels: 1, bitrate: 12_000 } as const;
        const outcomes = await Promise.allSettled([
          pool.encode(Buffer.alloc(320), opts),
          pool.encode(Buffer.alloc(320), opts),
        ]);
        for (const o of outcomes)
          expect(String((o as PromiseRejectedResult).reason)).toMatch(
            /Opus encoder thread died \(exit code 1\): .*no-such-worker\.mjs/,
          );
        expect(pool.threadCount).toBe(0);
      } finally {
        await pool.close();
      }
    });

    describe('in the archive', () => {
      let store: Store;
      let repo: RecordingsRepo;
      const clock = new FakeClock(Date.UTC(2026, 0, 5, 9, 0, 0));
      beforeEach(() => {
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
      });
      afterEach(() => store.close());

      it('given the thread dies while encoding, then the attempt is recorded as an encode failure, the PBX copy stays, and the retry archives it', async () => {
        const files = new Map<string, Uint8Array>([['rec-c1', fixture]]);
        const source: StoredRecordingSource = {
          fetch: async (n) => files.get(n) ?? null,
          remove: async (n) => void files.delete(n),
          list: async () => [...files.keys()],
        };
        const archive = new RecordingArchive({
          dataDir: dir,
          repo: new SqliteRecordingsStore(repo),
          source,
          clock,
          encoder: pooled({ bitrate: 12_000, threads: 1, workerUrl: dyingWorker }),
        });
        repo.insertRecording({ name: 'rec-c1', callId: 'c1', startedAt: clock.now() });
        repo.markPending('rec-c1', { stoppedAt: clock.now(), talkMs: null });

        const failed = await archive.archive('rec-c1');
        expect(failed).toMatchObject({ status: 'error' });
        expect((failed as { error: string }).error).toMatch(/^encode failed: Opus encoder thread died/);
        expect(repo.get('rec-c1')).toMatchObject({ status: 'pending', attempts: 1 });
        expect(repo.get('rec-c1')!.lastError).toMatch(/^encode failed: Opus encoder thread died/);
        expect(files.has('rec-c1')).toBe(true);

        expect(await archive.archive('rec-c1')).toMatchObject({
          status: 'archived',
          row: { format: 'ogg-opus', originalSha256: sha(fixture) },
        });
        expect(files.has('rec-c1')).toBe(false);
        archive.close();
      });
    });
  });

  it('given an encode running and one waiting, when the pool closes, then both reject, no thread is left, and later encodes are refused', async () => {
    const pool = new OpusWorkerPool({ threads: 1 });
    const pcm = Buffer.from(speechLike(20).buffer);
    const opts = { sampleRate: 8000, channels: 1, bitrate: 12_000 } as const;
    const outcomes = Promise.allSettled([pool.encode(pcm, opts), pool.encode(pcm, opts)]);
    expect(pool.threadCount).toBe(1);
    await pool.close();
    expect((await outcomes).map((o) => (o.status === 'rejected' ? String(o.reason) : o.status))).toEqual([
      'Error: Opus encoder pool is closed',
      'Error: Opus encoder pool is closed',
    ]);
    expect(pool.threadCount).toBe(0);
    await expect(pool.encode(pcm, opts)).rejects.toThrow('Opus encoder pool is closed');
  });

  it('given five jobs on a pool of two, then two threads start and stay for the next jobs', async () => {
    const pool = new OpusWorkerPool({ threads: 2 });
    try {
      const jobs = [1, 2, 1, 2, 1].map((s) =>
        pool.encode(Buffer.from(speechLike(s).buffer), { sampleRate: 8000, channels: 1, bitrate: 12_000 }),
      );
      expect(pool.threadCount).toBe(2);
      const done = await Promise.all(jobs);
      // 20 ms frames plus one for the lookahead.
      expect(done.map((d) => d.lengths.length)).toEqual([51, 101, 51, 101, 51]);
      expect(pool.threadCount).toBe(2);
    } finally {
      await pool.close();
    }
  });

  it('given the pool started the way npm start runs (tsx, no vitest), when a script encodes and never closes it, then the worker loads, the bytes match, and the process exits by itself', () => {
    const r = spawnSync(
      join(root, 'node_modules', '.bin', 'tsx'),
      [join(root, 'test/recordings/fixtures/encode-without-close.ts')],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(`ogg-opus ${BEFORE_THE_POOL[0]!.sha256}`);
  });
});

describe('recordings.encoderThreads', () => {
  it.each([
    [0, 1, 1],
    [0, 2, 1],
    [0, 3, 2],
    [0, 16, 2],
    [4, 2, 4],
  ])('given %i configured on %i cores, then %i threads', (configured, cores, threads) => {
    expect(resolveEncoderThreads(configured, cores)).toBe(threads);
  });
});
