/** Why a call was not answered within the answer target (art. 25). */
export type BreachCause =
  /** No agent with the skill was signed in and unpaused. */
  | 'nobody-ready'
  /** At least one offer to an agent went unanswered (ring-no-answer or the agent's phone failed). */
  | 'rona'
  /** Agents with the skill were signed in and unpaused, but all were ringing, talking or in wrap-up. */
  | 'all-busy'
  /** The call was ringing at an agent, first offer, when the target passed. */
  | 'still-ringing';

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
  | 'completed-in-ivr';

export interface IvrChoice {
  node: string;
  /** The key pressed, or null when the option was taken on time-out. */
  digit: string | null;
  label?: string;
}

export interface FailedOffer {
  agentId: string;
  at: number;
  cause: 'rona' | 'unreachable';
}

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
