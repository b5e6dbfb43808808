import { DAY_MS, dayNumberOf, isCivilDate, startOfShanghaiDay, type CivilDate } from '../domain/calendar/civil-date.ts';
import type { WorkOrderRepo } from '../store/work-orders-repo.ts';
import type { AreaTree } from './area-tree.ts';
import { badInput } from './service-error.ts';

export type HotTopicGroup = 'category' | 'area';

export interface HotTopic {
  key: string;
  /** The category's name, or the area itself. */
  name: string;
  count: number;
  /** count / total, rounded to four places. */
  share: number;
}

export interface HotTopicsReport {
  from: CivilDate;
  to: CivilDate;
  groupBy: HotTopicGroup;
  /** Every intake in the period, merged and not-accepted demands included: they are demand all the same. */
  total: number;
  topics: HotTopic[];
}

/** Key for orders with no location, or one whose area cannot be read. */
export const UNKNOWN_AREA = '(unknown)';
const MAX_DAYS = 366;
const SEGMENT = /^[^\d\s,，。;；]{1,12}?(?:自治区|自治州|特别行政区|省|市|州|盟|区|县|旗)/u;

/**
 * The area of a free-text location: the most specific administrative name at its start
 * ("广西壮族自治区南宁市青秀区民族大道100号" → "青秀区", "南宁市" → "南宁市"). Locations are typed by agents, so this
 * reads only a leading run of place names and gives up (UNKNOWN_AREA) otherwise.
 */
export function areaOf(location: string | null): string {
  if (location === null) return UNKNOWN_AREA;
  let rest = location.trim();
  let last: string | null = null;
  for (let i = 0; i < 5; i++) {
    const m = SEGMENT.exec(rest);
    if (!m) break;
    last = m[0];
    rest = rest.slice(m[0].length);
  }
  return last ?? UNKNOWN_AREA;
}

/** Periodic analysis of hot topics (art. 17): intakes in a period per category or per area, the largest first. */
export class HotTopicsService {
  constructor(
    private readonly repo: WorkOrderRepo,
    private readonly areas: AreaTree,
  ) {}

  async report(q: { from: string; to: string; groupBy: HotTopicGroup; limit?: number }): Promise<HotTopicsReport> {
    if (!isCivilDate(q.from)) throw badInput('invalid-date', 'querystring.from must be a date YYYY-MM-DD');
    if (!isCivilDate(q.to)) throw badInput('invalid-date', 'querystring.to must be a date YYYY-MM-DD');
    const first = dayNumberOf(q.from);
    const last = dayNumberOf(q.to);
    if (last < first) throw badInput('invalid-period', 'querystring.to must not be before querystring.from');
    if (last - first + 1 > MAX_DAYS) throw badInput('invalid-period', `the period may span at most ${MAX_DAYS} days`);
    // Days are Asia/Shanghai days, both ends included.
    const fromMs = startOfShanghaiDay(first);
    const toMs = startOfShanghaiDay(last) + DAY_MS;
    const limit = q.limit ?? 10;

    const counts = new Map<string, { name: string; count: number }>();
    let total = 0;
    if (q.groupBy === 'category') {
      const names = new Map((await this.repo.categories()).map((c) => [c.code, c.name]));
      for (const r of await this.repo.intakeCounts(fromMs, toMs, 'category')) {
        const key = r.key ?? UNKNOWN_AREA;
        counts.set(key, { name: names.get(key) ?? key, count: r.count });
        total += r.count;
      }
    } else {
      // Orders carry an area code picked from the tree (issue 9); orders taken before it existed are read from
      // the place names leading their location, and counted under the tree's code when the name is unambiguous.
      for (const r of await this.repo.intakeCounts(fromMs, toMs, 'area')) {
        const key = r.key ?? UNKNOWN_AREA;
        const cur = counts.get(key) ?? { name: this.areas.get(key)?.name ?? key, count: 0 };
        cur.count += r.count;
        counts.set(key, cur);
        total += r.count;
      }
      for (const r of await this.repo.intakeCounts(fromMs, toMs, 'location')) {
        const name = areaOf(r.key);
        const key = this.areas.codeByName(name) ?? name;
        const cur = counts.get(key) ?? { name, count: 0 };
        cur.count += r.count;
        counts.set(key, cur);
        total += r.count;
      }
    }
    const topics = [...counts.entries()]
      .map(([key, v]) => ({
        key,
        name: v.name,
        count: v.count,
        share: total === 0 ? 0 : Math.round((v.count / total) * 10_000) / 10_000,
      }))
      .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key))
      .slice(0, limit);
    return { from: q.from, to: q.to, groupBy: q.groupBy, total, topics };
  }
}
