/**
 * The sound catalog. `sound:X` played in language `L` resolves as on Asterisk (file.c, ast_openstream):
 * `<dir>/L/X.<ext>`, then `<dir>/X.<ext>`, in each configured sound directory in turn, then in the simulator's
 * built-in set. A directory may carry a prefix: `{ dir, prefix: 'hotline' }` serves `sound:hotline/X` in
 * language L from `<dir>/L/X`, i.e. the project's `sounds/zh/welcome.wav` is what a real Asterisk plays from
 * `/var/lib/asterisk/sounds/zh/hotline/welcome.wav` (docs/asterisk.md). A playback lasts as long as the file.
 * The built-in set (tones named like the Asterisk core sounds the reference traces used) is synthesized
 * once into a cache directory; its durations match what the reference Asterisk measured.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep, dirname, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeWav, soundFileDurationMs, synthesizeTone } from './wav.ts';

const FORMAT_BY_EXT: Record<string, string> = {
  '.wav': 'wav',
  '.gsm': 'gsm',
  '.sln': 'slin',
  '.slin': 'slin',
  '.sln16': 'slin16',
  '.ulaw': 'ulaw',
  '.alaw': 'alaw',
  '.g722': 'g722',
};

/** name → [duration ms, tone frequencies]. Durations as measured on the reference Asterisk 22.10.1. */
const BUILT_IN: Record<string, [number, number[]]> = {
  'hello-world': [1400, [440, 550]],
  beep: [420, [1000]],
  'tt-monkeys': [9600, [300, 700]],
  'tt-weasels': [5400, [350, 650]],
  'silence/1': [1000, []],
  'silence/2': [2000, []],
  'silence/5': [5000, []],
  goodbye: [800, [500]],
  'vm-goodbye': [900, [500]],
  'pls-hold-while-try': [2100, [600]],
  'queue-thankyou': [1600, [620]],
  'please-try-again': [1300, [640]],
  'auth-thankyou': [800, [660]],
  'conf-onhold': [2000, [380]],
  ...Object.fromEntries(
    Array.from({ length: 10 }, (_, d) => [`digits/${d}`, [900, [300 + d * 40]] as [number, number[]]]),
  ),
};

const BUILT_IN_VERSION = 'v1';

export function builtInSoundsDir(): string {
  const dir = join(tmpdir(), `hotline-sim-sounds-${BUILT_IN_VERSION}`);
  const marker = join(dir, '.complete');
  if (existsSync(marker)) return dir;
  for (const [name, [ms, freqs]] of Object.entries(BUILT_IN)) {
    const file = join(dir, `${name}.wav`);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, encodeWav(freqs.length ? synthesizeTone(ms, freqs) : new Int16Array(Math.round(ms * 8))));
  }
  writeFileSync(marker, 'ok');
  return dir;
}

/** A sounds directory, optionally mounted under a prefix (`sound:<prefix>/X`). */
export type SoundsDir = string | { dir: string; prefix: string };

/** The prefix the project's prompts are installed under on Asterisk (`sounds/<lang>/hotline/`). */
export const PROJECT_SOUNDS_PREFIX = 'hotline';

/** The project's `sounds/` (prompts in `sounds/<lang>/<name>.wav`) as Asterisk sees them: `sound:hotline/<name>`. */
export function projectSoundsDir(dir: string = fileURLToPath(new URL('../../sounds', import.meta.url))): SoundsDir {
  return { dir, prefix: PROJECT_SOUNDS_PREFIX };
}

export interface SoundInfo {
  id: string;
  durationMs: number;
  formats: Array<{ language: string; format: string }>;
}

export class SoundCatalog {
  private cache = new Map<string, SoundInfo | null>();
  private readonly dirs: Array<{ dir: string; prefix: string }>;
  constructor(dirs: SoundsDir[]) {
    this.dirs = dirs.map((d) =>
      typeof d === 'string' ? { dir: d, prefix: '' } : { dir: d.dir, prefix: d.prefix.replace(/\/+$/, '') },
    );
  }

  /** `hello-world` or `digits/1` in language `lang` (default `en`, Asterisk's) → info, or undefined when no file exists. */
  lookup(id: string, lang = 'en'): SoundInfo | undefined {
    if (!/^[A-Za-z0-9_\-/.]+$/.test(id) || id.includes('..')) return undefined;
    if (!/^[A-Za-z0-9_-]*$/.test(lang)) return undefined;
    const key = `${lang}\u0000${id}`;
    const hit = this.cache.get(key);
    if (hit !== undefined) return hit ?? undefined;
    let found: SoundInfo | undefined;
    search: for (const { dir, prefix } of this.dirs) {
      let rel = id;
      if (prefix) {
        if (!id.startsWith(`${prefix}/`)) continue;
        rel = id.slice(prefix.length + 1);
      }
      // Asterisk (file.c fileexists_core): <lang>/X, <lang without _dialect>/X, X with no language, then en/X.
      const candidates: Array<[string, string]> = [];
      if (lang) candidates.push([lang, join(dir, lang, rel)]);
      const bareLang = lang.split('_')[0] ?? '';
      if (bareLang && bareLang !== lang) candidates.push([bareLang, join(dir, bareLang, rel)]);
      candidates.push(['en', join(dir, rel)]);
      if (lang !== 'en') candidates.push(['en', join(dir, 'en', rel)]);
      for (const [language, base] of candidates) {
        const file = this.fileIn(base);
        if (!file) continue;
        found = {
          id,
          durationMs: file.durationMs,
          formats: file.exts.map((ext) => ({ language: language, format: FORMAT_BY_EXT[ext] ?? 'wav' })),
        };
        break search;
      }
    }
    this.cache.set(key, found ?? null);
    return found;
  }

  /** The files `<base>.<known ext>` and the duration of the first readable one. */
  private fileIn(base: string): { durationMs: number; exts: string[] } | undefined {
    const parent = dirname(base);
    if (!existsSync(parent)) return undefined;
    const stem = base.slice(parent.length + 1);
    const files = readdirSync(parent)
      .filter(
        (f) =>
          f.startsWith(`${stem}.`) && FORMAT_BY_EXT[extname(f)] && f.slice(0, f.length - extname(f).length) === stem,
      )
      .sort();
    if (!files.length) return undefined;
    for (const f of files) {
      const durationMs = soundFileDurationMs(join(parent, f));
      if (durationMs !== undefined) return { durationMs, exts: files.map((x) => extname(x)) };
    }
    return undefined;
  }

  /** Sound ids without language folders (as GET /sounds lists them on a stock Asterisk with `en` sounds). */
  list(): SoundInfo[] {
    const ids = new Set<string>();
    for (const { dir, prefix } of this.dirs) {
      if (!existsSync(dir)) continue;
      walk(dir, (file) => {
        const ext = extname(file);
        if (!FORMAT_BY_EXT[ext]) return;
        const rel = relative(dir, file).slice(0, -ext.length).split(sep).join('/');
        ids.add(prefix ? `${prefix}/${rel}` : rel);
      });
    }
    return [...ids].sort().flatMap((id) => {
      const s = this.lookup(id);
      return s ? [s] : [];
    });
  }
  /**
   * The names `sound:<name>` can play, language folders folded in: the project's `sounds/zh/desk-choice.wav`
   * is `hotline/desk-choice` (played in language zh), not `zh/desk-choice`. A first folder is taken as a
   * language when a lookup in that language finds the file under the remaining name.
   */
  playableNames(): string[] {
    const names = new Set<string>();
    for (const { dir, prefix } of this.dirs) {
      if (!existsSync(dir)) continue;
      walk(dir, (file) => {
        const ext = extname(file);
        if (!FORMAT_BY_EXT[ext]) return;
        const parts = relative(dir, file).slice(0, -ext.length).split(sep);
        const withPrefix = (p: string[]) => (prefix ? `${prefix}/${p.join('/')}` : p.join('/'));
        const [first, ...rest] = parts;
        if (
          first !== undefined &&
          rest.length > 0 &&
          /^[a-z]{2,3}(?:_[A-Za-z0-9]+)?$/.test(first) &&
          this.lookup(withPrefix(rest), first)
        ) {
          names.add(withPrefix(rest));
        } else if (this.lookup(withPrefix(parts))) {
          names.add(withPrefix(parts));
        }
      });
    }
    return [...names].sort();
  }
}

function walk(dir: string, visit: (file: string) => void, depth = 0): void {
  if (depth > 4) return;
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.')) continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, visit, depth + 1);
    else visit(p);
  }
}
