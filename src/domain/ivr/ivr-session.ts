import type { IvrAction } from './ivr-config.ts';

/**
 * Where one caller is in the voice menu.
 * - `prompting`: a node's prompt is playing (digits barge in on menus and ticket entry).
 * - `waiting`: the prompt finished; a time-out timer runs.
 * - `awaiting-status`: a work-order number was keyed; the status lookup is pending.
 * - `reading`: the status is being read back; then the node's `next` runs.
 * - `finishing`: a closing prompt plays; then the session exits with `pendingExit`.
 */
export type IvrPhase = 'prompting' | 'waiting' | 'awaiting-status' | 'reading' | 'finishing';

export type IvrExit =
  | { kind: 'queue'; skill: string; priority: number }
  | { kind: 'transfer'; number: string }
  | { kind: 'callback' }
  | { kind: 'hangup' }
  | { kind: 'caller-hangup' };

export interface IvrSession {
  callId: string;
  channelId: string;
  callerNumber: string;
  node: string;
  phase: IvrPhase;
  playbackId?: string;
  timerKey?: string;
  seq: number;
  /** Failed attempts (invalid or no input) on the current node. */
  attempts: number;
  digits: string;
  /** After a `play` action's prompt: the node to enter. */
  afterPlay?: IvrAction;
  pendingExit?: IvrExit;
  skill?: string;
  path: string[];
  choices: IvrChoice[];
  invalidInputs: number;
  timeouts: number;
  /**
   * Work-order numbers keyed on this call that were not found or not the caller's to hear. Counted per call, not
   * per visit of the node, so that going round the menu cannot be used to try order numbers one after another.
   */
  ticketLookupFailures: number;
}

/** One choice made in the voice menu, kept in the call's record. */
export interface IvrChoice {
  node: string;
  /** The key pressed, or null when the option was taken on time-out. */
  digit: string | null;
  label?: string;
}
