/**
 * Overflow groups used once a call has waited past the answer threshold (art. 25):
 * `any-skill` = any ready agent whatever their skills; `leaders` = leader seats (art. 23 rota).
 */
export type OverflowGroup = 'any-skill' | 'leaders';

export interface AcdConfig {
  /** Ring-no-answer: an offered agent who has not answered within this is paused with reason RONA. */
  ringTimeoutMs: number;
  /** After-call work; the agent becomes ready when it ends (or earlier on request). */
  wrapUpMs: number;
  /** The agent may extend the wrap-up, one `wrapUpMs` at a time, up to this much in all. */
  wrapUpMaxMs: number;
  /**
   * Wrap-up codes (事后处理): what the call was about, chosen before the agent makes themselves ready again.
   * Empty: no code is asked for.
   */
  wrapUpCodes: { code: string; label: string }[];
  /** Position announcements while waiting; 0 turns them off. */
  announceEveryMs: number;
  /** Supervisors are alerted when a call has waited this long since leaving the IVR. */
  prewarnMs: number;
  /** The answer target (art. 25: 20 s); past it the call escalates and a breach is recorded. */
  breachMs: number;
  overflow: OverflowGroup[];
  /** Queue priority of a repeat caller with an open work order (higher goes first). */
  repeatCallerPriority: number;
  /** Talk plus wrap-up time of a typical call, for the estimated wait announced to callers. */
  averageHandleMs: number;
}

export const defaultAcdConfig: AcdConfig = {
  ringTimeoutMs: 10_000,
  wrapUpMs: 15_000,
  wrapUpMaxMs: 120_000,
  wrapUpCodes: [],
  announceEveryMs: 30_000,
  prewarnMs: 15_000,
  breachMs: 20_000,
  overflow: ['any-skill', 'leaders'],
  repeatCallerPriority: 5,
  averageHandleMs: 240_000,
};
