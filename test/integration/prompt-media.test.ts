import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { promptLanguage, promptMedia, promptPlayback } from '../../src/domain/ivr/ivr-config.ts';
import { loadIvrConfig } from '../../src/ivr-config/load-ivr-config.ts';
import { projectSoundsDir, SoundCatalog } from '../../src/simulator/sounds.ts';
import { encodeWav, soundFileDurationMs, synthesizeTone } from '../../src/simulator/wav.ts';
import { startHarness, type Harness } from '../simulator/sim-harness.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const soundsDir = join(root, 'sounds');
const wavMs = (file: string) => soundFileDurationMs(file);

describe('prompt id → ARI play request', () => {
  it('plays zh/welcome as sound:hotline/welcome with lang zh', () => {
    expect(promptMedia('zh/welcome')).toBe('sound:hotline/welcome');
    expect(promptLanguage('zh/welcome')).toBe('zh');
    expect(promptPlayback(['zh/invalid-input', 'zh/desk-choice'])).toEqual({
      media: ['sound:hotline/invalid-input', 'sound:hotline/desk-choice'],
      lang: 'zh',
    });
    expect(promptPlayback([])).toEqual({ media: [] });
  });
});

describe('simulator sound lookup follows Asterisk (<lang>/X, <lang minus dialect>/X, X, en/X)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sound-lookup-'));
    const put = (rel: string, ms: number) => {
      mkdirSync(join(dir, rel, '..'), { recursive: true });
      writeFileSync(join(dir, `${rel}.wav`), encodeWav(synthesizeTone(ms, [440])));
    };
    put('zh/both', 500);
    put('both', 1000);
    put('en/only-en', 700);
    put('zh/hotline/nested', 300);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prefers the language folder, then no language, then en', () => {
    const c = new SoundCatalog([dir]);
    expect(c.lookup('both', 'zh')?.durationMs).toBe(500);
    expect(c.lookup('both', 'zh_TW')?.durationMs).toBe(500);
    expect(c.lookup('both', 'en')?.durationMs).toBe(1000);
    expect(c.lookup('both')?.durationMs).toBe(1000);
    expect(c.lookup('only-en', 'zh')?.durationMs).toBe(700);
    // A real Asterisk layout: sounds/zh/hotline/nested.wav is sound:hotline/nested in zh only.
    expect(c.lookup('hotline/nested', 'zh')?.durationMs).toBe(300);
    expect(c.lookup('hotline/nested', 'en')).toBeUndefined();
  });

  it('a prefixed directory serves only <prefix>/X, from <dir>/<lang>/X', () => {
    const c = new SoundCatalog([{ dir, prefix: 'hotline' }]);
    expect(c.lookup('hotline/both', 'zh')?.durationMs).toBe(500);
    expect(c.lookup('hotline/both', 'en')?.durationMs).toBe(1000);
    expect(c.lookup('both', 'zh')).toBeUndefined();
    expect(c.lookup('hotline/../both', 'zh')).toBeUndefined();
    expect(c.lookup('hotline/both', '../x')).toBeUndefined();
  });
});

describe('one convention: the IVR, the fallback dialplan and the simulator find the same committed WAVs', () => {
  const catalog = new SoundCatalog([projectSoundsDir(soundsDir)]);

  it('every prompt of the call-center configuration plays a committed sounds/<lang>/<name>.wav', () => {
    const ids = [...new Set(JSON.stringify(loadIvrConfig()).match(/"[a-z]{2,3}\/[a-z0-9][a-z0-9-]*"/g) ?? [])].map(
      (s) => JSON.parse(s) as string,
    );
    expect(ids.length).toBeGreaterThan(20);
    for (const id of ids) {
      const { media, lang } = promptPlayback([id]);
      expect(media[0]).toMatch(/^sound:hotline\//);
      const found = catalog.lookup(media[0]!.slice('sound:'.length), lang);
      expect(found, `${id} → ${media[0]} lang=${lang}`).toBeDefined();
      expect(found!.durationMs).toBe(wavMs(join(soundsDir, `${id}.wav`)));
    }
  });

  it('every hotline/<name> the dialplan plays exists for its language (HOTLINE_LANG)', () => {
    const dialplanDir = join(root, 'dialplan');
    const text = readdirSync(dialplanDir)
      .filter((f) => f.endsWith('.conf'))
      .map((f) => readFileSync(join(dialplanDir, f), 'utf8'))
      .join('\n');
    const lang = /Set\(HOTLINE_LANG=([a-z_]+)\)/.exec(text)?.[1];
    expect(lang).toBe('zh');
    const code = text
      .split('\n')
      .map((l) => l.replace(/;.*$/, ''))
      .join('\n');
    const names = [...new Set([...code.matchAll(/hotline\/([a-z0-9][a-z0-9-]*)/g)].map((m) => m[1]!))];
    expect(names).toEqual(
      expect.arrayContaining(['welcome', 'transferring', 'queue-ahead-before', 'queue-ahead-after', 'queue-next']),
    );
    for (const name of names) {
      expect(catalog.lookup(`hotline/${name}`, lang), `hotline/${name}`).toBeDefined();
      // The IVR names the same file the same way.
      expect(promptMedia(`${lang}/${name}`)).toBe(`sound:hotline/${name}`);
    }
  });
});

describe('over ARI: sound:hotline/welcome with lang=zh plays the committed WAV for its length', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.close();
  });

  it('lang=zh plays sounds/zh/welcome.wav to the end; without lang (en) the sound is missing and the playback fails', async () => {
    h = await startHarness({ soundsDirs: [projectSoundsDir(soundsDir)] });
    const ws = await h.connect();
    const r = await h.rest('POST', '/channels', {
      endpoint: 'Local/300@cti-inbound',
      context: 'test',
      extension: '300',
    });
    await h.settle();
    const id = h.sim.engine.localPeer(r.body.id) ?? '';
    const ms = wavMs(join(soundsDir, 'zh', 'welcome.wav'))!;
    expect(ms).toBeGreaterThan(500);

    await h.rest('POST', `/channels/${id}/play`, { media: 'sound:hotline/welcome', lang: 'zh', playbackId: 'p-zh' });
    await h.settle();
    await ws.waitFor((e) => e.type === 'PlaybackStarted' && e.playback.id === 'p-zh');
    await h.advance(Math.floor(ms) - 1);
    expect(ws.events.some((e) => e.type === 'PlaybackFinished' && e.playback.id === 'p-zh')).toBe(false);
    await h.advance(2);
    const done = await ws.waitFor((e) => e.type === 'PlaybackFinished' && e.playback.id === 'p-zh');
    expect(done.playback.state).toBe('done');
    expect(done.playback.language).toBe('zh');

    await h.rest('POST', `/channels/${id}/play`, { media: 'sound:hotline/welcome', playbackId: 'p-en' });
    await h.settle();
    const failed = await ws.waitFor((e) => e.type === 'PlaybackFinished' && e.playback.id === 'p-en');
    expect(failed.playback.state).toBe('failed');
  });
});

describe('npm start (simulator mode): the IVR welcome prompt is found and played in zh', () => {
  it('the first IVR playback of a placed call is sound:hotline/welcome, lang zh, and lasts as long as the WAV (not failed)', async () => {
    const { startTestServer } = await import('../platform/helpers.ts');
    const { FakeClock } = await import('../../src/shared/clock.ts');
    const clock = new FakeClock(Date.now());
    const server = await startTestServer({ telephony: true, clock });
    try {
      const sim = server.telephony.simulator!;
      const deadline = Date.now() + 8000;
      while (!server.telephony.connected()) {
        if (Date.now() > deadline) throw new Error('ARI did not connect');
        await new Promise((r) => setTimeout(r, 25));
      }
      const started = new Promise<{ media_uri: string; language: string }>((resolve) => {
        sim.engine.events.on('playbackStarted', (e) => resolve(e.playback));
      });
      const finished: Array<{ media_uri: string; state: string }> = [];
      sim.engine.events.on('playbackFinished', (e) => finished.push(e.playback));
      sim.control.placeCall({ from: '13812341234', to: '12345' });
      const first = await Promise.race([
        started,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no IVR playback started')), 8000)),
      ]);
      expect(first).toMatchObject({ media_uri: 'sound:hotline/welcome', language: 'zh' });
      const ms = wavMs(join(soundsDir, 'zh', 'welcome.wav'))!;
      await clock.advanceAsync(Math.floor(ms) - 1);
      expect(finished.filter((p) => p.media_uri === 'sound:hotline/welcome')).toEqual([]);
      await clock.advanceAsync(2);
      for (let i = 0; i < 20 && !finished.some((p) => p.media_uri === 'sound:hotline/welcome'); i++)
        await new Promise((r) => setImmediate(r));
      expect(finished.find((p) => p.media_uri === 'sound:hotline/welcome')?.state).toBe('done');
    } finally {
      await server.cleanup();
    }
  });
});
