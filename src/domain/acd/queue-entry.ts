/** A call waiting for an agent. It keeps its place (priority, enqueuedAt, seq) across re-offers. */
export interface QueueEntry {
  skill: string;
  priority: number;
  /** = the IVR exit time; the answer clock (art. 25) and the queue order both start here. */
  enqueuedAt: number;
  seq: number;
  /** Past the answer target: overflow groups may take it too. */
  escalated: boolean;
  /** A supervisor sent the call to the leaders on duty (art. 23): only they are offered it. */
  leadersOnly?: boolean;
  offeredTo?: string;
  offeredAt?: number;
}

/** Queue order: higher priority first, then the earliest to leave the IVR, then arrival sequence. */
export function compareQueueEntries(a: QueueEntry, b: QueueEntry): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.enqueuedAt !== b.enqueuedAt) return a.enqueuedAt - b.enqueuedAt;
  return a.seq - b.seq;
}
