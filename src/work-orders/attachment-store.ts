import { createHash } from 'node:crypto';
import { closeSync, fchmodSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../shared/private-files.ts';

/** Attachment types a reply may carry (photos and video — art. 26(4)) plus documents. */
export const ATTACHMENT_TYPES = [
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/gif',
  'video/mp4',
  'video/quicktime',
  'video/webm',
  'audio/mpeg',
  'audio/wav',
  'application/pdf',
] as const;

export interface StoredFile {
  sha256: string;
  size: number;
  /** Relative to the data directory. */
  storagePath: string;
}

/** Keeps attachment bytes under DATA_DIR/attachments/<order>/; each write is fsynced before it is acknowledged. */
export class AttachmentStore {
  private readonly root: string;

  constructor(private readonly dataDir: string) {
    this.root = resolve(dataDir, 'attachments');
  }

  save(orderId: number, fileName: string, bytes: Buffer): StoredFile {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const dir = join(this.root, String(orderId));
    makePrivateDir(dir);
    const safe = fileName.replace(/[^\p{L}\p{N}._-]+/gu, '_').slice(-80) || 'file';
    const finalPath = join(dir, `${sha256.slice(0, 16)}-${safe}`);
    const tmp = finalPath + '.part';
    const fd = openSync(tmp, 'w', PRIVATE_FILE_MODE);
    try {
      fchmodSync(fd, PRIVATE_FILE_MODE); // a .part left by a crash keeps its old mode otherwise
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, finalPath);
    return { sha256, size: bytes.length, storagePath: relative(resolve(this.dataDir), finalPath) };
  }

  read(storagePath: string): Buffer {
    const full = resolve(this.dataDir, storagePath);
    if (!full.startsWith(this.root)) throw new Error('attachment path outside the attachment folder');
    return readFileSync(full);
  }
}
