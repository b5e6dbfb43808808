import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { opusEncoder } from '../../src/recordings/opus-codec.ts';
import { launchChromium } from '../ui/browser.ts';
import { speechLike, wavOf } from './speech-like.ts';

const fixture = readFileSync(new URL('../fixtures/asterisk-reference/recordings/rec-bridge-500.wav', import.meta.url));

/** The slice of the Web Audio API used in the page (the project's tsconfig has no DOM lib). */
declare const OfflineAudioContext: new (
  channels: number,
  length: number,
  rate: number,
) => {
  decodeAudioData(
    data: ArrayBuffer,
  ): Promise<{ duration: number; numberOfChannels: number; getChannelData(c: number): Float32Array }>;
};

/** What Chromium's own decoder makes of a file: duration, channels, and loudness (RMS). */
async function decodeInChromium(
  browser: Browser,
  bytes: Uint8Array,
): Promise<{ duration: number; channels: number; rms: number }> {
  const page = await browser.newPage();
  try {
    return await page.evaluate(async (b64) => {
      const bin = atob(b64);
      const buf = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) buf[i] = bin.charCodeAt(i);
      const ctx = new OfflineAudioContext(1, 48000, 48000);
      const audio = await ctx.decodeAudioData(buf.buffer);
      const data = audio.getChannelData(0);
      let e = 0;
      for (let i = 0; i < data.length; i++) e += data[i]! * data[i]!;
      return { duration: audio.duration, channels: audio.numberOfChannels, rms: Math.sqrt(e / data.length) };
    }, Buffer.from(bytes).toString('base64'));
  } finally {
    await page.close();
  }
}

describe('archived recordings play in the browser (an independent Ogg/Opus decoder)', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('given an Ogg Opus archive of 10 s of speech, then Chromium decodes it to 10 s of audio as loud as the WAV', async () => {
    const wav = wavOf(speechLike(10));
    const ogg = (
      await opusEncoder({ bitrate: 12_000 }).encode(wav, {
        originalSha256: createHash('sha256').update(wav).digest('hex'),
      })
    ).bytes;
    const fromOgg = await decodeInChromium(browser, ogg);
    const fromWav = await decodeInChromium(browser, wav);
    expect(fromWav.duration).toBeCloseTo(10, 3);
    // Granule positions and pre-skip are honoured: same length to within a millisecond.
    expect(Math.abs(fromOgg.duration - 10)).toBeLessThan(0.001);
    expect(fromOgg.channels).toBe(1);
    expect(fromOgg.rms).toBeGreaterThan(fromWav.rms * 0.8);
    expect(fromOgg.rms).toBeLessThan(fromWav.rms * 1.25);
  });

  it('given the Asterisk fixture, then both the WAV and its Ogg Opus archive decode to the same duration', async () => {
    const ogg = (await opusEncoder({ bitrate: 12_000 }).encode(fixture, { originalSha256: '' })).bytes;
    const a = await decodeInChromium(browser, fixture);
    const b = await decodeInChromium(browser, ogg);
    expect(Math.abs(a.duration - b.duration)).toBeLessThan(0.001);
  });
});
