import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { OpusFrameOptions } from './opus-frames.mjs';

/**
 * A few worker threads that turn PCM into Opus packets, so a recording's ~540 ms of CPU per
 * call-minute is not taken from the main thread, which serves ARI events and screen-pops.
 * One job per worker at a time, first come first served. A worker that dies (a WebAssembly abort,
 * out of memory) fails only its own job; the next job starts a fresh thread.
 */

export interface EncodedPackets {
  /** The packets back to back. */
  packets: Uint8Array;
  /** Length of each packet in bytes, in order. */
  lengths: Uint16Array;
}

export interface OpusWorkerPoolOptions {
  /** Worker threads at most (started on demand). */
  threads: number;
  logger?: Logger;
  /** The worker entry; tests substitute one that dies. */
  workerUrl?: URL;
}

/** `recordings.encoderThreads` 0 means: leave a core to the main thread, use at most 2, at least 1. */
export function resolveEncoderThreads(configured: number, cores = availableParallelism()): number {
  if (configured > 0) return configured;
  return Math.max(1, Math.min(2, cores - 1));
}

interface Job {
  pcm: Uint8Array;
  opts: OpusFrameOptions;
  resolve: (r: EncodedPackets) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  job: (Job & { id: number }) | null;
  error: Error | null;
}

type Answer = { id: number; packets: Uint8Array; lengths: Uint16Array } | { id: number; error: string };

export class OpusWorkerPool {
  private readonly slots = new Set<Slot>();
  private readonly queue: Job[] = [];
  private readonly workerUrl: URL;
  private nextId = 1;
  private closed = false;

  constructor(private readonly o: OpusWorkerPoolOptions) {
    if (!Number.isInteger(o.threads) || o.threads < 1)
      throw new RangeError(`encoder threads must be a positive integer, got ${o.threads}`);
    this.workerUrl = o.workerUrl ?? new URL('./opus-worker.mjs', import.meta.url);
  }

  /** Live worker threads (started on demand, up to `threads`). */
  get threadCount(): number {
    return this.slots.size;
  }

  /** Encodes `pcm` (16-bit interleaved) on a worker; the caller's buffer is copied, not taken. */
  encode(pcm: Uint8Array, opts: OpusFrameOptions): Promise<EncodedPackets> {
    if (this.closed) return Promise.reject(new Error('Opus encoder pool is closed'));
    return new Promise<EncodedPackets>((resolve, reject) => {
      this.queue.push({ pcm, opts, resolve, reject });
      this.pump();
    });
  }

  /** Rejects waiting jobs and ends every thread; running jobs reject as their thread ends. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('Opus encoder pool is closed'));
    await Promise.all([...this.slots].map((s) => s.worker.terminate()));
  }

  private pump(): void {
    while (!this.closed && this.queue.length > 0) {
      let slot = [...this.slots].find((s) => s.job === null);
      if (!slot) {
        if (this.slots.size >= this.o.threads) return;
        slot = this.spawn();
      }
      this.start(slot, this.queue.shift()!);
    }
  }

  private start(slot: Slot, job: Job): void {
    const id = this.nextId++;
    slot.job = { ...job, id };
    // A private copy the worker can own: the caller's bytes may sit in a larger buffer it still uses.
    const pcm = new Uint8Array(job.pcm.byteLength);
    pcm.set(job.pcm);
    slot.worker.ref();
    slot.worker.postMessage({ id, pcm: pcm.buffer, ...job.opts }, [pcm.buffer]);
  }

  private spawn(): Slot {
    const worker = new Worker(this.workerUrl, { name: 'opus-encoder' });
    const slot: Slot = { worker, job: null, error: null };
    this.slots.add(slot);
    worker.on('message', (m: Answer) => {
      const job = slot.job;
      if (!job || job.id !== m.id) return;
      slot.job = null;
      // An idle worker must not keep the process alive (close() ends it anyway).
      worker.unref();
      if ('error' in m) job.reject(new Error(m.error));
      else job.resolve({ packets: m.packets, lengths: m.lengths });
      this.pump();
    });
    worker.on('error', (err) => {
      slot.error = err;
    });
    worker.on('exit', (code) => {
      this.slots.delete(slot);
      const job = slot.job;
      slot.job = null;
      if (this.closed) {
        job?.reject(new Error('Opus encoder pool is closed'));
        return;
      }
      const why = slot.error ? `: ${slot.error.message}` : '';
      this.o.logger?.error(
        { code, err: slot.error?.message, busy: job !== null },
        'recordings: Opus encoder thread died; a new one takes the next job',
      );
      job?.reject(new Error(`Opus encoder thread died (exit code ${code})${why}`));
      this.pump();
    });
    return slot;
  }
}
