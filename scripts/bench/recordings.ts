/**
 * Recording archive (issue 11): bytes per call-minute of the Opus archive beside the WAV, encode time
 * per call-minute beside just copying the WAV (write + fsync, what the WAV archive does), the projected
 * three-year store for 25 M calls of 4 minutes, and the integrity check's re-hash throughput beside
 * `sha256sum` over the same files.
 *
 * Audio: a deterministic speech-like signal (voiced syllables with pauses and fricatives, 8 kHz mono
 * 16-bit, test/recordings/speech-like.ts), as Asterisk records it. Env: BENCH_REC_MINUTES (4: one
 * 4-minute call), BENCH_REC_BITRATE (12000), BENCH_REC_FILES (300 files for the verify part).
 *
 * Main-thread stall: BENCH_REC_LOAD_MINUTES (20) call-minutes, as calls of MINUTES each submitted at
 * once, encoded on the main thread (yielding every second of audio) and then on the worker pool
 * (BENCH_REC_THREADS, default as the server: recordings.encoderThreads 0). Meanwhile
 * perf_hooks.monitorEventLoopDelay (1 ms resolution) measures how late the main thread's timers run:
 * what an ARI event or a screen-pop arriving during the encode would wait.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { archivedFilePath, archiveRoot } from '../../src/recordings/archive.ts';
import { SqliteRecordingsStore } from '../../src/store/recordings-store.ts';
import { verifyIntegrity } from '../../src/recordings/integrity.ts';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ArchiveEncoder } from '../../src/recordings/archive.ts';
import { opusEncoder, pooledOpusEncoder } from '../../src/recordings/opus-codec.ts';
import { resolveEncoderThreads } from '../../src/recordings/opus-worker-pool.ts';
import { CallsRepo } from '../../src/store/calls-repo.ts';
import { openStore } from '../../src/store/db.ts';
import { RecordingsRepo } from '../../src/store/recordings-repo.ts';
import { speechLike, wavOf } from '../../test/recordings/speech-like.ts';

const MINUTES = Number(process.env.BENCH_REC_MINUTES ?? 4);
const BITRATE = Number(process.env.BENCH_REC_BITRATE ?? 12_000);
const FILES = Number(process.env.BENCH_REC_FILES ?? 300);
const LOAD_MINUTES = Number(process.env.BENCH_REC_LOAD_MINUTES ?? 20);
const THREADS = resolveEncoderThreads(Number(process.env.BENCH_REC_THREADS ?? 0));
const CALLS_PER_YEAR = 25_000_000;
const MINUTES_PER_CALL = 4;
const YEARS = 3;

async function writeSynced(path: string, bytes: Uint8Array): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

interface StallFigures {
  wallMs: number;
  p50: number;
  p99: number;
  max: number;
}

/** Encodes every WAV at once on `encoder`, sampling the main thread's event-loop delay meanwhile (ms). */
async function stallWhileEncoding(encoder: ArchiveEncoder, wavs: Buffer[]): Promise<StallFigures> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const t = performance.now();
  await Promise.all(wavs.map((w) => encoder.encode(w, { originalSha256: '' })));
  const wallMs = performance.now() - t;
  h.disable();
  const ms = (ns: number) => ns / 1e6;
  return { wallMs, p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) };
}

/** The same wait with nothing encoding: the timer's own resolution and the machine's noise. */
async function idleDelay(ms: number): Promise<StallFigures> {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  await new Promise((r) => setTimeout(r, ms));
  h.disable();
  return { wallMs: ms, p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6 };
}

async function mainThreadStall(): Promise<void> {
  const calls = Math.max(1, Math.round(LOAD_MINUTES / MINUTES));
  const wavs = Array.from({ length: calls }, () => wavOf(speechLike(MINUTES * 60)));
  const inThread = opusEncoder({ bitrate: BITRATE });
  const pool = pooledOpusEncoder({ bitrate: BITRATE, threads: THREADS });
  try {
    // Warm-up: the WebAssembly module compiled on the main thread and in every worker.
    const warm = wavOf(speechLike(2));
    await inThread.encode(warm, { originalSha256: '' });
    await Promise.all(Array.from({ length: THREADS }, () => pool.encode(warm, { originalSha256: '' })));
    const idle = await idleDelay(1000);
    const a = await stallWhileEncoding(inThread, wavs);
    const b = await stallWhileEncoding(pool, wavs);
    const row = (name: string, f: StallFigures) =>
      `  ${name.padEnd(26)} p50 ${f.p50.toFixed(2).padStart(6)} ms   p99 ${f.p99.toFixed(2).padStart(6)} ms   max ${f.max.toFixed(2).padStart(7)} ms   wall ${(f.wallMs / 1000).toFixed(2)} s`;
    console.log(
      `main-thread event-loop delay while encoding ${calls * MINUTES} call-minutes (${calls} calls of ${MINUTES} min at once; monitorEventLoopDelay, 1 ms resolution; load average ${loadavg()[0]!.toFixed(1)})`,
    );
    console.log(row('idle (1 s, nothing encoding)', idle));
    console.log(row('main thread (1 s slices)', a));
    console.log(row(`worker pool (${THREADS} thread${THREADS === 1 ? '' : 's'})`, b));
  } finally {
    await pool.close();
  }
}

const tb = (bytesPerMinute: number) => (bytesPerMinute * CALLS_PER_YEAR * MINUTES_PER_CALL * YEARS) / 1e12;

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-rec-'));
  try {
    const wav = wavOf(speechLike(MINUTES * 60));
    const encoder = opusEncoder({ bitrate: BITRATE });
    // Warm-up: compiles the WebAssembly module once per process, as a running server would have.
    await encoder.encode(wavOf(speechLike(2)), { originalSha256: '' });

    const rounds = 3;
    let encodeMs = Infinity;
    let ogg: Uint8Array = new Uint8Array();
    for (let i = 0; i < rounds; i++) {
      const t = performance.now();
      ogg = (await encoder.encode(wav, { originalSha256: '' })).bytes;
      encodeMs = Math.min(encodeMs, performance.now() - t);
    }
    let copyMs = Infinity;
    let writeOggMs = Infinity;
    for (let i = 0; i < rounds; i++) {
      let t = performance.now();
      await writeSynced(join(dir, `copy-${i}.wav`), wav);
      copyMs = Math.min(copyMs, performance.now() - t);
      t = performance.now();
      await writeSynced(join(dir, `copy-${i}.ogg`), ogg);
      writeOggMs = Math.min(writeOggMs, performance.now() - t);
    }
    const oggPerMin = ogg.length / MINUTES;
    const wavPerMin = wav.length / MINUTES;
    console.log(
      `archive format (speech-like 8 kHz mono, one ${MINUTES}-minute call, Opus ${BITRATE / 1000} kbit/s VBR voice, 20 ms frames, Ogg)`,
    );
    console.log(
      `  bytes per call-minute   Opus/Ogg ${(oggPerMin / 1000).toFixed(1)} KB   WAV ${(wavPerMin / 1000).toFixed(1)} KB   (${(wavPerMin / oggPerMin).toFixed(1)}x smaller; goal <= 120 KB)`,
    );
    console.log(
      `  time per call-minute    encode ${(encodeMs / MINUTES).toFixed(1)} ms + write/fsync ${(writeOggMs / MINUTES).toFixed(1)} ms   baseline: copy the WAV (write/fsync) ${(copyMs / MINUTES).toFixed(1)} ms   (best of ${rounds})`,
    );
    const cpuCores = (encodeMs / MINUTES / 60_000) * ((CALLS_PER_YEAR * MINUTES_PER_CALL) / (365 * 24 * 60));
    console.log(
      `  encode CPU for ${CALLS_PER_YEAR / 1e6} M calls/year of ${MINUTES_PER_CALL} min: ${cpuCores.toFixed(2)} cores on average`,
    );
    console.log(
      `  three-year store, ${CALLS_PER_YEAR / 1e6} M calls/year x ${MINUTES_PER_CALL} min: Opus/Ogg ${tb(oggPerMin).toFixed(1)} TB   WAV ${tb(wavPerMin).toFixed(1)} TB`,
    );

    await mainThreadStall();

    // Verify throughput: the integrity check re-hashing archived files, beside sha256sum of the same files.
    const store = openStore({ dataDir: dir });
    try {
      const calls = new CallsRepo(store.db);
      const recs = new RecordingsRepo(store.db);
      const root = archiveRoot(dir);
      mkdirSync(join(root, '2026/01/05'), { recursive: true });
      const paths: string[] = [];
      const now = Date.UTC(2026, 0, 5);
      const oneMinute = ogg.subarray(0, Math.round(oggPerMin));
      store.sqlite.transaction(() => {
        for (let i = 0; i < FILES; i++) {
          // Distinct bytes per file, about one call-minute each.
          const bytes = Buffer.concat([Buffer.from(`file ${i}\n`), oneMinute]);
          const rel = `2026/01/05/rec-${i}.ogg`;
          writeFileSync(join(root, rel), bytes);
          paths.push(join(root, rel));
          calls.insertCall({
            id: `c${i}`,
            callerChannelId: `ch${i}`,
            callerNumber: '13800000000',
            status: 'ended',
            phase: 'ended',
            arrivedAt: now,
          });
          recs.insertRecording({ name: `rec-${i}`, callId: `c${i}`, startedAt: now });
          recs.markArchived(`rec-${i}`, {
            path: rel,
            sha256: createHash('sha256').update(bytes).digest('hex'),
            bytes: bytes.length,
            format: 'ogg-opus',
            durationMs: 60_000,
            durationCheck: 'ok',
            archivedAt: now,
            retainUntil: now + 3 * 366 * 86_400_000,
          });
        }
      })();
      let t = performance.now();
      const report = await verifyIntegrity({
        repo: new SqliteRecordingsStore(recs),
        resolveFile: (r) => archivedFilePath(root, r),
      });
      const verifyMs = performance.now() - t;
      t = performance.now();
      const sum = spawnSync('sha256sum', paths, { encoding: 'utf8' });
      const sumMs = performance.now() - t;
      const mb = report.files.bytes / 1e6;
      console.log(`verify (${FILES} files of one call-minute, ${mb.toFixed(1)} MB, both chains, page cache warm)`);
      console.log(
        `  npm run verify logic   ${(mb / (verifyMs / 1000)).toFixed(1)} MB/s (${verifyMs.toFixed(0)} ms, ok=${report.ok})   baseline: sha256sum ${sum.status === 0 ? `${(mb / (sumMs / 1000)).toFixed(1)} MB/s (${sumMs.toFixed(0)} ms)` : 'not available'}`,
      );
    } finally {
      store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
