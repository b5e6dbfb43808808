/**
 * One serial queue of ARI requests per call: a bridge exists before it is recorded, a party is
 * dialled after the bridge it joins, a hangup follows the playback it ends. Calls never wait for
 * each other, so one call's slow REST traffic does not delay another call's events or requests.
 */
export class CallQueues {
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly onError: (err: unknown, callId: string, what: string) => void) {}

  run(callId: string, what: string, task: () => Promise<void>): void {
    const prev = this.chains.get(callId) ?? Promise.resolve();
    const next = prev.then(task).catch((err) => this.onError(err, callId, what));
    this.chains.set(callId, next);
    void next.finally(() => {
      if (this.chains.get(callId) === next) this.chains.delete(callId);
    });
  }

  get pending(): number {
    return this.chains.size;
  }

  /** Waits until every queued request has settled (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.chains.size > 0) await Promise.allSettled([...this.chains.values()]);
  }
}
