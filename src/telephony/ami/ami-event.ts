/**
 * An AMI event as the rest of the server sees it. asterisk-manager hands over an object with every key
 * lowercased, repeated keys turned into arrays and `Variable:`/`ChanVariable:` lines turned into
 * sub-objects (which mangles VarSet, whose `Variable:` holds a bare name). This undoes the damage.
 */
export interface AmiEvent {
  /** The event name as Asterisk sent it, e.g. `Newchannel`, `DialEnd`. */
  readonly name: string;
  /**
   * Every other header, keyed by its lowercased name (`calleridnum`, `cause-txt`, `uniqueid`); each value is
   * a string. A repeated header keeps its first value.
   */
  readonly fields: Readonly<Record<string, string>>;
  /** `ChanVariable: name=value` headers (channel variables appended to events by manager.conf). */
  readonly variables: Readonly<Record<string, string>>;
}

export type RawManagerEvent = Record<string, unknown>;

export function normaliseEvent(raw: RawManagerEvent): AmiEvent | undefined {
  const rawName = raw['event'];
  const name = Array.isArray(rawName) ? rawName[0] : rawName;
  if (typeof name !== 'string' || name.length === 0) return undefined;
  const fields: Record<string, string> = {};
  const variables: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'event') continue;
    if (key === 'chanvariable' && isPlainObject(value)) {
      for (const [k, v] of Object.entries(value)) variables[k] = String(v);
      continue;
    }
    if (key === 'variable' && isPlainObject(value)) {
      // VarSet sends `Variable: NAME` and `Value: x`; asterisk-manager split "NAME" on '=' into { NAME: '' }.
      const names = Object.keys(value);
      const first = names[0];
      if (first !== undefined) {
        const rest = value[first];
        fields['variable'] = rest === '' || rest === undefined ? first : `${first}=${String(rest)}`;
      }
      continue;
    }
    const scalar = Array.isArray(value) ? value[0] : value;
    if (scalar === undefined || scalar === null) continue;
    fields[key] = String(scalar);
  }
  return { name, fields, variables };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Lowercased-key view of an action response (what asterisk-manager passes to the action callback). */
export function normaliseResponse(raw: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isPlainObject(raw)) return out;
  for (const [key, value] of Object.entries(raw)) {
    const scalar = Array.isArray(value) ? value[0] : value;
    if (scalar === undefined || scalar === null || typeof scalar === 'object') continue;
    out[key.toLowerCase()] = String(scalar);
  }
  return out;
}
