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

/** Users' storage. Kept behind this interface so a PostgreSQL implementation can sit beside SQLite. */
export interface UsersRepo {
  byId(id: number): User | undefined;
  byUsername(username: string): User | undefined;
  list(): User[];
  countActiveAdmins(): number;
  /** Throws UsernameTakenError when the name exists. */
  create(user: NewUser, now: number): User;
  /** Applies the changes and raises the token version when role, disabled or password change. */
  update(id: number, changes: UserChanges, now: number): User | undefined;
}

export class UsernameTakenError extends Error {
  constructor(readonly username: string) {
    super(`username ${JSON.stringify(username)} is already taken`);
    this.name = 'UsernameTakenError';
  }
}

export function createSqliteUsersRepo(db: BetterSQLite3Database): UsersRepo {
  const byIdStmt = db.select().from(users).where(eq(users.id, sql.placeholder('id'))).prepare();
  const byNameStmt = db.select().from(users).where(eq(users.username, sql.placeholder('username'))).prepare();
  return {
    byId: (id) => byIdStmt.get({ id }),
    byUsername: (username) => byNameStmt.get({ username }),
    list: () => db.select().from(users).orderBy(asc(users.id)).all(),
    countActiveAdmins() {
      const row = db
        .select({ n: sql<number>`count(*)` })
        .from(users)
        .where(sql`${users.role} = 'admin' and ${users.disabled} = 0`)
        .get();
      return row?.n ?? 0;
    },
    create(user, now) {
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
    update(id, changes, now) {
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
