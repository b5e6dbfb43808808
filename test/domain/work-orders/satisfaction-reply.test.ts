import { describe, expect, it } from 'vitest';
import { DEFAULT_SURVEY_DIGITS, parseSatisfactionReply, surveyText } from '../../../src/domain/work-orders/index.ts';

describe('parseSatisfactionReply', () => {
  it.each([
    ['1', 'satisfied'],
    ['１', 'satisfied'], // full-width digit
    [' 1。', 'satisfied'],
    ['满意', 'satisfied'],
    ['非常满意！', 'satisfied'],
    ['很满意，谢谢', 'satisfied'],
    ['1满意', 'satisfied'],
    ['2', 'basically-satisfied'],
    ['基本满意', 'basically-satisfied'],
    ['2 基本满意', 'basically-satisfied'],
    ['还行吧', 'basically-satisfied'],
    ['3', 'dissatisfied'],
    ['不满意', 'dissatisfied'],
    ['很不满意!!', 'dissatisfied'],
    ['不太满意', 'dissatisfied'],
    ['3不满意', 'dissatisfied'],
    ['问题没解决', 'dissatisfied'],
  ])('%j → %s', (text, level) => {
    expect(parseSatisfactionReply(text)).toEqual({ ok: true, level });
  });

  it.each([
    ['', 'empty'],
    ['  。', 'empty'],
    ['你好', 'unrecognised'],
    ['5', 'unrecognised'],
    ['1不满意', 'ambiguous'],
    ['3满意', 'ambiguous'],
    ['1 2', 'ambiguous'],
    ['满意，但是问题没解决', 'ambiguous'],
  ])('%j is not read (%s)', (text, reason) => {
    expect(parseSatisfactionReply(text)).toEqual({ ok: false, reason });
  });

  it('reads digits by the same table the survey offers', () => {
    const twoWay = { '1': 'satisfied', '2': 'dissatisfied' } as const;
    expect(parseSatisfactionReply('2', twoWay)).toEqual({ ok: true, level: 'dissatisfied' });
    expect(parseSatisfactionReply('2基本满意', twoWay)).toEqual({ ok: false, reason: 'ambiguous' });
    expect(surveyText(9, twoWay)).toContain('不满意请回复2');
    const text = surveyText(9, DEFAULT_SURVEY_DIGITS);
    expect(text).toContain('满意请回复1');
    expect(text).toContain('基本满意请回复2');
    expect(text).toContain('不满意请回复3');
    expect(text).toContain('9');
  });
});
