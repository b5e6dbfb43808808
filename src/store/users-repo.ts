import { asc, eq, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { users, type Role, type UserRow } from './schema/users.ts';

export type User = UserRow;

export interface NewUser {
  username: string;
  displayName: string;
  passwordHash: string;
  role: Role;
  unitId: string | null;
}

export interface UserChanges {
  displayName?: string;
  role?: Role;
  unitId?: string | null;
  disabled?: boolean;
  passwordHash?: string;
}

/**
 * Users' storage. Kept behind this interface, asynchronous, so a PostgreSQL implementation can sit beside
 * the SQLite one (whose calls complete synchronously inside the promise).
 */
export interface UsersRepo {
  byId(id: number): Promise<User | undefined>;
  byUsername(username: string): Promise<User | undefined>;
  list(): Promise<User[]>;
  countActiveAdmins(): Promise<number>;
  /** Rejects with UsernameTakenError when the name exists. */
  create(user: NewUser, now: number): Promise<User>;
  /** Applies the changes and raises the token version when role, unit, disabled or password change. */
  update(id: number, changes: UserChanges, now: number): Promise<User | undefined>;
}

export class UsernameTakenError extends Error {
  constructor(readonly username: string) {
    super(`username ${JSON.stringify(username)} is already taken`);
    this.name = 'UsernameTakenError';
  }
}

export function createSqliteUsersRepo(db: BetterSQLite3Database): UsersRepo {
  const byIdStmt = db
    .select()
    .from(users)
    .where(eq(users.id, sql.placeholder('id')))
    .prepare();
  const byNameStmt = db
    .select()
    .from(users)
    .where(eq(users.username, sql.placeholder('username')))
    .prepare();
  return {
    byId: async (id) => byIdStmt.get({ id }),
    byUsername: async (username) => byNameStmt.get({ username }),
    list: async () => db.select().from(users).orderBy(asc(users.id)).all(),
    async countActiveAdmins() {
      const row = db
        .select({ n: sql<number>`count(*)` })
        .from(users)
        .where(sql`${users.role} = 'admin' and ${users.disabled} = 0`)
        .get();
      return row?.n ?? 0;
    },
    async create(user, now) {
      try {
        return db
          .insert(users)
          .values({ ...user, disabled: false, tokenVersion: 1, createdAt: now, updatedAt: now })
          .returning()
          .get();
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new UsernameTakenError(user.username);
        throw err;
      }
    },
    async update(id, changes, now) {
      return db.transaction((tx) => {
        const current = tx.select().from(users).where(eq(users.id, id)).get();
        if (!current) return undefined;
        const revokes =
          (changes.role !== undefined && changes.role !== current.role) ||
          (changes.disabled !== undefined && changes.disabled !== current.disabled) ||
          (changes.unitId !== undefined && changes.unitId !== current.unitId) ||
          changes.passwordHash !== undefined;
        return tx
          .update(users)
          .set({
            ...changes,
            updatedAt: now,
            tokenVersion: revokes ? current.tokenVersion + 1 : current.tokenVersion,
          })
          .where(eq(users.id, id))
          .returning()
          .get();
      });
    },
  };
}
