import { inArray, eq } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import type { Clock } from '../shared/clock.ts';
import { users, type Role } from '../store/schema/users.ts';

/**
 * Agent ids are user names; the wallboard shows people by display name. A synchronous read of the
 * users table (SQLite), so a figures push never waits.
 */
export class UserNames {
  /** Names read in the last `ttlMs`: a push with 500 agents reads only the ones not seen lately. */
  private readonly cache = new Map<string, { name: string; at: number }>();

  private readonly inFlight = new Set<string>();

  constructor(
    private readonly db: BetterSQLite3Database,
    private readonly clock: Clock,
    private readonly ttlMs = 60_000,
    /**
     * The users live elsewhere (PostgreSQL): a name not in the cache is read asynchronously and shown from the next
     * push on (`onLearned` asks for one); meanwhile the user name stands in, and a push never waits.
     */
    private readonly remote?: {
      displayName(username: string): Promise<string | undefined>;
      onLearned(): void;
      onError(err: unknown): void;
    },
  ) {}

  /** Display names of the given user names (the user name itself when unset or unknown). */
  displayNames(usernames: Iterable<string>): Map<string, string> {
    const now = this.clock.now();
    const out = new Map<string, string>();
    const missing: string[] = [];
    for (const id of new Set(usernames)) {
      const c = this.cache.get(id);
      if (c && now - c.at < this.ttlMs) out.set(id, c.name);
      else if (this.remote) {
        out.set(id, c?.name ?? id);
        this.learn(id);
      } else missing.push(id);
    }
    for (let i = 0; i < missing.length; i += 500) {
      const chunk = missing.slice(i, i + 500);
      const found = new Map<string, string>();
      for (const u of this.db
        .select({ username: users.username, displayName: users.displayName })
        .from(users)
        .where(inArray(users.username, chunk))
        .all()) {
        if (u.displayName) found.set(u.username, u.displayName);
      }
      for (const id of chunk) {
        const name = found.get(id) ?? id;
        this.cache.set(id, { name, at: now });
        out.set(id, name);
      }
    }
    return out;
  }

  private learn(id: string): void {
    const remote = this.remote!;
    if (this.inFlight.has(id)) return;
    this.inFlight.add(id);
    remote
      .displayName(id)
      .then((name) => {
        this.cache.set(id, { name: name || id, at: this.clock.now() });
        if (name) remote.onLearned();
      })
      .catch((err: unknown) => remote.onError(err))
      .finally(() => this.inFlight.delete(id));
  }

  /** The role of an enabled user, undefined when there is none. */
  roleOf(username: string): Role | undefined {
    const u = this.db
      .select({ role: users.role, disabled: users.disabled })
      .from(users)
      .where(eq(users.username, username))
      .get();
    return u && !u.disabled ? u.role : undefined;
  }
}
