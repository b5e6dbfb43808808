/** Types of opus-frames.mjs (plain JavaScript so worker threads can load it without a TypeScript loader). */
export type OpusRate = 8000 | 12000 | 16000 | 24000 | 48000;

export interface OpusFrameOptions {
  sampleRate: OpusRate;
  channels: 1 | 2;
  /** Target bitrate, bit/s (VBR). */
  bitrate: number;
  complexity?: number;
}

export const OPUS_RATES: readonly number[];
export const PRE_SKIP_48K: number;
export const FRAME_MS: number;
export function opusPackets(pcm: Buffer, o: OpusFrameOptions): Generator<Buffer, void, void>;
