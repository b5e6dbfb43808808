import { inArray, eq } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { users, type Role } from '../store/schema/users.ts';

/**
 * Agent ids are user names; the wallboard shows people by display name. A synchronous read of the
 * users table (SQLite), so a figures push never waits.
 */
export class UserNames {
  constructor(private readonly db: BetterSQLite3Database) {}

  /** Display names of the given user names (the user name itself when unset or unknown). */
  displayNames(usernames: Iterable<string>): Map<string, string> {
    const ids = [...new Set(usernames)];
    const out = new Map<string, string>(ids.map((id) => [id, id]));
    if (ids.length === 0) return out;
    for (const u of this.db
      .select({ username: users.username, displayName: users.displayName })
      .from(users)
      .where(inArray(users.username, ids))
      .all()) {
      if (u.displayName) out.set(u.username, u.displayName);
    }
    return out;
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
