import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { CHAIN_COLUMNS, chainHash, type ChainTable, type ChainValue } from '../store/hash-chain.ts';
import type { RecordingsStore } from '../store/recordings-store.ts';
import type { RecordingRow } from '../store/schema/calls.ts';

/**
 * Tamper evidence (issue 11 item 4): walks the audit-log and recording-index hash chains, checks that
 * every archived recording row matches its index entry (and that no indexed recording vanished
 * without a `purged` entry), and re-hashes archived files. Reports the first row or file that does
 * not match, and up to MAX_PROBLEMS more.
 */
export interface IntegrityProblem {
  kind: 'audit-chain' | 'index-chain' | 'recording-row' | 'file';
  /** `audit_log#12`, `recording_index#7`, `recordings:rec-c1`, `file:2026/01/06/rec-c1.ogg` */
  where: string;
  message: string;
  recording?: string;
  callId?: string;
}

export interface IntegrityReport {
  ok: boolean;
  audit: { rows: number; head: string | null };
  index: { rows: number; head: string | null };
  recordings: { archived: number };
  files: { checked: number; bytes: number; ms: number };
  first: IntegrityProblem | null;
  problems: IntegrityProblem[];
}

const MAX_PROBLEMS = 100;
const PAGE = 5000;

export interface VerifyOptions {
  /** The recordings' store; the audit trail is walked in the same store (both move to PostgreSQL together). */
  repo: RecordingsStore;
  resolveFile: (row: RecordingRow) => string | null;
  /** Files to re-hash: undefined or 0 = every archived file; n = n files after `fileCursor` (wrapping). */
  files?: number;
  /** Name after which the file sample starts (the daily check rotates through the archive). */
  fileCursor?: string;
}

export async function verifyIntegrity(o: VerifyOptions): Promise<IntegrityReport & { nextFileCursor: string }> {
  const problems: IntegrityProblem[] = [];
  const add = (p: IntegrityProblem) => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  const audit = await walkChain(o.repo, 'audit_log', 'id', add);
  const index = await walkChain(o.repo, 'recording_index', 'seq', add);
  await checkRowsAgainstIndex(o.repo, add);
  const archived = await o.repo.countArchived();
  const files = await checkFiles(o, add);
  return {
    ok: problems.length === 0,
    audit,
    index,
    recordings: { archived },
    files: { checked: files.checked, bytes: files.bytes, ms: files.ms },
    first: problems[0] ?? null,
    problems,
    nextFileCursor: files.cursor,
  };
}

async function walkChain(
  store: RecordingsStore,
  table: ChainTable,
  key: 'id' | 'seq',
  add: (p: IntegrityProblem) => void,
): Promise<{ rows: number; head: string | null }> {
  const cols = CHAIN_COLUMNS[table];
  const kind = table === 'audit_log' ? 'audit-chain' : 'index-chain';
  let prevHash: string | null = null;
  let prevKey: number | null = null;
  let rows = 0;
  for (;;) {
    const page = await store.rawRows<Record<string, ChainValue>>(
      `select ${cols.join(', ')}, prev_hash, row_hash from ${table} where ${key} > ${prevKey ?? -1} order by ${key} limit ${PAGE}`,
    );
    if (page.length === 0) break;
    for (const r of page) {
      const k: number = Number(r[key]);
      const where = `${table}#${k}`;
      if (key === 'seq' && k !== (prevKey ?? 0) + 1) {
        add({ kind, where, message: `${table}: entries ${(prevKey ?? 0) + 1}..${k - 1} are missing before ${where}` });
      }
      if ((r.prev_hash ?? null) !== prevHash) {
        add({
          kind,
          where,
          message: `${where}: prev_hash does not match ${prevKey === null ? 'the start of the chain' : `${table}#${prevKey}`} (a row before it was removed or changed)`,
        });
      }
      const expected = chainHash(
        table,
        (r.prev_hash as string | null) ?? null,
        cols.map((c) => r[c] ?? null),
      );
      if (r.row_hash !== expected)
        add({ kind, where, message: `${where}: content does not match its row_hash (the row was changed)` });
      prevHash = (r.row_hash as string | null) ?? null;
      prevKey = k;
      rows++;
    }
  }
  return { rows, head: prevHash };
}

/** Fields a recording row shares with its `archived` index entry. */
const SHARED = [
  ['call_id', 'call_id'],
  ['started_at', 'started_at'],
  ['path', 'path'],
  ['sha256', 'sha256'],
  ['bytes', 'bytes'],
  ['format', 'format'],
  ['original_sha256', 'original_sha256'],
  ['duration_ms', 'duration_ms'],
  ['archived_at', 'archived_at'],
  ['retain_until', 'retain_until'],
] as const;

async function checkRowsAgainstIndex(store: RecordingsStore, add: (p: IntegrityProblem) => void): Promise<void> {
  // An indexed recording with no `purged` entry must still have its row.
  const vanished = await store.rawRows<{ name: string; seq: number; call_id: string | null }>(`
    select i.name, i.seq, i.call_id from recording_index i
    where i.event = 'archived'
      and not exists (select 1 from recording_index p where p.name = i.name and p.event = 'purged')
      and not exists (select 1 from recordings r where r.name = i.name)
    order by i.seq limit ${MAX_PROBLEMS}`);
  for (const v of vanished) {
    add({
      kind: 'recording-row',
      where: `recordings:${v.name}`,
      recording: v.name,
      callId: v.call_id ?? undefined,
      message: `recording ${v.name} (recording_index#${v.seq}) was deleted without the purge`,
    });
  }
  const unindexed = await store.rawRows<{ name: string; call_id: string }>(`
    select r.name, r.call_id from recordings r where r.status = 'archived'
      and not exists (select 1 from recording_index i where i.name = r.name and i.event = 'archived')
    order by r.name limit ${MAX_PROBLEMS}`);
  for (const u of unindexed) {
    add({
      kind: 'recording-row',
      where: `recordings:${u.name}`,
      recording: u.name,
      callId: u.call_id,
      message: `recording ${u.name} is archived but has no index entry (written behind the chain)`,
    });
  }
  // IS DISTINCT FROM: null-safe in both dialects (SQLite's `IS NOT` means the same, PostgreSQL's does not).
  const differs = SHARED.map(([r, i]) => `r.${r} is distinct from i.${i}`).join(' or ');
  const changed = await store.rawRows<Record<string, ChainValue>>(
    `
    select r.name, i.seq, ${SHARED.map(([r, i]) => `r.${r} as r_${r}, i.${i} as i_${i}`).join(', ')}
    from recordings r join recording_index i on i.name = r.name and i.event = 'archived'
    where r.status = 'archived' and (${differs}) order by i.seq limit ${MAX_PROBLEMS}`,
  );
  for (const c of changed) {
    const fields = SHARED.filter(([r, i]) => c[`r_${r}`] !== c[`i_${i}`]).map(([r]) => r);
    add({
      kind: 'recording-row',
      where: `recordings:${String(c.name)}`,
      recording: String(c.name),
      callId: String(c.r_call_id),
      message: `recording ${String(c.name)} differs from recording_index#${String(c.seq)} in ${fields.join(', ')}`,
    });
  }
}

async function checkFiles(
  o: VerifyOptions,
  add: (p: IntegrityProblem) => void,
): Promise<{ checked: number; bytes: number; ms: number; cursor: string }> {
  const started = performance.now();
  const total = await o.repo.countArchived();
  const limit = o.files && o.files > 0 ? Math.min(o.files, total) : total;
  let checked = 0;
  let bytes = 0;
  let cursor = o.fileCursor ?? '';
  while (checked < limit) {
    let progressed = false;
    for await (const row of o.repo.archivedRows(cursor)) {
      const res = await checkArchivedFile(o.resolveFile, row);
      bytes += res.bytes;
      if (res.status !== 'ok')
        add({
          kind: 'file',
          where: `file:${row.path ?? row.name}`,
          recording: row.name,
          callId: row.callId,
          message: res.message,
        });
      checked++;
      cursor = row.name;
      progressed = true;
      if (checked >= limit) break;
    }
    if (checked >= limit || (!progressed && cursor === '')) break;
    // Past the last name: the sample wraps round to the start.
    cursor = '';
  }
  return { checked, bytes, ms: Math.round(performance.now() - started), cursor };
}

export type FileCheck =
  | { status: 'ok'; bytes: number }
  | { status: 'missing' | 'mismatch'; bytes: number; message: string };

/** Re-hashes one archived file against the row's SHA-256 (downloads and the check call this). */
export async function checkArchivedFile(
  resolveFile: (row: RecordingRow) => string | null,
  row: RecordingRow,
): Promise<FileCheck> {
  const abs = resolveFile(row);
  if (!abs) return { status: 'missing', bytes: 0, message: `recording ${row.name}: no archived file path` };
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    for await (const chunk of createReadStream(abs)) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      return { status: 'missing', bytes: 0, message: `file ${row.path} of recording ${row.name} is missing` };
    throw err;
  }
  const actual = hash.digest('hex');
  if (actual !== row.sha256) {
    return {
      status: 'mismatch',
      bytes,
      message: `file ${row.path} of recording ${row.name} does not match its SHA-256 (stored ${row.sha256}, file ${actual})`,
    };
  }
  return { status: 'ok', bytes };
}
