import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/db.ts';
import { RecordingSearchRepo, type RecordingSearch } from '../../src/store/recording-search-repo.ts';

const T0 = Date.UTC(2026, 0, 1);

describe('recording search plans: each kind of search walks an index, none reads every row', () => {
  let store: Store;
  let repo: RecordingSearchRepo;

  beforeAll(() => {
    // Given 5 000 calls with recordings (1 000 numbers, 50 agents, 10 % info_only, 1 % fallback),
    // analysed so that the planner decides with real statistics.
    store = openStore({ dataDir: ':memory:' });
    const call = store.sqlite.prepare(
      `insert into calls (id, caller_channel_id, caller_number, status, phase, arrived_at, outcome, agent_id, fallback) values (?, ?, ?, 'ended', 'ended', ?, ?, ?, ?)`,
    );
    const rec = store.sqlite.prepare(
      `insert into recordings (name, call_id, status, started_at, duration_ms) values (?, ?, 'archived', ?, ?)`,
    );
    const wo = store.sqlite.prepare(
      'insert into call_work_orders (call_id, work_order_id, linked_at) values (?, ?, ?)',
    );
    store.sqlite.transaction(() => {
      for (let i = 0; i < 5000; i++) {
        const at = T0 + i * 60_000;
        call.run(
          `c${i}`,
          `ch${i}`,
          `1381234${String(i % 1000).padStart(4, '0')}`,
          at,
          i % 10 === 9 ? 'info_only' : 'answered',
          `agent${i % 50}`,
          i % 100 === 7 ? 1 : 0,
        );
        rec.run(`rec-${i}`, `c${i}`, at + 20_000, 60_000 + (i % 600) * 1000);
        if (i % 3 === 0) wo.run(`c${i}`, String(i), at);
      }
    })();
    store.sqlite.exec('analyze');
    repo = new RecordingSearchRepo(store.db);
  });
  afterAll(() => store?.close());

  const plan = (q: RecordingSearch) => repo.plan({ ...q, limit: 50 }).join(' | ');

  it('without a selective filter it walks calls by arrival, already in result order, and stops after a page', () => {
    for (const q of [
      {},
      { outcome: 'info_only' },
      { minDurationMs: 1 },
      { fallback: false },
      { after: { arrivedAt: T0 + 1000 * 60_000, name: 'rec-1000' } },
    ]) {
      expect(plan(q), JSON.stringify(q)).toMatch(
        /^(SCAN|SEARCH) c USING INDEX calls_arrived_idx.* \| SEARCH r USING INDEX recordings_call_idx/,
      );
      expect(plan(q), JSON.stringify(q)).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
    }
    expect(plan({ from: T0, to: T0 + 86_400_000 })).toMatch(
      /^SEARCH c USING INDEX calls_arrived_idx \(arrived_at>\? AND arrived_at<\?\)/,
    );
  });

  it('with a selective filter it starts from that filter’s index', () => {
    expect(plan({ last4: '0042' })).toMatch(/SEARCH c USING INDEX calls_caller_last4_idx/);
    expect(plan({ agentId: 'agent7' })).toMatch(/SEARCH c USING INDEX calls_agent_arrived_idx \(agent_id=\?\)/);
    expect(plan({ fallback: true })).toMatch(/SCAN c USING INDEX calls_fallback_idx/);
    expect(plan({ number: '13812340042' })).toMatch(
      /SEARCH c USING INDEX calls_caller_number_idx \(caller_number=\?\)/,
    );
    expect(plan({ workOrderId: '42' })).toMatch(/call_work_orders_order_idx/);
    for (const q of [{ last4: '0042' }, { agentId: 'agent7' }, { fallback: true }])
      expect(plan(q), JSON.stringify(q)).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
  });

  it('pages through every match in order with the keyset, whatever the plan', () => {
    for (const q of [{}, { agentId: 'agent7' }, { outcome: 'info_only' }, { fallback: true }, { last4: '0042' }]) {
      const seen: string[] = [];
      let after: RecordingSearch['after'];
      for (;;) {
        const page = repo.search({ ...q, after, limit: 37 });
        seen.push(...page.map((h) => h.name));
        if (page.length < 37) break;
        const last = page[page.length - 1]!;
        after = { arrivedAt: last.arrivedAt, name: last.name };
      }
      const expected = (
        store.sqlite.prepare(`select count(*) as n from calls c where ${whereOf(q)}`).get() as { n: number }
      ).n;
      expect(seen, JSON.stringify(q)).toHaveLength(expected);
      expect(new Set(seen).size).toBe(expected);
      const order = seen.map((n) => Number(n.slice(4)));
      expect(order).toEqual([...order].sort((a, b) => b - a));
    }
  });
});

function whereOf(q: RecordingSearch): string {
  if (q.agentId) return `agent_id = '${q.agentId}'`;
  if (q.outcome) return `outcome = '${q.outcome}'`;
  if (q.fallback) return 'fallback = 1';
  if (q.last4) return `substr(caller_number, -4) = '${q.last4}'`;
  return '1';
}
