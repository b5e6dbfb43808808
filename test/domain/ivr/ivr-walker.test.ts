import { describe, expect, it } from 'vitest';
import type { IvrConfig, IvrPromptSet } from '../../../src/domain/ivr/ivr-config.ts';
import type { IvrSession } from '../../../src/domain/ivr/ivr-session.ts';
import { startIvr, stepIvr, type IvrInput, type IvrStep } from '../../../src/domain/ivr/ivr-walker.ts';
import { numberPrompts } from '../../../src/domain/ivr/number-prompts.ts';

const prompts: IvrPromptSet = {
  digits: [...Array(10).keys()].map((d) => `zh/digit-${d}`),
  ten: 'zh/ten',
  hundred: 'zh/hundred',
  ticketNumberIs: 'zh/no-is',
  ticketStatusIs: 'zh/status-is',
  ticketNotFound: 'zh/not-found',
  statuses: {},
  statusUnknown: 'zh/unknown',
  queueAheadBefore: 'zh/ahead-1',
  queueAheadAfter: 'zh/ahead-2',
  queueNext: 'zh/next',
};

/** Two plain menus, no onTimeout anywhere: time-outs use the retries. */
const config: IvrConfig = {
  start: 'main',
  skills: ['general', 'tax'],
  defaultSkill: 'general',
  prompts,
  nodes: {
    main: {
      type: 'menu',
      prompt: ['zh/main'],
      options: { '1': { action: 'goto', node: 'sub', label: 'sub' }, '0': { action: 'queue' } },
      timeoutMs: 4000,
      retries: 1,
      invalidPrompt: ['zh/bad'],
      noInputPrompt: ['zh/silence'],
      onFailure: { action: 'queue', skill: 'general' },
    },
    sub: {
      type: 'menu',
      prompt: ['zh/sub'],
      options: {
        '2': { action: 'queue', skill: 'tax', priority: 3 },
        '9': { action: 'play', prompt: ['zh/info'], next: 'main' },
      },
      timeoutMs: 4000,
      retries: 0,
      invalidPrompt: ['zh/bad'],
      noInputPrompt: ['zh/silence'],
      onFailure: { action: 'hangup', prompt: ['zh/bye'] },
    },
  },
};

class Walk {
  session: IvrSession;
  step: IvrStep;
  constructor(public now = 0) {
    this.step = startIvr(config, { callId: 'c', channelId: 'ch', callerNumber: '13800000000' }, now);
    this.session = this.step.session;
  }
  send(input: IvrInput): IvrStep {
    this.step = stepIvr(config, this.session, input, this.now);
    this.session = this.step.session;
    return this.step;
  }
  finish(): IvrStep {
    return this.send({ type: 'playback-finished', playbackId: this.session.playbackId! });
  }
  fireTimer(): IvrStep {
    return this.send({ type: 'timer-fired', key: this.session.timerKey! });
  }
  media(): string[] {
    const p = this.step.effects.filter((e) => e.type === 'play').at(-1);
    return p && p.type === 'play' ? p.media : [];
  }
}

describe('IVR walker', () => {
  it('two menu levels to a queue with skill and priority, recording the path and the choices', () => {
    const w = new Walk();
    expect(w.media()).toEqual(['sound:hotline/main']);
    w.finish();
    w.send({ type: 'dtmf', digit: '1' });
    expect(w.media()).toEqual(['sound:hotline/sub']);
    const r = w.send({ type: 'dtmf', digit: '2' });
    expect(r.exit).toEqual({ kind: 'queue', skill: 'tax', priority: 3 });
    expect(r.session.path).toEqual(['main', 'sub']);
    expect(r.session.choices).toEqual([
      { node: 'main', digit: '1', label: 'sub' },
      { node: 'sub', digit: '2' },
    ]);
  });

  it('the time-out starts only when the prompt has finished, and a silent caller is re-prompted then queued', () => {
    const w = new Walk(1000);
    expect(w.step.effects.filter((e) => e.type === 'set-timer')).toEqual([]);
    w.now = 6000;
    w.finish();
    expect(w.step.effects).toContainEqual({ type: 'set-timer', key: w.session.timerKey, at: 10_000 });
    w.fireTimer();
    expect(w.media()).toEqual(['sound:hotline/silence', 'sound:hotline/main']);
    expect(w.session.timeouts).toBe(1);
    w.finish();
    const r = w.fireTimer();
    expect(r.exit).toEqual({ kind: 'queue', skill: 'general', priority: 0 });
    expect(r.session.timeouts).toBe(2);
  });

  it('invalid input with no retries left runs onFailure (goodbye prompt, then hang up)', () => {
    const w = new Walk();
    w.send({ type: 'dtmf', digit: '1' });
    w.send({ type: 'dtmf', digit: '5' });
    expect(w.session.invalidInputs).toBe(1);
    expect(w.media()).toEqual(['sound:hotline/bye']);
    expect(w.step.exit).toBeUndefined();
    expect(w.finish().exit).toEqual({ kind: 'hangup' });
  });

  it('a play action plays information and returns to its node', () => {
    const w = new Walk();
    w.send({ type: 'dtmf', digit: '1' });
    w.send({ type: 'dtmf', digit: '9' });
    expect(w.media()).toEqual(['sound:hotline/info']);
    w.send({ type: 'dtmf', digit: '0' }); // ignored while information plays
    expect(w.step.effects).toEqual([]);
    w.finish();
    expect(w.media()).toEqual(['sound:hotline/main']);
    expect(w.session.path).toEqual(['main', 'sub', 'main']);
  });

  it('ignores finished playbacks that are not the current one and non-DTMF characters', () => {
    const w = new Walk();
    expect(w.send({ type: 'playback-finished', playbackId: 'other' }).effects).toEqual([]);
    expect(w.send({ type: 'dtmf', digit: 'A' }).effects).toEqual([]);
    expect(w.session.phase).toBe('prompting');
  });

  it('hang-up exits and cancels the pending time-out', () => {
    const w = new Walk();
    w.finish();
    const key = w.session.timerKey;
    const r = w.send({ type: 'hangup' });
    expect(r.exit).toEqual({ kind: 'caller-hangup' });
    expect(r.effects).toEqual([{ type: 'cancel-timer', key }]);
  });
});

describe('numbers read in Mandarin', () => {
  it.each([
    [0, ['digit-0']],
    [7, ['digit-7']],
    [10, ['ten']],
    [12, ['ten', 'digit-2']],
    [20, ['digit-2', 'ten']],
    [25, ['digit-2', 'ten', 'digit-5']],
    [100, ['digit-1', 'hundred']],
    [105, ['digit-1', 'hundred', 'digit-0', 'digit-5']],
    [110, ['digit-1', 'hundred', 'digit-1', 'ten']],
    [999, ['digit-9', 'hundred', 'digit-9', 'ten', 'digit-9']],
    [1234, ['digit-1', 'digit-2', 'digit-3', 'digit-4']],
  ])('%i', (n, expected) => {
    expect(numberPrompts(prompts, n)).toEqual(expected.map((p) => `zh/${p}`));
  });
});
