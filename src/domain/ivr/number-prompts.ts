import type { IvrPromptSet, PromptId } from './ivr-config.ts';

/** Each digit read on its own, as for a work-order number. */
export function digitPrompts(prompts: IvrPromptSet, digits: string): PromptId[] {
  const out: PromptId[] = [];
  for (const ch of digits) {
    const d = prompts.digits[Number(ch)];
    if (/^\d$/.test(ch) && d !== undefined) out.push(d);
  }
  return out;
}

/**
 * A count read as a Mandarin number (0–999): 12 → 十 二, 25 → 二 十 五, 105 → 一 百 零 五.
 * Larger numbers are read digit by digit.
 */
export function numberPrompts(prompts: IvrPromptSet, n: number): PromptId[] {
  const d = (k: number): PromptId => prompts.digits[k] as PromptId;
  if (!Number.isInteger(n) || n < 0) throw new Error(`numberPrompts: not a count: ${n}`);
  if (n > 999) return digitPrompts(prompts, String(n));
  if (n < 10) return [d(n)];
  const hundreds = Math.floor(n / 100);
  const tens = Math.floor((n % 100) / 10);
  const units = n % 10;
  const out: PromptId[] = [];
  if (hundreds > 0) {
    out.push(d(hundreds), prompts.hundred);
    if (tens === 0 && units === 0) return out;
    if (tens === 0) return [...out, d(0), d(units)];
    out.push(d(tens), prompts.ten);
  } else if (tens === 1) {
    out.push(prompts.ten);
  } else {
    out.push(d(tens), prompts.ten);
  }
  if (units > 0) out.push(d(units));
  return out;
}
