import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connect } from 'socket.io-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecordingArchive, type StoredRecordingSource } from '../../src/recordings/archive.ts';
import { verifyIntegrity } from '../../src/recordings/integrity.ts';
import { IntegrityMonitor, type IntegrityAlert } from '../../src/recordings/integrity-monitor.ts';
import { runVerify } from '../../src/recordings/verify-cli.ts';
import { FakeClock } from '../../src/shared/clock.ts';
import { SqliteAuditRepo } from '../../src/store/audit-repo.ts';
import { CallsRepo } from '../../src/store/calls-repo.ts';
import { openStore, type Store } from '../../src/store/db.ts';
import { chainHash } from '../../src/store/hash-chain.ts';
import { RecordingsRepo } from '../../src/store/recordings-repo.ts';
import { SqliteRecordingsStore } from '../../src/store/recordings-store.ts';
import { bearer, startTestServer, tokenFor } from '../platform/helpers.ts';

const wav = readFileSync(new URL('../fixtures/asterisk-reference/recordings/rec-bridge-500.wav', import.meta.url));

class MapSource implements StoredRecordingSource {
  files = new Map<string, Uint8Array>();
  async fetch(name: string) {
    return this.files.get(name) ?? null;
  }
  async remove(name: string) {
    this.files.delete(name);
  }
  async list() {
    return [...this.files.keys()];
  }
}

describe('tamper evidence: hash-chained audit log and recording index, re-hashed files', () => {
  let dir: string;
  let store: Store;
  let repo: RecordingsRepo;
  let archive: RecordingArchive;
  const clock = new FakeClock(Date.UTC(2026, 0, 5, 9, 0, 0));
  const verify = (files?: number) =>
    verifyIntegrity({ repo: new SqliteRecordingsStore(repo), resolveFile: (r) => archive.resolveFile(r), files });

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'integrity-'));
    store = openStore({ dataDir: dir });
    repo = new RecordingsRepo(store.db);
    const calls = new CallsRepo(store.db);
    const source = new MapSource();
    archive = new RecordingArchive({ dataDir: dir, repo: new SqliteRecordingsStore(repo), source, clock });
    const audit = new SqliteAuditRepo(store.db);
    for (const n of [1, 2, 3]) {
      calls.insertCall({
        id: `c${n}`,
        callerChannelId: `ch${n}`,
        callerNumber: '13812341234',
        status: 'ended',
        phase: 'ended',
        arrivedAt: clock.now(),
      });
      source.files.set(`rec-${n}`, wav);
      repo.insertRecording({ name: `rec-${n}`, callId: `c${n}`, startedAt: clock.now() });
      repo.markPending(`rec-${n}`, { stoppedAt: clock.now(), talkMs: null });
      expect((await archive.archive(`rec-${n}`)).status).toBe('archived');
      await audit.append({
        entity: 'recording',
        entityId: `rec-${n}`,
        action: 'download',
        actorId: 'aud',
        actorRole: 'auditor',
        at: clock.now(),
        data: { n },
      });
    }
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('given untouched data, then both chains and every file verify, and each row carries its content hash and the previous one', async () => {
    const report = await verify();
    expect(report).toMatchObject({
      ok: true,
      first: null,
      audit: { rows: 3 },
      index: { rows: 3 },
      recordings: { archived: 3 },
      files: { checked: 3 },
    });
    const rows = store.sqlite.prepare('select * from audit_log order by id').all() as Array<
      Record<string, string | number | null>
    >;
    expect(rows[0]!.prev_hash).toBeNull();
    expect(rows[1]!.prev_hash).toBe(rows[0]!.row_hash);
    // The documented canonical form: sha256(table LF prev LF JSON array of the columns in order).
    const r = rows[1]!;
    expect(r.row_hash).toBe(
      chainHash('audit_log', r.prev_hash as string, [
        r.id!,
        r.entity!,
        r.entity_id!,
        r.action!,
        r.actor_id!,
        r.actor_role!,
        r.at!,
        r.reason ?? null,
        r.from_status ?? null,
        r.to_status ?? null,
        r.data ?? null,
      ]),
    );
    const cli = await runVerify([], { DATA_DIR: dir }, dir);
    expect(cli.exitCode).toBe(0);
    expect(cli.out).toMatch(/OK: both chains/);
  });

  it('given an audit row changed behind the triggers, then the check names that row', async () => {
    store.sqlite.exec('drop trigger audit_log_no_update');
    store.sqlite.prepare("update audit_log set actor_id = 'someone-else' where id = 2").run();
    const report = await verify();
    expect(report.ok).toBe(false);
    expect(report.first).toMatchObject({ kind: 'audit-chain', where: 'audit_log#2' });
    expect(report.first!.message).toMatch(/content does not match/);
    const cli = await runVerify([], { DATA_DIR: dir }, dir);
    expect(cli.exitCode).toBe(1);
    expect(cli.out).toMatch(/FIRST MISMATCH: audit_log#2/);
  });

  it('given an audit row deleted from the middle, then the next row is named for its broken link', async () => {
    store.sqlite.exec('drop trigger audit_log_no_delete');
    store.sqlite.prepare('delete from audit_log where id = 2').run();
    const report = await verify();
    expect(report.first).toMatchObject({ kind: 'audit-chain', where: 'audit_log#3' });
    expect(report.first!.message).toMatch(/prev_hash does not match audit_log#1/);
  });

  it('given a recording row whose checksum was rewritten, then the row is named against its index entry', async () => {
    store.sqlite.exec('drop trigger recordings_archived_immutable');
    store.sqlite
      .prepare("update recordings set sha256 = ? where name = 'rec-2'")
      .run(createHash('sha256').update('forged').digest('hex'));
    const report = await verify();
    expect(report.first).toMatchObject({ kind: 'recording-row', where: 'recordings:rec-2', recording: 'rec-2' });
    expect(report.first!.message).toMatch(/differs from recording_index#2 in sha256/);
  });

  it('given a recording row deleted behind the purge, then it is named as deleted without the purge', async () => {
    store.sqlite.exec('drop trigger recordings_delete_only_by_purge');
    store.sqlite.prepare("delete from recordings where name = 'rec-3'").run();
    const report = await verify();
    expect(report.first).toMatchObject({ kind: 'recording-row', where: 'recordings:rec-3' });
    expect(report.first!.message).toMatch(/rec-3 \(recording_index#3\) was deleted without the purge/);
  });

  it('given an index entry deleted, then the chain names the gap', async () => {
    store.sqlite.exec('drop trigger recording_index_no_delete');
    store.sqlite.prepare('delete from recording_index where seq = 2').run();
    const report = await verify();
    expect(report.first).toMatchObject({ kind: 'index-chain', where: 'recording_index#3' });
    expect(report.first!.message).toMatch(/entries 2\.\.2 are missing/);
  });

  it('given an archived file whose bytes changed, then the file is named; a sample of one file checks them in turn', async () => {
    const row = repo.get('rec-1')!;
    const abs = archive.resolveFile(row)!;
    const bytes = readFileSync(abs);
    bytes[100] = bytes[100]! ^ 0xff;
    writeFileSync(abs, bytes);
    const report = await verify();
    expect(report.first).toMatchObject({ kind: 'file', where: `file:${row.path}`, recording: 'rec-1' });
    expect(report.first!.message).toMatch(/does not match its SHA-256/);
    const sampled = await verifyIntegrity({
      repo: new SqliteRecordingsStore(repo),
      resolveFile: (r) => archive.resolveFile(r),
      files: 1,
      fileCursor: 'rec-1',
    });
    expect(sampled).toMatchObject({ ok: true, files: { checked: 1 }, nextFileCursor: 'rec-2' });
  });

  it('given the daily check on the injected clock, when a file is tampered and a chain loses its last row, then each run raises an alert naming it', async () => {
    const alerts: IntegrityAlert[] = [];
    const monitor = new IntegrityMonitor({
      repo: new SqliteRecordingsStore(repo),
      resolveFile: (r) => archive.resolveFile(r),
      clock,
      alert: (a) => alerts.push(a),
      filesPerDay: 0,
      firstDelayMs: 60_000,
      intervalMs: 86_400_000,
    });
    monitor.start();
    await clock.advanceAsync(61_000);
    await monitor.run(); // waits for the scheduled run to finish
    expect(alerts).toEqual([]);
    const abs = archive.resolveFile(repo.get('rec-3')!)!;
    writeFileSync(abs, Buffer.concat([readFileSync(abs), Buffer.from('x')]));
    await clock.advanceAsync(86_400_000);
    await monitor.run();
    expect(alerts[0]).toMatchObject({ kind: 'recording-tampered', recording: 'rec-3', callId: 'c3' });
    expect(alerts[0]!.message).toMatch(/rec-3/);
    // The last audit row removed: no link breaks, but the chain got shorter since the last check.
    writeFileSync(abs, readFileSync(abs).subarray(0, -1));
    store.sqlite.exec('drop trigger audit_log_no_delete');
    store.sqlite.prepare('delete from audit_log where id = 3').run();
    alerts.length = 0;
    await monitor.run();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.message).toMatch(/audit_log has 2 rows, 3 at the last check/);
    await monitor.close();
  });

  it('given several instances, when the daily check falls due on one that does not own the calls, then it checks nothing until it owns them', async () => {
    const alerts: IntegrityAlert[] = [];
    let owner = false;
    const monitor = new IntegrityMonitor({
      repo: new SqliteRecordingsStore(repo),
      resolveFile: (r) => archive.resolveFile(r),
      clock,
      alert: (a) => alerts.push(a),
      filesPerDay: 0,
      firstDelayMs: 60_000,
      intervalMs: 86_400_000,
      runsHere: () => owner,
    });
    const abs = archive.resolveFile(repo.get('rec-3')!)!;
    writeFileSync(abs, Buffer.concat([readFileSync(abs), Buffer.from('x')]));
    monitor.start();
    await clock.advanceAsync(61_000);
    await until(() => alerts.length > 0);
    expect(alerts).toEqual([]);
    // After a takeover this instance owns the calls: the next day's check runs here and finds the tampered file.
    owner = true;
    await clock.advanceAsync(86_400_000);
    await until(() => alerts.length > 0);
    expect(alerts[0]).toMatchObject({ kind: 'recording-tampered', recording: 'rec-3' });
    await monitor.close();
  });
});

/** Waits for the scheduled run's file reads (real I/O on the thread pool), at most two seconds. */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
}

describe('download re-checks the file hash', () => {
  it('given a tampered archived file, when an auditor downloads it, then 409 and supervisors get an alert; an intact file is served as stored', async () => {
    const s = await startTestServer({ env: { ADMIN_USERNAME: 'root-admin' } });
    try {
      const calls = new CallsRepo(s.store.db);
      const recs = new RecordingsRepo(s.store.db);
      const now = s.clock.now();
      calls.insertCall({
        id: 'c1',
        callerChannelId: 'ch1',
        callerNumber: '13812341234',
        status: 'ended',
        phase: 'ended',
        arrivedAt: now,
      });
      const rel = '2026/01/05/call-c1.wav';
      const abs = join(s.config.server.dataDir, 'recordings', rel);
      mkdirSync(join(s.config.server.dataDir, 'recordings', '2026/01/05'), { recursive: true });
      writeFileSync(abs, wav);
      recs.insertRecording({ name: 'call-c1', callId: 'c1', startedAt: now });
      recs.markArchived('call-c1', {
        path: rel,
        sha256: createHash('sha256').update(wav).digest('hex'),
        bytes: wav.length,
        durationMs: 1000,
        durationCheck: 'ok',
        archivedAt: now,
        retainUntil: now + 4 * 365 * 86_400_000,
      });
      const auditor = await tokenFor(s, 'auditor');
      const ok = await s.app.inject({ method: 'GET', url: '/recordings/call-c1/file', headers: bearer(auditor) });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['content-type']).toMatch(/audio\/wav/);

      const supervisor = await tokenFor(s, 'supervisor');
      const socket = connect(`${s.url}/supervisor`, {
        auth: { token: supervisor },
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
      });
      const alert = new Promise<{ kind: string; message: string; callId: string }>((resolve) =>
        socket.on('alert', resolve),
      );
      await new Promise<void>((resolve, reject) => {
        socket.on('connect', () => resolve());
        socket.on('connect_error', reject);
      });
      writeFileSync(abs, Buffer.concat([wav.subarray(0, 44), Buffer.alloc(wav.length - 44)]));
      const refused = await s.app.inject({ method: 'GET', url: '/recordings/call-c1/file', headers: bearer(auditor) });
      expect(refused.statusCode).toBe(409);
      expect(refused.json()).toMatchObject({ code: 'file-tampered' });
      await expect(alert).resolves.toMatchObject({
        kind: 'recording-tampered',
        callId: 'c1',
        message: expect.stringMatching(/call-c1/),
      });
      socket.close();
    } finally {
      await s.cleanup();
    }
  });
});
