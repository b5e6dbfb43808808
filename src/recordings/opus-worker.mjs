// @ts-check
/**
 * Worker-thread entry of the Opus archive encoder (opus-worker-pool.ts starts it): takes 16-bit PCM,
 * answers with the Opus packets concatenated plus their lengths. The Ogg muxing stays on the main
 * thread (a few milliseconds per call), so this file needs only opusscript and runs under plain
 * Node, tsx and vitest alike.
 *
 * Request:  { id: number, pcm: ArrayBuffer (transferred), sampleRate, channels, bitrate, complexity? }
 * Answer:   { id, packets: Uint8Array, lengths: Uint16Array } (both transferred), or { id, error: string }
 */
import { parentPort } from 'node:worker_threads';
import { opusPackets } from './opus-frames.mjs';

if (!parentPort) throw new Error('opus-worker.mjs runs only as a worker thread');
const port = parentPort;

port.on(
  'message',
  (
    /** @type {{ id: number; pcm: ArrayBuffer; sampleRate: 8000 | 12000 | 16000 | 24000 | 48000; channels: 1 | 2; bitrate: number; complexity?: number }} */ job,
  ) => {
    try {
      /** @type {Buffer[]} */
      const parts = [];
      let total = 0;
      for (const p of opusPackets(Buffer.from(job.pcm), job)) {
        parts.push(p);
        total += p.length;
      }
      // Own ArrayBuffers (not Buffer's shared pool) so both can be transferred instead of copied.
      const packets = new Uint8Array(total);
      // An Opus packet is at most 1275 bytes (RFC 6716 §3.2.1): 16 bits hold any length.
      const lengths = new Uint16Array(parts.length);
      let off = 0;
      parts.forEach((p, i) => {
        packets.set(p, off);
        off += p.length;
        lengths[i] = p.length;
      });
      port.postMessage({ id: job.id, packets, lengths }, [packets.buffer, lengths.buffer]);
    } catch (err) {
      port.postMessage({ id: job.id, error: err instanceof Error ? err.message : String(err) });
    }
  },
);
