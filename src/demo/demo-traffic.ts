import type { AgentCommands } from '../calls/agent-commands.ts';
import type { LiveFigures } from '../calls/live-figures.ts';
import type { Clock, TimerId } from '../shared/clock.ts';
import type { Logger } from '../shared/logger.ts';
import type { CallerStep, SimulatorControl } from '../simulator/types.ts';
import type { Caller, WorkOrderService } from '../work-orders/work-order-service.ts';
import type { DemoAccount } from './demo-accounts.ts';

/** A small deterministic PRNG (mulberry32), so a test's demo run is the same every time. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const TOPICS = [
  {
    category: 'environment.noise',
    type: 'complaint',
    content: '小区旁工地夜间施工噪音扰民',
    location: '南宁市青秀区民族大道',
  },
  {
    category: 'traffic.congestion',
    type: 'report',
    content: '早高峰路口信号灯故障造成拥堵',
    location: '南宁市西乡塘区大学东路',
  },
  {
    category: 'urban.street-vending',
    type: 'complaint',
    content: '人行道长期占道经营',
    location: '南宁市兴宁区朝阳路',
  },
  {
    category: 'utilities.water-outage',
    type: 'help',
    content: '家中停水一天，未见通知',
    location: '南宁市江南区星光大道',
  },
  {
    category: 'social.insurance',
    type: 'consultation',
    content: '咨询灵活就业人员社保缴费方式',
    location: '南宁市良庆区',
  },
  {
    category: 'government.policy',
    type: 'suggestion',
    content: '建议延长政务服务中心周末办理时间',
    location: '南宁市青秀区',
  },
] as const;

const TOPIC_UNIT: Record<string, string> = {
  'environment.noise': 'demo-cg',
  'traffic.congestion': 'demo-jj',
  'urban.street-vending': 'demo-cg',
  'utilities.water-outage': 'demo-sw',
  'social.insurance': 'demo-rs',
  'government.policy': 'demo-rs',
};

interface PendingOrder {
  id: number;
  unitId: string;
  next: 'sign' | 'reply' | 'close';
  at: number;
}

export interface DemoTrafficOptions {
  clock: Clock;
  logger: Logger;
  sim: SimulatorControl;
  commands: AgentCommands;
  figures: () => LiveFigures;
  orders: WorkOrderService;
  accounts: DemoAccount[];
  /** Callers per minute on average (DEMO_CALLS_PER_MINUTE). */
  callsPerMinute: number;
  /** How a demo account acts (a Caller with the role's permissions). */
  callerFor: (account: DemoAccount) => Caller;
  random?: () => number;
}

const TICK_MS = 1_000;

/**
 * Demo traffic on the built-in simulator: citizens call at a rate with a mix of desk choices, hang-ups in the
 * menu, impatient callers and repeat callers; the simulated agents answer, talk, write an order and hang up;
 * the units sign and reply, and the hotline closes. Everything runs on the injected clock.
 */
export class DemoTraffic {
  private timer: TimerId | undefined;
  private readonly random: () => number;
  private readonly recentNumbers: string[] = [];
  private readonly talkUntil = new Map<string, number>();
  private readonly wrapUpSince = new Map<string, number>();
  private readonly pending: PendingOrder[] = [];
  private busy = false;
  /** What happened so far (tests and the log). */
  readonly counts = { placed: 0, repeat: 0, ordersWritten: 0, signed: 0, replied: 0, closed: 0 };

  constructor(private readonly o: DemoTrafficOptions) {
    this.random = o.random ?? Math.random;
  }

  private get agents(): DemoAccount[] {
    return this.o.accounts.filter((a) => a.role === 'agent' && a.extension);
  }

  start(): void {
    for (const a of this.agents) {
      // The agent's simulated phone answers after a second and a half of ringing.
      this.o.sim.setPhone(a.extension!, { answerAfterMs: 1_500 });
      const r = this.o.commands.signIn(a.username, { extension: a.extension!, skills: a.skills ?? ['mandarin'] });
      if (r) this.o.logger.warn({ agent: a.username, code: r.code }, `demo: sign-in refused: ${r.message}`);
      this.o.commands.ready(a.username);
    }
    // Two callers at once, so the wallboard has something to show from the first seconds.
    this.placeCall();
    this.placeCall();
    this.schedule();
  }

  stop(): void {
    this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    this.timer = this.o.clock.setTimeout(() => {
      void this.tick().finally(() => {
        if (this.timer !== undefined) this.schedule();
      });
    }, TICK_MS);
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.random() * xs.length)]!;
  }

  private between(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min));
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      if (this.random() < this.o.callsPerMinute / 60) this.placeCall();
      await this.agentsWork();
      await this.unitsWork();
    } catch (err) {
      this.o.logger.warn({ err: (err as Error).message }, 'demo: a step failed; the demo goes on');
    } finally {
      this.busy = false;
    }
  }

  /** One simulated citizen: a number (one in five calls again), a desk choice, maybe an early hang-up. */
  placeCall(): void {
    let from: string;
    if (this.recentNumbers.length > 0 && this.random() < 0.2) {
      from = this.pick(this.recentNumbers);
      this.counts.repeat += 1;
    } else {
      from = `13${this.between(0, 10)}${String(this.between(0, 100_000_000)).padStart(8, '0')}`;
      this.recentNumbers.push(from);
      if (this.recentNumbers.length > 50) this.recentNumbers.shift();
    }
    const r = this.random();
    const script: CallerStep[] = [];
    let hangupAfterMs: number | undefined;
    const desk = (digit: string) =>
      script.push(
        { kind: 'awaitPrompt', media: 'sound:hotline/desk-choice', timeoutMs: 60_000 },
        { kind: 'wait', ms: 800 },
        { kind: 'dtmf', digits: digit },
      );
    if (r < 0.55) desk('1');
    else if (r < 0.67) desk('3');
    else if (r < 0.75) desk('2');
    else if (r < 0.8)
      desk('7'); // a callback request in the menu
    else if (r < 0.9) hangupAfterMs = this.between(3_000, 9_000); // gives up in the menu
    // else: presses nothing and reaches the Mandarin desk on time-out
    if (hangupAfterMs === undefined && this.random() < 0.15) hangupAfterMs = this.between(25_000, 70_000); // impatient
    this.o.sim.placeCall({ from, to: '12345', script, ...(hangupAfterMs !== undefined ? { hangupAfterMs } : {}) });
    this.counts.placed += 1;
  }

  private async agentsWork(): Promise<void> {
    const now = this.o.clock.now();
    const byName = new Map(this.o.figures().agentList.map((a) => [a.agentId, a]));
    for (const a of this.agents) {
      const live = byName.get(a.username);
      if (!live) continue;
      if (live.status === 'on-call' && live.callId) {
        const until = this.talkUntil.get(a.username);
        if (until === undefined) {
          this.talkUntil.set(a.username, now + this.between(20_000, 75_000));
        } else if (now >= until) {
          this.talkUntil.delete(a.username);
          await this.writeOrder(a, live.callId);
          this.o.commands.hangup(a.username);
        }
      } else {
        this.talkUntil.delete(a.username);
      }
      if (live.status === 'wrap-up' || live.status === 'paused') {
        const since = this.wrapUpSince.get(a.username) ?? now;
        this.wrapUpSince.set(a.username, since);
        if (now - since >= 8_000) {
          this.wrapUpSince.delete(a.username);
          this.o.commands.ready(a.username);
        }
      } else this.wrapUpSince.delete(a.username);
    }
  }

  /** The agent writes the caller's demand as an order linked to the call and dispatches it. */
  private async writeOrder(agent: DemoAccount, callId: string): Promise<void> {
    const pop = this.o.commands.currentCallOf(agent.username)?.pop;
    const topic = this.pick(TOPICS);
    const caller = this.o.callerFor(agent);
    const { order, mergedInto } = await this.o.orders.intake(
      {
        channel: 'phone',
        callId,
        type: topic.type,
        category: topic.category,
        content: topic.content,
        location: topic.location,
        requesterName: '市民',
        ...(pop?.callerNumber ? { requesterPhone: pop.callerNumber } : {}),
      },
      caller,
    );
    this.counts.ordersWritten += 1;
    await this.o.commands.linkWorkOrder(callId, String(order.id));
    if (mergedInto !== undefined || order.status !== 'registered') return;
    const unitId = TOPIC_UNIT[topic.category] ?? 'demo-cg';
    await this.o.orders.act(order.id, { action: 'dispatch', leadUnitId: unitId }, caller);
    this.pending.push({ id: order.id, unitId, next: 'sign', at: this.o.clock.now() + this.between(15_000, 60_000) });
  }

  /** Units sign after a while and reply later; the hotline closes the answered order. */
  private async unitsWork(): Promise<void> {
    const now = this.o.clock.now();
    for (const p of this.pending.filter((x) => x.at <= now)) {
      const handler = this.o.accounts.find((a) => a.unitId === p.unitId);
      const agent = this.agents[0];
      if (!handler || !agent) continue;
      try {
        if (p.next === 'sign') {
          await this.o.orders.act(p.id, { action: 'sign' }, this.o.callerFor(handler));
          this.counts.signed += 1;
          p.next = 'reply';
          p.at = now + this.between(60_000, 180_000);
        } else if (p.next === 'reply') {
          await this.o.orders.act(
            p.id,
            { action: 'reply', content: '已联系市民并现场处理完毕。' },
            this.o.callerFor(handler),
          );
          this.counts.replied += 1;
          p.next = 'close';
          p.at = now + this.between(10_000, 40_000);
        } else {
          await this.o.orders.act(p.id, { action: 'close' }, this.o.callerFor(agent));
          this.counts.closed += 1;
          this.pending.splice(this.pending.indexOf(p), 1);
        }
      } catch (err) {
        // The order moved on some other way (a person acted on it): the demo lets it go.
        this.o.logger.debug({ orderId: p.id, err: (err as Error).message }, 'demo: order step skipped');
        this.pending.splice(this.pending.indexOf(p), 1);
      }
    }
  }
}
