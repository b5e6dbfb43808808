import type { AmiEventClass } from './ami-event-renderer.ts';

const CLASSES: readonly AmiEventClass[] = [
  'system',
  'call',
  'log',
  'verbose',
  'command',
  'agent',
  'user',
  'config',
  'dtmf',
  'reporting',
  'cdr',
  'dialplan',
  'originate',
  'agi',
  'cc',
  'aoc',
  'test',
  'security',
  'message',
];

/** Which event classes a session receives; `null` means every class. */
export type EventMask = ReadonlySet<AmiEventClass> | null;

const TRUE_WORDS = new Set(['yes', 'true', 'y', 't', '1', 'on']);
const FALSE_WORDS = new Set(['no', 'false', 'n', 'f', '0', 'off']);

/**
 * Parses the Login/Events `Events:`/`EventMask:` value like Asterisk's set_eventmask(): a true word turns
 * every class on, a false word turns all off, otherwise a comma list of class names. An absent header
 * leaves events on (Asterisk's default for a new session).
 */
export function parseEventMask(value: string | undefined): EventMask {
  if (value === undefined || value.trim() === '') return null;
  const v = value.trim().toLowerCase();
  if (TRUE_WORDS.has(v)) return null;
  if (FALSE_WORDS.has(v)) return new Set();
  const out = new Set<AmiEventClass>();
  for (const part of v.split(',')) {
    const name = part.trim();
    if (name === 'all') return null;
    const found = CLASSES.find((c) => c === name);
    if (found) out.add(found);
  }
  return out;
}

export function maskAllows(mask: EventMask, eventClass: AmiEventClass): boolean {
  return mask === null || mask.has(eventClass);
}

export function maskIsOff(mask: EventMask): boolean {
  return mask !== null && mask.size === 0;
}
