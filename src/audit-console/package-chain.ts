import { canonicalContent, CHAIN_COLUMNS, type ChainValue } from '../store/hash-chain.ts';
import type { RecordingIndexRow } from '../store/schema/calls.ts';

/**
 * The chain position written into an evidence package's manifest (issue 11 item 5): the recording's
 * `recording_index` entry exactly as it was hashed, so a third party can recompute its row hash offline
 * (`npm run verify -- --package`) and compare `seq`/`rowHash` with the site's chain (`npm run verify`).
 */
export const CHAIN_VERSION = 'hotline-chain/1';
export const CHAIN_RULE =
  'rowHash = hex(SHA-256(UTF-8 of table + "\\n" + (prevHash or "" for the first row) + "\\n" + content)), ' +
  'content = JSON.stringify(values) with values in the order of columns (integers as decimal numbers, text as JSON strings, NULL as null)';

export interface ChainPosition {
  version: typeof CHAIN_VERSION;
  rule: string;
  table: 'recording_index';
  seq: number;
  columns: string[];
  values: ChainValue[];
  /** canonicalContent(values): the exact text that was hashed after the two header lines. */
  content: string;
  prevHash: string | null;
  rowHash: string;
}

const camel = (column: string) => column.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

export function chainPosition(entry: RecordingIndexRow): ChainPosition {
  const row = entry as unknown as Record<string, ChainValue | undefined>;
  const columns = [...CHAIN_COLUMNS.recording_index];
  const values = columns.map((c) => {
    const v = row[camel(c)];
    if (v === undefined) throw new Error(`recording_index entry has no ${c}`);
    return v;
  });
  return {
    version: CHAIN_VERSION,
    rule: CHAIN_RULE,
    table: 'recording_index',
    seq: entry.seq,
    columns,
    values,
    content: canonicalContent(values),
    prevHash: entry.prevHash,
    rowHash: entry.rowHash,
  };
}
