import type { AmiMessage } from '../../shared/ami-codec.ts';

/** An AMI event as the rest of the server sees it. */
export interface AmiEvent {
  /** The event name as Asterisk sent it, e.g. `Newchannel`, `DialEnd`. */
  readonly name: string;
  /**
   * Every other header, keyed by its lowercased name (`calleridnum`, `cause-txt`, `uniqueid`, and for VarSet
   * `variable`/`value`); each value is a string. A repeated header keeps its first value.
   */
  readonly fields: Readonly<Record<string, string>>;
  /** `ChanVariable: name=value` headers (channel variables appended to events by manager.conf). */
  readonly variables: Readonly<Record<string, string>>;
}

/** The event in an AMI message, or undefined when it has no usable `Event:` header. */
export function eventFromMessage(message: AmiMessage): AmiEvent | undefined {
  let name: string | undefined;
  const fields: Record<string, string> = {};
  const variables: Record<string, string> = {};
  for (const [rawKey, value] of message) {
    const key = rawKey.toLowerCase();
    if (key === 'event') {
      name ??= value.trim();
      continue;
    }
    if (key === 'chanvariable') {
      const eq = value.indexOf('=');
      if (eq > 0) variables[value.slice(0, eq)] = value.slice(eq + 1);
      continue;
    }
    if (!(key in fields)) fields[key] = value;
  }
  if (!name) return undefined;
  return { name, fields, variables };
}

/** An action response with lowercased keys; repeated `Output:` lines (Command) are joined with newlines. */
export function responseFields(message: AmiMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [rawKey, value] of message) {
    const key = rawKey.toLowerCase();
    if (key === 'output' && key in out) out[key] = `${out[key]}\n${value}`;
    else if (!(key in out)) out[key] = value;
  }
  return out;
}
