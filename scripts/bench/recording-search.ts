/**
 * Auditor console search (issue 11 item 5) over BENCH_SEARCH_ROWS recordings (default 1 000 000): three
 * years of calls from 200 000 numbers, 500 agents, a work order on 30 % of calls, 0.1 % fallback calls.
 * For each kind of search it prints the p50 and p99 of `RecordingSearchRepo.search` (first page of 50)
 * beside the same SQL run directly on a prepared statement (the raw cost the repo adds to), and a deep
 * page reached by keyset beside the same page reached by OFFSET. Goal: p99 < 50 ms.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/db.ts';
import { RecordingSearchRepo, type RecordingSearch } from '../../src/store/recording-search-repo.ts';

const ROWS = Number(process.env.BENCH_SEARCH_ROWS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_SEARCH_RUNS ?? 200);
const T0 = Date.UTC(2023, 0, 1);
const SPAN = 3 * 365 * 86_400_000;

function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

function pct(samples: number[], p: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

function time(fn: (i: number) => unknown): { p50: number; p99: number } {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    fn(i);
    samples.push(performance.now() - t);
  }
  return { p50: pct(samples, 50), p99: pct(samples, 99) };
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-search-'));
  try {
    const store = openStore({ dataDir: dir });
    store.sqlite.pragma('synchronous = OFF');
    const r = rng(42);
    const numbers = Array.from({ length: 200_000 }, () => `13${String(Math.floor(r() * 1e9)).padStart(9, '0')}`);
    const outcomes = [
      'answered',
      'answered',
      'answered',
      'answered',
      'answered',
      'answered',
      'answered',
      'answered',
      'abandoned_queue',
      'info_only',
    ];
    const insCall = store.sqlite.prepare(
      `insert into calls (id, caller_channel_id, caller_number, status, phase, arrived_at, answered_at, ended_at, outcome, agent_id, fallback)
       values (?, ?, ?, 'ended', 'ended', ?, ?, ?, ?, ?, ?)`,
    );
    const insRec = store.sqlite.prepare(
      `insert into recordings (name, call_id, status, started_at, stopped_at, duration_ms, sha256, bytes, archived_at, retain_until)
       values (?, ?, 'archived', ?, ?, ?, 'x', 1, ?, ?)`,
    );
    const insWo = store.sqlite.prepare(
      'insert into call_work_orders (call_id, work_order_id, linked_at) values (?, ?, ?)',
    );
    const started = performance.now();
    const BATCH = 50_000;
    for (let b = 0; b < ROWS; b += BATCH) {
      store.sqlite.transaction(() => {
        for (let i = b; i < Math.min(ROWS, b + BATCH); i++) {
          const at = T0 + Math.floor((i / ROWS) * SPAN);
          const dur = 30_000 + Math.floor(r() * 570_000);
          const id = `c${i}`;
          insCall.run(
            id,
            `ch${i}`,
            numbers[Math.floor(r() * numbers.length)]!,
            at,
            at + 20_000,
            at + 20_000 + dur,
            outcomes[i % 10]!,
            `agent${Math.floor(r() * 500)}`,
            i % 1000 === 7 ? 1 : 0,
          );
          insRec.run(`rec-${i}`, id, at + 20_000, at + 20_000 + dur, dur, at + 30_000 + dur, at + SPAN);
          if (i % 10 < 3) insWo.run(id, String(i), at + 60_000);
        }
      })();
    }
    store.sqlite.exec('analyze');
    console.log(
      `loaded ${ROWS.toLocaleString('en')} calls + recordings in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );

    const repo = new RecordingSearchRepo(store.db);
    const some = (i: number) => numbers[(i * 7919) % numbers.length]!;
    const cases: Array<[string, (i: number) => RecordingSearch]> = [
      ['newest first, no filter', () => ({})],
      ['full number', (i) => ({ number: some(i) })],
      ['last 4 digits', (i) => ({ last4: some(i).slice(-4) })],
      ['agent', (i) => ({ agentId: `agent${i % 500}` })],
      ['work order', (i) => ({ workOrderId: String(((i * 104729) % ROWS) - (((i * 104729) % ROWS) % 10)) })],
      ['date range (one day)', (i) => ({ from: T0 + (i % 1000) * 86_400_000, to: T0 + ((i % 1000) + 1) * 86_400_000 })],
      ['outcome info_only', () => ({ outcome: 'info_only' })],
      ['fallback only', () => ({ fallback: true })],
      ['duration 9-10 min', () => ({ minDurationMs: 540_000, maxDurationMs: 600_000 })],
      [
        'agent + date range (one month)',
        (i) => ({
          agentId: `agent${i % 500}`,
          from: T0 + (i % 30) * 30 * 86_400_000,
          to: T0 + ((i % 30) + 1) * 30 * 86_400_000,
        }),
      ],
    ];
    const raw = store.sqlite.prepare(
      `select r.name from calls c join recordings r on r.call_id = c.id where c.caller_number = ? order by c.arrived_at desc, r.name desc limit 50`,
    );
    console.log('search (first page of 50)             p50 ms   p99 ms');
    for (const [label, q] of cases) {
      const t = time((i) => repo.search({ ...q(i), limit: 50 }));
      console.log(`  ${label.padEnd(36)} ${t.p50.toFixed(2).padStart(7)}  ${t.p99.toFixed(2).padStart(7)}`);
    }
    const rawT = time((i) => raw.all(some(i)));
    console.log(
      `  ${'raw SQL, full number'.padEnd(36)} ${rawT.p50.toFixed(2).padStart(7)}  ${rawT.p99.toFixed(2).padStart(7)}`,
    );

    // A page deep in the list: keyset (the cursor of row 500 000) against OFFSET 500 000.
    const deep = Math.floor(ROWS / 2);
    const anchor = store.sqlite
      .prepare(
        'select c.arrived_at as arrivedAt, r.name from recordings r join calls c on c.id = r.call_id where r.name = ?',
      )
      .get(`rec-${deep}`) as { arrivedAt: number; name: string };
    const keyset = time(() => repo.search({ after: anchor, limit: 50 }));
    const offsetSt = store.sqlite.prepare(
      'select r.name from calls c indexed by calls_arrived_idx cross join recordings r on r.call_id = c.id order by c.arrived_at desc, r.name desc limit 50 offset ?',
    );
    const saved = RUNS;
    const offset = (() => {
      const samples: number[] = [];
      for (let i = 0; i < Math.min(saved, 20); i++) {
        const t = performance.now();
        offsetSt.all(deep);
        samples.push(performance.now() - t);
      }
      return { p50: pct(samples, 50), p99: pct(samples, 99) };
    })();
    console.log(
      `  ${`page at row ${deep.toLocaleString('en')}: keyset`.padEnd(36)} ${keyset.p50.toFixed(2).padStart(7)}  ${keyset.p99.toFixed(2).padStart(7)}`,
    );
    console.log(
      `  ${`page at row ${deep.toLocaleString('en')}: OFFSET (20 runs)`.padEnd(36)} ${offset.p50.toFixed(2).padStart(7)}  ${offset.p99.toFixed(2).padStart(7)}`,
    );
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
