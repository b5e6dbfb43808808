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
