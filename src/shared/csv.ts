/**
 * CSV for spreadsheets (RFC 4180 quoting). Excel runs a cell that starts with = + - @ (or a tab or
 * carriage return) as a formula, so such cells get a leading apostrophe ("CSV injection", OWASP).
 * A caller number such as +8613812341234 is therefore exported as '+8613812341234.
 */
export const UTF8_BOM = '\uFEFF';

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let s = typeof value === 'string' ? value : String(value);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One line, CRLF-terminated as RFC 4180 and Excel expect. */
export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
