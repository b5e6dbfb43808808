/** Asterisk's ARI timestamp: `2026-11-25T22:26:52.389+0000` (UTC, milliseconds, numeric zone). */
export function ariTimestamp(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23)}+0000`;
}

/** Uniqueid as Asterisk prints it: epoch seconds at creation, a dot, a process-wide counter. */
export function uniqueId(ms: number, seq: number): string {
  return `${Math.floor(ms / 1000)}.${seq}`;
}

/** Channel name suffix: 8 lowercase hex digits of a process-wide counter. */
export function nameSuffix(seq: number): string {
  return seq.toString(16).padStart(8, '0');
}
