import type { IvrEffect as Effect } from './ivr-effects.ts';
import {
  callerLanguage,
  promptPlayback,
  type IvrAction,
  type IvrConfig,
  type IvrNode,
  type MenuNode,
  type PromptId,
  type TicketStatusNode,
} from './ivr-config.ts';
import type { IvrExit, IvrSession } from './ivr-session.ts';
import { digitPrompts } from './number-prompts.ts';

export type IvrInput =
  | { type: 'dtmf'; digit: string }
  | { type: 'playback-finished'; playbackId: string }
  | { type: 'timer-fired'; key: string }
  | { type: 'hangup' }
  | { type: 'ticket-status-result'; ticketNumber: string; status: string | null };

/** One step of the walker; `exit` set means the caller has left the menu. */
export interface IvrStep {
  session: IvrSession;
  effects: Effect[];
  exit?: IvrExit;
}

const DIGIT = /^[0-9*#]$/;

export function startIvr(
  config: IvrConfig,
  call: { callId: string; channelId: string; callerNumber: string },
  now: number,
): IvrStep {
  const w = new Walker(
    config,
    {
      callId: call.callId,
      channelId: call.channelId,
      callerNumber: call.callerNumber,
      node: config.start,
      phase: 'prompting',
      seq: 0,
      attempts: 0,
      digits: '',
      path: [],
      choices: [],
      invalidInputs: 0,
      timeouts: 0,
      ticketLookupFailures: 0,
    },
    now,
  );
  w.enterNode(config.start);
  return w.result();
}

export function stepIvr(config: IvrConfig, session: IvrSession, input: IvrInput, now: number): IvrStep {
  const w = new Walker(config, { ...session, path: [...session.path], choices: [...session.choices] }, now);
  switch (input.type) {
    case 'dtmf':
      w.onDigit(input.digit);
      break;
    case 'playback-finished':
      w.onPlaybackFinished(input.playbackId);
      break;
    case 'timer-fired':
      w.onTimer(input.key);
      break;
    case 'hangup':
      w.clearTimer();
      w.exit = { kind: 'caller-hangup' };
      break;
    case 'ticket-status-result':
      w.onTicketStatus(input.status);
      break;
  }
  return w.result();
}

class Walker {
  readonly effects: Effect[] = [];
  exit?: IvrExit;

  constructor(
    private readonly config: IvrConfig,
    private readonly s: IvrSession,
    private readonly now: number,
  ) {}

  result(): IvrStep {
    return this.exit
      ? { session: this.s, effects: this.effects, exit: this.exit }
      : { session: this.s, effects: this.effects };
  }

  private node(): IvrNode {
    const n = this.config.nodes[this.s.node];
    if (!n) throw new Error(`IVR node "${this.s.node}" does not exist (the config was not validated)`);
    return n;
  }

  enterNode(id: string): void {
    this.s.node = id;
    this.s.path.push(id);
    this.s.attempts = 0;
    this.s.digits = '';
    this.s.afterPlay = undefined;
    this.play(this.node().prompt, 'prompting');
  }

  private play(prompts: PromptId[], phase: IvrSession['phase']): void {
    this.s.phase = phase;
    if (prompts.length === 0) {
      this.s.playbackId = undefined;
      this.afterPlayback();
      return;
    }
    this.s.seq += 1;
    const playbackId = `${this.s.callId}:ivr:${this.s.seq}`;
    this.s.playbackId = playbackId;
    this.effects.push({
      type: 'play',
      callId: this.s.callId,
      channelId: this.s.channelId,
      playbackId,
      // The desk chosen sets the prompt language for the rest of the call.
      ...promptPlayback(prompts, callerLanguage(this.config, this.s.skill)),
    });
  }

  private stopPlaying(): void {
    if (this.s.playbackId) {
      this.effects.push({ type: 'stop-playback', callId: this.s.callId, playbackId: this.s.playbackId });
      this.s.playbackId = undefined;
    }
  }

  private setTimer(ms: number): void {
    this.clearTimer();
    this.s.seq += 1;
    const key = `ivr:${this.s.callId}:${this.s.seq}`;
    this.s.timerKey = key;
    this.effects.push({ type: 'set-timer', key, at: this.now + ms });
  }

  clearTimer(): void {
    if (this.s.timerKey) {
      this.effects.push({ type: 'cancel-timer', key: this.s.timerKey });
      this.s.timerKey = undefined;
    }
  }

  private runAction(a: IvrAction): void {
    this.clearTimer();
    switch (a.action) {
      case 'goto':
        if (a.setSkill) this.s.skill = a.setSkill;
        this.enterNode(a.node);
        return;
      case 'queue':
        this.finish(
          { kind: 'queue', skill: a.skill ?? this.s.skill ?? this.config.defaultSkill, priority: a.priority ?? 0 },
          [],
        );
        return;
      case 'transfer':
        this.finish({ kind: 'transfer', number: a.number }, a.prompt ?? []);
        return;
      case 'play':
        this.s.afterPlay = { action: 'goto', node: a.next };
        this.play(a.prompt, 'reading');
        return;
      case 'callback':
        // Registered before the confirmation plays, so a caller who hangs up during it is still called back.
        this.effects.push({
          type: 'add-callback',
          callId: this.s.callId,
          callerNumber: this.s.callerNumber,
          reason: 'requested',
          at: this.now,
        });
        this.finish({ kind: 'callback' }, a.prompt ?? []);
        return;
      case 'hangup':
        this.finish({ kind: 'hangup' }, a.prompt ?? []);
        return;
    }
  }

  private finish(exit: IvrExit, prompt: PromptId[]): void {
    if (prompt.length === 0) {
      this.exit = exit;
      return;
    }
    this.s.pendingExit = exit;
    this.play(prompt, 'finishing');
  }

  private afterPlayback(): void {
    const node = this.node();
    switch (this.s.phase) {
      case 'prompting':
        if (node.type === 'play') this.runAction(node.next);
        else {
          this.s.phase = 'waiting';
          this.setTimer(node.timeoutMs);
        }
        return;
      case 'reading': {
        const next = this.s.afterPlay;
        this.s.afterPlay = undefined;
        if (next) this.runAction(next);
        return;
      }
      case 'finishing':
        if (this.s.pendingExit) this.exit = this.s.pendingExit;
        this.s.pendingExit = undefined;
        return;
      default:
        return;
    }
  }

  onPlaybackFinished(playbackId: string): void {
    if (playbackId !== this.s.playbackId) return; // a stopped or superseded playback
    this.s.playbackId = undefined;
    this.afterPlayback();
  }

  onDigit(digit: string): void {
    if (!DIGIT.test(digit)) return;
    if (this.s.phase !== 'prompting' && this.s.phase !== 'waiting') return;
    const node = this.node();
    if (node.type === 'menu') this.menuDigit(node, digit);
    else if (node.type === 'ticket-status') this.ticketDigit(node, digit);
  }

  private menuDigit(node: MenuNode, digit: string): void {
    this.stopPlaying();
    this.clearTimer();
    const option = node.options[digit];
    if (!option) {
      this.invalid(node);
      return;
    }
    this.s.choices.push(
      option.label !== undefined ? { node: this.s.node, digit, label: option.label } : { node: this.s.node, digit },
    );
    this.runAction(option);
  }

  private ticketDigit(node: TicketStatusNode, digit: string): void {
    this.stopPlaying();
    this.clearTimer();
    if (digit === '#') {
      if (this.s.digits === '') {
        this.invalid(node);
        return;
      }
      this.s.choices.push({ node: this.s.node, digit: '#', label: `ticket ${this.s.digits}` });
      this.s.phase = 'awaiting-status';
      this.effects.push({
        type: 'read-ticket-status',
        callId: this.s.callId,
        ticketNumber: this.s.digits,
        callerNumber: this.s.callerNumber,
      });
      return;
    }
    if (digit === '*') this.s.digits = '';
    else this.s.digits += digit;
    if (this.s.digits.length > node.maxDigits) {
      this.invalid(node);
      return;
    }
    this.s.phase = 'waiting';
    this.setTimer(node.timeoutMs);
  }

  private invalid(node: MenuNode | TicketStatusNode): void {
    this.s.invalidInputs += 1;
    this.retryOrFail(node, node.invalidPrompt);
  }

  private retryOrFail(node: MenuNode | TicketStatusNode, apology: PromptId[]): void {
    this.s.attempts += 1;
    this.s.digits = '';
    if (this.s.attempts > node.retries) {
      this.runAction(node.onFailure);
      return;
    }
    this.play([...apology, ...node.prompt], 'prompting');
  }

  onTimer(key: string): void {
    if (key !== this.s.timerKey) return; // stale
    this.s.timerKey = undefined;
    if (this.s.phase !== 'waiting') return;
    const node = this.node();
    if (node.type === 'play') return;
    this.s.timeouts += 1;
    if (node.type === 'menu' && node.onTimeout) {
      this.s.choices.push({ node: this.s.node, digit: null, label: 'timeout' });
      this.runAction(node.onTimeout);
      return;
    }
    this.retryOrFail(node, node.noInputPrompt);
  }

  onTicketStatus(status: string | null): void {
    if (this.s.phase !== 'awaiting-status') return;
    const node = this.node();
    if (node.type !== 'ticket-status') return;
    const p = this.config.prompts;
    if (status === null) {
      // An unknown order and someone else's order sound the same ("not found"); both count against the call.
      this.s.ticketLookupFailures += 1;
      this.s.afterPlay = this.s.ticketLookupFailures >= node.maxLookupFailures ? node.onLookupFailures : node.next;
      this.play([p.ticketNotFound], 'reading');
      return;
    }
    this.s.afterPlay = node.next;
    this.play(
      [p.ticketNumberIs, ...digitPrompts(p, this.s.digits), p.ticketStatusIs, p.statuses[status] ?? p.statusUnknown],
      'reading',
    );
  }
}
