// @ts-check
/**
 * PCM to Opus packets: the CPU-heavy half of the archive encoder, shared by the in-thread encoder
 * (opus-codec.ts) and the worker threads (opus-worker.mjs). Plain JavaScript on purpose: a
 * worker_threads Worker is a separate Node thread that neither vitest's transform nor tsx's loader
 * reaches, so the file it loads (and everything it imports) must run as Node loads it. Types for the
 * TypeScript side: opus-frames.d.mts.
 */
import OpusScript from 'opusscript';

export const OPUS_RATES = Object.freeze([8000, 12000, 16000, 24000, 48000]);
const OPUS_SET_SIGNAL = 4024;
const OPUS_SIGNAL_VOICE = 3001;
const OPUS_SET_COMPLEXITY = 4010;
/**
 * Encoder lookahead in 48 kHz samples: Fs/400 + Fs/250 at any Fs (libopus opus_encoder.c, VOIP and
 * AUDIO applications), i.e. 2.5 ms + 4 ms = 312 samples at 48 kHz. Decoders drop it (pre-skip).
 */
export const PRE_SKIP_48K = 312;
export const FRAME_MS = 20;

/**
 * Encodes interleaved 16-bit PCM into 20 ms Opus packets, one per iteration. Output lags input by
 * the lookahead, so frames continue (silence) until the last real sample is out; the last frame is
 * padded with silence and the end granule (written by the caller) tells decoders where audio stops.
 *
 * @param {Buffer} pcm interleaved little-endian 16-bit samples, a whole number of sample frames
 * @param {{ sampleRate: 8000 | 12000 | 16000 | 24000 | 48000; channels: 1 | 2; bitrate: number; complexity?: number }} o
 * @returns {Generator<Buffer, void, void>}
 */
export function* opusPackets(pcm, o) {
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
    const needed = samples + Math.ceil((PRE_SKIP_48K * o.sampleRate) / 48000);
    const silence = Buffer.alloc(frameBytes);
    for (let done = 0; done < needed; done += frame) {
      const off = done * 2 * o.channels;
      let chunk = off < pcm.length ? pcm.subarray(off, off + frameBytes) : silence;
      if (chunk.length < frameBytes) chunk = Buffer.concat([chunk, silence.subarray(chunk.length)]);
      // opusscript copies each packet out of the WebAssembly heap, so it stays valid after the next call.
      yield enc.encode(chunk, frame);
    }
  } finally {
    enc.delete();
  }
}
