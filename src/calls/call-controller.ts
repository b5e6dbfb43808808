import type { Logger } from 'pino';
import type { AgentState } from '../domain/acd/agent.ts';
import type { Effect } from '../domain/calls/effects.ts';
import type { Input } from '../domain/calls/inputs.ts';
import type { Rejection } from '../domain/calls/decide.ts';
import type { AriEvent } from '../telephony/ari/events.ts';
import { AgentCommands } from './agent-commands.ts';
import type { CallContext, CallControllerOptions } from './call-context.ts';
import { errText } from './call-context.ts';
import { CallQueues } from './call-queues.ts';
import type { CallState, DesktopPop } from './call-events.ts';
import { CdrWriter } from './cdr-writer.ts';
import { HistoryLookups } from './caller-history-lookups.ts';
import { EffectRunner } from './effects.ts';
import { LiveCalls, type LiveCall } from './live-calls.ts';
import { MonitorCommands } from './monitor-commands.ts';
import { CallbackDialer } from './callback-dialer.ts';
import { DEFAULT_RETRY_PLAN } from '../domain/callbacks/retry-plan.ts';
import { StasisTranslator } from './stasis.ts';
import { TimerScheduler } from './timer-scheduler.ts';
import { isAriNotFound } from '../telephony/ari/errors.ts';

export type { CallControllerOptions } from './call-context.ts';
export { CallCommandError } from './agent-commands.ts';

/**
 * The call layer's one entry point, wiring its parts: ARI events go through `stasis` (→ domain
 * inputs), the domain decides, `effects` carries the effects out (ARI requests in one serial queue
 * per call), agents' commands go through `commands`. The live-call registry (`live`) is shared with
 * the reconciler. Single-threaded by design: every domain input is handled synchronously.
 */
export class CallController {
  /** @internal The CDR write-behind (flushed by the reconciler, tests and on stop). */
  readonly cdr: CdrWriter;
  readonly live: LiveCalls;
  readonly stasis: StasisTranslator;
  readonly commands: AgentCommands;
  /** Supervisors' listen, whisper and barge (issue 10). */
  readonly monitor: MonitorCommands;
  /** Agents dialling callbacks from the list (issue 10 item 3). */
  readonly callbacks: CallbackDialer;
  private readonly effects: EffectRunner;
  private readonly queues: CallQueues;
  private readonly timers: TimerScheduler;
  private readonly lookups: HistoryLookups;
  private readonly log: Logger;
  private stopped = false;

  constructor(private readonly o: CallControllerOptions) {
    this.log = o.logger.child({ component: 'calls' });
    this.cdr = new CdrWriter(o.calls, (err) => this.log.error({ err: errText(err) }, 'calls: CDR write failed'));
    this.live = new LiveCalls(o.clock);
    this.queues = new CallQueues((err, callId, what) => {
      if (!isAriNotFound(err)) this.log.warn({ err: errText(err), callId, what }, 'calls: ARI step failed');
    });
    this.timers = new TimerScheduler(o.clock, (key) => void this.input({ type: 'timer-fired', key }));
    this.lookups = new HistoryLookups(o.clock, this.log, o.historyTimeoutMs);
    const ctx: CallContext = {
      o,
      log: this.log,
      live: this.live,
      cdr: this.cdr,
      queues: this.queues,
      lookups: this.lookups,
      feed: (i) => this.input(i),
    };
    this.effects = new EffectRunner(ctx, this.timers, (partyId, cause) => this.stasis.channelGone(partyId, cause));
    this.stasis = new StasisTranslator(ctx, (callId) => this.finalize(callId));
    this.commands = new AgentCommands(ctx);
    this.monitor = new MonitorCommands(ctx, o.notifyAgentOfMonitoring ?? false);
    this.callbacks = new CallbackDialer(ctx, () => o.callbackPlan ?? DEFAULT_RETRY_PLAN);
  }

  /** Feeds one input to the domain and carries out what it decides. */
  input(input: Input): Rejection | undefined {
    if (this.stopped) return { code: 'invalid-transition', message: 'the call layer is stopping' };
    let result: { effects: Effect[]; rejected?: Rejection };
    try {
      result = this.o.domain.handle(input, this.o.clock.now());
    } catch (err) {
      this.log.error({ err: errText(err), input: input.type }, 'calls: domain failed on an input');
      return { code: 'invalid-input', message: errText(err) };
    }
    this.effects.run(result.effects);
    if (result.rejected) this.log.debug({ input: input.type, reason: result.rejected.message }, 'calls: input refused');
    return result.rejected;
  }

  /** Every ARI event of the application goes here. */
  onEvent(ev: AriEvent): void {
    if (this.stopped) return;
    try {
      this.stasis.onEvent(ev);
    } catch (err) {
      this.log.error({ err: errText(err), type: ev.type }, 'calls: event handling failed');
    }
  }

  /** Closes a live call without the domain (it refused or lost it): nothing is left on the PBX. */
  finalize(callId: string): void {
    const call = this.live.get(callId);
    if (call) this.effects.finalize(call);
  }

  /** The pop given back to an adopted call's agent gets the caller's history again (read beside the call). */
  readPopHistory(callId: string, agentId: string): void {
    const call = this.live.get(callId);
    const pop = call?.pops.get(agentId);
    if (call && pop) this.effects.followWithHistory(call, agentId, pop, pop.history);
  }

  /** Agents paused as unreachable during an ARI outage (the reconciler makes them ready again). */
  takeOutageVictims(): string[] {
    return this.effects.takeOutageVictims();
  }

  // ---- agent commands (HTTP routes and the /agent namespace) ------------------------------------

  signIn(agentId: string, opts: { extension: string; skills: string[] }): Rejection | undefined {
    return this.commands.signIn(agentId, opts);
  }
  signOut(agentId: string): Rejection | undefined {
    return this.commands.signOut(agentId);
  }
  ready(agentId: string): Rejection | undefined {
    return this.commands.ready(agentId);
  }
  wrapUpCode(agentId: string, code: string): Rejection | undefined {
    return this.commands.wrapUpCode(agentId, code);
  }
  extendWrapUp(agentId: string): Rejection | undefined {
    return this.commands.extendWrapUp(agentId);
  }
  pause(agentId: string, reason: string): Rejection | undefined {
    return this.commands.pause(agentId, reason);
  }
  hold(agentId: string): Rejection | undefined {
    return this.commands.hold(agentId);
  }
  unhold(agentId: string): Rejection | undefined {
    return this.commands.unhold(agentId);
  }
  transfer(agentId: string, number: string): Rejection | undefined {
    return this.commands.transfer(agentId, number);
  }
  conference(agentId: string, number: string): Rejection | undefined {
    return this.commands.conference(agentId, number);
  }
  hangup(agentId: string): Rejection | undefined {
    return this.commands.hangup(agentId);
  }
  linkWorkOrder(callId: string, workOrderId: string): Promise<void> {
    return this.commands.linkWorkOrder(callId, workOrderId);
  }
  currentCallOf(agentId: string): { pop: DesktopPop; state: CallState } | null {
    return this.commands.currentCallOf(agentId);
  }

  // ---- live view ----------------------------------------------------------------------------------

  liveCalls(): ReadonlyMap<string, LiveCall> {
    return this.live.all();
  }

  agents(): readonly AgentState[] {
    return this.o.domain.agents();
  }

  pendingTimers(): number {
    return this.timers.size;
  }

  /** Waits until every queued ARI request has settled (tests, shutdown). */
  async idle(): Promise<void> {
    await this.queues.idle();
    this.cdr.flush();
  }

  stop(): void {
    this.cdr.flush();
    this.stopped = true;
    this.timers.clear();
    this.lookups.close();
  }
}
