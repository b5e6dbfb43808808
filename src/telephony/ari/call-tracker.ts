import type { AriConnection } from './connection.ts';
import type { AriEvent } from './events.ts';
import type { Channel } from './models.ts';
import { isInStasisApp, type ReconcileHandler, type ReconcileSnapshot } from './reconcile.ts';

export type CallEnd = 'StasisEnd' | 'ChannelDestroyed' | 'vanished';

export interface TrackedCall {
  channelId: string;
  /** 'event' when a StasisStart was seen, 'reconcile' when adopted from a snapshot. */
  origin: 'event' | 'reconcile';
  state: string;
  /** Events about this channel handled while the call was active, by type. */
  events: Record<string, number>;
  endedBy?: CallEnd;
}

/**
 * A minimal in-memory call layer: a call is a channel from StasisStart (or adoption on reconcile)
 * until StasisEnd, ChannelDestroyed, or its disappearance from a reconcile snapshot. It counts the
 * events it handled per call, which lets tests prove that nothing is lost or handled twice across
 * reconnects. The real call layer follows the same contract with its own state.
 */
export class CallTracker implements ReconcileHandler {
  readonly active = new Map<string, TrackedCall>();
  readonly ended = new Map<string, TrackedCall>();
  readonly reconciles: ReconcileSnapshot[] = [];

  constructor(private readonly app: string) {}

  attach(connection: AriConnection): () => void {
    return connection.on('*', (event) => this.handle(event));
  }

  reconcile(snapshot: ReconcileSnapshot): void {
    this.reconciles.push(snapshot);
    const present = new Map(snapshot.channels.map((c) => [c.id, c]));
    for (const [id, call] of this.active) {
      const channel = present.get(id);
      if (!channel || !isInStasisApp(channel, this.app)) this.finish(call, 'vanished');
      else call.state = channel.state;
    }
    for (const channel of snapshot.channels) {
      if (!isInStasisApp(channel, this.app) || this.active.has(channel.id) || this.ended.has(channel.id)) continue;
      this.active.set(channel.id, { channelId: channel.id, origin: 'reconcile', state: channel.state, events: {} });
    }
  }

  handle(event: AriEvent): void {
    const channel = channelOf(event);
    if (!channel) return;
    if (event.type === 'StasisStart') {
      // An ended id never comes back (Asterisk ids are unique); a late StasisStart for it is stale.
      if (!this.active.has(channel.id) && !this.ended.has(channel.id)) {
        this.active.set(channel.id, { channelId: channel.id, origin: 'event', state: channel.state, events: {} });
      }
    }
    const call = this.active.get(channel.id);
    if (!call) {
      // An end that overtakes its start (reordered delivery) still ends the call: remember it, so the
      // late StasisStart is recognised as stale instead of opening a call that never ends.
      if ((event.type === 'StasisEnd' || event.type === 'ChannelDestroyed') && !this.ended.has(channel.id)) {
        this.ended.set(channel.id, {
          channelId: channel.id,
          origin: 'event',
          state: channel.state,
          events: {},
          endedBy: event.type,
        });
      }
      return;
    }
    call.events[event.type] = (call.events[event.type] ?? 0) + 1;
    if (typeof channel.state === 'string') call.state = channel.state;
    if (event.type === 'StasisEnd') this.finish(call, 'StasisEnd');
    else if (event.type === 'ChannelDestroyed') this.finish(call, 'ChannelDestroyed');
  }

  private finish(call: TrackedCall, how: CallEnd): void {
    call.endedBy = how;
    this.active.delete(call.channelId);
    this.ended.set(call.channelId, call);
  }
}

function channelOf(event: AriEvent): Channel | undefined {
  const ch = (event as { channel?: unknown }).channel;
  if (typeof ch === 'object' && ch !== null && typeof (ch as Channel).id === 'string') return ch as Channel;
  return undefined;
}
