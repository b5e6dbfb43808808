import { maskPhone, maskPhonesInText } from './phone-mask.ts';

/**
 * The last line of defence of rules art. 22 (never a full phone number in the logs) and of secrets:
 * every JSON log line is read back before it is written, and
 * - values under a key that names a phone number (phone, caller, contact, mobile, …Number) are masked,
 * - values under a key that names a secret (token, password, secret, authorization, cookie) are removed,
 * - every other string has phone-shaped text masked (error messages, echoed URLs, ARI event previews)
 *   and `token=`/`password=`/`secret=` parameters inside it removed.
 * pino's redact paths cover the known fields at known depths; this covers the fields nobody listed.
 */

// …phone, …mobile, …Number (callerNumber), AMI's CallerIDNum / ConnectedLineNum, and objects named caller or
// contact(s) (their fields are read under their own names). Not callerChannelId & co.: ids, not numbers.
const PHONE_KEY =
  /phone|mobile|msisdn|number$|^(?:caller|callerId|contact|contacts|tel|ani|dnid)$|(?:callerid|connectedline)num$/i;
// Counters and sequence numbers that end in "Number" but are not phone numbers.
const NOT_PHONE_KEY = /^(?:connectionNumber|sequenceNumber|versionNumber|attemptNumber|pageNumber)$/i;
const SECRET_KEY =
  /^(?:token|accessToken|refreshToken|password|newPassword|oldPassword|currentPassword|secret|[a-z_]*secret|authorization|cookie|set-cookie)$/i;
const SECRET_PARAM = /([?&;\s]|^)((?:access_|refresh_)?token|password|secret)=[^&\s"#]*/gi;

export const REDACTED = '[redacted]';

/** Masks secrets and phone numbers in free text. */
export function maskLogText(s: string): string {
  return maskPhonesInText(s).replace(SECRET_PARAM, (_m, lead: string, name: string) => `${lead}${name}=${REDACTED}`);
}

function maskValue(value: unknown, key: string | undefined): unknown {
  if (key !== undefined && SECRET_KEY.test(key) && (typeof value === 'string' || typeof value === 'number'))
    return REDACTED;
  if (key !== undefined && PHONE_KEY.test(key) && !NOT_PHONE_KEY.test(key)) {
    // A value already masked (it has stars) or with too few digits to be a number is only scanned as text.
    if (typeof value === 'string')
      return value.includes('*') || value.replace(/\D/g, '').length < 7 ? maskLogText(value) : maskPhone(value);
    if (typeof value === 'number' && Number.isInteger(value) && value >= 1_000_000) return maskPhone(String(value));
  }
  if (typeof value === 'string') return maskLogText(value);
  if (Array.isArray(value)) return value.map((v) => maskValue(v, key));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = maskValue(v, k);
    return out;
  }
  return value;
}

/** pino's streamWrite hook: one serialized line in, the same line with numbers masked and secrets removed out. */
export function maskLogLine(line: string): string {
  const body = line.endsWith('\n') ? line.slice(0, -1) : line;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    // Not JSON (should not happen): mask the raw text rather than write it as it is.
    return maskLogText(line);
  }
  const masked = JSON.stringify(maskValue(parsed, undefined));
  return line.endsWith('\n') ? `${masked}\n` : masked;
}
