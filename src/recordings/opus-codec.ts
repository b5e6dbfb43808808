import OpusScript from 'opusscript';
import type { Logger } from 'pino';
import type { ArchiveEncoder, EncodedRecording } from './archive.ts';
import { OggOpusWriter, readOggOpus } from './ogg-opus.ts';
import { FRAME_MS, OPUS_RATES, opusPackets, PRE_SKIP_48K, type OpusRate } from './opus-frames.mjs';
import { OpusWorkerPool } from './opus-worker-pool.ts';
import { readWavInfo } from './wav-info.ts';

/**
 * The compact archive (issue 11 item 1): Asterisk's 8 kHz 16-bit WAV (960 KB per call-minute) becomes
 * Opus in Ogg at about 12 kbit/s (about 90 KB per minute). libopus comes as WebAssembly in the
 * `opusscript` package, so `npm install` is all a machine needs.
 */

type Rate = OpusRate;
/**
 * Frames encoded between yields to the event loop when encoding on the main thread: a long recording
 * must not stall live calls. 50 frames are one second of audio, about 10 ms of CPU at complexity 5
 * (npm run bench).
 */
const FRAMES_PER_SLICE = 50;
/**
 * Packets muxed between yields when the pool's packets come back: the Ogg pages (CRC over every byte)
 * of a 4-minute call measured 6 ms of main-thread CPU in one go once warm (up to 33 ms cold); 500
 * packets are 10 s of audio, about a 24th of that per slice.
 */
const PACKETS_PER_MUX_SLICE = 500;
/** Any fixed serial is valid for a single-stream file; a stable one keeps encodes reproducible. */
const OGG_SERIAL = 0x48434349;

export interface OpusEncoderOptions {
  /** Target bitrate, bit/s (VBR). */
  bitrate: number;
  complexity?: number;
  logger?: Logger;
}

export const OPUS_VENDOR = 'hotline-cti (libopus 1.4 via opusscript)';

interface PcmJob {
  sampleRate: Rate;
  channels: 1 | 2;
  bitrate: number;
  complexity?: number;
  comments?: string[];
}

/** WAV check and Ogg Opus result around one way of encoding the PCM. */
function wavToOpus(o: OpusEncoderOptions, encodePcm: (pcm: Buffer, job: PcmJob) => Promise<Buffer>): ArchiveEncoder {
  return {
    async encode(wav, facts): Promise<EncodedRecording> {
      const info = readWavInfo(wav);
      // Opus takes 16-bit PCM at its own rates; anything else (a-law, 11.025 kHz, ...) is kept as it came.
      if (
        info.audioFormat !== 1 ||
        info.bitsPerSample !== 16 ||
        (info.channels !== 1 && info.channels !== 2) ||
        !OPUS_RATES.includes(info.sampleRate)
      ) {
        o.logger?.warn({ info }, 'recordings: WAV format Opus cannot take; kept as WAV');
        return { bytes: wav, format: 'wav', extension: 'wav' };
      }
      const bytes = await encodePcm(
        Buffer.from(
          wav.buffer,
          wav.byteOffset + info.dataOffset,
          info.dataBytes - (info.dataBytes % (2 * info.channels)),
        ),
        {
          sampleRate: info.sampleRate as Rate,
          channels: info.channels as 1 | 2,
          bitrate: o.bitrate,
          complexity: o.complexity,
          comments: [`ORIGINAL_SHA256=${facts.originalSha256}`],
        },
      );
      return { bytes, format: 'ogg-opus', extension: 'ogg' };
    },
  };
}

/** Encodes on the main thread, yielding every second of audio (tests, tools, the bench's baseline). */
export function opusEncoder(o: OpusEncoderOptions): ArchiveEncoder {
  return wavToOpus(o, encodePcm16);
}

export interface PooledOpusEncoder extends ArchiveEncoder {
  /** Ends the worker threads; encodes still running or waiting reject. */
  close(): Promise<void>;
}

/**
 * Encodes on a pool of worker threads (the server's encoder): the main thread only copies the PCM
 * out and writes the Ogg pages around the packets that come back. Same bytes as opusEncoder.
 */
export function pooledOpusEncoder(o: OpusEncoderOptions & { threads: number; workerUrl?: URL }): PooledOpusEncoder {
  const pool = new OpusWorkerPool({ threads: o.threads, logger: o.logger, workerUrl: o.workerUrl });
  const enc = wavToOpus(o, async (pcm, job) => {
    const { packets, lengths } = await pool.encode(pcm, {
      sampleRate: job.sampleRate,
      channels: job.channels,
      bitrate: job.bitrate,
      complexity: job.complexity,
    });
    const writer = oggWriter(job);
    let off = 0;
    for (let i = 0; i < lengths.length; i++) {
      writer.addPacket(packets.subarray(off, off + lengths[i]!), FRAME_MS * 48);
      off += lengths[i]!;
      if ((i + 1) % PACKETS_PER_MUX_SLICE === 0) await new Promise<void>((r) => setImmediate(r));
    }
    return writer.finish(endGranule(pcm, job));
  });
  return { encode: (wav, facts) => enc.encode(wav, facts), close: () => pool.close() };
}

export async function encodePcm16(pcm: Buffer, o: PcmJob): Promise<Buffer> {
  const writer = oggWriter(o);
  let n = 0;
  for (const packet of opusPackets(pcm, o)) {
    writer.addPacket(packet, FRAME_MS * 48);
    if (++n % FRAMES_PER_SLICE === 0) await new Promise<void>((r) => setImmediate(r));
  }
  return writer.finish(endGranule(pcm, o));
}

function oggWriter(o: PcmJob): OggOpusWriter {
  return new OggOpusWriter({
    channels: o.channels,
    inputSampleRate: o.sampleRate,
    preSkip: PRE_SKIP_48K,
    serial: OGG_SERIAL,
    vendor: OPUS_VENDOR,
    comments: o.comments,
  });
}

/** Pre-skip + the original length in 48 kHz samples: decoders trim the last frame's padding there. */
function endGranule(pcm: Buffer, o: PcmJob): bigint {
  const samples = pcm.length / (2 * o.channels);
  return BigInt(PRE_SKIP_48K) + BigInt(Math.round((samples * 48000) / o.sampleRate));
}

export interface DecodedAudio {
  sampleRate: number;
  channels: number;
  /** Interleaved 16-bit samples, pre-skip removed and trimmed to the end granule. */
  samples: Int16Array;
}

/** Decodes an archived Ogg Opus file (tests, and checking an archive plays back). */
export function decodeOggOpus(file: Uint8Array, sampleRate?: Rate): DecodedAudio {
  const s = readOggOpus(file);
  const rate: Rate = sampleRate ?? ((OPUS_RATES.includes(s.inputSampleRate) ? s.inputSampleRate : 48000) as Rate);
  const dec = new OpusScript(rate, s.channels, OpusScript.Application.VOIP);
  try {
    const parts: Buffer[] = [];
    for (const p of s.packets) parts.push(dec.decode(p));
    const all = Buffer.concat(parts);
    const pcm = new Int16Array(all.buffer, all.byteOffset, all.length / 2);
    const skip = Math.round((s.preSkip * rate) / 48000) * s.channels;
    const total = Math.round((Number(s.lastGranule - BigInt(s.preSkip)) * rate) / 48000) * s.channels;
    return { sampleRate: rate, channels: s.channels, samples: Int16Array.from(pcm.subarray(skip, skip + total)) };
  } finally {
    dec.delete();
  }
}
