/**
 * The sound catalog: `sound:hello-world` and `sound:digits/1` resolve to `<dir>/hello-world.<ext>` in the
 * configured sound directories, then in the simulator's built-in set. A playback lasts as long as the file.
 * The built-in set (tones named like the Asterisk core sounds the reference traces used) is synthesized
 * once into a cache directory; its durations match what the reference Asterisk measured.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep, dirname, extname } from 'node:path';
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
  ...Object.fromEntries(Array.from({ length: 10 }, (_, d) => [`digits/${d}`, [900, [300 + d * 40]] as [number, number[]]])),
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

export interface SoundInfo {
  id: string;
  durationMs: number;
  formats: Array<{ language: string; format: string }>;
}

export class SoundCatalog {
  private cache = new Map<string, SoundInfo | null>();
  constructor(private readonly dirs: string[]) {}

  /** `hello-world` or `digits/1` → info, or undefined when no file exists. */
  lookup(id: string): SoundInfo | undefined {
    if (!/^[A-Za-z0-9_\-/.]+$/.test(id) || id.includes('..')) return undefined;
    const hit = this.cache.get(id);
    if (hit !== undefined) return hit ?? undefined;
    let found: SoundInfo | undefined;
    for (const dir of this.dirs) {
      const base = join(dir, id);
      const parent = dirname(base);
      if (!existsSync(parent)) continue;
      const stem = base.slice(parent.length + 1);
      const files = readdirSync(parent)
        .filter((f) => f.startsWith(`${stem}.`) && FORMAT_BY_EXT[extname(f)] && f.slice(0, f.length - extname(f).length) === stem)
        .sort();
      if (!files.length) continue;
      let durationMs: number | undefined;
      for (const f of files) {
        durationMs = soundFileDurationMs(join(parent, f));
        if (durationMs !== undefined) break;
      }
      if (durationMs === undefined) continue;
      found = { id, durationMs, formats: files.map((f) => ({ language: 'en', format: FORMAT_BY_EXT[extname(f)] ?? 'wav' })) };
      break;
    }
    this.cache.set(id, found ?? null);
    return found;
  }

  list(): SoundInfo[] {
    const ids = new Set<string>();
    for (const dir of this.dirs) {
      if (!existsSync(dir)) continue;
      walk(dir, (file) => {
        const ext = extname(file);
        if (!FORMAT_BY_EXT[ext]) return;
        ids.add(relative(dir, file).slice(0, -ext.length).split(sep).join('/'));
      });
    }
    return [...ids].sort().flatMap((id) => {
      const s = this.lookup(id);
      return s ? [s] : [];
    });
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
