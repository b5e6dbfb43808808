/**
 * Verifies the prompts in sounds/ against sounds/manifest.json: every listed file exists, its
 * SHA-256 is the recorded one, it was generated from the current text, and it is 8 kHz 16-bit
 * mono PCM WAV (what Asterisk plays without transcoding). Also flags WAV files not in the manifest.
 *
 *   npx tsx scripts/check-prompts.ts      (exit code 1 and one line per problem when anything is wrong)
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface WavFormat {
  audioFormat: number;
  channels: number;
  sampleRate: number;
  byteRate: number;
  blockAlign: number;
  bitsPerSample: number;
  dataBytes: number;
  durationMs: number;
}

export interface PromptEntry {
  text: string;
  /** espeak-ng voice of this file when not the manifest's (yue/ is Cantonese). */
  voice?: string;
  speed?: number;
  sha256?: string;
  textSha256?: string;
}

export interface PromptManifest {
  voice: string;
  speed: number;
  format: { sampleRate: number; bitsPerSample: number; channels: number };
  files: Record<string, PromptEntry>;
  /** Prompts a site records itself (Zhuang has no voice): checked when present, never required. */
  siteRecorded?: { $comment?: string; files: Record<string, { text: string }> };
}

/** The voice and speed a file is generated with: its own, else the manifest's. */
export function voiceOf(
  manifest: Pick<PromptManifest, 'voice' | 'speed'>,
  entry: PromptEntry,
): { voice: string; speed: number } {
  return { voice: entry.voice ?? manifest.voice, speed: entry.speed ?? manifest.speed };
}

/** Reads a RIFF/WAVE header: the fmt chunk and the data chunk's size. Throws naming what is wrong. */
export function parseWavHeader(buf: Buffer): WavFormat {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('not a RIFF/WAVE file');
  }
  let off = 12;
  let fmt: Omit<WavFormat, 'dataBytes' | 'durationMs'> | undefined;
  let dataBytes: number | undefined;
  while (off + 8 <= buf.length) {
    const id = buf.toString('ascii', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    const body = off + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > buf.length) throw new Error('fmt chunk too short');
      fmt = {
        audioFormat: buf.readUInt16LE(body),
        channels: buf.readUInt16LE(body + 2),
        sampleRate: buf.readUInt32LE(body + 4),
        byteRate: buf.readUInt32LE(body + 8),
        blockAlign: buf.readUInt16LE(body + 12),
        bitsPerSample: buf.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (body + size > buf.length)
        throw new Error(`data chunk claims ${size} bytes but only ${buf.length - body} follow`);
      dataBytes = size;
    }
    off = body + size + (size % 2); // chunks are word-aligned
  }
  if (!fmt) throw new Error('no fmt chunk');
  if (dataBytes === undefined) throw new Error('no data chunk');
  const durationMs = fmt.byteRate > 0 ? Math.round((dataBytes * 1000) / fmt.byteRate) : 0;
  return { ...fmt, dataBytes, durationMs };
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** What a file was generated from: a change of text, voice or speed means it must be regenerated. */
export function sourceHash(manifest: Pick<PromptManifest, 'voice' | 'speed'>, text: string): string {
  return sha256(`espeak-ng -v ${manifest.voice} -s ${manifest.speed}\n${text}`);
}

/** What keeps a file from playing on Asterisk as it is: not 8 kHz 16-bit mono PCM, or empty. */
function formatProblems(name: string, data: Buffer, want: PromptManifest['format']): string[] {
  const problems: string[] = [];
  let fmt: WavFormat;
  try {
    fmt = parseWavHeader(data);
  } catch (e) {
    return [`${name}: ${(e as Error).message}`];
  }
  if (fmt.audioFormat !== 1) problems.push(`${name}: audio format ${fmt.audioFormat}, want 1 (PCM)`);
  if (fmt.channels !== want.channels) problems.push(`${name}: ${fmt.channels} channels, want ${want.channels}`);
  if (fmt.sampleRate !== want.sampleRate) problems.push(`${name}: ${fmt.sampleRate} Hz, want ${want.sampleRate} Hz`);
  if (fmt.bitsPerSample !== want.bitsPerSample)
    problems.push(`${name}: ${fmt.bitsPerSample}-bit, want ${want.bitsPerSample}-bit`);
  const align = (want.channels * want.bitsPerSample) / 8;
  if (fmt.blockAlign !== align || fmt.byteRate !== want.sampleRate * align) {
    problems.push(`${name}: inconsistent header (blockAlign ${fmt.blockAlign}, byteRate ${fmt.byteRate})`);
  }
  if (fmt.dataBytes === 0) problems.push(`${name}: no audio`);
  return problems;
}

function listWavs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listWavs(p));
    else if (e.name.endsWith('.wav')) out.push(p);
  }
  return out;
}

/** Every problem with the prompts under `soundsDir`, one sentence each naming the file; [] when all is well. */
export function checkPrompts(soundsDir: string): string[] {
  const problems: string[] = [];
  const manifestPath = join(soundsDir, 'manifest.json');
  let manifest: PromptManifest;
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as PromptManifest;
  } catch (e) {
    return [`${manifestPath}: cannot be read as JSON (${(e as Error).message})`];
  }
  const want = manifest.format;
  for (const [name, entry] of Object.entries(manifest.files ?? {})) {
    const path = join(soundsDir, name);
    if (!existsSync(path)) {
      problems.push(`${name}: listed in the manifest but the file is missing`);
      continue;
    }
    const data = readFileSync(path);
    if (!entry.sha256) problems.push(`${name}: the manifest has no sha256 (run scripts/make-prompts.ts)`);
    else if (sha256(data) !== entry.sha256)
      problems.push(`${name}: SHA-256 ${sha256(data)} does not match the manifest's ${entry.sha256}`);
    if (entry.textSha256 !== sourceHash(voiceOf(manifest, entry), entry.text)) {
      problems.push(
        `${name}: the text, voice or speed changed since the file was generated (run scripts/make-prompts.ts)`,
      );
    }
    problems.push(...formatProblems(name, data, want));
  }
  // Site-recorded prompts (Zhuang): optional, but a file that is there must be playable and really recorded.
  const generated = new Set(Object.values(manifest.files ?? {}).map((e) => e.sha256));
  for (const name of Object.keys(manifest.siteRecorded?.files ?? {})) {
    const path = join(soundsDir, name);
    if (!existsSync(path)) continue;
    const data = readFileSync(path);
    problems.push(...formatProblems(name, data, want));
    if (generated.has(sha256(data)))
      problems.push(`${name}: a copy of a generated prompt, not the site's own recording`);
  }
  const listed = new Set([...Object.keys(manifest.files ?? {}), ...Object.keys(manifest.siteRecorded?.files ?? {})]);
  for (const path of listWavs(soundsDir)) {
    const name = relative(soundsDir, path).split('\\').join('/');
    if (!listed.has(name)) problems.push(`${name}: WAV file not listed in the manifest`);
  }
  return problems;
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const soundsDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'sounds');
  const problems = checkPrompts(soundsDir);
  if (problems.length > 0) {
    for (const p of problems) console.error(p);
    process.exit(1);
  }
  console.log(`prompts OK (${soundsDir})`);
}
