import { readFileSync } from 'node:fs';
import { AmiMessageReader, getHeader, type AmiMessage } from '../../src/shared/ami-codec.ts';

/** The events of a captured AMI stream (test/fixtures/asterisk-reference/ami/ami-scenarioN.txt), in order, actions left out. */
export function readReferenceEvents(file: string): AmiMessage[] {
  const text = readFileSync(file, 'utf8');
  // The capture starts with the banner and interleaves `>>> SENT:` blocks (the client's actions).
  const body = text
    .split(/\r?\n/)
    .slice(1)
    .filter((l) => l !== '>>> SENT:')
    .join('\r\n');
  const messages = new AmiMessageReader().push(`${body}\r\n\r\n`);
  return messages.filter((m) => getHeader(m, 'Event') !== undefined);
}

export const eventName = (m: AmiMessage): string => getHeader(m, 'Event') ?? '';
export const keysOf = (m: AmiMessage): string[] => m.map(([k]) => k);

/** `Local/300@cti-inbound-00000004;2` → `Local/300@cti-inbound;2`: the sequence number depends on history. */
export function normaliseChannelName(name: string): string {
  return name.replace(/-[0-9a-f]{8}(;[12])?$/, '$1');
}

/**
 * Per-event-name field lists, asserting that every occurrence of a name has the same fields in the same
 * order (true in the captures). Returns name → keys.
 */
export function fieldSets(events: AmiMessage[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of events) {
    const name = eventName(e);
    const keys = keysOf(e);
    const seen = out.get(name);
    if (!seen) out.set(name, keys);
    else if (seen.join('|') !== keys.join('|'))
      throw new Error(`event ${name} occurs with two field sets: ${seen.join(',')} / ${keys.join(',')}`);
  }
  return out;
}

/**
 * The life of each channel as a short signature: creation state, state changes, bridge enter/leave,
 * dial outcomes seen as destination, and the hangup cause. Channel names are normalised.
 */
export function channelLives(events: AmiMessage[]): Map<string, string[]> {
  const lives = new Map<string, string[]>();
  const push = (channel: string | undefined, item: string): void => {
    if (!channel) return;
    const key = normaliseChannelName(channel);
    const list = lives.get(key) ?? [];
    list.push(item);
    lives.set(key, list);
  };
  for (const e of events) {
    const name = eventName(e);
    const ch = getHeader(e, 'Channel');
    switch (name) {
      case 'Newchannel':
        push(ch, `new:${getHeader(e, 'ChannelStateDesc')}`);
        break;
      case 'Newstate':
        push(ch, `state:${getHeader(e, 'ChannelStateDesc')}`);
        break;
      case 'BridgeEnter':
        push(ch, 'enter');
        break;
      case 'BridgeLeave':
        push(ch, 'leave');
        break;
      case 'DialBegin':
        push(getHeader(e, 'DestChannel'), 'dial:begin');
        break;
      case 'DialState':
        push(getHeader(e, 'DestChannel'), `dial:${getHeader(e, 'DialStatus')}`);
        break;
      case 'DialEnd':
        push(getHeader(e, 'DestChannel'), `dial:${getHeader(e, 'DialStatus')}`);
        break;
      case 'Hangup':
        push(ch, `hangup:${getHeader(e, 'Cause')}`);
        break;
    }
  }
  return lives;
}

/** Bridge lifecycle: create, each enter/leave with the channel count after it, destroy. */
export function bridgeLives(events: AmiMessage[]): Map<string, string[]> {
  const lives = new Map<string, string[]>();
  for (const e of events) {
    const name = eventName(e);
    if (!name.startsWith('Bridge')) continue;
    const id = getHeader(e, 'BridgeUniqueid') ?? '';
    const list = lives.get(id) ?? [];
    list.push(`${name}:${getHeader(e, 'BridgeNumChannels')}:${getHeader(e, 'BridgeTechnology')}`);
    lives.set(id, list);
  }
  return lives;
}
