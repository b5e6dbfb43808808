import type { AriRestClient } from './rest-client.ts';
import type { Bridge, Channel } from './models.ts';

/**
 * What the PBX holds for our application at the moment the (re)connection was made. Events that
 * arrive while the handler works on it are held back and delivered afterwards, in order.
 */
export interface ReconcileSnapshot {
  app: string;
  /** Channels the application knows (in Stasis, or subscribed such as the other half of a Local channel). */
  channels: Channel[];
  bridges: Bridge[];
  /** Clock time the snapshot was taken. */
  takenAt: number;
  /** 1 on the first connection, then 2, 3, ... on each reconnection. */
  connectionNumber: number;
}

/**
 * Implemented by the call layer: adopt the calls still alive, end the ones that vanished (a PBX
 * restart loses channels without StasisEnd), hang up what cannot be continued. It may use `rest`.
 * A rejection makes the connection drop and retry later, since events cannot be trusted without it.
 */
export interface ReconcileHandler {
  reconcile(snapshot: ReconcileSnapshot, rest: AriRestClient): Promise<void> | void;
}

/** True when the channel is executing Stasis() for this application (rather than merely subscribed). */
export function isInStasisApp(channel: Channel, app: string): boolean {
  if (channel.dialplan?.app_name !== 'Stasis') return false;
  const data = channel.dialplan.app_data ?? '';
  return data === app || data.startsWith(`${app},`);
}
