import { createHash } from 'node:crypto';
import { canonicalContent, chainHash, CHAIN_COLUMNS, type ChainValue } from '../store/hash-chain.ts';
import { PACKAGE_FORMAT } from './evidence-package.ts';
import { CHAIN_VERSION } from './package-chain.ts';
import { untar } from './tar.ts';

/**
 * Offline check of an evidence package (`npm run verify -- --package file.tar`, issue 11 item 5): needs
 * only the tar, no database. In order, and stopping at the first mismatch:
 *  1. SHA256SUMS against every file in the tar (and no file left out of it);
 *  2. the manifest's file list and the audio against the recording's checksums in the manifest;
 *  3. the chain entry: its content is the canonical JSON of its values, its row hash recomputes from
 *     content and prev hash (same function as the database's chain_hash), and it names this
 *     recording, call and audio checksum.
 * What it cannot prove alone: that the entry is in the site's chain; compare `seq` and `rowHash` with
 * the site's `npm run verify` (or a later package's prevHash chain) for that.
 */
export interface PackageMismatch {
  /** `tar`, `SHA256SUMS`, `audio/rec-1.wav`, `manifest.json`, `manifest.chain`, … */
  part: string;
  message: string;
}

export interface PackageReport {
  ok: boolean;
  recording: string | null;
  checked: string[];
  first: PackageMismatch | null;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

class Mismatch extends Error {
  constructor(
    readonly part: string,
    message: string,
  ) {
    super(message);
  }
}

const fail = (part: string, message: string): never => {
  throw new Mismatch(part, message);
};

function parseSums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue;
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!m) fail('SHA256SUMS', `line ${i + 1} is not "<sha256>  <file>"`);
    sums.set(m![2]!, m![1]!);
  }
  return sums;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export function verifyEvidencePackage(tarBytes: Uint8Array): PackageReport {
  const checked: string[] = [];
  let recording: string | null = null;
  try {
    let files: Map<string, Buffer>;
    try {
      files = untar(tarBytes);
    } catch (err) {
      return fail('tar', (err as Error).message);
    }
    const sumsFile = files.get('SHA256SUMS') ?? fail('SHA256SUMS', 'missing from the package');
    const manifestFile = files.get('manifest.json') ?? fail('manifest.json', 'missing from the package');

    // 1. SHA256SUMS covers every other file and each one matches.
    const sums = parseSums(sumsFile.toString('utf8'));
    for (const name of files.keys())
      if (name !== 'SHA256SUMS' && !sums.has(name)) fail(name, 'is in the package but not listed in SHA256SUMS');
    for (const [name, want] of sums) {
      const data = files.get(name) ?? fail(name, 'is listed in SHA256SUMS but missing from the package');
      const got = sha256(data);
      if (got !== want) fail(name, `SHA-256 ${got} does not match SHA256SUMS (${want})`);
    }
    checked.push(`SHA256SUMS: ${sums.size} files match`);

    // 2. The manifest: its file list and the recording's checksums agree with the audio.
    let manifest: Json;
    try {
      const parsed: unknown = JSON.parse(manifestFile.toString('utf8'));
      manifest = isObj(parsed) ? parsed : fail('manifest.json', 'is not a JSON object');
    } catch (err) {
      if (err instanceof Mismatch) throw err;
      return fail('manifest.json', `is not valid JSON (${(err as Error).message})`);
    }
    if (manifest.format !== PACKAGE_FORMAT)
      fail('manifest.format', `is ${JSON.stringify(manifest.format)}, expected ${PACKAGE_FORMAT}`);
    recording = typeof manifest.recording === 'string' ? manifest.recording : fail('manifest.recording', 'is missing');
    const listed = Array.isArray(manifest.files) ? manifest.files : fail('manifest.files', 'is missing');
    for (const f of listed) {
      if (!isObj(f) || typeof f.name !== 'string') return fail('manifest.files', 'has an entry without a name');
      const data = files.get(f.name) ?? fail(f.name, 'is listed in manifest.files but missing from the package');
      if (f.sha256 !== sha256(data))
        fail(`manifest.files[${f.name}]`, `sha256 ${String(f.sha256)} does not match the file (${sha256(data)})`);
      if (f.bytes !== data.length)
        fail(`manifest.files[${f.name}]`, `bytes ${String(f.bytes)} does not match the file (${data.length})`);
    }
    const audioNames = [...files.keys()].filter((n) => n.startsWith('audio/'));
    if (audioNames.length !== 1) fail('audio', `expected one audio file, found ${audioNames.length}`);
    const audioName = audioNames[0]!;
    if (!listed.some((f) => isObj(f) && f.name === audioName)) fail('manifest.files', `does not list ${audioName}`);
    const audioSha = sha256(files.get(audioName)!);
    const checksums = isObj(manifest.recordingChecksums)
      ? manifest.recordingChecksums
      : fail('manifest.recordingChecksums', 'is missing');
    if (checksums.sha256 !== audioSha)
      fail(
        audioName,
        `SHA-256 ${audioSha} does not match the recording's archived checksum ${String(checksums.sha256)} (manifest.recordingChecksums.sha256)`,
      );
    checked.push(`${audioName}: matches the recording's archived SHA-256`);

    // 3. The chain entry recomputes, and it is this recording's.
    const chain = manifest.chain;
    if (chain === null || chain === undefined)
      fail('manifest.chain', 'is null: the package carries no index entry to verify');
    if (!isObj(chain)) return fail('manifest.chain', 'is not an object');
    if (chain.version !== CHAIN_VERSION)
      fail('manifest.chain.version', `is ${JSON.stringify(chain.version)}, this tool checks ${CHAIN_VERSION}`);
    if (chain.table !== 'recording_index')
      fail('manifest.chain.table', `is ${JSON.stringify(chain.table)}, expected recording_index`);
    const columns = CHAIN_COLUMNS.recording_index;
    if (JSON.stringify(chain.columns) !== JSON.stringify(columns))
      fail('manifest.chain.columns', `are not the recording_index columns of ${CHAIN_VERSION}`);
    const values = Array.isArray(chain.values) ? chain.values : fail('manifest.chain.values', 'is missing');
    if (
      values.length !== columns.length ||
      !values.every((v) => v === null || typeof v === 'string' || typeof v === 'number')
    ) {
      fail('manifest.chain.values', `must be ${columns.length} strings, numbers or nulls`);
    }
    const content = canonicalContent(values as ChainValue[]);
    if (chain.content !== content) fail('manifest.chain.content', 'is not the canonical JSON of manifest.chain.values');
    const prev = chain.prevHash;
    if (prev !== null && (typeof prev !== 'string' || !/^[0-9a-f]{64}$/.test(prev)))
      fail('manifest.chain.prevHash', 'is neither null nor a SHA-256 hex');
    const rowHash = chainHash('recording_index', (prev as string | null) ?? null, values as ChainValue[]);
    if (chain.rowHash !== rowHash)
      fail(
        'manifest.chain.rowHash',
        `${String(chain.rowHash)} does not match the hash recomputed from the entry's content and prevHash (${rowHash})`,
      );
    const value = (c: (typeof columns)[number]) => values[columns.indexOf(c)];
    if (chain.seq !== value('seq'))
      fail('manifest.chain.seq', `${String(chain.seq)} is not the entry's seq ${String(value('seq'))}`);
    if (value('event') !== 'archived')
      fail('manifest.chain.values', `event is ${String(value('event'))}, expected archived`);
    if (value('name') !== recording)
      fail('manifest.recording', `${recording} is not the chain entry's recording ${String(value('name'))}`);
    if (value('call_id') !== manifest.callId)
      fail('manifest.callId', `${String(manifest.callId)} is not the chain entry's call ${String(value('call_id'))}`);
    if (value('sha256') !== audioSha)
      fail('manifest.chain.values', `sha256 ${String(value('sha256'))} is not the audio's ${audioSha}`);
    if (value('bytes') !== files.get(audioName)!.length)
      fail(
        'manifest.chain.values',
        `bytes ${String(value('bytes'))} is not the audio's size ${files.get(audioName)!.length}`,
      );
    if ((checksums.originalSha256 ?? null) !== value('original_sha256')) {
      fail(
        'manifest.recordingChecksums.originalSha256',
        `${String(checksums.originalSha256 ?? null)} is not the chain entry's original_sha256 ${String(value('original_sha256'))}`,
      );
    }
    // A WAV archive is the original itself; an Opus one names its WAV in original_sha256 (not in the package).
    if (value('format') === 'wav' && value('original_sha256') !== null && value('original_sha256') !== audioSha) {
      fail(
        'manifest.chain.values',
        `original_sha256 ${String(value('original_sha256'))} of a WAV archive is not the audio's ${audioSha}`,
      );
    }
    checked.push(
      `recording_index#${String(chain.seq)}: row hash ${rowHash} recomputes from its content and prev hash; it names this recording, call and audio`,
    );
    return { ok: true, recording, checked, first: null };
  } catch (err) {
    if (err instanceof Mismatch)
      return { ok: false, recording, checked, first: { part: err.part, message: err.message } };
    throw err;
  }
}
