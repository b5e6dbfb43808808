import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecordingArchive, wavEncoder, type StoredRecordingSource } from '../../src/recordings/archive.ts';
import { verifyIntegrity } from '../../src/recordings/integrity.ts';
import { oggCrc32, readOggOpus } from '../../src/recordings/ogg-opus.ts';
import { decodeOggOpus, opusEncoder } from '../../src/recordings/opus-codec.ts';
import { readWavInfo } from '../../src/recordings/wav-info.ts';
import { FakeClock } from '../../src/shared/clock.ts';
import { CallsRepo } from '../../src/store/calls-repo.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { RecordingsRepo } from '../../src/store/recordings-repo.ts';
import { SqliteRecordingsStore } from '../../src/store/recordings-store.ts';
import { bearer, startTestServer, tokenFor } from '../platform/helpers.ts';
import { correlation, envelopeCorrelation, speechLike, wavOf } from './speech-like.ts';

const fixture = readFileSync(new URL('../fixtures/asterisk-reference/recordings/rec-bridge-500.wav', import.meta.url));
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const pcmOf = (wav: Buffer) => {
  const info = readWavInfo(wav);
  return new Int16Array(Uint8Array.from(wav.subarray(info.dataOffset, info.dataOffset + info.dataBytes)).buffer);
};

describe('Ogg Opus archive format', () => {
  it('uses the Ogg CRC-32 (poly 0x04C11DB7, init 0, unreflected): check value of "123456789"', () => {
    expect(oggCrc32(Buffer.from('123456789', 'ascii'))).toBe(0x89a1897f);
  });

  it('given a minute of speech-like 8 kHz audio, when encoded at 12 kbit/s, then it is at most 120 KB and decodes back to the same length and waveform', async () => {
    const pcm = speechLike(60);
    const wav = wavOf(pcm);
    const enc = await opusEncoder({ bitrate: 12_000 }).encode(wav, { originalSha256: sha(wav) });
    expect(enc.format).toBe('ogg-opus');
    expect(enc.extension).toBe('ogg');
    expect(wav.length).toBeGreaterThan(950_000);
    expect(enc.bytes.length).toBeLessThanOrEqual(120_000);

    const stream = readOggOpus(enc.bytes);
    expect(stream).toMatchObject({ channels: 1, inputSampleRate: 8000, preSkip: 312 });
    expect(stream.packets).toHaveLength(3001); // 20 ms frames, plus one to flush the encoder's lookahead
    const decoded = decodeOggOpus(enc.bytes);
    expect(decoded.sampleRate).toBe(8000);
    expect(decoded.samples.length).toBe(pcm.length);
    // Aligned (pre-skip honoured): the waveform matches at lag 0 better than one sample off.
    const c0 = correlation(pcm, decoded.samples, 0);
    expect(c0).toBeGreaterThan(0.9);
    expect(c0).toBeGreaterThan(correlation(pcm, decoded.samples, 3));
    expect(envelopeCorrelation(pcm, decoded.samples)).toBeGreaterThan(0.97);
  });

  it('given the Asterisk fixture recording, when encoded and decoded, then the duration is the same to the sample and the loudness follows it', async () => {
    const enc = await opusEncoder({ bitrate: 12_000 }).encode(fixture, { originalSha256: sha(fixture) });
    const original = pcmOf(fixture);
    const decoded = decodeOggOpus(enc.bytes);
    expect(decoded.samples.length).toBe(original.length);
    expect(envelopeCorrelation(original, decoded.samples)).toBeGreaterThan(0.9);
    expect(enc.bytes.length).toBeLessThan(fixture.length / 8);
  });

  it('given a WAV Opus cannot take (a-law), then it is kept as WAV', async () => {
    const alaw = Buffer.from(fixture);
    alaw.writeUInt16LE(6, 20);
    alaw.writeUInt16LE(8, 34);
    const enc = await opusEncoder({ bitrate: 12_000 }).encode(alaw, { originalSha256: sha(alaw) });
    expect(enc).toMatchObject({ format: 'wav', extension: 'wav' });
    expect(enc.bytes).toBe(alaw);
  });
});

class MapSource implements StoredRecordingSource {
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

describe('archiving as Ogg Opus or, by site setting, WAV', () => {
  let dir: string;
  let store: Store;
  let repo: RecordingsRepo;
  const clock = new FakeClock(Date.UTC(2026, 0, 5, 9, 0, 0));
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'opus-'));
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
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function archiveWith(encoder: typeof wavEncoder) {
    const source = new MapSource();
    source.files.set('rec-c1', fixture);
    const archive = new RecordingArchive({
      dataDir: dir,
      repo: new SqliteRecordingsStore(repo),
      source,
      clock,
      encoder,
    });
    repo.insertRecording({ name: 'rec-c1', callId: 'c1', startedAt: clock.now() });
    repo.markPending('rec-c1', { stoppedAt: clock.now(), talkMs: null });
    expect((await archive.archive('rec-c1')).status).toBe('archived');
    return { archive, row: repo.get('rec-c1')! };
  }

  it('given the default Opus encoder, then the row keeps the SHA-256 of the original WAV and of the Ogg file, and the chain covers both', async () => {
    const { archive, row } = await archiveWith(opusEncoder({ bitrate: 12_000 }));
    const onDisk = readFileSync(archive.resolveFile(row)!);
    expect(row).toMatchObject({
      format: 'ogg-opus',
      path: '2026/01/05/rec-c1.ogg',
      originalSha256: sha(fixture),
      originalBytes: fixture.length,
      bytes: onDisk.length,
    });
    expect(row.sha256).toBe(sha(onDisk));
    expect(row.durationMs).toBe(readWavInfo(fixture).durationMs);
    expect(onDisk.includes(Buffer.from(`ORIGINAL_SHA256=${sha(fixture)}`))).toBe(true);
    const index = repo.indexEntry('rec-c1')!;
    expect(index).toMatchObject({
      event: 'archived',
      format: 'ogg-opus',
      sha256: row.sha256,
      originalSha256: sha(fixture),
    });
    expect(
      await verifyIntegrity({ repo: new SqliteRecordingsStore(repo), resolveFile: (r) => archive.resolveFile(r) }),
    ).toMatchObject({
      ok: true,
      files: { checked: 1 },
    });
  });

  it('given RECORDING_ARCHIVE_FORMAT=wav, then the lossless WAV is kept byte for byte', async () => {
    const { archive, row } = await archiveWith(wavEncoder);
    expect(row).toMatchObject({
      format: 'wav',
      path: '2026/01/05/rec-c1.wav',
      sha256: sha(fixture),
      originalSha256: sha(fixture),
    });
    expect(readFileSync(archive.resolveFile(row)!).equals(fixture)).toBe(true);
  });
});

describe('download content type', () => {
  it('given an Ogg Opus recording, when an auditor downloads it, then it is served as audio/ogg with an .ogg name', async () => {
    const s = await startTestServer();
    try {
      const now = s.clock.now();
      new CallsRepo(s.store.db).insertCall({
        id: 'c1',
        callerChannelId: 'ch1',
        callerNumber: '13812341234',
        status: 'ended',
        phase: 'ended',
        arrivedAt: now,
      });
      const ogg = (await opusEncoder({ bitrate: 12_000 }).encode(fixture, { originalSha256: sha(fixture) })).bytes;
      mkdirSync(join(s.config.server.dataDir, 'recordings', '2026/01/05'), { recursive: true });
      writeFileSync(join(s.config.server.dataDir, 'recordings', '2026/01/05/rec-c1.ogg'), ogg);
      const recs = new RecordingsRepo(s.store.db);
      recs.insertRecording({ name: 'rec-c1', callId: 'c1', startedAt: now });
      recs.markArchived('rec-c1', {
        path: '2026/01/05/rec-c1.ogg',
        sha256: sha(ogg),
        bytes: ogg.length,
        format: 'ogg-opus',
        originalSha256: sha(fixture),
        originalBytes: fixture.length,
        durationMs: 1920,
        durationCheck: 'ok',
        archivedAt: now,
        retainUntil: now + 4 * 365 * 86_400_000,
      });
      const res = await s.app.inject({
        method: 'GET',
        url: '/recordings/rec-c1/file',
        headers: bearer(await tokenFor(s, 'auditor')),
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^audio\/ogg/);
      expect(res.headers['content-disposition']).toMatch(/rec-c1\.ogg/);
      expect(sha(res.rawPayload)).toBe(sha(ogg));
    } finally {
      await s.cleanup();
    }
  });
});
