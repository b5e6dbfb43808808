import type { BreachCause, FailedOffer } from '../acd/breach-cause.ts';
import type { IvrChoice } from '../ivr/ivr-session.ts';

export type { BreachCause, FailedOffer } from '../acd/breach-cause.ts';
export type { IvrChoice } from '../ivr/ivr-session.ts';

export type CallOutcome =
  | 'in-progress'
  /** Answered by an agent. */
  | 'answered'
  /** The caller hung up while queued or while an agent was ringing. */
  | 'abandoned'
  /** The caller hung up in the voice menu. */
  | 'abandoned-in-ivr'
  /** Sent to another number from the menu (e.g. 110). */
  | 'transferred'
  /** The caller asked for a callback in the menu. */
  | 'callback-requested'
  /** The menu ended the call itself (self-service finished). */
  | 'completed-in-ivr'
  /** A callback call in which the citizen was not reached (the agent records why). */
  | 'callback-failed';

/** Everything the CDR store keeps about one call; times are epoch milliseconds. */
export interface CallRecord {
  callId: string;
  callerNumber: string;
  arrivedAt: number;
  ivrPath: string[];
  ivrChoices: IvrChoice[];
  ivrInvalidInputs: number;
  ivrTimeouts: number;
  /** When the caller left the voice menu: the start of the 20-second answer clock (art. 25). */
  ivrExitAt?: number;
  queuedAt?: number;
  skill?: string;
  priority: number;
  repeatCaller: boolean;
  firstOfferedAt?: number;
  offers: number;
  failedOffers: FailedOffer[];
  prewarnedAt?: number;
  breach?: { at: number; cause: BreachCause };
  escalatedAt?: number;
  answeredAt?: number;
  /** answeredAt − ivrExitAt. */
  answerMs?: number;
  agentId?: string;
  transferNumber?: string;
  /** When the number of a voice-menu transfer answered (the caller talks with it from then on). */
  transferAnsweredAt?: number;
  endedAt?: number;
  outcome: CallOutcome;
}
