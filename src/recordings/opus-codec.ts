import OpusScript from 'opusscript';
import type { Logger } from 'pino';
import type { ArchiveEncoder, EncodedRecording } from './archive.ts';
import { OggOpusWriter, readOggOpus } from './ogg-opus.ts';
import { readWavInfo } from './wav-info.ts';

/**
 * The compact archive (issue 11 item 1): Asterisk's 8 kHz 16-bit WAV (960 KB per call-minute) becomes
 * Opus in Ogg at about 12 kbit/s (about 90 KB per minute). libopus comes as WebAssembly in the
 * `opusscript` package, so `npm install` is all a machine needs.
 */

type Rate = 8000 | 12000 | 16000 | 24000 | 48000;
const OPUS_RATES: readonly number[] = [8000, 12000, 16000, 24000, 48000];
const OPUS_SET_SIGNAL = 4024;
const OPUS_SIGNAL_VOICE = 3001;
const OPUS_SET_COMPLEXITY = 4010;
/**
 * Encoder lookahead in 48 kHz samples: Fs/400 + Fs/250 at any Fs (libopus opus_encoder.c, VOIP and
 * AUDIO applications), i.e. 2.5 ms + 4 ms = 312 samples at 48 kHz. Decoders drop it (pre-skip).
 */
const PRE_SKIP_48K = 312;
const FRAME_MS = 20;
/**
 * Frames encoded between yields to the event loop: a long recording must not stall live calls. 50
 * frames are one second of audio, about 10 ms of CPU at complexity 5 (npm run bench).
 */
const FRAMES_PER_SLICE = 50;

export interface OpusEncoderOptions {
  /** Target bitrate, bit/s (VBR). */
  bitrate: number;
  complexity?: number;
  logger?: Logger;
}

export const OPUS_VENDOR = 'hotline-cti (libopus 1.4 via opusscript)';

export function opusEncoder(o: OpusEncoderOptions): ArchiveEncoder {
  return {
    async encode(wav, facts): Promise<EncodedRecording> {
      const info = readWavInfo(wav);
      // Opus takes 16-bit PCM at its own rates; anything else (a-law, 11.025 kHz, ...) is kept as it came.
      if (info.audioFormat !== 1 || info.bitsPerSample !== 16 || (info.channels !== 1 && info.channels !== 2) || !OPUS_RATES.includes(info.sampleRate)) {
        o.logger?.warn({ info }, 'recordings: WAV format Opus cannot take; kept as WAV');
        return { bytes: wav, format: 'wav', extension: 'wav' };
      }
      const bytes = await encodePcm16(Buffer.from(wav.buffer, wav.byteOffset + info.dataOffset, info.dataBytes - (info.dataBytes % (2 * info.channels))), {
        sampleRate: info.sampleRate as Rate,
        channels: info.channels as 1 | 2,
        bitrate: o.bitrate,
        complexity: o.complexity,
        comments: [`ORIGINAL_SHA256=${facts.originalSha256}`],
      });
      return { bytes, format: 'ogg-opus', extension: 'ogg' };
    },
  };
}

export async function encodePcm16(
  pcm: Buffer,
  o: { sampleRate: Rate; channels: 1 | 2; bitrate: number; complexity?: number; comments?: string[] },
): Promise<Buffer> {
  const enc = new OpusScript(o.sampleRate, o.channels, OpusScript.Application.VOIP);
  try {
    enc.setBitrate(o.bitrate);
    enc.encoderCTL(OPUS_SET_SIGNAL, OPUS_SIGNAL_VOICE);
    // Complexity 5: on speech at 12 kbit/s it measured 2-3x faster than the default 10 for the same size
    // and a waveform correlation within 0.003 (npm run bench; test/recordings/opus-archive.test.ts).
    enc.encoderCTL(OPUS_SET_COMPLEXITY, o.complexity ?? 5);
    const frame = (o.sampleRate * FRAME_MS) / 1000;
    const frameBytes = frame * 2 * o.channels;
    const samples = pcm.length / (2 * o.channels);
    const writer = new OggOpusWriter({
      channels: o.channels,
      inputSampleRate: o.sampleRate,
      preSkip: PRE_SKIP_48K,
      // Any fixed serial is valid for a single-stream file; a stable one keeps encodes reproducible.
      serial: 0x48434349,
      vendor: OPUS_VENDOR,
      comments: o.comments,
    });
    // Output lags input by the lookahead: frames continue (silence) until the last real sample is out.
    const needed = samples + Math.ceil((PRE_SKIP_48K * o.sampleRate) / 48000);
    const silence = Buffer.alloc(frameBytes);
    let n = 0;
    for (let done = 0; done < needed; done += frame) {
      const off = done * 2 * o.channels;
      let chunk = off < pcm.length ? pcm.subarray(off, off + frameBytes) : silence;
      // The last frame is padded with silence; the end granule tells decoders where the audio stops.
      if (chunk.length < frameBytes) chunk = Buffer.concat([chunk, silence.subarray(chunk.length)]);
      writer.addPacket(enc.encode(chunk, frame), FRAME_MS * 48);
      if (++n % FRAMES_PER_SLICE === 0) await new Promise<void>((r) => setImmediate(r));
    }
    return writer.finish(BigInt(PRE_SKIP_48K) + BigInt(Math.round((samples * 48000) / o.sampleRate)));
  } finally {
    enc.delete();
  }
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
