import type { Logger } from 'pino';
import type { AgentState } from '../domain/acd/agent.ts';
import type { Rejection } from '../domain/calls/decide.ts';
import type { Input } from '../domain/calls/inputs.ts';
import type { Clock } from '../shared/clock.ts';
import type { SignInChange, SignInsRepo } from '../store/sign-ins-repo.ts';
import { errText } from './call-context.ts';

/**
 * Agents' sign-ins kept in the store (issue 12), so that a restarted server, or the instance that takes over
 * the calls, has every desk still signed in.
 *
 * Written from the domain's own agent-state effects (`changed`), never decided here. The domain never waits for
 * the store: changes go into a queue that keeps only each agent's latest state and is written one batch at a
 * time, in order, in one transaction per batch. Read back once, by `restore`, before the first ARI reconcile
 * of this process, so that agents who are talking find their adopted calls.
 */
export class SignInPersistence {
  private readonly pending = new Map<string, SignInChange>();
  private writing: Promise<void> | undefined;
  private readonly log: Logger;

  constructor(
    private readonly o: {
      repo: SignInsRepo;
      clock: Clock;
      logger: Logger;
    },
  ) {
    this.log = o.logger.child({ component: 'sign-ins' });
  }

  /** An agent's state changed in the domain (its agent-state effect); `undefined` or signed-out: the row goes. */
  changed(agentId: string, st: AgentState | undefined): void {
    const now = this.o.clock.now();
    const signIn =
      st && st.status !== 'signed-out'
        ? {
            agentId,
            endpoint: st.endpoint ?? null,
            skills: [...st.skills],
            status: st.status,
            pauseReason: st.status === 'paused' ? (st.pauseReason ?? null) : null,
            signedInAt: now,
            updatedAt: now,
          }
        : null;
    // Delete-then-set keeps the map in the order of the latest changes.
    this.pending.delete(agentId);
    this.pending.set(agentId, { agentId, signIn });
    this.writing ??= this.drain();
  }

  /** Resolves when every change made so far is written (or failed and was logged). */
  async idle(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async drain(): Promise<void> {
    try {
      // One turn of the event loop first, so that the changes of one burst of inputs share a batch.
      await new Promise<void>((r) => setImmediate(r));
      while (this.pending.size > 0) {
        const batch = [...this.pending.values()];
        this.pending.clear();
        try {
          await this.o.repo.write(batch);
        } catch (err) {
          // Not retried: the next change of the same agent writes its whole state again.
          this.log.error({ err: errText(err), agents: batch.length }, 'sign-ins: write failed');
        }
      }
    } finally {
      this.writing = undefined;
    }
  }

  /**
   * Signs the stored agents in again through the domain (`feed`), paused ones paused with their reason. A
   * sign-in the domain refuses now (a skill no longer configured, the phone taken) is dropped from the store.
   * Returns the agents signed in by it.
   */
  async restore(feed: (input: Input) => Rejection | undefined, agent: (id: string) => AgentState | undefined) {
    let stored: Awaited<ReturnType<SignInsRepo['list']>>;
    try {
      stored = await this.o.repo.list();
    } catch (err) {
      this.log.error({ err: errText(err) }, 'sign-ins: could not read the stored sign-ins; desks must sign in again');
      return [];
    }
    const restored: string[] = [];
    for (const s of stored) {
      const refused = feed({
        type: 'agent-sign-in',
        agentId: s.agentId,
        skills: s.skills,
        ...(s.endpoint !== null ? { endpoint: s.endpoint } : {}),
      });
      if (refused) {
        this.log.warn({ agentId: s.agentId, reason: refused.message }, 'sign-ins: stored sign-in not restored');
        if (agent(s.agentId)?.status === 'signed-out' || !agent(s.agentId)) this.changed(s.agentId, undefined);
        continue;
      }
      if (s.status === 'paused' && s.pauseReason)
        feed({ type: 'agent-pause', agentId: s.agentId, reason: s.pauseReason });
      restored.push(s.agentId);
    }
    if (stored.length > 0) this.log.info({ restored: restored.length, stored: stored.length }, 'sign-ins restored');
    return restored;
  }
}
