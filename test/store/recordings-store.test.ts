// The recordings and their hash-chained index behave the same on both stores (issue 12 gap 1).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyIntegrity } from '../../src/recordings/integrity.ts';
import { runVerify } from '../../src/recordings/verify-cli.ts';
import { CHAIN_COLUMNS, chainHash, type ChainValue } from '../../src/store/hash-chain.ts';
import { openPgStore } from '../../src/store/pg-store.ts';
import { pgRepositories } from '../../src/store/repositories.ts';
import type { RecordingsStore } from '../../src/store/recordings-store.ts';
import type { RecordingIndexRow } from '../../src/store/schema/calls.ts';
import { STORE_KINDS, storeFactory, type StoreUnderTest } from '../support/stores.ts';

// Recordings of 2021 whose retention ended in 2024: past by the wall clock too, which the delete guard checks.
const START = Date.UTC(2021, 2, 1, 2, 0, 0);
const RETAIN_UNTIL = Date.UTC(2024, 2, 2, 2, 0, 0);
const PURGE_AT = Date.UTC(2025, 0, 1);

const audit = (action: string, entityId: string) => ({
  entity: 'recording',
  entityId,
  action,
  actorId: 'auditor1',
  actorRole: 'auditor',
  at: START + 10_000,
});

async function addCall(s: StoreUnderTest, id: string): Promise<void> {
  await s.exec(`insert into calls (id, caller_channel_id, caller_number, status, phase, arrived_at)
    values ('${id}', 'ch-${id}', '13812341234', 'ended', 'ended', ${START})`);
}

async function archive(r: RecordingsStore, name: string, callId: string): Promise<void> {
  await r.insertRecording({ name, callId, startedAt: START });
  await r.markPending(name, { stoppedAt: START + 60_000, talkMs: 60_000 });
  await r.markArchived(name, {
    path: `2021/03/01/${name}.wav`,
    sha256: 'a'.repeat(64),
    bytes: 1234,
    durationMs: 60_000,
    durationCheck: 'ok',
    archivedAt: START + 61_000,
    retainUntil: RETAIN_UNTIL,
  });
}

/** Drizzle wraps the database's error ("Failed query: …"); the guard's message is the cause's. */
async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e as Error & { cause?: Error },
  );
  return err ? `${err.message} ${err.cause?.message ?? ''}` : 'resolved';
}

const camel = (c: string) => c.replace(/_([a-z0-9])/g, (_, x: string) => x.toUpperCase());

/** Recomputes every row's hash from its content and its predecessor's hash; returns the rows in chain order. */
async function verifiedChain(r: RecordingsStore): Promise<RecordingIndexRow[]> {
  const all: RecordingIndexRow[] = [];
  for await (const row of r.indexFrom()) all.push(row);
  let prev: string | null = null;
  for (const row of all) {
    const values = CHAIN_COLUMNS.recording_index.map((c) => (row as unknown as Record<string, ChainValue>)[camel(c)]!);
    expect(row.prevHash).toBe(prev);
    expect(row.rowHash).toBe(chainHash('recording_index', prev, values));
    prev = row.rowHash;
  }
  return all;
}

describe.each(STORE_KINDS)('recordings store on %s', (kind) => {
  const stores = storeFactory(kind);

  it('given a call, when its recording is inserted twice, then one row is recording and found by call', async () => {
    const s = await stores.fresh();
    await addCall(s, 'c1');
    const r = s.repos.recordings;
    await r.insertRecording({ name: 'call-c1', callId: 'c1', startedAt: START });
    await r.insertRecording({ name: 'call-c1', callId: 'c1', startedAt: START + 5 });
    expect(await r.get('call-c1')).toMatchObject({ status: 'recording', startedAt: START, attempts: 0 });
    expect((await r.byCall('c1')).map((x) => x.name)).toEqual(['call-c1']);
    expect(await r.countUnarchived()).toBe(1);
    expect(await r.get('nope')).toBeUndefined();
  });

  it('given a recording, when it goes pending, fails finally and is marked lost, then each state is kept and lost only once', async () => {
    const s = await stores.fresh();
    await addCall(s, 'c1');
    const r = s.repos.recordings;
    await r.insertRecording({ name: 'call-c1', callId: 'c1', startedAt: START });
    await r.markPending('call-c1', { stoppedAt: START + 9000, talkMs: 8000 });
    expect(await r.get('call-c1')).toMatchObject({ status: 'pending', stoppedAt: START + 9000, talkMs: 8000 });
    await r.markAttemptFailed('call-c1', 'not found', false);
    await r.markAttemptFailed('call-c1', 'not found', true);
    expect(await r.get('call-c1')).toMatchObject({ status: 'failed', attempts: 2, lastError: 'not found' });
    expect((await r.notArchivedAfterCall()).map((x) => x.name)).toEqual(['call-c1']);
    expect(await r.markLost('call-c1', 'gone')).toBe(true);
    expect(await r.markLost('call-c1', 'gone')).toBe(false);
    expect(await r.get('call-c1')).toMatchObject({ status: 'lost', lastError: 'gone' });
    expect(await r.unarchived()).toEqual([]);
  });

  it('given archived recordings, then each has a chained index entry and its facts can no longer change', async () => {
    const s = await stores.fresh();
    const r = s.repos.recordings;
    for (const id of ['c1', 'c2']) {
      await addCall(s, id);
      await archive(r, `call-${id}`, id);
    }
    await r.markDeletedFromPbx('call-c1', START + 62_000);
    expect(await r.get('call-c1')).toMatchObject({
      status: 'archived',
      format: 'wav',
      originalSha256: 'a'.repeat(64),
      deletedFromPbxAt: START + 62_000,
    });
    expect((await r.archivedStillOnPbx()).map((x) => x.name)).toEqual(['call-c2']);
    expect(await r.countArchived()).toBe(2);
    const chain = await verifiedChain(r);
    expect(chain.map((x) => [x.seq, x.event, x.name])).toEqual([
      [1, 'archived', 'call-c1'],
      [2, 'archived', 'call-c2'],
    ]);
    expect(await r.indexEntry('call-c2')).toMatchObject({ seq: 2, sha256: 'a'.repeat(64), retainUntil: RETAIN_UNTIL });
    const names: string[] = [];
    for await (const row of r.archivedRows()) names.push(row.name);
    expect(names).toEqual(['call-c1', 'call-c2']);
    expect(await refusal(s.exec(`update recordings set sha256 = 'b' where name = 'call-c1'`))).toMatch(
      /archived recording cannot be changed/,
    );
  });

  it('given an index, when it is updated or deleted directly, then the store refuses and the chain still verifies', async () => {
    const s = await stores.fresh();
    await addCall(s, 'c1');
    await archive(s.repos.recordings, 'call-c1', 'c1');
    expect(await refusal(s.exec(`update recording_index set sha256 = 'b' where seq = 1`))).toMatch(/append-only/);
    expect(await refusal(s.exec('delete from recording_index'))).toMatch(/append-only/);
    expect(await refusal(s.exec(`delete from recordings where name = 'call-c1'`))).toMatch(/deletion refused/);
    expect(await verifiedChain(s.repos.recordings)).toHaveLength(1);
  });

  it('given a recording, when it is held twice and released twice, then one hold and one release are audited', async () => {
    const s = await stores.fresh();
    await addCall(s, 'c1');
    const r = s.repos.recordings;
    await archive(r, 'call-c1', 'c1');
    const h = { at: START + 1, by: 'auditor1', reason: 'complaint', caseRef: 'case-9' };
    expect(await r.hold('call-c1', h, audit('hold', 'call-c1'))).toBe(true);
    expect(await r.hold('call-c1', h, audit('hold', 'call-c1'))).toBe(false);
    expect(await r.get('call-c1')).toMatchObject({ heldAt: START + 1, heldBy: 'auditor1', holdCaseRef: 'case-9' });
    expect(await r.purgeCandidates(PURGE_AT, 10)).toEqual([]);
    expect(await r.release('call-c1', audit('release', 'call-c1'))).toBe(true);
    expect(await r.release('call-c1', audit('release', 'call-c1'))).toBe(false);
    const rows = await s.query<{ action: string }>(
      `select action from audit_log where entity = 'recording' and entity_id = 'call-c1' order by id`,
    );
    expect(rows.map((x) => x.action)).toEqual(['hold', 'release']);
  });

  it('given two recordings past retention and one held, when a purge batch runs, then only the free one goes, with a purged entry and an audit row', async () => {
    const s = await stores.fresh();
    const r = s.repos.recordings;
    for (const id of ['c1', 'c2']) {
      await addCall(s, id);
      await archive(r, `call-${id}`, id);
    }
    await r.hold('call-c2', { at: START, by: 'a', reason: 'r', caseRef: 'k' }, audit('hold', 'call-c2'));
    expect(await r.countPurgeCandidates(PURGE_AT)).toBe(1);
    const candidates = await r.purgeCandidates(PURGE_AT, 10);
    expect(candidates.map((x) => x.name)).toEqual(['call-c1']);
    await r.purgeBatch(candidates, PURGE_AT, { ...audit('purge', 'batch'), actorId: 'system', actorRole: 'system' });
    expect(await r.get('call-c1')).toBeUndefined();
    expect(await r.get('call-c2')).toMatchObject({ status: 'archived' });
    const chain = await verifiedChain(r);
    expect(chain.map((x) => [x.event, x.name, x.at])).toEqual([
      ['archived', 'call-c1', START + 61_000],
      ['archived', 'call-c2', START + 61_000],
      ['purged', 'call-c1', PURGE_AT],
    ]);
    expect(await s.query(`select action from audit_log where action = 'purge'`)).toHaveLength(1);
  });

  it('given archived, held and purged recordings, when the integrity check runs on the store, then both chains verify and every row matches its index entry', async () => {
    const s = await stores.fresh();
    const r = s.repos.recordings;
    for (const id of ['c1', 'c2']) {
      await addCall(s, id);
      await archive(r, `call-${id}`, id);
    }
    await r.hold('call-c2', { at: START, by: 'a', reason: 'r', caseRef: 'k' }, audit('hold', 'call-c2'));
    await r.purgeBatch(await r.purgeCandidates(PURGE_AT, 10), PURGE_AT, audit('purge', 'batch'));
    const report = await verifyIntegrity({ repo: r, resolveFile: () => null, files: 0 });
    expect(report.audit.rows).toBe(2);
    expect(report.index).toMatchObject({ rows: 3, head: (await verifiedChain(r)).at(-1)!.rowHash });
    expect(report.recordings.archived).toBe(1);
    // No archived file was written here: the only problem is the remaining recording's file.
    expect(report.problems.map((p) => [p.kind, p.recording])).toEqual([['file', 'call-c2']]);
  });

  it.runIf(kind === 'postgres')(
    'given DATABASE_URL, when `npm run verify` runs, then it walks the chains in PostgreSQL',
    async () => {
      const url = (await stores.freshUrl())!;
      const store = await openPgStore({ url, poolSize: 2 });
      try {
        const repos = pgRepositories(store);
        await store.pool.query(`insert into calls (id, caller_channel_id, caller_number, status, phase, arrived_at)
          values ('c1', 'ch-c1', '13812341234', 'ended', 'ended', ${START})`);
        await archive(repos.recordings, 'call-c1', 'c1');
        await repos.audit.append(audit('play', 'call-c1'));
      } finally {
        await store.close();
      }
      const dataDir = mkdtempSync(join(tmpdir(), 'verify-pg-'));
      const cli = await runVerify(['--json'], { DATA_DIR: dataDir, DATABASE_URL: url }, dataDir);
      rmSync(dataDir, { recursive: true, force: true });
      const report = JSON.parse(cli.out) as { audit: { rows: number }; index: { rows: number }; problems: unknown[] };
      expect(report.audit.rows).toBe(1);
      expect(report.index.rows).toBe(1);
      // The chains verify; the one problem is the file this test never wrote.
      expect(report.problems).toEqual([expect.objectContaining({ kind: 'file', recording: 'call-c1' })]);
      expect(cli.exitCode).toBe(1);
    },
  );

  it('given a held recording, when a purge batch names it anyway, then the guard refuses the whole batch', async () => {
    const s = await stores.fresh();
    const r = s.repos.recordings;
    for (const id of ['c1', 'c2']) {
      await addCall(s, id);
      await archive(r, `call-${id}`, id);
    }
    const rows = await r.purgeCandidates(PURGE_AT, 10);
    await r.hold('call-c2', { at: START, by: 'a', reason: 'r', caseRef: 'k' }, audit('hold', 'call-c2'));
    expect(await refusal(r.purgeBatch(rows, PURGE_AT, audit('purge', 'batch')))).toMatch(
      /purged only after retain_until/,
    );
    expect((await r.list()).map((x) => x.name).sort()).toEqual(['call-c1', 'call-c2']);
    expect(await verifiedChain(r)).toHaveLength(2);
  });
});
