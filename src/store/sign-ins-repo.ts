import { eq, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { agentSignIns, type AgentSignInRow } from './schema/sign-ins.ts';

/** An agent signed in on a desk, as the owner of the calls last wrote it (issue 12). */
export interface StoredSignIn {
  agentId: string;
  endpoint: string | null;
  skills: string[];
  /** The call domain's status at the last change (never `signed-out`: a sign-out deletes the row). */
  status: string;
  pauseReason: string | null;
  signedInAt: number;
  updatedAt: number;
}

/**
 * Agents' sign-ins, so that they outlive the process that owns the calls (restart, takeover). Written only by
 * the owner of the calls, from the call domain's own agent-state effects.
 */
export interface SignInsRepo {
  /** Every stored sign-in, by agent id. */
  list(): Promise<StoredSignIn[]>;
  /**
   * Writes several agents' changes in one transaction, in order: a sign-in inserts or updates the agent's row
   * (`signedInAt` of an existing row is kept), `null` (signed out) deletes it.
   */
  write(changes: readonly SignInChange[]): Promise<void>;
}

export interface SignInChange {
  agentId: string;
  signIn: StoredSignIn | null;
}

export function parseSkills(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
  } catch {
    return [];
  }
}

const toSignIn = (r: AgentSignInRow): StoredSignIn => ({
  agentId: r.agentId,
  endpoint: r.endpoint,
  skills: parseSkills(r.skills),
  status: r.status,
  pauseReason: r.pauseReason,
  signedInAt: r.signedInAt,
  updatedAt: r.updatedAt,
});

export class SqliteSignInsRepo implements SignInsRepo {
  constructor(private readonly db: BetterSQLite3Database) {}

  async list(): Promise<StoredSignIn[]> {
    return this.db.select().from(agentSignIns).orderBy(agentSignIns.agentId).all().map(toSignIn);
  }

  async write(changes: readonly SignInChange[]): Promise<void> {
    this.db.transaction((tx) => {
      for (const c of changes) {
        if (!c.signIn) {
          tx.delete(agentSignIns).where(eq(agentSignIns.agentId, c.agentId)).run();
          continue;
        }
        tx.insert(agentSignIns)
          .values({ ...c.signIn, skills: JSON.stringify(c.signIn.skills) })
          .onConflictDoUpdate({
            target: agentSignIns.agentId,
            set: {
              endpoint: sql`excluded.endpoint`,
              skills: sql`excluded.skills`,
              status: sql`excluded.status`,
              pauseReason: sql`excluded.pause_reason`,
              updatedAt: sql`excluded.updated_at`,
            },
          })
          .run();
      }
    });
  }
}
