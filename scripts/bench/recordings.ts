/**
 * Recording archive (issue 11): bytes per call-minute of the Opus archive beside the WAV, encode time
 * per call-minute beside just copying the WAV (write + fsync, what the WAV archive does), the projected
 * three-year store for 25 M calls of 4 minutes, and the integrity check's re-hash throughput beside
 * `sha256sum` over the same files.
 *
 * Audio: a deterministic speech-like signal (voiced syllables with pauses and fricatives, 8 kHz mono
 * 16-bit, test/recordings/speech-like.ts), as Asterisk records it. Env: BENCH_REC_MINUTES (4: one
 * 4-minute call), BENCH_REC_BITRATE (12000), BENCH_REC_FILES (300 files for the verify part).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { archivedFilePath, archiveRoot } from '../../src/recordings/archive.ts';
import { verifyIntegrity } from '../../src/recordings/integrity.ts';
import { opusEncoder } from '../../src/recordings/opus-codec.ts';
import { CallsRepo } from '../../src/store/calls-repo.ts';
import { openStore } from '../../src/store/db.ts';
import { RecordingsRepo } from '../../src/store/recordings-repo.ts';
import { speechLike, wavOf } from '../../test/recordings/speech-like.ts';

const MINUTES = Number(process.env.BENCH_REC_MINUTES ?? 4);
const BITRATE = Number(process.env.BENCH_REC_BITRATE ?? 12_000);
const FILES = Number(process.env.BENCH_REC_FILES ?? 300);
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
    console.log(`archive format (speech-like 8 kHz mono, one ${MINUTES}-minute call, Opus ${BITRATE / 1000} kbit/s VBR voice, 20 ms frames, Ogg)`);
    console.log(`  bytes per call-minute   Opus/Ogg ${(oggPerMin / 1000).toFixed(1)} KB   WAV ${(wavPerMin / 1000).toFixed(1)} KB   (${(wavPerMin / oggPerMin).toFixed(1)}x smaller; goal <= 120 KB)`);
    console.log(`  time per call-minute    encode ${(encodeMs / MINUTES).toFixed(1)} ms + write/fsync ${(writeOggMs / MINUTES).toFixed(1)} ms   baseline: copy the WAV (write/fsync) ${(copyMs / MINUTES).toFixed(1)} ms   (best of ${rounds})`);
    const cpuCores = (encodeMs / MINUTES / 60_000) * ((CALLS_PER_YEAR * MINUTES_PER_CALL) / (365 * 24 * 60));
    console.log(`  encode CPU for ${CALLS_PER_YEAR / 1e6} M calls/year of ${MINUTES_PER_CALL} min: ${cpuCores.toFixed(2)} cores on average`);
    console.log(`  three-year store, ${CALLS_PER_YEAR / 1e6} M calls/year x ${MINUTES_PER_CALL} min: Opus/Ogg ${tb(oggPerMin).toFixed(1)} TB   WAV ${tb(wavPerMin).toFixed(1)} TB`);

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
          calls.insertCall({ id: `c${i}`, callerChannelId: `ch${i}`, callerNumber: '13800000000', status: 'ended', phase: 'ended', arrivedAt: now });
          recs.insertRecording({ name: `rec-${i}`, callId: `c${i}`, startedAt: now });
          recs.markArchived(`rec-${i}`, {
            path: rel, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length, format: 'ogg-opus',
            durationMs: 60_000, durationCheck: 'ok', archivedAt: now, retainUntil: now + 3 * 366 * 86_400_000,
          });
        }
      })();
      let t = performance.now();
      const report = await verifyIntegrity({ db: store.db, repo: recs, resolveFile: (r) => archivedFilePath(root, r) });
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
