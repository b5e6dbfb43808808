import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { ConfigError } from '../../src/config/config-error.ts';
import { retentionEnd } from '../../src/recordings/archive.ts';
import { RecordingRetention } from '../../src/recordings/retention.ts';
import { FakeClock } from '../../src/shared/clock.ts';
import { CallsRepo } from '../../src/store/calls-repo.ts';
import { RecordingsRepo } from '../../src/store/recordings-repo.ts';
import { SqliteRecordingsStore } from '../../src/store/recordings-store.ts';
import { bearer, startTestServer, tokenFor, type TestServer } from '../platform/helpers.ts';

const DAY = 86_400_000;
// Recordings made in 2021: their three years are over by the wall clock too, which the delete trigger also checks.
const START = Date.UTC(2021, 2, 1, 2, 0, 0);

/** Archives a fake recording `name` of call `callId` at the clock's time, with its file on disk. */
function archiveFake(s: TestServer, name: string) {
  const calls = new CallsRepo(s.store.db);
  const recs = new RecordingsRepo(s.store.db);
  const now = s.clock.now();
  calls.insertCall({
    id: `call-${name}`,
    callerChannelId: `ch-${name}`,
    callerNumber: '13812341234',
    status: 'ended',
    phase: 'ended',
    arrivedAt: now,
  });
  const bytes = Buffer.from(`RIFF fake audio of ${name}`);
  const rel = `2021/03/01/${name}.wav`;
  mkdirSync(join(s.config.server.dataDir, 'recordings', '2021/03/01'), { recursive: true });
  writeFileSync(join(s.config.server.dataDir, 'recordings', rel), bytes);
  recs.insertRecording({ name, callId: `call-${name}`, startedAt: now });
  recs.markArchived(name, {
    path: rel,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    bytes: bytes.length,
    durationMs: 1000,
    durationCheck: 'ok',
    archivedAt: now,
    retainUntil: retentionEnd(now),
  });
  return {
    file: join(s.config.server.dataDir, 'recordings', rel),
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
}

function auditRows(s: TestServer, action: string) {
  return s.store.sqlite
    .prepare('select * from audit_log where entity = ? and action = ? order by id')
    .all('recording', action) as Array<Record<string, unknown>>;
}

describe('recording retention: configurable, never below three years (art. 28)', () => {
  it('given RECORDING_RETENTION_YEARS=2, when the config loads, then start-up is refused naming the key', () => {
    expect(() => loadConfig({ env: { RECORDING_RETENTION_YEARS: '2' }, cwd: '/nonexistent' })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { RECORDING_RETENTION_YEARS: '2' }, cwd: '/nonexistent' })).toThrow(
      /RECORDING_RETENTION_YEARS.*>= 3/,
    );
  });

  it('given 5 years, then the config carries it and the retention end is five calendar years (plus a day) later', () => {
    expect(loadConfig({ env: { RECORDING_RETENTION_YEARS: '5' }, cwd: '/nonexistent' }).recordings.retentionYears).toBe(
      5,
    );
    expect(retentionEnd(START, 5)).toBe(Date.UTC(2026, 2, 2, 2, 0, 0));
    expect(() => retentionEnd(START, 2)).toThrow(/at least 3 years/);
  });
});

describe('legal hold, release and purge', () => {
  let s: TestServer;
  let clock: FakeClock;
  beforeEach(async () => {
    clock = new FakeClock(START);
    s = await startTestServer({ clock });
  });
  afterEach(async () => {
    await s.cleanup();
  });

  it('given an archived recording, when a supervisor holds and releases it, then both are audited; agents are refused; repeats answer 409', async () => {
    archiveFake(s, 'rec-a');
    const supervisor = await tokenFor(s, 'supervisor');
    const auditor = await tokenFor(s, 'auditor');
    const agent = await tokenFor(s, 'agent');

    const refused = await s.app.inject({
      method: 'POST',
      url: '/recordings/rec-a/hold',
      headers: bearer(agent),
      payload: { reason: 'complaint', caseRef: 'C-1' },
    });
    expect(refused.statusCode).toBe(403);
    const held = await s.app.inject({
      method: 'POST',
      url: '/recordings/rec-a/hold',
      headers: bearer(supervisor),
      payload: { reason: 'complaint under investigation', caseRef: 'JD-2021-17' },
    });
    expect(held.statusCode).toBe(200);
    expect(held.json()).toMatchObject({
      name: 'rec-a',
      heldAt: START,
      holdCaseRef: 'JD-2021-17',
      holdReason: 'complaint under investigation',
    });
    const twice = await s.app.inject({
      method: 'POST',
      url: '/recordings/rec-a/hold',
      headers: bearer(auditor),
      payload: { reason: 'again', caseRef: 'X' },
    });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().code).toBe('already-held');
    const missing = await s.app.inject({
      method: 'POST',
      url: '/recordings/nope/hold',
      headers: bearer(auditor),
      payload: { reason: 'r', caseRef: 'c' },
    });
    expect(missing.statusCode).toBe(404);
    const blank = await s.app.inject({
      method: 'POST',
      url: '/recordings/rec-a/release',
      headers: bearer(auditor),
      payload: { reason: '   ' },
    });
    expect(blank.statusCode).toBe(400);

    const released = await s.app.inject({
      method: 'POST',
      url: '/recordings/rec-a/release',
      headers: bearer(auditor),
      payload: { reason: 'case closed' },
    });
    expect(released.statusCode).toBe(200);
    expect(released.json()).toMatchObject({ heldAt: null, holdCaseRef: null });
    const notHeld = await s.app.inject({
      method: 'POST',
      url: '/recordings/rec-a/release',
      headers: bearer(auditor),
      payload: { reason: 'again' },
    });
    expect(notHeld.statusCode).toBe(409);

    const holds = auditRows(s, 'hold');
    expect(holds).toHaveLength(1);
    expect(holds[0]).toMatchObject({
      entity_id: 'rec-a',
      actor_role: 'supervisor',
      reason: 'complaint under investigation',
    });
    expect(JSON.parse(String(holds[0]!.data))).toMatchObject({ caseRef: 'JD-2021-17' });
    expect(auditRows(s, 'release')).toEqual([
      expect.objectContaining({ entity_id: 'rec-a', actor_role: 'auditor', reason: 'case closed' }),
    ]);
  });

  it('given three recordings past retention, one held, when purged (dry run first), then only the two unheld go, in batches, audited with their checksums', async () => {
    const a = archiveFake(s, 'rec-a');
    const b = archiveFake(s, 'rec-b');
    const c = archiveFake(s, 'rec-c');
    const recs = new RecordingsRepo(s.store.db);
    const supervisor = await tokenFor(s, 'supervisor');
    const admin = await tokenFor(s, 'admin');
    expect(
      (
        await s.app.inject({
          method: 'POST',
          url: '/recordings/rec-b/hold',
          headers: bearer(supervisor),
          payload: { reason: 'complaint', caseRef: 'C-9' },
        })
      ).statusCode,
    ).toBe(200);

    // Inside the retention nothing is eligible.
    const early = await s.app.inject({
      method: 'POST',
      url: '/recordings/purge',
      headers: bearer(admin),
      payload: { dryRun: false },
    });
    expect(early.json()).toMatchObject({ count: 0, eligible: 0 });
    expect(recs.get('rec-a')).toBeDefined();

    clock.advance(3 * 366 * DAY + 2 * DAY);
    // Tokens are short-lived: sign in again three years later.
    const admin2 = await tokenFor(s, 'admin');
    const supervisor2 = await tokenFor(s, 'supervisor');
    const dry = await s.app.inject({
      method: 'POST',
      url: '/recordings/purge',
      headers: bearer(admin2),
      payload: { dryRun: true },
    });
    expect(dry.statusCode).toBe(200);
    expect(dry.json()).toMatchObject({ dryRun: true, eligible: 2, count: 2 });
    expect(
      dry
        .json()
        .recordings.map((r: { name: string }) => r.name)
        .sort(),
    ).toEqual(['rec-a', 'rec-c']);
    expect(recs.get('rec-a')).toBeDefined();
    expect(existsSync(a.file)).toBe(true);
    expect(auditRows(s, 'purge')).toHaveLength(0);

    // Batches of one: two transactions, two audit rows.
    const retention = new RecordingRetention({
      repo: new SqliteRecordingsStore(recs),
      clock,
      resolveFile: (row) => join(s.config.server.dataDir, 'recordings', row.path!),
      batchSize: 1,
    });
    const report = await retention.purge({ dryRun: false, actor: { username: 'ops', role: 'admin' } });
    expect(report).toMatchObject({ dryRun: false, count: 2, batches: 2, fileErrors: [] });
    expect(recs.get('rec-a')).toBeUndefined();
    expect(recs.get('rec-c')).toBeUndefined();
    expect(existsSync(a.file)).toBe(false);
    expect(existsSync(c.file)).toBe(false);
    expect(recs.get('rec-b')).toBeDefined();
    expect(existsSync(b.file)).toBe(true);
    const purges = auditRows(s, 'purge');
    expect(purges).toHaveLength(2);
    const removed = purges.flatMap(
      (p) =>
        (JSON.parse(String(p.data)) as { count: number; recordings: { name: string; sha256: string }[] }).recordings,
    );
    expect(removed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'rec-a', sha256: a.sha256 }),
        expect.objectContaining({ name: 'rec-c', sha256: c.sha256 }),
      ]),
    );
    expect(JSON.parse(String(purges[0]!.data)).count).toBe(1);

    // Released after its retention: the next purge takes it.
    expect(
      (
        await s.app.inject({
          method: 'POST',
          url: '/recordings/rec-b/release',
          headers: bearer(supervisor2),
          payload: { reason: 'closed' },
        })
      ).statusCode,
    ).toBe(200);
    const after = await s.app.inject({
      method: 'POST',
      url: '/recordings/purge',
      headers: bearer(admin2),
      payload: { dryRun: false },
    });
    expect(after.json()).toMatchObject({
      count: 1,
      recordings: [expect.objectContaining({ name: 'rec-b', sha256: b.sha256 })],
    });
    expect(existsSync(b.file)).toBe(false);

    // The purge leaves the chains whole: its `purged` entries explain the rows that are gone.
    const verified = await s.app.inject({
      method: 'POST',
      url: '/recordings/verify',
      headers: bearer(admin2),
      payload: {},
    });
    expect(verified.json()).toMatchObject({ ok: true, index: { rows: 6 }, first: null });
  });

  it('given a recording past retention, then nothing but the purge path deletes it, and a held one not even that', async () => {
    archiveFake(s, 'rec-a');
    archiveFake(s, 'rec-b');
    clock.advance(3 * 366 * DAY + 2 * DAY);
    const db = s.store.sqlite;
    expect(() => db.prepare("delete from recordings where name = 'rec-a'").run()).toThrow(/only the purge/);
    db.prepare("update recordings set held_at = 1 where name = 'rec-b'").run();
    // The purge marker itself is refused for a held recording, and a held row cannot be deleted.
    expect(() =>
      db
        .prepare("insert into recording_index (seq, event, name, at, row_hash) values (99, 'purged', 'rec-b', ?, 'x')")
        .run(clock.now()),
    ).toThrow(/not held/);
    expect(() => db.prepare("delete from recordings where name = 'rec-b'").run()).toThrow(/only the purge/);
    // Before retain_until the marker is refused too.
    archiveFake(s, 'rec-new');
    expect(() =>
      db
        .prepare(
          "insert into recording_index (seq, event, name, at, row_hash) values (98, 'purged', 'rec-new', ?, 'x')",
        )
        .run(clock.now()),
    ).toThrow(/after retain_until/);
    expect(new RecordingsRepo(s.store.db).get('rec-a')).toBeDefined();
  });

  it('given the scheduled purge on the injected clock, when a day passes, then expired recordings are purged by the system', async () => {
    archiveFake(s, 'rec-a');
    clock.advance(3 * 366 * DAY + 2 * DAY);
    const recs = new RecordingsRepo(s.store.db);
    const retention = new RecordingRetention({
      repo: new SqliteRecordingsStore(recs),
      clock,
      resolveFile: () => null,
      batchSize: 10,
      firstDelayMs: 60_000,
      intervalMs: DAY,
    });
    retention.start();
    await clock.advanceAsync(59_000);
    expect(recs.get('rec-a')).toBeDefined();
    await clock.advanceAsync(2_000);
    expect(recs.get('rec-a')).toBeUndefined();
    expect(auditRows(s, 'purge')).toEqual([expect.objectContaining({ actor_id: 'system' })]);
    const beforeClose = clock.pendingCount;
    await retention.close();
    // The next day's run was scheduled, and closing cancels it.
    expect(clock.pendingCount).toBe(beforeClose - 1);
  });

  it('given several instances, when the scheduled purge falls due on one that does not own the calls, then it purges nothing until it owns them', async () => {
    archiveFake(s, 'rec-a');
    clock.advance(3 * 366 * DAY + 2 * DAY);
    const recs = new RecordingsRepo(s.store.db);
    let owner = false;
    const retention = new RecordingRetention({
      repo: new SqliteRecordingsStore(recs),
      clock,
      resolveFile: () => null,
      batchSize: 10,
      firstDelayMs: 60_000,
      intervalMs: DAY,
      runsHere: () => owner,
    });
    retention.start();
    await clock.advanceAsync(61_000);
    expect(recs.get('rec-a')).toBeDefined();
    expect(auditRows(s, 'purge')).toEqual([]);
    // It became the owner (a takeover): the next day's run purges.
    owner = true;
    await clock.advanceAsync(DAY);
    expect(recs.get('rec-a')).toBeUndefined();
    expect(auditRows(s, 'purge')).toHaveLength(1);
    await retention.close();
  });
});
