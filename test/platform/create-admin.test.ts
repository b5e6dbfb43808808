import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { verifyPassword } from '../../src/auth/password.ts';
import { openStore } from '../../src/store/db.ts';
import { createSqliteUsersRepo } from '../../src/store/users-repo.ts';
import { tempDir } from './helpers.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

function createAdmin(args: string[], stdin: string, env: Record<string, string>, cwd: string) {
  const child = spawn(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'scripts', 'create-admin.ts'), ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  child.stdin.end(stdin);
  return new Promise<{ code: number | null; out: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, out })),
  );
}

describe('npm run create-admin', () => {
  it('creates an admin with the password read from stdin, refuses a duplicate, weak password or missing name', async () => {
    const t = tempDir('create-admin-');
    const env = { DATA_DIR: join(t.dir, 'data') };
    try {
      const ok = await createAdmin(['--username', 'boss'], 'a-long-password\n', env, t.dir);
      expect(ok).toMatchObject({ code: 0 });
      expect(ok.out).toContain('admin boss created');
      const again = await createAdmin(['--username', 'boss'], 'a-long-password\n', env, t.dir);
      expect(again.code).toBe(1);
      expect(again.out).toContain('exists');
      const weak = await createAdmin(['--username', 'boss2'], 'short\n', env, t.dir);
      expect(weak.code).toBe(1);
      expect(weak.out).toContain('at least 10 characters');
      const noName = await createAdmin([], '', env, t.dir);
      expect(noName.code).toBe(1);
      expect(noName.out).toContain('--username is required');

      const store = openStore({ dataDir: env.DATA_DIR });
      const boss = await createSqliteUsersRepo(store.db).byUsername('boss');
      store.close();
      expect(boss?.role).toBe('admin');
      expect(await verifyPassword('a-long-password', boss!.passwordHash)).toBe(true);
    } finally {
      t.cleanup();
    }
  }, 60_000);
});
