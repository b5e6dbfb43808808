import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Role } from '../../src/auth/roles.ts';
import { loadConfig, type Config } from '../../src/config/index.ts';
import { startServer, type RunningServer, type StartServerOptions } from '../../src/server.ts';
import { createLogger } from '../../src/shared/logger.ts';

/** Cheap scrypt for tests only (production uses DEFAULT_SCRYPT). */
export const FAST_SCRYPT = { N: 1024, r: 8, p: 1 };

export function tempDir(prefix = 'platform-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const ADMIN = { username: 'root-admin', password: 'admin-password-1' };

export function testConfig(dataDir: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    env: {
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      LOG_LEVEL: 'silent',
      ...env,
    },
    // A directory without config/: only the built-in defaults and env apply.
    cwd: dataDir,
  });
}

export interface TestServer extends RunningServer {
  cleanup(): Promise<void>;
}

export async function startTestServer(
  opts: StartServerOptions & { env?: Record<string, string> } = {},
): Promise<TestServer> {
  const { dir, cleanup } = tempDir();
  const config = testConfig(dir, opts.env);
  const server = await startServer(config, {
    logger: createLogger({ level: 'silent', pretty: false }),
    scrypt: FAST_SCRYPT,
    telephony: false,
    ...opts,
  });
  return Object.assign(Object.create(null) as object, server, {
    async cleanup() {
      await server.close();
      cleanup();
    },
  }) as TestServer;
}

export async function login(server: RunningServer, username: string, password: string): Promise<string> {
  const res = await server.app.inject({ method: 'POST', url: '/auth/login', payload: { username, password } });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  return (res.json() as { token: string }).token;
}

let seq = 0;
/** A handling unit for unit_handler accounts in tests (created once per server). */
export const TEST_UNIT_ID = 'test-unit-1';

export async function ensureTestUnit(server: RunningServer): Promise<string> {
  const org = server.repos.organisation;
  if (!(await org.get(TEST_UNIT_ID))) {
    await org.insert(
      {
        id: TEST_UNIT_ID,
        kind: 'handling_unit',
        name: 'Test unit',
        parentId: null,
        acceptsPublicRequests: false,
        contacts: [],
      },
      server.clock.now(),
    );
  }
  return TEST_UNIT_ID;
}

/** Creates a user with the role (a unit handler in TEST_UNIT_ID) and returns a token for it. */
export async function tokenFor(server: RunningServer, role: Role): Promise<string> {
  const username = `${role.replace('_', '-')}-${++seq}`;
  const password = 'user-password-1';
  const unitId = role === 'unit_handler' ? await ensureTestUnit(server) : null;
  await server.auth.createUser({ username, password, role, unitId });
  return login(server, username, password);
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
