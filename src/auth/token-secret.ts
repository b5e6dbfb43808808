import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../shared/private-files.ts';

export const TOKEN_SECRET_FILE = 'token-secret';

/**
 * The HMAC key for tokens: the configured one, else the one kept in DATA_DIR/token-secret, else a new
 * random key written there (mode 0600) so tokens survive a restart.
 */
export function loadOrCreateTokenSecret(dataDir: string, configured?: string): Buffer {
  if (configured) return Buffer.from(configured, 'utf8');
  const path = join(dataDir, TOKEN_SECRET_FILE);
  try {
    const existing = Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url');
    if (existing.length >= 32) return existing;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  makePrivateDir(dataDir);
  const secret = randomBytes(32);
  // 'wx' fails if another process created the file meanwhile; then use theirs.
  try {
    writeFileSync(path, secret.toString('base64url') + '\n', { mode: PRIVATE_FILE_MODE, flag: 'wx' });
    return secret;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      return Buffer.from(readFileSync(path, 'utf8').trim(), 'base64url');
    throw err;
  }
}
