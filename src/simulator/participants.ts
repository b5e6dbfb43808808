/**
 * Scripted participants: the customer's phone of a call placed over the control API. The call is an
 * inbound Local call (`Local/<to>@cti-inbound`); its `;1` half is the customer, driven by a script of
 * waits, DTMF, "wait until this prompt is heard" and hang-up. Agents' phones and external parties are
 * dialplan behaviours (see dialplan.ts) configured through the same control API.
 */
import type { Clock, TimerId } from '../shared/clock.ts';
import type { Chan, ParticipantHooks, SimEngine } from './engine.ts';
import type { CallLogEntry, CallerStep, PlaceCallRequest, PlacedCall } from './types.ts';

interface CallRun {
  c1: Chan;
  script: CallerStep[];
  step: number;
  started: boolean;
  log: CallLogEntry[];
  /** Index in `log` after which an awaited prompt may match. */
  promptCursor: number;
  waitingPrompt?: { media: string; resolve: () => void };
  timers: Set<TimerId>;
  done: boolean;
}

/** A caller script waits for a prompt no playback can ever be (the control API answers 400 with the list). */
export class UnknownPromptError extends Error {
  constructor(
    message: string,
    readonly valid: string[],
  ) {
    super(message);
  }
}

/**
 * The awaited media of an `awaitPrompt` step must be one this PBX can play, or the caller would wait
 * forever: `sound:` alone (any prompt), `sound:<name>` or a bare `<name>` of a playable sound. Other media
 * kinds (`tone:`, `recording:`, ...) are not checked.
 */
function checkAwaitedPrompts(script: CallerStep[], playable: () => string[]): void {
  let names: string[] | undefined;
  script.forEach((step, i) => {
    if (step.kind !== 'awaitPrompt') return;
    const m = step.media;
    if (m === '' || m === 'sound:') return;
    const name = m.startsWith('sound:') ? m.slice('sound:'.length) : m.includes(':') ? undefined : m;
    if (name === undefined) return;
    names ??= playable();
    if (names.includes(name)) return;
    throw new UnknownPromptError(
      `script[${i}]: no prompt "${name}" here (prompts play as sound:<name>, e.g. the menu's zh/desk-choice is ` +
        `sound:hotline/desk-choice); valid names: ${names.join(', ')}`,
      names,
    );
  });
}

export class Participants implements ParticipantHooks {
  private readonly runs = new Map<string, CallRun>();
  /** Logs of finished calls stay readable until reset. */
  private readonly finished = new Map<string, CallLogEntry[]>();

  constructor(
    private readonly engine: SimEngine,
    private readonly clock: Clock,
  ) {}

  placeCall(req: PlaceCallRequest): PlacedCall {
    checkAwaitedPrompts(req.script ?? [], () => this.engine.sounds.playableNames());
    const context = req.context ?? 'cti-inbound';
    const callerId = req.callerName ? `"${req.callerName}" <${req.from}>` : `<${req.from}>`;
    const json = this.engine.ariOriginate({
      endpoint: `Local/${req.to}@${context}`,
      context: 'caller-script',
      extension: req.to,
      callerId,
      timeout: -1,
    });
    const c1 = this.engine.channels.get(String(json.id));
    if (!c1?.peer) throw new Error('placed call vanished');
    const run: CallRun = {
      c1,
      script: req.script ?? [],
      step: 0,
      started: false,
      log: [],
      promptCursor: 0,
      timers: new Set(),
      done: false,
    };
    this.runs.set(c1.id, run);
    if (req.hangupAfterMs !== undefined) this.after(run, req.hangupAfterMs, () => this.hangup(run));
    return { callerChannelId: c1.id, pbxChannelId: c1.peer.id };
  }

  hangupCall(callerChannelId: string): boolean {
    const run = this.runs.get(callerChannelId);
    if (!run || run.done) return false;
    this.hangup(run);
    return true;
  }

  callLog(callerChannelId: string): CallLogEntry[] {
    return [...(this.runs.get(callerChannelId)?.log ?? this.finished.get(callerChannelId) ?? [])];
  }

  reset(): void {
    for (const run of this.runs.values()) this.stop(run);
    this.runs.clear();
    this.finished.clear();
  }

  // ------------------------------------------------------------ engine hooks

  onChannelUp(ch: Chan): void {
    const run = this.runs.get(ch.id);
    if (run) run.log.push({ at: this.clock.now(), kind: 'answered' });
  }

  onScript(ch: Chan): void {
    const run = this.runs.get(ch.id);
    if (!run || run.started) return;
    run.started = true;
    this.nextStep(run);
  }

  onPromptToward(ch: Chan, media: string): void {
    const run = this.runs.get(ch.id);
    if (!run) return;
    run.log.push({ at: this.clock.now(), kind: 'prompt', media });
    const w = run.waitingPrompt;
    if (w && media.includes(w.media)) {
      run.waitingPrompt = undefined;
      run.promptCursor = run.log.length;
      w.resolve();
    }
  }

  onDtmfToward(ch: Chan, digit: string): void {
    const run = this.runs.get(ch.id);
    if (run) run.log.push({ at: this.clock.now(), kind: 'dtmfHeard', digit });
  }

  onGone(ch: Chan, cause: number): void {
    const run = this.runs.get(ch.id);
    if (!run) return;
    run.log.push({ at: this.clock.now(), kind: 'hangup', cause });
    this.stop(run);
    this.runs.delete(ch.id);
    this.finished.set(ch.id, run.log);
    // Load generation places many calls: keep the most recent logs only.
    if (this.finished.size > 10_000) {
      const oldest = this.finished.keys().next().value;
      if (oldest !== undefined) this.finished.delete(oldest);
    }
  }

  // ------------------------------------------------------------ script

  private after(run: CallRun, ms: number, fn: () => void): void {
    const id = this.clock.setTimeout(() => {
      run.timers.delete(id);
      if (!run.done) fn();
    }, ms);
    run.timers.add(id);
  }

  private stop(run: CallRun): void {
    run.done = true;
    for (const t of run.timers) this.clock.clearTimeout(t);
    run.timers.clear();
    run.waitingPrompt = undefined;
  }

  private hangup(run: CallRun): void {
    if (run.done || run.c1.destroyed) return;
    this.engine.hangupRequest(run.c1, 16, true);
  }

  private nextStep(run: CallRun): void {
    if (run.done) return;
    const step = run.script[run.step++];
    if (!step) return;
    const next = () => this.nextStep(run);
    switch (step.kind) {
      case 'wait':
        this.after(run, step.ms, next);
        return;
      case 'dtmf': {
        const between = step.betweenMs ?? 250;
        const duration = step.durationMs ?? 100;
        for (const d of step.digits) run.log.push({ at: this.clock.now(), kind: 'dtmfSent', digit: d });
        this.engine.participantDtmf(run.c1, step.digits, between, duration);
        this.after(run, 100 + step.digits.length * (duration + between), next);
        return;
      }
      case 'awaitPrompt': {
        const seen = run.log.slice(run.promptCursor).some((e) => e.kind === 'prompt' && e.media.includes(step.media));
        if (seen) {
          run.promptCursor = run.log.length;
          next();
          return;
        }
        run.waitingPrompt = { media: step.media, resolve: next };
        if (step.timeoutMs !== undefined) {
          this.after(run, step.timeoutMs, () => {
            if (run.waitingPrompt?.resolve === next) {
              run.waitingPrompt = undefined;
              next();
            }
          });
        }
        return;
      }
      case 'hangup':
        this.hangup(run);
        return;
    }
  }
}
