import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { checkPrompts, parseWavHeader, sha256, type PromptManifest } from '../../scripts/check-prompts.ts';
import { loadIvrConfig } from '../../src/ivr-config/load-ivr-config.ts';

const soundsDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'sounds');
const temps: string[] = [];
afterEach(() => {
  for (const t of temps.splice(0)) rmSync(t, { recursive: true, force: true });
});

function copy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sounds-'));
  temps.push(dir);
  cpSync(soundsDir, dir, { recursive: true });
  return dir;
}

function manifestOf(dir: string): PromptManifest {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as PromptManifest;
}

describe('prompts', () => {
  it('every committed prompt matches its manifest hash and is 8 kHz 16-bit mono PCM WAV', () => {
    expect(checkPrompts(soundsDir)).toEqual([]);
    const m = manifestOf(soundsDir);
    const names = Object.keys(m.files);
    expect(names.length).toBeGreaterThanOrEqual(35);
    for (const name of names) {
      const fmt = parseWavHeader(readFileSync(join(soundsDir, name)));
      expect(fmt, name).toMatchObject({ audioFormat: 1, channels: 1, sampleRate: 8000, bitsPerSample: 16 });
      expect(fmt.durationMs, name).toBeGreaterThan(150);
      expect(fmt.durationMs, name).toBeLessThan(30_000);
    }
  });

  it('every prompt the call flow uses is in the manifest', () => {
    const c = loadIvrConfig();
    const listed = new Set(Object.keys(manifestOf(soundsDir).files));
    const used = new Set<string>();
    const p = c.ivr.prompts;
    for (const id of [
      ...p.digits,
      p.ten,
      p.hundred,
      p.ticketNumberIs,
      p.ticketStatusIs,
      p.ticketNotFound,
      p.statusUnknown,
      p.queueAheadBefore,
      p.queueAheadAfter,
      p.queueNext,
      ...Object.values(p.statuses),
    ]) {
      used.add(id);
    }
    for (const n of Object.values(c.ivr.nodes)) {
      n.prompt.forEach((x) => used.add(x));
      if (n.type !== 'play') [...n.invalidPrompt, ...n.noInputPrompt].forEach((x) => used.add(x));
    }
    for (const id of used) expect(listed.has(`${id}.wav`), id).toBe(true);
  });

  it('detects a changed file, a wrong format, an edited text, a missing file and a stray file', () => {
    const dir = copy();
    const welcome = join(dir, 'zh/welcome.wav');
    const data = readFileSync(welcome);
    data[data.length - 1] = (data[data.length - 1]! + 1) % 256;
    writeFileSync(welcome, data);

    // A 22.05 kHz header on otherwise valid data (as espeak-ng writes before sox converts it).
    const digit = join(dir, 'zh/digit-0.wav');
    const d = readFileSync(digit);
    d.writeUInt32LE(22050, 24);
    d.writeUInt32LE(44100, 28);
    writeFileSync(digit, d);

    const m = manifestOf(dir);
    m.files['zh/goodbye.wav']!.text = '再见。';
    m.files['zh/extra.wav'] = { text: '多余', sha256: sha256('x') };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(m));
    writeFileSync(join(dir, 'zh/stray.wav'), readFileSync(join(dir, 'zh/digit-1.wav')));

    const problems = checkPrompts(dir);
    expect(problems).toContainEqual(expect.stringMatching(/^zh\/welcome\.wav: SHA-256 [0-9a-f]{64} does not match/));
    expect(problems).toContain('zh/digit-0.wav: 22050 Hz, want 8000 Hz');
    expect(problems).toContain(
      'zh/goodbye.wav: the text, voice or speed changed since the file was generated (run scripts/make-prompts.ts)',
    );
    expect(problems).toContain('zh/extra.wav: listed in the manifest but the file is missing');
    expect(problems).toContain('zh/stray.wav: WAV file not listed in the manifest');
  });

  it('Cantonese prompts are generated with the yue voice, one for every Mandarin prompt after the desk choice', () => {
    const m = manifestOf(soundsDir);
    const yue = Object.entries(m.files).filter(([n]) => n.startsWith('yue/'));
    expect(yue.length).toBeGreaterThanOrEqual(35);
    for (const [name, entry] of yue) {
      expect((entry as { voice?: string }).voice, name).toBe('yue');
      expect(m.files[name.replace('yue/', 'zh/')], name).toBeDefined();
      // Cantonese says 一 in numbers: 幺 is the Mandarin reading.
      expect(entry.text, name).not.toContain('幺');
    }
  });

  it("checks a site's Zhuang recordings when present: format, and not a copy of a generated prompt", () => {
    const dir = copy();
    // Given no Zhuang file at all: nothing is missing, they are optional.
    expect(checkPrompts(dir)).toEqual([]);
    mkdirSync(join(dir, 'za'));
    // When a site installs a proper 8 kHz recording, a 22.05 kHz one and a copied Mandarin file.
    const good = readFileSync(join(dir, 'zh/goodbye.wav'));
    good[good.length - 1] = (good[good.length - 1]! + 7) % 256;
    writeFileSync(join(dir, 'za/goodbye.wav'), good);
    const wide = Buffer.from(good);
    wide.writeUInt32LE(22050, 24);
    wide.writeUInt32LE(44100, 28);
    writeFileSync(join(dir, 'za/transferring.wav'), wide);
    writeFileSync(join(dir, 'za/no-input.wav'), readFileSync(join(dir, 'zh/no-input.wav')));
    writeFileSync(join(dir, 'za/made-up.wav'), good);
    // Then each wrong one is named, the good one passes.
    expect(checkPrompts(dir).sort()).toEqual(
      [
        'za/transferring.wav: 22050 Hz, want 8000 Hz',
        'za/transferring.wav: inconsistent header (blockAlign 2, byteRate 44100)',
        "za/no-input.wav: a copy of a generated prompt, not the site's own recording",
        'za/made-up.wav: WAV file not listed in the manifest',
      ].sort(),
    );
  });

  it('the WAV parser refuses what is not WAV', () => {
    expect(() => parseWavHeader(Buffer.from('hello world, not a wav file'))).toThrow('not a RIFF/WAVE file');
    const noData = Buffer.alloc(36);
    noData.write('RIFF', 0, 'ascii');
    noData.write('WAVE', 8, 'ascii');
    noData.write('fmt ', 12, 'ascii');
    noData.writeUInt32LE(16, 16);
    expect(() => parseWavHeader(noData)).toThrow('no data chunk');
  });
});
