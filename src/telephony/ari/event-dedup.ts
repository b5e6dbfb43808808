import type { AriEvent } from './events.ts';

/**
 * Drops an event identical to one seen recently: same type, same timestamp, same ids and same
 * content. Asterisk never sends the same event twice, but a proxy, a PBX fault or a replay after a
 * reconnect can; handling a StasisStart or a hangup twice would duplicate call state. The key is a
 * canonical (key-sorted) serialisation, so a re-serialised copy is still recognised. Bounded memory.
 */
export class EventDeduplicator {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity = 4096) {}

  /** True if the event is new (and remembers it); false if it is a duplicate. */
  admit(event: AriEvent): boolean {
    const key = canonicalKey(event);
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    if (this.seen.size > this.capacity) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    return true;
  }

  get size(): number {
    return this.seen.size;
  }
}

export function canonicalKey(event: AriEvent): string {
  // Without a timestamp two distinct events could look identical; such events are never deduplicated.
  if (!event.timestamp) return `${Math.random()}`;
  return `${event.type}|${event.timestamp}|${stableStringify(event)}`;
}

function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(obj[k])}`).join(',')}}`;
}
