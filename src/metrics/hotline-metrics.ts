import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { CallRecord } from '../domain/calls/call-record.ts';

/** Art. 25: a call is answered within 20 s of leaving the voice menu. */
const ANSWER_TARGET_MS = 20_000;

/** What the metrics read when Prometheus scrapes; each is a cheap look at state the server already keeps. */
export interface MetricsSources {
  instanceId: string;
  /** Does this instance own the calls (always true for a single instance)? */
  owner: () => boolean;
  /** Live calls waiting for an agent, by queue (skill). */
  waitingByQueue: () => ReadonlyMap<string, number>;
  /** Live calls connected to an agent now (answered, or adopted talking after a restart or takeover), by queue. */
  talkingByQueue: () => ReadonlyMap<string, number>;
  /** Signed-in agents by status, as the domain names them (ready, reserved, on-call, wrap-up, paused). */
  agentsByState: () => ReadonlyMap<string, number>;
  ariConnected: () => boolean;
  /** ARI reconnections since start (the connection's counter). */
  ariReconnects: () => number;
  /** Outgoing SMS by status (sent, failed, ...): totals in the store (PostgreSQL when DATABASE_URL is set). */
  smsByStatus: () => Promise<ReadonlyMap<string, number>>;
  /** Recordings not yet archived (pending or failed attempts). */
  recordingsPendingArchive: () => number | Promise<number>;
}

/**
 * The Prometheus metrics of one instance (docs/metrics.md names each). Counters of calls are fed by the call
 * layer's CDR record events; gauges are read at scrape time from the sources.
 */
export class HotlineMetrics {
  readonly registry = new Registry();
  private readonly offered: Counter<'queue'>;
  private readonly answered: Counter<'queue'>;
  private readonly answeredInTarget: Counter<'queue'>;
  private readonly abandoned: Counter<'queue'>;
  private readonly answerTime: Histogram<'queue'>;
  private readonly restLatency: Histogram<'method' | 'outcome'>;
  private readonly commitLatency: Histogram;
  /** What each live call has already been counted for (offered, answered, ended). */
  private readonly seen = new Map<string, Set<'offered' | 'answered' | 'ended'>>();

  constructor(src: MetricsSources) {
    const r = this.registry;
    r.setDefaultLabels({ instance_id: src.instanceId });
    // Process metrics, event-loop delay among them (nodejs_eventloop_lag_seconds, nodejs_eventloop_lag_p99_seconds).
    collectDefaultMetrics({ register: r, eventLoopMonitoringPrecision: 20 });
    this.offered = new Counter({
      name: 'hotline_calls_offered_total',
      help: 'Calls that left the voice menu for a queue',
      labelNames: ['queue'],
      registers: [r],
    });
    this.answered = new Counter({
      name: 'hotline_calls_answered_total',
      help: 'Calls answered by an agent',
      labelNames: ['queue'],
      registers: [r],
    });
    this.answeredInTarget = new Counter({
      name: 'hotline_calls_answered_within_20s_total',
      help: 'Calls answered within 20 s of leaving the voice menu (art. 25)',
      labelNames: ['queue'],
      registers: [r],
    });
    this.abandoned = new Counter({
      name: 'hotline_calls_abandoned_total',
      help: 'Callers who hung up while queued or while an agent rang',
      labelNames: ['queue'],
      registers: [r],
    });
    this.answerTime = new Histogram({
      name: 'hotline_call_answer_seconds',
      help: 'From leaving the voice menu to an agent answering',
      labelNames: ['queue'],
      buckets: [1, 2, 5, 10, 15, 20, 30, 45, 60, 120, 300],
      registers: [r],
    });
    this.restLatency = new Histogram({
      name: 'hotline_ari_rest_seconds',
      help: 'Latency of ARI REST requests',
      labelNames: ['method', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [r],
    });
    this.commitLatency = new Histogram({
      name: 'hotline_store_commit_seconds',
      help: 'Duration of a call-record (CDR) store commit, one transaction per batch',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [r],
    });
    new Gauge({
      name: 'hotline_calls_waiting',
      help: 'Calls waiting for an agent now',
      labelNames: ['queue'],
      registers: [r],
      collect() {
        this.reset();
        for (const [queue, n] of src.waitingByQueue()) this.set({ queue }, n);
      },
    });
    new Gauge({
      name: 'hotline_calls_talking',
      help: 'Calls connected to an agent now (adopted ones after a restart or takeover included)',
      labelNames: ['queue'],
      registers: [r],
      collect() {
        this.reset();
        for (const [queue, n] of src.talkingByQueue()) this.set({ queue }, n);
      },
    });
    new Gauge({
      name: 'hotline_agents',
      help: 'Signed-in agents by state',
      labelNames: ['state'],
      registers: [r],
      collect() {
        this.reset();
        for (const [state, n] of src.agentsByState()) this.set({ state }, n);
      },
    });
    new Gauge({
      name: 'hotline_ari_connected',
      help: '1 while the ARI WebSocket is up on this instance',
      registers: [r],
      collect() {
        this.set(src.ariConnected() ? 1 : 0);
      },
    });
    let reconnectsSeen = 0;
    new Counter({
      name: 'hotline_ari_reconnects_total',
      help: 'ARI WebSocket reconnections since start',
      registers: [r],
      collect() {
        const now = src.ariReconnects();
        if (now > reconnectsSeen) this.inc(now - reconnectsSeen);
        reconnectsSeen = now;
      },
    });
    new Gauge({
      name: 'hotline_calls_owner',
      help: '1 on the instance that owns the calls (holds the lease), 0 on a standby',
      registers: [r],
      collect() {
        this.set(src.owner() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'hotline_sms_messages',
      help: 'SMS messages in the store by status (sent, failed, queued, received)',
      labelNames: ['status'],
      registers: [r],
      async collect() {
        // A store that does not answer leaves the last figures (and /health/ready says so), not a failed scrape.
        const byStatus = await src.smsByStatus().catch(() => undefined);
        if (!byStatus) return;
        this.reset();
        for (const [status, n] of byStatus) this.set({ status }, n);
      },
    });
    new Gauge({
      name: 'hotline_recordings_pending_archive',
      help: 'Recordings not yet archived from the PBX',
      registers: [r],
      async collect() {
        this.set(await src.recordingsPendingArchive());
      },
    });
  }

  /** A call's record changed: counts it offered, answered, abandoned once each. */
  onRecord(rec: CallRecord): void {
    let seen = this.seen.get(rec.callId);
    if (!seen) {
      seen = new Set();
      this.seen.set(rec.callId, seen);
    }
    const queue = rec.skill ?? 'none';
    if (rec.queuedAt !== undefined && !seen.has('offered')) {
      seen.add('offered');
      this.offered.inc({ queue });
    }
    if (rec.answeredAt !== undefined && !seen.has('answered')) {
      seen.add('answered');
      const ms = rec.answerMs ?? rec.answeredAt - (rec.ivrExitAt ?? rec.arrivedAt);
      this.answered.inc({ queue });
      if (ms <= ANSWER_TARGET_MS) this.answeredInTarget.inc({ queue });
      this.answerTime.observe({ queue }, ms / 1000);
    }
    if (rec.outcome !== 'in-progress' && !seen.has('ended')) {
      seen.add('ended');
      if (rec.outcome === 'abandoned') this.abandoned.inc({ queue });
    }
    // Ended calls stay remembered a while (a late record change must not count them again), oldest dropped first.
    if (this.seen.size > 20_000) {
      for (const [id, s] of this.seen) {
        if (this.seen.size <= 19_000) break;
        if (s.has('ended')) this.seen.delete(id);
      }
    }
  }

  observeRest(method: string, seconds: number, ok: boolean): void {
    this.restLatency.observe({ method, outcome: ok ? 'ok' : 'error' }, seconds);
  }

  observeCommit(seconds: number): void {
    this.commitLatency.observe(seconds);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
