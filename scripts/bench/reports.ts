/**
 * Report generation time (issue 13 item 4), each beside raw better-sqlite3 doing the nearest SQL in the same run:
 *  - the monthly call report (ReportService.calls: read the month's CDR rows, build the records, periodFigures per
 *    day, per hour of day and per agent) beside one GROUP BY per day computing the same counts in SQL;
 *  - the monthly order report (ReportService.orders: intake groups, area of each location, on-time rates from the
 *    orders' states) beside the GROUP BY alone plus reading (not decoding) the same states.
 * Orders: the work-orders bench store (data/bench/work-orders-<N>, 10 million by default) when it has been built,
 * else a smaller store built here (BENCH_REPORT_ORDERS, default 100,000 orders in one month). Calls: always built
 * here (BENCH_REPORT_CALLS, default 200,000 calls in one month), since no bench store of calls exists.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { shippedCalendar } from '../../src/domain/calendar/shipped-calendar.ts';
import { decide } from '../../src/domain/work-orders/decide.ts';
import type { Actor, WorkOrder } from '../../src/domain/work-orders/types.ts';
import { reportPeriod } from '../../src/reports/report-period.ts';
import { ReportService } from '../../src/reports/report-service.ts';
import { FakeClock } from '../../src/shared/clock.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { ReportRepo } from '../../src/store/report-repo.ts';
import { encodeStateJson } from '../../src/store/state-codec.ts';
import { INSERT_ORDER_SQL, orderRow, SqliteWorkOrderRepo } from '../../src/store/work-orders-repo.ts';

const CALLS = Number(process.env.BENCH_REPORT_CALLS ?? 200_000);
const ORDERS = Number(process.env.BENCH_REPORT_ORDERS ?? 100_000);
const RUNS = 3;
const DAY = 86_400_000;
const H8 = 8 * 3_600_000;

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** Median wall time of RUNS runs (after one warm-up), in ms. */
async function time(fn: () => unknown): Promise<number> {
  await fn();
  const t: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const s = performance.now();
    await fn();
    t.push(performance.now() - s);
  }
  return t.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
}

/** CDR rows for January 2026: 70 % answered (1–40 s), 12 % abandoned in the queue, the rest ended in the menu. */
function buildCalls(store: Store, from: number): void {
  const db = store.sqlite;
  db.pragma('synchronous = OFF');
  const ins = db.prepare(
    `insert into calls (id, caller_channel_id, caller_number, status, phase, arrived_at, ivr_exit_at, queued_at, skill,
       answered_at, answer_ms, ended_at, outcome, agent_id, ivr_path)
     values (?, ?, ?, 'ended', 'ended', ?, ?, ?, 'mandarin', ?, ?, ?, ?, ?, '[]')`,
  );
  db.transaction(() => {
    for (let i = 0; i < CALLS; i++) {
      const arrived = from + Math.floor((i / CALLS) * 31 * DAY);
      const kind = i % 100;
      const q = arrived + 12_000;
      if (kind < 70) {
        const answerMs = 1_000 + ((i * 7919) % 39_000);
        ins.run(
          `c${i}`,
          `ch${i}`,
          `138${String(i).padStart(8, '0')}`,
          arrived,
          q,
          q,
          q + answerMs,
          answerMs,
          q + answerMs + 180_000,
          'answered',
          `agent-${i % 60}`,
        );
      } else if (kind < 82) {
        ins.run(
          `c${i}`,
          `ch${i}`,
          `138${String(i).padStart(8, '0')}`,
          arrived,
          q,
          q,
          null,
          null,
          q + 25_000,
          'abandoned',
          null,
        );
      } else {
        ins.run(
          `c${i}`,
          `ch${i}`,
          `138${String(i).padStart(8, '0')}`,
          arrived,
          null,
          null,
          null,
          null,
          arrived + 9_000,
          'abandoned-in-ivr',
          null,
        );
      }
    }
  })();
}

const RAW_CALLS_SQL = `select (queued_at + ${H8}) / ${DAY} as d,
    count(*) filter (where answered_at is not null or outcome = 'abandoned') as offered,
    count(answered_at) as answered,
    count(*) filter (where answer_ms <= 20000) as within,
    count(*) filter (where outcome = 'abandoned') as abandoned,
    avg(answer_ms) as asa,
    avg(ended_at - answered_at) as aht
  from calls where queued_at >= ? and queued_at < ? group by d`;

/** A closed order made by the real domain, shifted and renumbered per row. */
function template(t0: number): WorkOrder {
  const cal = shippedCalendar(['guangxi']);
  const env = { calendar: cal };
  const agent: Actor = { kind: 'agent', id: 'bench' };
  const unit: Actor = { kind: 'unit', id: 'bench-unit', unitId: 'u-1' };
  const ok = (d: ReturnType<typeof decide>): WorkOrder => {
    if (!d.ok) throw new Error(d.refusal.message);
    return d.state;
  };
  let o = ok(
    decide(
      null,
      {
        action: 'intake',
        actor: agent,
        order: {
          id: 1,
          channel: 'phone',
          type: 'complaint',
          emergency: false,
          confidential: false,
          category: { code: 'environment.noise', fastResponse: true },
          requester: { name: '陈先生', phone: '13800000000' },
          content: '小区门口夜间施工噪音扰民',
          location: '南宁市青秀区民族大道100号',
          callId: 'call-1',
        },
      },
      t0,
      env,
    ),
  );
  o = ok(decide(o, { action: 'dispatch', actor: agent, leadUnitId: 'u-1' }, t0 + 3_600_000, env));
  o = ok(decide(o, { action: 'sign', actor: unit }, t0 + 2 * 3_600_000, env));
  o = ok(decide(o, { action: 'reply', actor: unit, content: '已处理' }, t0 + 30 * 3_600_000, env));
  return ok(decide(o, { action: 'close', actor: agent }, t0 + 31 * 3_600_000, env));
}

function buildOrders(store: Store, from: number): void {
  const db = store.sqlite;
  db.pragma('synchronous = OFF');
  const t = template(from);
  const areas = ['南宁市青秀区', '南宁市兴宁区', '南宁市江南区', '南宁市西乡塘区', '南宁市良庆区', '柳州市城中区'];
  const ins = db.prepare(INSERT_ORDER_SQL);
  db.transaction(() => {
    for (let id = 1; id <= ORDERS; id++) {
      const delta = Math.floor((id / ORDERS) * 28 * DAY);
      const unitId = `u-${id % 50}`;
      const json = JSON.stringify(t, (key, v) => {
        if (typeof v === 'number' && v > 1_500_000_000_000 && v < 2_500_000_000_000) return v + delta;
        if (key === 'id' && typeof v === 'number') return id;
        if (key === 'leadUnitId') return unitId;
        if (key === 'location') return `${areas[id % areas.length]}某路${id % 300}号`;
        return v;
      });
      const order = JSON.parse(json) as WorkOrder;
      const row = orderRow(
        order,
        {
          nextDeadlineAt: null,
          nextDeadlineKind: null,
          nextCheckAt: null,
          supervisionLevel: 0,
          fastResponse: true,
          createdBy: 'bench',
        },
        order.receivedAt,
        encodeStateJson(json),
      );
      ins.run(row);
    }
  })();
}

function benchStore(): string | null {
  const base = join(process.cwd(), 'data', 'bench');
  if (!existsSync(base)) return null;
  const dir = readdirSync(base)
    .filter((d) => /^work-orders-\d+$/.test(d) && existsSync(join(base, d, 'hotline.db')))
    .sort((a, b) => Number(b.slice(12)) - Number(a.slice(12)))[0];
  return dir ? join(base, dir) : null;
}

export async function run(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'bench-reports-'));
  try {
    // Calls: January 2026, built here.
    const jan = reportPeriod({ month: '2026-01' });
    const callStore = openStore({ dataDir: join(work, 'calls') });
    let s = performance.now();
    buildCalls(callStore, jan.from);
    console.log(
      `calls: ${fmt(CALLS)} CDR rows for ${jan.label} built in ${((performance.now() - s) / 1000).toFixed(1)} s`,
    );
    const clock = new FakeClock(Date.UTC(2026, 1, 10));
    const calls = new ReportService({
      reports: new ReportRepo(callStore.db),
      orders: new SqliteWorkOrderRepo(callStore.sqlite),
      clock,
      thresholdMs: 20_000,
    });
    const report = await calls.calls(jan);
    const rawStmt = callStore.sqlite.prepare(RAW_CALLS_SQL);
    const raw = rawStmt.all(jan.from, jan.to) as { offered: number; answered: number; within: number }[];
    const same =
      raw.reduce((a, r) => a + r.offered, 0) === report.total.offered &&
      raw.reduce((a, r) => a + r.answered, 0) === report.total.answered &&
      raw.reduce((a, r) => a + r.within, 0) === report.total.answeredWithinThreshold;
    const tReport = await time(() => calls.calls(jan));
    const tRaw = await time(() => rawStmt.all(jan.from, jan.to));
    console.log(
      `monthly call report (31 days + 24 hours + ${report.agents.length} agents): ${fmt(tReport)} ms; raw SQL GROUP BY day (counts, ASA, AHT): ${fmt(tRaw)} ms; ×${fmt(tReport / tRaw, 1)}; same totals: ${same ? 'yes' : 'NO'}`,
    );
    s = performance.now();
    const day = reportPeriod({ day: '2026-01-15' });
    await calls.calls(day);
    console.log(
      `daily call report (${fmt(report.days[14]!.ivr.arrived)} calls): ${fmt(performance.now() - s, 1)} ms (one run, cold)`,
    );
    callStore.close();

    // Orders: the big bench store if built, else a smaller one here.
    const big = benchStore();
    let orderStore: Store;
    let month: string;
    if (big) {
      orderStore = openStore({ dataDir: big });
      month = '2026-01';
      console.log(`orders: the work-orders bench store ${big}`);
    } else {
      orderStore = openStore({ dataDir: join(work, 'orders') });
      month = '2026-02';
      s = performance.now();
      buildOrders(orderStore, reportPeriod({ month }).from);
      console.log(
        `orders: no work-orders bench store (data/bench/work-orders-N; npm run bench work-orders builds it): ${fmt(ORDERS)} closed orders in ${month} built here in ${((performance.now() - s) / 1000).toFixed(1)} s`,
      );
    }
    const period = reportPeriod({ month });
    const orders = new ReportService({
      reports: new ReportRepo(orderStore.db),
      orders: new SqliteWorkOrderRepo(orderStore.sqlite),
      clock: new FakeClock(period.to + 10 * DAY),
      thresholdMs: 20_000,
    });
    const r = await orders.orders(period);
    const group = orderStore.sqlite.prepare(
      'select channel, type, category, location, count(*) as n from work_orders where created_at >= ? and created_at < ? group by channel, type, category, location',
    );
    const states = orderStore.sqlite.prepare(
      'select id, state from work_orders where lead_unit_id is not null and created_at < ? and (closed_at is null or closed_at >= ?)',
    );
    const tOrders = await time(() => orders.orders(period));
    const tGroup = await time(() => group.all(period.from, period.to));
    const tStates = await time(() => states.all(period.to, period.from));
    console.log(
      `monthly order report over ${fmt(r.total)} orders taken and ${fmt(r.units.reduce((a, u) => a + u.counted, 0))} assignments counted: ${fmt(tOrders)} ms; raw SQL GROUP BY: ${fmt(tGroup)} ms, + reading the states undecoded: ${fmt(tStates)} ms`,
    );
    orderStore.close();
    // Every figure above is wall time: on a machine busier than its cores, all of them stretch alike.
    console.log(`machine load: ${fmt(loadavg()[0]!, 1)} (1-minute average) on ${cpus().length} cores`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
