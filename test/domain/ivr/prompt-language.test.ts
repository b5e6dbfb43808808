import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { IvrConfig } from '../../../src/domain/ivr/ivr-config.ts';
import type { IvrEffect } from '../../../src/domain/ivr/ivr-effects.ts';
import { startIvr, stepIvr, type IvrInput, type IvrStep } from '../../../src/domain/ivr/ivr-walker.ts';
import { validateCallCenterConfig } from '../../../src/domain/ivr/validate-call-center-config.ts';
import { defaultIvrConfigPath, loadIvrConfig } from '../../../src/ivr-config/load-ivr-config.ts';
import { Harness } from '../calls/harness.ts';

type Play = Extract<IvrEffect, { type: 'play' }>;
const NOW = Date.UTC(2026, 0, 5, 2);

/** A caller walking the menu; records every playback's media and language. */
function caller(config: IvrConfig) {
  let step: IvrStep = startIvr(config, { callId: 'c', channelId: 'ch', callerNumber: '13800000000' }, NOW);
  const plays: Play[] = [];
  const take = (s: IvrStep) => {
    step = s;
    plays.push(...s.effects.filter((e): e is Play => e.type === 'play'));
  };
  take(step);
  return {
    plays,
    send(input: IvrInput) {
      take(stepIvr(config, step.session, input, NOW));
    },
    finishPlayback() {
      this.send({ type: 'playback-finished', playbackId: step.session.playbackId! });
    },
    last: () => plays.at(-1)!,
  };
}

describe('the desk choice sets the prompt language for the rest of the call (issue 13 item 5)', () => {
  const config = loadIvrConfig().ivr;

  it('a caller who presses 3 (粤语) hears the rest of the menu in Cantonese', () => {
    const c = caller(config);
    // Given the welcome and the desk choice, in Mandarin: nobody has chosen yet.
    expect(c.last()).toMatchObject({ media: ['sound:hotline/welcome'], lang: 'zh' });
    c.finishPlayback();
    expect(c.last()).toMatchObject({ media: ['sound:hotline/desk-choice'], lang: 'zh' });
    // When the caller presses 3.
    c.send({ type: 'dtmf', digit: '3' });
    // Then the emergency advice plays from sounds/yue/, and so does a wrong key's apology after it.
    expect(c.last()).toMatchObject({ media: ['sound:hotline/emergency-advice'], lang: 'yue' });
    c.finishPlayback();
    c.send({ type: 'dtmf', digit: '6' });
    expect(c.last().lang).toBe('yue');
    expect(c.last().media[0]).toBe('sound:hotline/invalid-input');
  });

  it('a caller who presses 1 (普通话) stays in Mandarin', () => {
    const c = caller(config);
    c.finishPlayback();
    c.send({ type: 'dtmf', digit: '1' });
    expect(c.last()).toMatchObject({ media: ['sound:hotline/emergency-advice'], lang: 'zh' });
  });

  it('Zhuang plays the files a site installed and Mandarin for the others', () => {
    // Given the shipped config with za/ holding only the emergency advice (Zhuang has no synthetic voice).
    const raw = JSON.parse(readFileSync(defaultIvrConfigPath, 'utf8')) as unknown;
    const check = validateCallCenterConfig(raw, {
      promptExists: (id) => !id.startsWith('za/') || id === 'za/emergency-advice',
    });
    if (!check.ok) throw new Error(check.errors.join('\n'));
    expect(check.config.ivr.localPrompts?.za).toEqual(['emergency-advice']);
    expect(loadIvrConfig().ivr.localPrompts?.za).toEqual([]);
    const c = caller(check.config.ivr);
    c.finishPlayback();
    // When the caller presses 2 (壮话).
    c.send({ type: 'dtmf', digit: '2' });
    // Then the recorded file plays in Zhuang, the missing apology in Mandarin.
    expect(c.last()).toMatchObject({ media: ['sound:hotline/emergency-advice'], lang: 'za' });
    c.finishPlayback();
    c.send({ type: 'dtmf', digit: '6' });
    expect(c.last().lang).toBe('zh');
  });

  it('refuses a desk language for an unknown skill or a bad code, naming it', () => {
    const raw = JSON.parse(readFileSync(defaultIvrConfigPath, 'utf8')) as Record<string, unknown>;
    const check = validateCallCenterConfig(
      { ...raw, skillLanguages: { hakka: 'hak', cantonese: 'Yue!' } },
      { promptExists: () => true },
    );
    expect(check.ok).toBe(false);
    if (!check.ok) {
      expect(check.errors).toContain('"skillLanguages": "hakka" is not one of "skills"');
      expect(check.errors.some((e) => e.includes('"skillLanguages".cantonese'))).toBe(true);
    }
  });

  it('queue announcements (position, wait, digits) are read in the language of the desk chosen', () => {
    // Given callers on the Cantonese and the Mandarin desks, with no agent signed in.
    const h = new Harness(loadIvrConfig(), NOW);
    h.toQueue('yue-1', '3');
    h.toQueue('yue-2', '3');
    h.toQueue('zh-1', '1');
    h.toQueue('zh-2', '1');
    // When the periodic announcements play.
    h.advance(31_000);
    const plays = h.all('play').filter((p) => p.playbackId.includes(':announce:'));
    const of = (callId: string) => plays.filter((p) => p.callId === callId).at(-1);
    // Then the second Cantonese caller hears its position in Cantonese, the second Mandarin caller in Mandarin.
    expect(of('yue-2')).toMatchObject({ lang: 'yue' });
    expect(of('yue-2')!.media).toContain('sound:hotline/queue-ahead-before');
    expect(of('zh-2')).toMatchObject({ lang: 'zh' });
  });
});
