import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';

/**
 * Hash chains over the audit log and the recording index (issue 11 item 4).
 *
 * Canonical content of a row: the JSON array of its values in the column order below, as
 * `JSON.stringify` writes it (integers as decimal numbers, text as JSON strings, NULL as null).
 * Row hash = SHA-256 hex of `<table> LF <previous row's hash, or empty for the first row> LF <content>`.
 * The SQL function `chain_hash(table, prev, ...values)` computes it inside the inserting statement
 * (triggers of migration 0011); `npm run verify` recomputes it with the same function.
 */
export const CHAIN_COLUMNS = {
  audit_log: [
    'id',
    'entity',
    'entity_id',
    'action',
    'actor_id',
    'actor_role',
    'at',
    'reason',
    'from_status',
    'to_status',
    'data',
  ],
  recording_index: [
    'seq',
    'event',
    'name',
    'call_id',
    'started_at',
    'path',
    'sha256',
    'bytes',
    'format',
    'original_sha256',
    'duration_ms',
    'archived_at',
    'retain_until',
    'at',
  ],
} as const;

export type ChainTable = keyof typeof CHAIN_COLUMNS;
export type ChainValue = string | number | bigint | null;

export function canonicalContent(values: readonly ChainValue[]): string {
  return JSON.stringify(values.map((v) => (typeof v === 'bigint' ? Number(v) : v)));
}

export function chainHash(table: string, prevHash: string | null, values: readonly ChainValue[]): string {
  return createHash('sha256')
    .update(`${table}\n${prevHash ?? ''}\n${canonicalContent(values)}`)
    .digest('hex');
}

/** Registers chain_hash on a connection; openStore does this before migrating. */
export function registerChainFunctions(sqlite: Database.Database): void {
  sqlite.function(
    'chain_hash',
    { deterministic: true, varargs: true },
    (table: unknown, prev: unknown, ...values: unknown[]) => {
      if (typeof table !== 'string' || !(table in CHAIN_COLUMNS))
        throw new Error(`chain_hash: unknown table ${String(table)}`);
      if (values.length !== CHAIN_COLUMNS[table as ChainTable].length)
        throw new Error(`chain_hash: ${table} takes ${CHAIN_COLUMNS[table as ChainTable].length} values`);
      if (values.some((v) => v instanceof Uint8Array)) throw new Error('chain_hash: blobs are not part of a chain');
      return chainHash(table, (prev as string | null) ?? null, values as ChainValue[]);
    },
  );
}

/**
 * Seals rows written before the chain existed (once, right after migration 0011 is applied): audit rows
 * get their hashes, and every archived recording gets its index entry, in id / start order.
 */
export function sealLegacyRows(sqlite: Database.Database): void {
  const seal = sqlite.transaction(() => {
    const cols = CHAIN_COLUMNS.audit_log.join(', ');
    const rows = sqlite.prepare(`select ${cols}, row_hash from audit_log order by id`).all() as Record<
      string,
      ChainValue
    >[];
    const upd = sqlite.prepare('update audit_log set prev_hash = ?, row_hash = ? where id = ?');
    let prev: string | null = null;
    for (const r of rows) {
      if (r.row_hash === null) {
        const h = chainHash(
          'audit_log',
          prev,
          CHAIN_COLUMNS.audit_log.map((c) => r[c] ?? null),
        );
        upd.run(prev, h, r.id);
        prev = h;
      } else {
        prev = r.row_hash as string;
      }
    }
    const archived = sqlite
      .prepare(
        `select r.* from recordings r where r.status = 'archived'
         and not exists (select 1 from recording_index i where i.name = r.name) order by r.started_at, r.name`,
      )
      .all() as Record<string, ChainValue>[];
    const ins =
      sqlite.prepare(`insert into recording_index (${CHAIN_COLUMNS.recording_index.join(', ')}, prev_hash, row_hash)
      values (${CHAIN_COLUMNS.recording_index.map(() => '?').join(', ')}, ?, ?)`);
    for (const row of archived) {
      const r = (k: string): ChainValue => row[k] ?? null;
      const last = sqlite.prepare('select seq, row_hash from recording_index order by seq desc limit 1').get() as
        | { seq: number; row_hash: string }
        | undefined;
      const values: ChainValue[] = [
        (last?.seq ?? 0) + 1,
        'archived',
        r('name'),
        r('call_id'),
        r('started_at'),
        r('path'),
        r('sha256'),
        r('bytes'),
        r('format'),
        r('original_sha256'),
        r('duration_ms'),
        r('archived_at'),
        r('retain_until'),
        r('archived_at') ?? 0,
      ];
      ins.run(...values, last?.row_hash ?? null, chainHash('recording_index', last?.row_hash ?? null, values));
    }
  });
  seal();
}
