/**
 * Minimal WAV (RIFF, PCM) reading and writing. Durations of sound files are read from their headers so a
 * simulated playback lasts exactly as long as the real file; recordings are written as 8 kHz 16-bit mono.
 */
import { readFileSync, statSync } from 'node:fs';

export const RECORDING_RATE = 8000;

/** Duration in ms of a sound file, by format; undefined when the header cannot be read. */
export function soundFileDurationMs(path: string): number | undefined {
  const lower = path.toLowerCase();
  try {
    if (lower.endsWith('.wav')) return wavDurationMs(readFileSync(path));
    const size = statSync(path).size;
    // Raw formats Asterisk ships: 8 kHz signed linear, G.711 (1 byte a sample) and GSM (33-byte 20 ms frames).
    if (lower.endsWith('.sln') || lower.endsWith('.slin') || lower.endsWith('.raw')) return (size / 16000) * 1000;
    if (lower.endsWith('.sln16')) return (size / 32000) * 1000;
    if (lower.endsWith('.ulaw') || lower.endsWith('.alaw') || lower.endsWith('.pcm')) return (size / 8000) * 1000;
    if (lower.endsWith('.gsm')) return Math.floor(size / 33) * 20;
    if (lower.endsWith('.g722')) return (size / 8000) * 1000;
  } catch {
    return undefined;
  }
  return undefined;
}

export function wavDurationMs(buf: Buffer): number | undefined {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE')
    return undefined;
  let off = 12;
  let byteRate = 0;
  while (off + 8 <= buf.length) {
    const id = buf.toString('ascii', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    if (id === 'fmt ' && off + 16 <= buf.length) byteRate = buf.readUInt32LE(off + 16);
    if (id === 'data') {
      if (!byteRate) return undefined;
      const dataSize = Math.min(size, buf.length - off - 8);
      return (dataSize / byteRate) * 1000;
    }
    off += 8 + size + (size % 2);
  }
  return undefined;
}

/** 16-bit mono PCM samples → a complete WAV file. */
export function encodeWav(samples: Int16Array, rate = RECORDING_RATE): Buffer {
  const dataBytes = samples.length * 2;
  const buf = Buffer.alloc(44 + dataBytes);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < samples.length; i++) buf.writeInt16LE(samples[i] ?? 0, 44 + i * 2);
  return buf;
}

/**
 * Audio for a recording: one segment per stretch of talk time. Unmuted stretches carry a quiet two-tone
 * signal (so the file is audibly not empty), muted stretches are digital silence.
 */
export function synthesizeRecording(
  segments: Array<{ ms: number; muted: boolean }>,
  rate = RECORDING_RATE,
): Int16Array {
  const total = segments.reduce((n, s) => n + Math.round((s.ms * rate) / 1000), 0);
  const out = new Int16Array(total);
  let i = 0;
  for (const s of segments) {
    const n = Math.round((s.ms * rate) / 1000);
    for (let k = 0; k < n; k++, i++) {
      if (s.muted) continue;
      const t = i / rate;
      out[i] = Math.round(2000 * Math.sin(2 * Math.PI * 440 * t) + 1000 * Math.sin(2 * Math.PI * 660 * t));
    }
  }
  return out;
}

/** A tone of `ms` milliseconds (used to generate the built-in simulator sounds). */
export function synthesizeTone(ms: number, freqs: number[], rate = RECORDING_RATE, amplitude = 6000): Int16Array {
  const n = Math.round((ms * rate) / 1000);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    let v = 0;
    for (const f of freqs) v += Math.sin(2 * Math.PI * f * t);
    out[i] = Math.round((amplitude * v) / Math.max(1, freqs.length));
  }
  return out;
}
