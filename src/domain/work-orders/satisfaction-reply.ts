import type { SatisfactionLevel } from './types.ts';

/**
 * The digits the survey SMS offers. Both the survey text and the parser come from this one table, so they
 * cannot disagree. Default: 1 满意, 2 基本满意, 3 不满意.
 */
export type SurveyDigits = Readonly<Record<string, SatisfactionLevel>>;

export const DEFAULT_SURVEY_DIGITS: SurveyDigits = Object.freeze({
  '1': 'satisfied',
  '2': 'basically-satisfied',
  '3': 'dissatisfied',
});

const LEVEL_WORDS: Record<SatisfactionLevel, string> = {
  satisfied: '满意',
  'basically-satisfied': '基本满意',
  dissatisfied: '不满意',
};

export function surveyText(orderId: number, digits: SurveyDigits = DEFAULT_SURVEY_DIGITS): string {
  const options = Object.entries(digits)
    .map(([d, level]) => `${LEVEL_WORDS[level]}请回复${d}`)
    .join('，');
  return `【12345热线】您反映的诉求（工单号${orderId}）已办结。${options}。24小时内未回复视为满意。`;
}

export type ParsedReply =
  | { ok: true; level: SatisfactionLevel }
  | { ok: false; reason: 'empty' | 'unrecognised' | 'ambiguous' };

// Checked in this order: the negative and qualified phrases contain 满意, so they must win over it.
const DISSATISFIED = [
  '非常不满意',
  '很不满意',
  '不太满意',
  '不大满意',
  '不满意',
  '不满',
  '差评',
  '没解决',
  '未解决',
  '没有解决',
];
const BASIC = ['基本满意', '比较满意', '还算满意', '一般', '还行', '凑合'];
const SATISFIED = ['非常满意', '十分满意', '很满意', '满意', '好评', '已解决'];

/**
 * Reads a requester's SMS answer to the survey: a digit ("1", full-width "１"), a word ("满意", "基本满意",
 * "不满意", …), or both ("1满意"). Punctuation, spaces and a trailing signature are ignored; a digit and a word
 * that disagree, or two different digits, are ambiguous and go to a person.
 */
export function parseSatisfactionReply(text: string, digits: SurveyDigits = DEFAULT_SURVEY_DIGITS): ParsedReply {
  const nfkc = text.normalize('NFKC');
  const normalised = nfkc.replace(/[\s\p{P}\p{S}]+/gu, '').toLowerCase();
  if (normalised === '') return { ok: false, reason: 'empty' };

  let wordLevel: SatisfactionLevel | undefined;
  let rest = normalised;
  for (const [level, words] of [
    ['dissatisfied', DISSATISFIED],
    ['basically-satisfied', BASIC],
    ['satisfied', SATISFIED],
  ] as const) {
    const hit = words.find((w) => rest.includes(w));
    if (hit === undefined) continue;
    if (wordLevel !== undefined && wordLevel !== level) return { ok: false, reason: 'ambiguous' };
    wordLevel = level;
    // Remove every phrase of this level so that "不满意" does not also count as "满意".
    for (const w of words) rest = rest.split(w).join('');
  }

  // Digits are read before spaces are dropped, so "1 2" is two answers, not twelve.
  const digitsFound = [...new Set(nfkc.match(/\d+/g) ?? [])];
  let digitLevel: SatisfactionLevel | undefined;
  if (digitsFound.length > 1) return { ok: false, reason: 'ambiguous' };
  if (digitsFound.length === 1) {
    digitLevel = digits[digitsFound[0] as string];
    if (digitLevel === undefined) return { ok: false, reason: 'unrecognised' };
  }

  if (digitLevel !== undefined && wordLevel !== undefined && digitLevel !== wordLevel)
    return { ok: false, reason: 'ambiguous' };
  const level = digitLevel ?? wordLevel;
  return level === undefined ? { ok: false, reason: 'unrecognised' } : { ok: true, level };
}
