import { asc, eq, sql } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import { users } from './schema-pg/users.ts';
import { UsernameTakenError, type UsersRepo } from './users-repo.ts';

const UNIQUE_VIOLATION = '23505';

/** UsersRepo on PostgreSQL: the same behaviour as createSqliteUsersRepo. */
export function createPgUsersRepo(db: NodePgDatabase): UsersRepo {
  return {
    byId: async (id) => (await db.select().from(users).where(eq(users.id, id)))[0],
    byUsername: async (username) => (await db.select().from(users).where(eq(users.username, username)))[0],
    list: async () => db.select().from(users).orderBy(asc(users.id)),
    async countActiveAdmins() {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(users)
        .where(sql`${users.role} = 'admin' and not ${users.disabled}`);
      return row?.n ?? 0;
    },
    async create(user, now) {
      try {
        const [row] = await db
          .insert(users)
          .values({ ...user, disabled: false, tokenVersion: 1, createdAt: now, updatedAt: now })
          .returning();
        return row!;
      } catch (err) {
        const code =
          (err as { code?: string; cause?: { code?: string } }).cause?.code ?? (err as { code?: string }).code;
        if (code === UNIQUE_VIOLATION) throw new UsernameTakenError(user.username);
        throw err;
      }
    },
    async update(id, changes, now) {
      return db.transaction(async (tx) => {
        // `for update`: two concurrent changes each raise the token version.
        const [current] = await tx.select().from(users).where(eq(users.id, id)).for('update');
        if (!current) return undefined;
        const revokes =
          (changes.role !== undefined && changes.role !== current.role) ||
          (changes.disabled !== undefined && changes.disabled !== current.disabled) ||
          (changes.unitId !== undefined && changes.unitId !== current.unitId) ||
          changes.passwordHash !== undefined;
        const [row] = await tx
          .update(users)
          .set({
            ...changes,
            updatedAt: now,
            tokenVersion: revokes ? current.tokenVersion + 1 : current.tokenVersion,
          })
          .where(eq(users.id, id))
          .returning();
        return row;
      });
    },
  };
}
