import type { CallLayer } from '../calls/call-layer.ts';
import type { SmsRepo } from '../store/sms-repo.ts';
import type { AriConnection } from '../telephony/ari/connection.ts';
import { HotlineMetrics } from './hotline-metrics.ts';

/** Builds this instance's metrics from the parts that already keep the figures, and hooks the timings in. */
export function wireMetrics(o: {
  instanceId: string;
  owner: () => boolean;
  calls: CallLayer;
  ari: AriConnection;
  ariConnected: () => boolean;
  /** The repositories' SMS records: PostgreSQL with DATABASE_URL, else the SQLite file. */
  sms: Pick<SmsRepo, 'countOutgoingByStatus'>;
}): { metrics: HotlineMetrics; close(): void } {
  const metrics = new HotlineMetrics({
    instanceId: o.instanceId,
    owner: o.owner,
    waitingByQueue: () => {
      const m = new Map<string, number>();
      for (const c of o.calls.controller.liveCalls().values()) {
        const r = c.record;
        if (!r || r.queuedAt === undefined || r.answeredAt !== undefined || r.outcome !== 'in-progress') continue;
        const q = r.skill ?? 'none';
        m.set(q, (m.get(q) ?? 0) + 1);
      }
      return m;
    },
    talkingByQueue: () => {
      const m = new Map<string, number>();
      for (const c of o.calls.controller.liveCalls().values()) {
        if (c.finalized) continue;
        const r = c.record;
        // An adopted call is talking by construction (the reconciler adopts only bridged callers).
        const talking = c.adopted || (r?.answeredAt !== undefined && r.outcome === 'in-progress');
        if (!talking) continue;
        const q = r?.skill ?? 'none';
        m.set(q, (m.get(q) ?? 0) + 1);
      }
      return m;
    },
    agentsByState: () => {
      const m = new Map<string, number>();
      for (const a of o.calls.controller.agents()) m.set(a.status, (m.get(a.status) ?? 0) + 1);
      return m;
    },
    ariConnected: o.ariConnected,
    ariReconnects: () => o.ari.counters.reconnects,
    smsByStatus: () => o.sms.countOutgoingByStatus(),
    // The shared store's count (every instance reports the same backlog, whoever archives it).
    recordingsPendingArchive: () => o.calls.recordings.countUnarchived(),
  });
  const off = o.calls.events.on('record', (rec) => metrics.onRecord(rec));
  o.ari.onRestTiming = (method, ms, ok) => metrics.observeRest(method, ms / 1000, ok);
  o.calls.controller.cdr.onCommit = (ms) => metrics.observeCommit(ms / 1000);
  return {
    metrics,
    close() {
      off();
      o.ari.onRestTiming = undefined;
      o.calls.controller.cdr.onCommit = undefined;
    },
  };
}
