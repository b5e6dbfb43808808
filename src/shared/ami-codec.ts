/**
 * AMI wire format: a message is "Key: Value" lines, each ended by CRLF, and the message is ended by an
 * empty line. Header order matters to some clients (and to the reference streams), so a message is an
 * ordered list of pairs, not a map.
 */
export type AmiHeader = readonly [key: string, value: string];
export type AmiMessage = readonly AmiHeader[];

/** Asterisk keeps at most 128 headers per message (AST_MAX_MANHEADERS); the rest are dropped. */
export const MAX_HEADERS = 128;
/** A line longer than this without a line end is discarded, as Asterisk dumps over-long lines. */
export const MAX_LINE_CHARS = 8192;

export function formatAmiMessage(headers: AmiMessage): string {
  let out = '';
  for (const [key, value] of headers) out += `${key}: ${sanitize(value)}\r\n`;
  return `${out}\r\n`;
}

/** A value with a line break would end the message early and let one field inject headers. */
function sanitize(value: string): string {
  return value.includes('\n') || value.includes('\r') ? value.replace(/[\r\n]+/g, ' ') : value;
}

/** First header with this key, case-insensitive as Asterisk's astman_get_header(). */
export function getHeader(message: AmiMessage, key: string): string | undefined {
  const wanted = key.toLowerCase();
  for (const [k, v] of message) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

/** All values of a repeated header (e.g. several `Variable:` lines), in order. */
export function getHeaders(message: AmiMessage, key: string): string[] {
  const wanted = key.toLowerCase();
  return message.filter(([k]) => k.toLowerCase() === wanted).map(([, v]) => v);
}

/**
 * Incremental reader for the bytes a peer sends. Accepts CRLF or bare LF (Asterisk does too). A line
 * without a colon is kept out of the message (it can match no header), and never throws.
 */
export class AmiMessageReader {
  private buffer = '';
  private current: AmiHeader[] = [];
  private discardingLongLine = false;

  push(chunk: string): AmiMessage[] {
    this.buffer += chunk;
    const out: AmiMessage[] = [];
    for (;;) {
      const nl = this.buffer.indexOf('\n');
      if (nl < 0) break;
      let line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      if (this.discardingLongLine) {
        this.discardingLongLine = false;
        continue;
      }
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line.length === 0) {
        if (this.current.length > 0) out.push(this.current);
        this.current = [];
        continue;
      }
      if (line.length > MAX_LINE_CHARS) continue;
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      if (this.current.length >= MAX_HEADERS) continue;
      const key = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).replace(/^[ \t]+/, '');
      this.current.push([key, value]);
    }
    if (this.buffer.length > MAX_LINE_CHARS) {
      this.buffer = '';
      this.discardingLongLine = true;
    }
    return out;
  }
}
