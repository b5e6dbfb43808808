/**
 * The effects the voice menu decides (a part of the calls domain's `Effect`): prompts, its timers,
 * the end of the call, a work-order status lookup and a callback request. Timers carry absolute
 * deadlines (epoch ms).
 */
export type IvrEffect =
  /** `media` are ARI media URIs played in order as one playback; `lang` is the ARI play `lang` (sound language). */
  | { type: 'play'; callId: string; channelId: string; playbackId: string; media: string[]; lang?: string }
  | { type: 'stop-playback'; callId: string; playbackId: string }
  | { type: 'set-timer'; key: string; at: number }
  | { type: 'cancel-timer'; key: string }
  | { type: 'hangup'; callId: string; channelId: string; reason: string }
  /** Look up a work order's status for this calling number (only its requester or contact may hear it); answered with `ticket-status-result`. */
  | { type: 'read-ticket-status'; callId: string; ticketNumber: string; callerNumber: string }
  | { type: 'add-callback'; callId: string; callerNumber: string; reason: 'abandoned' | 'requested'; at: number };
