// The auditor console's reads (recording search, access log, CDR export) give the same results on both stores
// for the same data (issue 12 gap 1).
import { describe, expect, it } from 'vitest';
import type { ExportCallRow } from '../../src/store/call-export-repo.ts';
import { STORE_KINDS, storeFactory, type StoreUnderTest } from '../support/stores.ts';

const T = Date.UTC(2026, 0, 5, 2, 0, 0);

interface SeedCall {
  id: string;
  number: string;
  agent: string | null;
  at: number;
  outcome: string;
  fallback?: boolean;
  recordings: Array<{ name: string; durationMs: number; held?: boolean }>;
}

const CALLS: SeedCall[] = [
  {
    id: 'c1',
    number: '13812341234',
    agent: 'a1',
    at: T + 1000,
    outcome: 'answered',
    recordings: [{ name: 'call-c1', durationMs: 30_000 }],
  },
  {
    id: 'c2',
    number: '13900005678',
    agent: 'a2',
    at: T + 2000,
    outcome: 'answered',
    recordings: [{ name: 'call-c2', durationMs: 90_000, held: true }],
  },
  {
    id: 'c3',
    number: '13812341234',
    agent: 'a1',
    at: T + 3000,
    outcome: 'transferred',
    recordings: [
      { name: 'call-c3', durationMs: 60_000 },
      { name: 'call-c3-consult', durationMs: 10_000 },
    ],
  },
  {
    id: 'c4',
    number: '95551234',
    agent: 'a2',
    at: T + 4000,
    outcome: 'answered',
    recordings: [{ name: 'call-c4', durationMs: 5000 }],
  },
  {
    id: 'c5',
    number: '1234',
    agent: null,
    at: T + 4000,
    outcome: 'fallback',
    fallback: true,
    recordings: [{ name: 'call-c5', durationMs: 20_000 }],
  },
];

async function seed(s: StoreUnderTest): Promise<void> {
  for (const c of CALLS) {
    await s.exec(`insert into calls (id, caller_channel_id, caller_number, status, phase, arrived_at, answered_at, ended_at,
        outcome, agent_id, fallback, rona_count)
      values ('${c.id}', 'ch-${c.id}', '${c.number}', 'ended', 'ended', ${c.at}, ${c.at + 100}, ${c.at + 200_000},
        '${c.outcome}', ${c.agent ? `'${c.agent}'` : 'null'}, ${c.fallback ? 'true' : 'false'}, 1)`);
    for (const r of c.recordings)
      await s.exec(`insert into recordings (name, call_id, status, started_at, stopped_at, path, sha256, bytes, duration_ms,
          archived_at, retain_until, attempts, held_at)
        values ('${r.name}', '${c.id}', 'archived', ${c.at + 100}, ${c.at + 100 + r.durationMs}, '2026/01/05/${r.name}.wav',
          '${'a'.repeat(64)}', 1000, ${r.durationMs}, ${c.at + 300_000}, ${T + 1_000_000_000}, 0, ${r.held ? T : 'null'})`);
  }
  for (const [callId, order] of [
    ['c2', '3'],
    ['c2', '12'],
    ['c1', '12'],
  ])
    await s.exec(
      `insert into call_work_orders (call_id, work_order_id, linked_at) values ('${callId}', '${order}', ${T})`,
    );
}

describe.each(STORE_KINDS)('auditor console reads on %s', (kind) => {
  const stores = storeFactory(kind);

  it('given recorded calls, when searched with each filter, then the same hits come back in (arrival, name) descending order', async () => {
    const s = await stores.fresh();
    await seed(s);
    const search = s.repos.recordingSearch;
    const names = async (q: Parameters<typeof search.search>[0]) => (await search.search(q)).map((h) => h.name);
    expect(await names({})).toEqual(['call-c5', 'call-c4', 'call-c3-consult', 'call-c3', 'call-c2', 'call-c1']);
    expect(await names({ last4: '1234' })).toEqual(['call-c4', 'call-c3-consult', 'call-c3', 'call-c1']);
    expect(await names({ number: '13900005678' })).toEqual(['call-c2']);
    expect(await names({ workOrderId: '12' })).toEqual(['call-c2', 'call-c1']);
    expect(await names({ fallback: true })).toEqual(['call-c5']);
    expect(await names({ fallback: false, held: false, minDurationMs: 10_000, maxDurationMs: 60_000 })).toEqual([
      'call-c3-consult',
      'call-c3',
      'call-c1',
    ]);
    expect(await names({ held: true })).toEqual(['call-c2']);
    expect(await names({ outcome: 'transferred', from: T + 3000, to: T + 3001 })).toEqual([
      'call-c3-consult',
      'call-c3',
    ]);
    // Keyset pages: after the last hit of a page, across a tie on the arrival time.
    const first = await search.search({ limit: 2 });
    expect(first.map((h) => h.name)).toEqual(['call-c5', 'call-c4']);
    const after = { arrivedAt: first[1]!.arrivedAt, name: first[1]!.name };
    expect(await names({ limit: 3, after })).toEqual(['call-c3-consult', 'call-c3', 'call-c2']);
    expect((await search.search({ agentId: 'a2' }))[1]).toEqual({
      name: 'call-c2',
      callId: 'c2',
      status: 'archived',
      startedAt: T + 2100,
      stoppedAt: T + 92_100,
      durationMs: 90_000,
      bytes: 1000,
      sha256: 'a'.repeat(64),
      retainUntil: T + 1_000_000_000,
      held: true,
      callerNumber: '13900005678',
      agentId: 'a2',
      outcome: 'answered',
      arrivedAt: T + 2000,
      answeredAt: T + 2100,
      endedAt: T + 202_000,
      fallback: false,
    });
    expect(search.hasHeld).toBe(true);
  });

  it('given audit rows about recordings, exports and orders, when the access log is read, then only recording and export rows come, newest first, by page', async () => {
    const s = await stores.fresh();
    const row = (entity: string, entityId: string, action: string, actorId: string, at: number) =>
      s.repos.audit.append({ entity, entityId, action, actorId, actorRole: 'auditor', at, data: { n: at - T } });
    await row('recording', 'call-c1', 'play', 'aud1', T + 1);
    await row('work_order', '12', 'update', 'agent1', T + 2);
    await row('calls', 'export', 'export', 'aud2', T + 3);
    await row('recording', 'call-c2', 'download', 'aud1', T + 4);
    await row('recording', 'call-c1', 'download', 'aud2', T + 5);
    const log = s.repos.accessLog;
    const all = await log.list({});
    expect(all.map((r) => [r.entity, r.entityId, r.action, r.actorId, r.at])).toEqual([
      ['recording', 'call-c1', 'download', 'aud2', T + 5],
      ['recording', 'call-c2', 'download', 'aud1', T + 4],
      ['calls', 'export', 'export', 'aud2', T + 3],
      ['recording', 'call-c1', 'play', 'aud1', T + 1],
    ]);
    expect(all[0]!.data).toEqual({ n: 5 });
    expect((await log.list({ recording: 'call-c1' })).map((r) => r.action)).toEqual(['download', 'play']);
    expect((await log.list({ actorId: 'aud1', action: 'download' })).map((r) => r.entityId)).toEqual(['call-c2']);
    expect((await log.list({ from: T + 3, to: T + 5 })).map((r) => r.at)).toEqual([T + 4, T + 3]);
    const page = await log.list({ limit: 2 });
    expect((await log.list({ beforeId: page[1]!.id })).map((r) => r.at)).toEqual([T + 3, T + 1]);
  });

  it('given recorded calls, when exported in pages of two, then every call comes newest first with its orders and 0/1 flags', async () => {
    const s = await stores.fresh();
    await seed(s);
    const pages: ExportCallRow[][] = [];
    for await (const p of s.repos.callExport.pages({}, 2)) pages.push(p);
    expect(pages.map((p) => p.map((r) => r.id))).toEqual([['c5', 'c4'], ['c3', 'c2'], ['c1']]);
    const c2 = pages[1]![1]!;
    expect(c2).toEqual({
      id: 'c2',
      caller_number: '13900005678',
      dialed_number: null,
      arrived_at: T + 2000,
      ivr_exit_at: null,
      queued_at: null,
      skill: null,
      answered_at: T + 2100,
      ended_at: T + 202_000,
      outcome: 'answered',
      agent_id: 'a2',
      answer_ms: null,
      breach_at: null,
      rona_count: 1,
      repeat_caller: 0,
      transfer_number: null,
      fallback: 0,
      work_orders: '12 3',
    });
    expect(pages[0]!.map((r) => r.fallback)).toEqual([1, 0]);
    const window: string[] = [];
    for await (const p of s.repos.callExport.pages({ from: T + 2000, to: T + 4000 }))
      window.push(...p.map((r) => r.id));
    expect(window).toEqual(['c3', 'c2']);
  });
});
