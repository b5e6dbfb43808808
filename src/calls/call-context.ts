import type { Logger } from 'pino';
import type { AgentState } from '../domain/acd/agent.ts';
import type { Input } from '../domain/calls/inputs.ts';
import type { Rejection } from '../domain/calls/decide.ts';
import type { RecordingArchive } from '../recordings/archive.ts';
import type { Clock } from '../shared/clock.ts';
import type { RetryPlan } from '../domain/callbacks/retry-plan.ts';
import type { AuditEntry } from '../store/audit-repo.ts';
import type { CallRecords } from '../store/call-records.ts';
import type { RecordingsStore } from '../store/recordings-store.ts';
import type { AriRestClient } from '../telephony/ari/rest-client.ts';
import type { CallDomainPort } from './call-domain-port.ts';
import type { CallEventHub } from './call-events.ts';
import type { CallQueues } from './call-queues.ts';
import type { CallerHistorySource } from './caller-history.ts';
import type { HistoryLookups } from './caller-history-lookups.ts';
import type { CdrWriter } from './cdr-writer.ts';
import type { LiveCalls } from './live-calls.ts';

export interface CallControllerOptions {
  /** The REST side of the ARI connection (replaced on reconnect is not needed: it is stateless). */
  rest: AriRestClient;
  app: string;
  clock: Clock;
  logger: Logger;
  domain: CallDomainPort;
  calls: CallRecords;
  recordings: RecordingsStore;
  archive: RecordingArchive;
  events: CallEventHub;
  history: CallerHistorySource;
  /** How an agent's phone is dialled, `{ext}` replaced by the extension (PJSIP/{ext}, Local/{ext}@agents). */
  agentDialTemplate: string;
  /** How an outside number is dialled for transfers and three-way calls (`{number}` replaced). */
  externalDialTemplate: string;
  /** The number shown to agents' phones and outside parties. */
  hotlineNumber?: string;
  /** The audit trail: monitor sessions are written to it (issue 10). */
  audit?: { append(e: AuditEntry): Promise<number> };
  /** Callback retry plan: tries, spacing, quiet hours (default 3 tries, 30 min, 22:00–08:00). */
  callbackPlan?: RetryPlan;
  /** Tell an agent's desktop when a supervisor listens, whispers or barges in (MONITOR_NOTIFY_AGENT). */
  notifyAgentOfMonitoring?: boolean;
  /** Agents' sign-ins kept in the store (issue 12): told of each agent-state effect. */
  signIns?: { changed(agentId: string, state: AgentState | undefined): void };
  /** How long an outside party may ring before a transfer is given up. */
  partyRingTimeoutSec?: number;
  /** How long a read of the caller history may take before the call goes on without it (default 2 s). */
  historyTimeoutMs?: number;
}

/** What the parts of the call adapter (stasis, effects, commands, reconciler) share, passed explicitly. */
export interface CallContext {
  readonly o: CallControllerOptions;
  readonly log: Logger;
  readonly live: LiveCalls;
  readonly cdr: CdrWriter;
  readonly queues: CallQueues;
  /** Reads of the caller history beside the calls, with a deadline (the domain never waits on the store). */
  readonly lookups: HistoryLookups;
  /** Feeds one input to the domain and carries out its effects. */
  feed(input: Input): Rejection | undefined;
}

export function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
