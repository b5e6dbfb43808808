/**
 * Phone numbers are personal data (rules art. 22): shown in full only to roles allowed to see them,
 * never in full in logs. Mainland mobiles become 138****1234; other numbers keep their first 3 and
 * last 4 digits when long enough, and are fully starred when short.
 */
export function maskPhone(raw: string | null | undefined): string {
  if (raw === null || raw === undefined) return '';
  const s = String(raw);
  let digits = s.replace(/\D/g, '');
  // +86 / 0086 prefixes carry no information about the person; mask the national number.
  if (/^(0086|86)1\d{10}$/.test(digits)) digits = digits.replace(/^(0086|86)/, '');
  if (digits.length >= 8) {
    const keepHead = 3;
    const keepTail = 4;
    return digits.slice(0, keepHead) + '*'.repeat(digits.length - keepHead - keepTail) + digits.slice(-keepTail);
  }
  if (digits.length === 0) return s;
  // Short numbers such as 110 or 12345 are public service numbers, not personal data.
  if (digits.length <= 5) return digits;
  return '*'.repeat(digits.length - 2) + digits.slice(-2);
}

// A digit, plain or percent-encoded (%31 is "1"): URLs and echoed input reach the log both ways.
const D = '(?:[0-9]|%3[0-9])';
// What people and dialers put between digits: spaces, dashes, dots, parentheses, "+", and their encodings.
const S = '(?:[ \\t.()\\-+_/]|%(?:20|2[89BbDdEeFf]|09))';
const NOT_AFTER_DIGIT = '(?<![0-9]|%3[0-9])';
const NOT_BEFORE_DIGIT = '(?![0-9]|%3[0-9])';
// +86 / 0086 / 86 before a mainland number.
const PREFIX = `(?:(?:\\+|%2[Bb])${S}{0,2})?(?:(?:0|%30)(?:0|%30)${S}{0,2})?(?:8|%38)${S}{0,2}(?:6|%36)${S}{0,3}`;
// Mobile: 1[3-9] and 9 more digits. Landline: 0, an area code not starting with 0, 9 to 11 digits in all after the 0.
const MOBILE = `(?:1|%31)${S}{0,3}(?:[3-9]|%3[3-9])(?:${S}{0,3}${D}){9}`;
const LANDLINE = `(?:0|%30)${S}{0,3}(?:[1-9]|%3[1-9])(?:${S}{0,3}${D}){8,10}`;
const PHONE_IN_TEXT = new RegExp(
  `${NOT_AFTER_DIGIT}(?:\\(|%28)?(?:${PREFIX})?(?:${MOBILE}|${LANDLINE})${NOT_BEFORE_DIGIT}`,
  'g',
);

function decodeDigits(s: string): string {
  return s.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * Masks every phone number in free text (a URL, an error message, an echoed body), whatever its
 * separators (`138-1234-5678`, `(138)12345678`, `+86 138 1234 5678`, `0086…`) and even when its digits
 * are percent-encoded (`%31%33%38…`). Runs of digits that are not phone-shaped (timestamps, ids) are
 * left alone: numbers known to be phones by their field name are masked by the caller with maskPhone.
 */
export function maskPhonesInText(text: string): string {
  return text.replace(PHONE_IN_TEXT, (m) => maskPhone(decodeDigits(m)));
}
