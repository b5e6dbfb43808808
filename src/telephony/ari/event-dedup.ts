import type { AriEvent } from './events.ts';

/**
 * Drops an event frame identical to one received recently: same type, same timestamp, same ids and
 * same content, byte for byte. Asterisk never sends the same event twice, but a proxy, a PBX fault
 * or a replay can, and handling a StasisStart or a hangup twice would duplicate call state. Events
 * carry millisecond timestamps, so two genuine events are never byte-identical in practice (a second
 * ChannelLeftBridge for the same channel and bridge in the same millisecond is the theoretical case).
 * The raw frame text is the key: cheap (no re-serialisation on the hot path) and exact. Bounded memory.
 */
export class EventDeduplicator {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity = 4096) {}

  /** True if the frame is new (and remembers it); false if it is a duplicate. */
  admit(event: AriEvent, frame: string): boolean {
    // Without a timestamp two distinct events could be identical; such frames are never deduplicated.
    if (!event.timestamp) return true;
    if (this.seen.has(frame)) return false;
    this.seen.add(frame);
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
