/**
 * Stored recordings: `<recordingsDir>/<name>.<format>` files, as ARI's /recordings/stored lists, serves,
 * copies and deletes them. Names are restricted to a safe character set so no path can escape the folder.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AriError, notFound } from './ari-error.ts';

const SAFE_NAME = /^[A-Za-z0-9_\-.]+$/;

export interface StoredRecordingJson {
  name: string;
  format: string;
}

export class StoredRecordings {
  constructor(private readonly dir: string) {
    // Call audio, kept under DATA_DIR by `npm start`: private to this user (0700/0600) like Asterisk's spool should be.
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  private path(name: string, format = 'wav'): string {
    return join(this.dir, `${name}.${format}`);
  }

  exists(name: string): boolean {
    return this.list().some((r) => r.name === name);
  }

  write(name: string, format: string, data: Buffer): void {
    writeFileSync(this.path(name, format), data, { mode: 0o600 });
  }

  /** Duration of a stored 8 kHz 16-bit WAV (for `recording:` playback). */
  durationMs(name: string): number | undefined {
    const path = this.path(name);
    if (!existsSync(path)) return undefined;
    return ((readFileSync(path).length - 44) / 16000) * 1000;
  }

  list(): StoredRecordingJson[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((f) => /\.[a-z0-9]+$/.test(f) && !f.startsWith('.'))
      .sort()
      .map((f) => {
        const dot = f.lastIndexOf('.');
        return { name: f.slice(0, dot), format: f.slice(dot + 1) };
      });
  }

  get(name: string): StoredRecordingJson {
    const hit = this.list().find((r) => r.name === name);
    if (!hit) throw notFound('Recording');
    return hit;
  }

  file(name: string): Buffer {
    const hit = this.get(name);
    return readFileSync(this.path(name, hit.format));
  }

  copy(name: string, dest: string | undefined): StoredRecordingJson {
    const hit = this.get(name);
    if (!dest) throw new AriError(400, 'Missing parameter destinationRecordingName', 'Bad Request');
    if (!SAFE_NAME.test(dest) || dest.startsWith('.'))
      throw new AriError(400, 'Invalid destination recording name', 'Bad Request');
    if (this.exists(dest))
      throw new AriError(409, 'A recording with the same name already exists on the system', 'Conflict');
    copyFileSync(this.path(name, hit.format), this.path(dest, hit.format));
    return { name: dest, format: hit.format };
  }

  delete(name: string): void {
    const hit = this.get(name);
    unlinkSync(this.path(name, hit.format));
  }
}
