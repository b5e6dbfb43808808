/**
 * Generates the prompts in sounds/ from sounds/manifest.json with espeak-ng (the manifest's voice, cmn-latn-pinyin, or
 * an entry's own: yue for the Cantonese prompts in sounds/yue/)
 * and sox (8 kHz, 16-bit, mono PCM WAV, no dither so the output is repeatable), then records each
 * file's SHA-256 in the manifest. The WAVs are committed, so CI needs neither tool.
 *
 *   apt-get install -y espeak-ng sox
 *   npx tsx scripts/make-prompts.ts          # files that are missing or whose text changed
 *   npx tsx scripts/make-prompts.ts --all    # every file
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256, sourceHash, voiceOf, type PromptManifest } from './check-prompts.ts';

const soundsDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'sounds');
const manifestPath = join(soundsDir, 'manifest.json');
const all = process.argv.includes('--all');

function need(tool: string, versionArg: string): void {
  try {
    execFileSync(tool, [versionArg], { stdio: 'ignore' });
  } catch {
    console.error(`${tool} is not installed: apt-get install -y espeak-ng sox`);
    process.exit(1);
  }
}

need('espeak-ng', '--version');
need('sox', '--version');

const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as PromptManifest & { $comment?: string };
const work = mkdtempSync(join(tmpdir(), 'prompts-'));
let made = 0;
try {
  for (const [name, entry] of Object.entries(manifest.files)) {
    const out = join(soundsDir, name);
    const { voice, speed } = voiceOf(manifest, entry);
    const src = sourceHash({ voice, speed }, entry.text);
    if (!all && existsSync(out) && entry.textSha256 === src && entry.sha256 === sha256(readFileSync(out))) continue;
    // espeak-ng marks a switch to another language's rules with "(en)" etc. in its phoneme output:
    // such a prompt would be read with English sounds, so refuse it.
    const phonemes = execFileSync('espeak-ng', ['-v', voice, '-q', '-x', entry.text], { encoding: 'utf8' });
    const own = voice.split('-')[0]!;
    if ([...phonemes.matchAll(/\(([a-z]{2,3})\)/g)].some((m) => m[1] !== own)) {
      console.error(
        `${name}: espeak-ng reads part of ${JSON.stringify(entry.text)} in another language: ${phonemes.trim()}`,
      );
      process.exit(1);
    }
    const raw = join(work, 'raw.wav');
    execFileSync('espeak-ng', ['-v', voice, '-s', String(speed), '-w', raw, entry.text]);
    mkdirSync(dirname(out), { recursive: true });
    const f = manifest.format;
    // silence … reverse …: trims espeak-ng's leading and trailing silence (then 0.2 s pad at the end).
    // gain -n -3: the same loudness for every prompt, with headroom so resampling does not clip.
    // -D: no dither (dither adds random noise, so the same text would hash differently each run).
    execFileSync('sox', [
      '-D',
      raw,
      '-r',
      String(f.sampleRate),
      '-b',
      String(f.bitsPerSample),
      '-c',
      String(f.channels),
      '-e',
      'signed-integer',
      out,
      'silence',
      '1',
      '0.02',
      '0.5%',
      'reverse',
      'silence',
      '1',
      '0.02',
      '0.5%',
      'reverse',
      'pad',
      '0',
      '0.2',
      'gain',
      '-n',
      '-3',
    ]);
    entry.sha256 = sha256(readFileSync(out));
    entry.textSha256 = src;
    made += 1;
    console.log(`${name}  ${entry.sha256.slice(0, 12)}  ${entry.text}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
console.log(`${made} prompt(s) generated, ${Object.keys(manifest.files).length} in the manifest`);
