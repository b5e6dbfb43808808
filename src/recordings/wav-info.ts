/**
 * Reads the header of a RIFF/WAVE file: enough to know its duration without decoding. Asterisk writes
 * 8 kHz 16-bit mono PCM with a 44-byte header, but other writers add chunks (LIST, fact) before
 * `data`, so chunks are walked rather than assumed at fixed offsets.
 */
export interface WavInfo {
  audioFormat: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  byteRate: number;
  dataBytes: number;
  /** Byte offset of the samples (the data chunk's body). */
  dataOffset: number;
  durationMs: number;
}

export class WavFormatError extends Error {}

export function readWavInfo(buf: Uint8Array): WavInfo {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 12 || b.toString('ascii', 0, 4) !== 'RIFF' || b.toString('ascii', 8, 12) !== 'WAVE') {
    throw new WavFormatError('not a RIFF/WAVE file');
  }
  let fmt: Omit<WavInfo, 'dataBytes' | 'dataOffset' | 'durationMs'> | undefined;
  let off = 12;
  while (off + 8 <= b.length) {
    const id = b.toString('ascii', off, off + 4);
    const size = b.readUInt32LE(off + 4);
    const body = off + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > b.length) throw new WavFormatError('truncated fmt chunk');
      fmt = {
        audioFormat: b.readUInt16LE(body),
        channels: b.readUInt16LE(body + 2),
        sampleRate: b.readUInt32LE(body + 4),
        byteRate: b.readUInt32LE(body + 8),
        bitsPerSample: b.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!fmt) throw new WavFormatError('data chunk before fmt chunk');
      if (fmt.byteRate === 0) throw new WavFormatError('byte rate is 0');
      // A writer killed mid-call leaves the declared size larger than what is there: trust the bytes present.
      const dataBytes = Math.min(size, b.length - body);
      return { ...fmt, dataBytes, dataOffset: body, durationMs: Math.round((dataBytes * 1000) / fmt.byteRate) };
    }
    off = body + size + (size % 2);
  }
  throw new WavFormatError(fmt ? 'no data chunk' : 'no fmt chunk');
}
