import type pg from 'pg';
import { inTransaction, rows } from './pg-store.ts';
import { parseSkills, type SignInChange, type SignInsRepo, type StoredSignIn } from './sign-ins-repo.ts';

type Row = {
  agent_id: string;
  endpoint: string | null;
  skills: string;
  status: string;
  pause_reason: string | null;
  signed_in_at: number;
  updated_at: number;
};

/** Agents' sign-ins on PostgreSQL (same behaviour as SqliteSignInsRepo). */
export class PgSignInsRepo implements SignInsRepo {
  constructor(private readonly pool: pg.Pool) {}

  async list(): Promise<StoredSignIn[]> {
    const all = await rows<Row>(this.pool, 'select * from agent_sign_ins order by agent_id collate "C"');
    return all.map((r) => ({
      agentId: r.agent_id,
      endpoint: r.endpoint,
      skills: parseSkills(r.skills),
      status: r.status,
      pauseReason: r.pause_reason,
      signedInAt: r.signed_in_at,
      updatedAt: r.updated_at,
    }));
  }

  async write(changes: readonly SignInChange[]): Promise<void> {
    await inTransaction(this.pool, async (c) => {
      for (const ch of changes) {
        const s = ch.signIn;
        if (!s) {
          await c.query('delete from agent_sign_ins where agent_id = $1', [ch.agentId]);
          continue;
        }
        await c.query(
          `insert into agent_sign_ins (agent_id, endpoint, skills, status, pause_reason, signed_in_at, updated_at)
           values ($1, $2, $3, $4, $5, $6, $7)
           on conflict (agent_id) do update set endpoint = excluded.endpoint, skills = excluded.skills,
             status = excluded.status, pause_reason = excluded.pause_reason, updated_at = excluded.updated_at`,
          [s.agentId, s.endpoint, JSON.stringify(s.skills), s.status, s.pauseReason, s.signedInAt, s.updatedAt],
        );
      }
    });
  }
}
