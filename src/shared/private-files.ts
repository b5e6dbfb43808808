/**
 * DATA_DIR holds citizens' personal data (work orders, call recordings, attachments) and the token key:
 * only the service's own user may read it, whatever the umask (022 on most systems would make every new
 * file world-readable). Directories are created 0700 and files 0600, explicitly.
 */
import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `dir` and any missing parents with mode 0700 (an existing directory is left as it is). */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/**
 * DATA_DIR at start: created 0700, or an existing one narrowed to 0700 (earlier versions made it 0755).
 * A directory this user cannot chmod stops start-up with a message saying so.
 */
export function securePrivateDir(dir: string): void {
  makePrivateDir(dir);
  const st = statSync(dir);
  if ((st.mode & 0o777) === PRIVATE_DIR_MODE) return;
  try {
    chmodSync(dir, PRIVATE_DIR_MODE);
  } catch (err) {
    throw new Error(
      `DATA_DIR ${dir} is mode ${(st.mode & 0o777).toString(8)} and cannot be made 0700 (${(err as NodeJS.ErrnoException).code}): ` +
        'it holds personal data; run as its owner or fix its mode',
    );
  }
}

/** Narrows an existing file to 0600; a missing file is not an error. */
export function makeFilePrivate(path: string): void {
  try {
    chmodSync(path, PRIVATE_FILE_MODE);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Creates `path` empty with mode 0600 if it does not exist, so whatever opens it next inherits no wider mode. */
export function touchPrivateFile(path: string): void {
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
  makeFilePrivate(path);
}
