import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { archivedFilePath, archiveRoot } from '../../src/recordings/archive.ts';
import { SqliteRecordingsStore } from '../../src/store/recordings-store.ts';
import { verifyIntegrity } from '../../src/recordings/integrity.ts';
import { openStore } from '../../src/store/db.ts';
import { MIGRATIONS_FOLDER } from '../../src/store/migrate.ts';
import { RecordingsRepo } from '../../src/store/recordings-repo.ts';

/** The migrations as they were before the hash chains (0000–0010). */
function migrationsBeforeChains(dir: string): string {
  const folder = join(dir, 'drizzle-old');
  cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalPath = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
  journal.entries = journal.entries.filter((e) => e.tag < '0011');
  writeFileSync(journalPath, JSON.stringify(journal));
  return folder;
}

describe('upgrading a database written before the hash chains', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'chain-upgrade-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('given audit rows and an archived recording from before, when the new version opens the store, then they are sealed once and verify clean', async () => {
    const old = openStore({ dataDir: dir, migrationsFolder: migrationsBeforeChains(dir) });
    const at = Date.UTC(2026, 0, 5);
    for (const id of [1, 2, 3]) {
      old.sqlite
        .prepare(
          "insert into audit_log (entity, entity_id, action, actor_id, actor_role, at) values ('work_order', ?, 'create', 'a', 'agent', ?)",
        )
        .run(`wo-${id}`, at);
    }
    old.sqlite
      .prepare(
        "insert into calls (id, caller_channel_id, caller_number, status, phase, arrived_at) values ('c1', 'ch1', '13800000000', 'ended', 'ended', ?)",
      )
      .run(at);
    old.sqlite
      .prepare(
        "insert into recordings (name, call_id, status, started_at, path, sha256, bytes, archived_at, retain_until) values ('rec-old', 'c1', 'archived', ?, null, 'abc', 3, ?, ?)",
      )
      .run(at, at, at + 4 * 365 * 86_400_000);
    old.close();

    const store = openStore({ dataDir: dir });
    try {
      const repo = new RecordingsRepo(store.db);
      expect(repo.indexEntry('rec-old')).toMatchObject({ seq: 1, event: 'archived', sha256: 'abc' });
      const report = await verifyIntegrity({
        repo: new SqliteRecordingsStore(repo),
        resolveFile: (r) => archivedFilePath(archiveRoot(dir), r),
        files: 0,
      });
      // The chains are whole; only the file (never written in this test) is reported.
      expect(report).toMatchObject({ audit: { rows: 3 }, index: { rows: 1 } });
      expect(report.problems.map((p) => p.kind)).toEqual(['file']);
      // New rows continue the chain.
      store.sqlite
        .prepare(
          "insert into audit_log (entity, entity_id, action, actor_id, actor_role, at) values ('work_order', 'wo-4', 'create', 'a', 'agent', ?)",
        )
        .run(at);
      const rows = store.sqlite.prepare('select id, prev_hash, row_hash from audit_log order by id').all() as {
        id: number;
        prev_hash: string | null;
        row_hash: string;
      }[];
      expect(rows[3]!.prev_hash).toBe(rows[2]!.row_hash);
    } finally {
      store.close();
    }
    // Opening again does not re-seal anything: a row whose hash was cleared stays a finding.
    const again = openStore({ dataDir: dir });
    try {
      again.sqlite.exec('drop trigger audit_log_no_update');
      again.sqlite.prepare('update audit_log set row_hash = null where id = 2').run();
    } finally {
      again.close();
    }
    const third = openStore({ dataDir: dir });
    try {
      const report = await verifyIntegrity({
        repo: new SqliteRecordingsStore(new RecordingsRepo(third.db)),
        resolveFile: () => null,
        files: 0,
      });
      expect(report.problems[0]).toMatchObject({ kind: 'audit-chain', where: 'audit_log#2' });
    } finally {
      third.close();
    }
  });
});
