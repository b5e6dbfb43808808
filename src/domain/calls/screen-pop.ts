import type { TransferNote } from './call-center-state.ts';
import type { IvrChoice } from './call-record.ts';

/**
 * What the offered agent's desktop needs while the phone rings. The adapter adds the caller's
 * earlier work orders and masks the number for roles that may not see it.
 */
export interface ScreenPop {
  callId: string;
  callerNumber: string;
  skill: string;
  priority: number;
  repeatCaller: boolean;
  ivrPath: string[];
  ivrChoices: IvrChoice[];
  arrivedAt: number;
  ivrExitAt: number;
  offeredAt: number;
  /** offeredAt − ivrExitAt. */
  waitedMs: number;
  /** Handed over by another agent (内部转接): who, why and when. */
  transfer?: TransferNote;
  /** A callback call (回拨): which callback, and the call it calls back (the adapter adds the tries so far). */
  callback?: { callbackId: number; originalCallId: string };
}
