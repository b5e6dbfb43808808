/**
 * Creates an admin account (or resets an existing account's password with --reset).
 *   npm run create-admin -- --username NAME [--display-name "Full Name"] [--reset]
 * The password comes from ADMIN_PASSWORD, else from stdin (typed without echo on a terminal, or piped:
 * `printf '%s\n' "$PW" | npm run create-admin -- --username NAME`). It is never taken from the command line.
 */
import { parseArgs } from 'node:util';
import { createAuthService } from '../src/auth/auth-service.ts';
import { AuthError } from '../src/auth/auth-errors.ts';
import { createTokenService } from '../src/auth/token.ts';
import { ConfigError, loadConfig } from '../src/config/index.ts';
import { systemClock } from '../src/shared/clock.ts';
import { openStore } from '../src/store/db.ts';
import { openPgStore } from '../src/store/pg-store.ts';
import { createPgUsersRepo } from '../src/store/pg-users-repo.ts';
import { createSqliteUsersRepo } from '../src/store/users-repo.ts';

function fail(message: string): never {
  process.stderr.write(`create-admin: ${message}\n`);
  process.exit(1);
}

async function readPassword(): Promise<string> {
  const fromEnv = process.env.ADMIN_PASSWORD;
  if (fromEnv) return fromEnv;
  const stdin = process.stdin;
  if (stdin.isTTY) {
    process.stderr.write('Password: ');
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    return new Promise((resolve) => {
      let pw = '';
      const onData = (chunk: string) => {
        for (const ch of chunk) {
          if (ch === '\r' || ch === '\n') {
            stdin.setRawMode(false);
            stdin.pause();
            stdin.off('data', onData);
            process.stderr.write('\n');
            resolve(pw);
            return;
          }
          if (ch === '\u0003') fail('cancelled');
          if (ch === '\u007f') pw = pw.slice(0, -1);
          else pw += ch;
        }
      };
      stdin.on('data', onData);
    });
  }
  let text = '';
  for await (const chunk of stdin) text += chunk;
  return text.split(/\r?\n/)[0] ?? '';
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        username: { type: 'string' },
        'display-name': { type: 'string' },
        reset: { type: 'boolean', default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    fail(`${(err as Error).message}\nusage: npm run create-admin -- --username NAME [--display-name NAME] [--reset]`);
  }
  const username = args.username;
  if (!username || !/^[A-Za-z0-9_.-]{3,64}$/.test(username)) {
    fail('--username is required: 3 to 64 letters, digits, or _ . -');
  }

  // ADMIN_USERNAME/ADMIN_PASSWORD belong to start-up; this command has its own inputs.
  const env = { ...process.env };
  delete env.ADMIN_USERNAME;
  delete env.ADMIN_PASSWORD;
  let config;
  try {
    config = loadConfig({ env, cwd: process.cwd() });
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }

  const password = await readPassword();
  // The users live where the server keeps them: PostgreSQL when DATABASE_URL is set (issue 12), else SQLite.
  const pgStore = config.server.databaseUrl ? await openPgStore({ url: config.server.databaseUrl, poolSize: 1 }) : null;
  const store = pgStore ? null : openStore({ dataDir: config.server.dataDir });
  const where = pgStore ? pgStore.safeUrl : store!.path;
  try {
    const users = pgStore ? createPgUsersRepo(pgStore.db) : createSqliteUsersRepo(store!.db);
    // Tokens are not issued here; the service only needs a token service to exist.
    const tokens = createTokenService({ secret: 'x'.repeat(32), ttlSeconds: 60, clock: systemClock });
    const auth = createAuthService({
      users,
      tokens,
      clock: systemClock,
      passwordMinLength: config.auth.passwordMinLength,
    });
    const existing = await users.byUsername(username);
    if (existing) {
      if (!args.reset) fail(`user ${username} exists; add --reset to set its password and make it an active admin`);
      await auth.setPassword(existing.id, password);
      await users.update(existing.id, { role: 'admin', unitId: null, disabled: false }, systemClock.now());
      process.stdout.write(`admin ${username}: password reset (${where})\n`);
    } else {
      await auth.createUser({
        username,
        password,
        role: 'admin',
        displayName: args['display-name'] ?? 'Administrator',
      });
      process.stdout.write(`admin ${username} created (${where})\n`);
    }
  } catch (err) {
    if (err instanceof AuthError) fail(err.message);
    throw err;
  } finally {
    store?.close();
    await pgStore?.close();
  }
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
