/**
 * Carries out the timing plans of `timing.ts` on the live server: each REST request waits its latency (real
 * timers: the simulator stands in for an external system), then its effect runs and its reply is written
 * before, between or after the events the effect produced. The WebSocket stream itself is never reordered
 * (a real Asterisk keeps its event order); only where a reply falls in it moves. With no timing set,
 * requests and events go straight through, exactly as before.
 */
import { TimingPlanner, type SimulatorTiming } from './timing.ts';

/** Holds the outgoing event stream (all WebSockets, in order) while a reply must go first. */
class EventGate {
  private held = false;
  private readonly queue: Array<() => void> = [];

  deliver(fn: () => void): void {
    if (this.held || this.queue.length) this.queue.push(fn);
    else fn();
  }
  get queued(): number {
    return this.queue.length;
  }
  hold(): void {
    this.held = true;
  }
  releaseFirst(count: number): void {
    for (let i = 0; i < count && this.queue.length; i++) this.queue.shift()?.();
  }
  release(): void {
    this.held = false;
    while (this.queue.length) this.queue.shift()?.();
  }
}

export class RestTiming {
  private planner: TimingPlanner | undefined;
  private readonly gate = new EventGate();
  /** Effects and their replies run one request at a time, so each request's events are its own. */
  private serial: Promise<void> = Promise.resolve();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;
  private waiting = 0;

  constructor(
    private readonly engineIdle: () => boolean,
    timing: SimulatorTiming | undefined,
    private readonly onError: (err: unknown) => void,
  ) {
    this.set(timing);
  }

  get timing(): SimulatorTiming | undefined {
    return this.planner?.timing;
  }

  get enabled(): boolean {
    return this.planner !== undefined;
  }

  /** Requests taken in but not answered yet (waiting their latency or their turn). */
  get inFlight(): number {
    return this.waiting;
  }

  /** Switches timing on (the PRNG restarts from the seed) or off. Requests already waiting keep their plan. */
  set(timing: SimulatorTiming | undefined): void {
    this.planner = timing ? new TimingPlanner(structuredClone(timing)) : undefined;
    if (!timing) this.gate.release();
  }

  /** Every ARI event for every WebSocket goes through here. */
  deliver(send: () => void): void {
    this.gate.deliver(send);
  }

  /**
   * Runs a request under the timing plan of its route (`METHOD /path/{param}`). `effect` changes the PBX
   * and returns the function that writes the reply.
   */
  run(routeKey: string, effect: () => () => void): void {
    const planner = this.planner;
    if (!planner) {
      effect()();
      return;
    }
    const plan = planner.plan(routeKey);
    const gap = planner.timing.gapMs ?? 1;
    this.waiting++;
    let answered = false;
    const answer = (reply: () => void) => {
      answered = true;
      this.waiting--;
      reply();
    };
    void this.sleep(plan.latencyMs).then(() => {
      this.serial = this.serial
        .then(async () => {
          if (this.closed) return;
          if (plan.order !== 'before') this.gate.hold();
          try {
            const reply = effect();
            await this.settle();
            if (plan.order === 'before') {
              await this.sleep(gap);
              answer(reply);
            } else if (plan.order === 'between') {
              const n = this.gate.queued;
              this.gate.releaseFirst(n < 2 ? n : 1 + Math.floor(plan.split * (n - 1)));
              await this.sleep(gap);
              answer(reply);
              await this.sleep(gap);
            } else {
              answer(reply);
              await this.sleep(gap);
            }
          } finally {
            this.gate.release();
          }
        })
        .catch(this.onError)
        .finally(() => {
          if (!answered) this.waiting--;
        });
    });
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.gate.release();
  }

  /** Lets the engine's zero-time continuations (and the events they publish) finish. */
  private async settle(): Promise<void> {
    for (let i = 0; i < 100 && !this.engineIdle(); i++) await new Promise<void>((r) => setImmediate(r));
  }

  private sleep(ms: number): Promise<void> {
    if (this.closed) return new Promise<void>(() => {});
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        resolve();
      }, ms);
      this.timers.add(t);
    });
  }
}
