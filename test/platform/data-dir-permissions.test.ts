/**
 * DATA_DIR holds personal data: with the common umask 022 nothing in it may be readable by other users.
 * Directories 0700, files 0600: the database and its WAL/SHM, the token key, archived recordings,
 * attachments, the embedded simulator's recordings and its control.json.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOrCreateTokenSecret } from '../../src/auth/token-secret.ts';
import { RecordingArchive, type StoredRecordingSource } from '../../src/recordings/archive.ts';
import { FakeClock } from '../../src/shared/clock.ts';
import { StoredRecordings } from '../../src/simulator/stored-recordings.ts';
import { CallsRepo } from '../../src/store/calls-repo.ts';
import { openStore } from '../../src/store/db.ts';
import { RecordingsRepo } from '../../src/store/recordings-repo.ts';
import { SqliteRecordingsStore } from '../../src/store/recordings-store.ts';
import { AttachmentStore } from '../../src/work-orders/attachment-store.ts';
import { tempDir } from './helpers.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const wav = readFileSync(new URL('../fixtures/asterisk-reference/recordings/rec-bridge-500.wav', import.meta.url));

/** Every entry under dir (dir included) with its permission bits, as `path mode`. */
function modes(dir: string): string[] {
  const out: string[] = [];
  const visit = (p: string) => {
    const st = lstatSync(p);
    out.push(`${relative(dir, p) || '.'} ${st.isDirectory() ? 'dir' : 'file'} ${(st.mode & 0o777).toString(8)}`);
    if (st.isDirectory()) for (const name of readdirSync(p)) visit(join(p, name));
  };
  visit(dir);
  return out.sort();
}

const notPrivate = (dir: string) => modes(dir).filter((line) => !/ dir 700$| file 600$/.test(line));

describe('DATA_DIR permissions under umask 022', () => {
  let saved: number;
  let t: { dir: string; cleanup: () => void };
  beforeEach(() => {
    saved = process.umask(0o022);
    t = tempDir('perm-');
  });
  afterEach(() => {
    process.umask(saved);
    t.cleanup();
  });

  it('store, token key, an archived recording, an attachment and a PBX recording are private to the user', async () => {
    const dataDir = join(t.dir, 'data');
    // Given a fresh DATA_DIR, when the store opens and a commit happens, then the WAL and SHM exist...
    const store = openStore({ dataDir });
    try {
      loadOrCreateTokenSecret(dataDir);
      const clock = new FakeClock(Date.UTC(2026, 0, 5, 17, 0, 0));
      new CallsRepo(store.db).insertCall({
        id: 'c1',
        callerChannelId: 'ch1',
        callerNumber: '13812341234',
        status: 'ended',
        phase: 'ended',
        arrivedAt: clock.now(),
      });
      expect(existsSync(join(dataDir, 'hotline.db-wal'))).toBe(true);
      expect(existsSync(join(dataDir, 'hotline.db-shm'))).toBe(true);

      // ...a recording is archived from the PBX,
      const repo = new RecordingsRepo(store.db);
      const source: StoredRecordingSource = {
        fetch: async () => wav,
        remove: async () => {},
        list: async () => ['rec-c1'],
      };
      repo.insertRecording({ name: 'rec-c1', callId: 'c1', startedAt: clock.now() });
      repo.markPending('rec-c1', { stoppedAt: clock.now(), talkMs: 1900 });
      expect(
        (
          await new RecordingArchive({ dataDir, repo: new SqliteRecordingsStore(repo), source, clock }).archive(
            'rec-c1',
          )
        ).status,
      ).toBe('archived');
      // ...a reply's photo is stored, and the embedded simulator records a call under DATA_DIR,
      new AttachmentStore(dataDir).save(42, '现场照片.jpg', Buffer.from('jpeg bytes'));
      new StoredRecordings(join(dataDir, 'simulator', 'recordings')).write('pbx-rec', 'wav', wav);

      // then every directory is 0700 and every file 0600.
      const all = modes(dataDir);
      expect(all).toEqual(
        expect.arrayContaining([
          '. dir 700',
          'hotline.db file 600',
          'hotline.db-wal file 600',
          'hotline.db-shm file 600',
          'token-secret file 600',
          'recordings/2026/01/06/rec-c1.wav file 600',
          'simulator/recordings/pbx-rec.wav file 600',
        ]),
      );
      expect(all.some((l) => /^attachments\/42\/.*现场照片\.jpg file 600$/.test(l))).toBe(true);
      expect(notPrivate(dataDir)).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('an existing DATA_DIR and database from before are narrowed at start', () => {
    // Given a DATA_DIR and database an earlier version left world-readable,
    const dataDir = join(t.dir, 'old-data');
    mkdirSync(dataDir, { mode: 0o755 });
    openStore({ dataDir }).close();
    chmodSync(dataDir, 0o755);
    chmodSync(join(dataDir, 'hotline.db'), 0o644);
    writeFileSync(join(dataDir, 'hotline.db-shm'), Buffer.alloc(0), { mode: 0o644 });
    // when the store opens again, then they are 0700 and 0600.
    const store = openStore({ dataDir });
    try {
      expect(notPrivate(dataDir)).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('`npm start` with umask 022 leaves nothing readable by others in DATA_DIR', { timeout: 60_000 }, async () => {
    const dataDir = join(t.dir, 'data');
    const child = spawn(
      '/bin/sh',
      ['-c', `umask 022 && exec "${join(root, 'node_modules', '.bin', 'tsx')}" "${join(root, 'src', 'main.ts')}"`],
      {
        cwd: t.dir,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          LOG_FORMAT: 'json',
          LOG_LEVEL: 'info',
          DATA_DIR: dataDir,
          PORT: '0',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      // When the server is up with its embedded simulator (control.json is written then),
      for (let i = 0; i < 400 && !existsSync(join(dataDir, 'simulator', 'control.json')); i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(existsSync(join(dataDir, 'simulator', 'control.json')), out.slice(-2000)).toBe(true);
      // then the tree is private while it runs,
      expect(modes(dataDir)).toEqual(
        expect.arrayContaining([
          '. dir 700',
          'hotline.db file 600',
          'hotline.db-wal file 600',
          'token-secret file 600',
          'simulator/control.json file 600',
        ]),
      );
      expect(notPrivate(dataDir)).toEqual([]);
    } finally {
      child.kill('SIGINT');
      await exited;
    }
    // and after it stopped.
    expect(notPrivate(dataDir)).toEqual([]);
  });
});
