import { recordFromRow } from '../calls/live-figures.ts';
import { callReport, type CallReport } from '../domain/stats/call-report.ts';
import { assessUnits, type UnitFigures } from '../domain/work-orders/assessment.ts';
import type { Clock } from '../shared/clock.ts';
import type { ReportReader } from '../store/report-repo.ts';
import type { WorkOrderRepo } from '../store/work-orders-repo.ts';
import { orderArea } from './order-area.ts';
import type { ReportPeriod } from './report-period.ts';

export const CHANNEL_NAMES: Record<string, string> = {
  phone: '电话',
  website: '网站',
  wechat: '微信',
  'mobile-app': '移动客户端',
  'chairman-mailbox': '主席信箱',
  'government-service-platform': '政务服务平台',
  'gov-cn': '中国政府网',
};

export const TYPE_NAMES: Record<string, string> = {
  consultation: '咨询',
  help: '求助',
  suggestion: '建议',
  complaint: '投诉',
  report: '举报',
  praise: '表扬',
};

export interface CountRow {
  key: string;
  name: string;
  count: number;
  /** count / total, four places. */
  share: number;
}

export interface OrderReport {
  period: ReportPeriod;
  /** Orders taken in the period (every intake, merged and not-accepted ones included, as the hot topics count). */
  total: number;
  byChannel: CountRow[];
  byType: CountRow[];
  byCategory: CountRow[];
  byArea: CountRow[];
  /**
   * On-time rates of the assignments counted in the period, by the assessment's definitions (art. 30:
   * counted when answered, returned or due), over all units and per unit.
   */
  onTime: {
    signCounted: number;
    signedOnTime: number;
    signOnTimeRate: number | null;
    completionCounted: number;
    completedOnTime: number;
    completionOnTimeRate: number | null;
  };
  units: UnitFigures[];
}

function countRows(counts: Map<string, number>, total: number, name: (k: string) => string): CountRow[] {
  return [...counts.entries()]
    .map(([key, count]) => ({
      key,
      name: name(key),
      count,
      share: total === 0 ? 0 : Math.round((count / total) * 10_000) / 10_000,
    }))
    .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}

const add = (m: Map<string, number>, k: string, n: number) => m.set(k, (m.get(k) ?? 0) + n);
const rate = (n: number, d: number) => (d === 0 ? null : n / d);

/** The supervisors' daily and monthly call and order reports. */
export class ReportService {
  constructor(
    private readonly deps: {
      reports: ReportReader;
      orders: WorkOrderRepo;
      clock: Clock;
      /** The answer threshold of the live figures (art. 25: 20 s after voice navigation), from the call-centre config. */
      thresholdMs: number;
    },
  ) {}

  /** Calls: the live wallboard's definitions (`periodFigures`) per day, per hour of the day and per agent. */
  async calls(period: ReportPeriod): Promise<CallReport> {
    const rows = await this.deps.reports.callsTouching(period.from, period.to);
    return callReport(rows.map(recordFromRow), period.from, period.to, this.deps.clock.now(), this.deps.thresholdMs);
  }

  async orders(period: ReportPeriod): Promise<OrderReport> {
    const channel = new Map<string, number>();
    const type = new Map<string, number>();
    const category = new Map<string, number>();
    const area = new Map<string, number>();
    let total = 0;
    for (const g of await this.deps.reports.intakeGroups(period.from, period.to)) {
      total += g.count;
      add(channel, g.channel, g.count);
      add(type, g.type, g.count);
      add(category, g.category, g.count);
      add(area, orderArea(g), g.count);
    }
    const categoryNames = new Map((await this.deps.orders.categories()).map((c) => [c.code, c.name]));
    const alive = await this.deps.orders.forAssessment(period.from, period.to);
    const units = assessUnits(
      alive.map((r) => r.state),
      { label: period.label, start: period.from, end: period.to },
      this.deps.clock.now(),
    );
    const sum = (f: (u: UnitFigures) => number) => units.reduce((s, u) => s + f(u), 0);
    const signCounted = sum((u) => u.signCounted);
    const signedOnTime = sum((u) => u.signedOnTime);
    const completionCounted = sum((u) => u.completionCounted);
    const completedOnTime = sum((u) => u.completedOnTime);
    return {
      period,
      total,
      byChannel: countRows(channel, total, (k) => CHANNEL_NAMES[k] ?? k),
      byType: countRows(type, total, (k) => TYPE_NAMES[k] ?? k),
      byCategory: countRows(category, total, (k) => categoryNames.get(k) ?? k),
      byArea: countRows(area, total, (k) => (k === '(unknown)' ? '未知区域' : k)),
      onTime: {
        signCounted,
        signedOnTime,
        signOnTimeRate: rate(signedOnTime, signCounted),
        completionCounted,
        completedOnTime,
        completionOnTimeRate: rate(completedOnTime, completionCounted),
      },
      units,
    };
  }
}
