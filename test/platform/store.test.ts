import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/db.ts';
import { createSqliteUsersRepo, UsernameTakenError } from '../../src/store/users-repo.ts';
import { tempDir } from './helpers.ts';

describe('store', () => {
  it('opens hotline.db with WAL, synchronous=FULL, foreign keys and a busy timeout, and applies migrations', () => {
    const t = tempDir();
    try {
      const store = openStore({ dataDir: `${t.dir}/nested/data` });
      expect(store.path).toBe(`${t.dir}/nested/data/hotline.db`);
      expect(store.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(store.sqlite.pragma('synchronous', { simple: true })).toBe(2);
      expect(store.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(store.sqlite.pragma('busy_timeout', { simple: true })).toBe(5000);
      const tables = store.sqlite.prepare("select name from sqlite_master where type='table'").pluck().all();
      expect(tables).toContain('users');
      expect(tables).toContain('__drizzle_migrations');
      expect(store.ping()).toBe(true);
      store.close();
      expect(store.ping()).toBe(false);
      // Re-opening applies nothing twice.
      const again = openStore({ dataDir: `${t.dir}/nested/data` });
      const applied = again.sqlite.prepare('select count(*) from __drizzle_migrations').pluck().get() as number;
      again.close();
      const third = openStore({ dataDir: `${t.dir}/nested/data` });
      expect(third.sqlite.prepare('select count(*) from __drizzle_migrations').pluck().get()).toBe(applied);
      third.close();
    } finally {
      t.cleanup();
    }
  });

  it('users repo: unique names, role check, token version raised on revoking changes only', async () => {
    const store = openStore({ dataDir: ':memory:' });
    try {
      const repo = createSqliteUsersRepo(store.db);
      const u = await repo.create(
        { username: 'amy', displayName: 'Amy', passwordHash: 'h', role: 'agent', unitId: null },
        1000,
      );
      expect(u).toMatchObject({ id: 1, username: 'amy', role: 'agent', disabled: false, tokenVersion: 1 });
      await expect(
        repo.create({ username: 'amy', displayName: '', passwordHash: 'h', role: 'agent', unitId: null }, 1),
      ).rejects.toThrow(UsernameTakenError);
      expect(() =>
        store.sqlite
          .prepare(
            "insert into users (username, password_hash, role, created_at, updated_at) values ('x','h','king',1,1)",
          )
          .run(),
      ).toThrow(/CHECK/);
      expect((await repo.update(u.id, { displayName: 'Amy L.' }, 2000))?.tokenVersion).toBe(1);
      expect((await repo.update(u.id, { role: 'supervisor' }, 3000))?.tokenVersion).toBe(2);
      expect((await repo.update(u.id, { disabled: true }, 4000))?.tokenVersion).toBe(3);
      expect(await repo.update(999, { disabled: true }, 4000)).toBeUndefined();
      expect(await repo.countActiveAdmins()).toBe(0);
    } finally {
      store.close();
    }
  });
});
