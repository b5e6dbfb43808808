import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.ts';

const load = (DATABASE_URL: string) => loadConfig({ env: { DATABASE_URL }, cwd: '/nonexistent-dir-for-config' });

describe('DATABASE_URL', () => {
  it('given a postgres URL, when the config is loaded, then the server gets it', () => {
    expect(load('postgres://hotline:secret@db.example:5432/hotline').server.databaseUrl).toBe(
      'postgres://hotline:secret@db.example:5432/hotline',
    );
    expect(load('postgresql://db/hotline').server.databaseUrl).toBe('postgresql://db/hotline');
  });

  it('given another scheme or no database name, when the config is loaded, then it is refused naming DATABASE_URL without echoing the value', () => {
    for (const bad of ['mysql://u:topsecret@db/hotline', 'postgres://u:topsecret@db', 'not a url']) {
      let err: unknown;
      try {
        load(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(/DATABASE_URL/);
      expect((err as Error).message).toMatch(/postgres:\/\//);
      expect((err as Error).message).not.toMatch(/topsecret/);
    }
  });
});
