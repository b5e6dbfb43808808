import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { RecordingIndexRow, RecordingRow } from '../store/schema/calls.ts';
import { chainPosition } from './package-chain.ts';
import { tar } from './tar.ts';

export const PACKAGE_FORMAT = 'hotline-evidence/1';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

export class ArchivedFileTampered extends Error {
  constructor(
    readonly recording: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      `the archived file of ${recording} does not match its stored SHA-256 (expected ${expected}, found ${actual})`,
    );
  }
}

/** Every checksum the recording row carries (sha256 today; the archive work adds the original's). */
function checksumFields(row: RecordingRow): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) if (/sha256|hash/i.test(k) && v !== null && v !== undefined) out[k] = v;
  return out;
}

/**
 * An evidence package (issue 11 item 5): a tar with the audio, `call.json` (the call, its legs and
 * timeline, its work orders), `manifest.json` (who made it and when, the row's checksums, each file's
 * SHA-256) and `SHA256SUMS` (so `sha256sum -c SHA256SUMS` checks it with no tool of ours).
 *
 * The audio is re-hashed first: a file that no longer matches its stored checksum is never packaged.
 * `chain` is the recording's latest `recording_index` entry as hashed (package-chain.ts), null only for a
 * recording archived by a version without the index.
 */
export async function buildEvidencePackage(input: {
  row: RecordingRow;
  audioPath: string;
  call: unknown;
  indexEntry?: RecordingIndexRow;
  createdBy: { username: string; role: string };
  createdAt: number;
}): Promise<{ body: Buffer; filename: string; sha256: string }> {
  const { row } = input;
  const audio = await readFile(input.audioPath);
  const audioSha = sha256(audio);
  if (row.sha256 && row.sha256 !== audioSha) throw new ArchivedFileTampered(row.name, row.sha256, audioSha);
  const audioName = `audio/${basename(input.audioPath)}`;
  const callJson = Buffer.from(`${JSON.stringify(input.call, null, 2)}\n`);
  const files = [
    { name: audioName, sha256: audioSha, bytes: audio.length },
    { name: 'call.json', sha256: sha256(callJson), bytes: callJson.length },
  ];
  const manifest = Buffer.from(
    `${JSON.stringify(
      {
        format: PACKAGE_FORMAT,
        recording: row.name,
        callId: row.callId,
        createdAt: new Date(input.createdAt).toISOString(),
        createdBy: input.createdBy,
        recordingChecksums: checksumFields(row),
        files,
        chain: input.indexEntry ? chainPosition(input.indexEntry) : null,
      },
      null,
      2,
    )}\n`,
  );
  const sums = Buffer.from(
    [...files, { name: 'manifest.json', sha256: sha256(manifest) }].map((f) => `${f.sha256}  ${f.name}\n`).join(''),
  );
  const body = tar([
    { name: 'manifest.json', data: manifest, mtime: input.createdAt },
    { name: 'call.json', data: callJson, mtime: input.createdAt },
    { name: audioName, data: audio, mtime: row.archivedAt ?? input.createdAt },
    { name: 'SHA256SUMS', data: sums, mtime: input.createdAt },
  ]);
  return { body, filename: `evidence-${row.name}.tar`, sha256: sha256(body) };
}
