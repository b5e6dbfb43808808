/**
 * A deterministic speech-like test signal at 8 kHz: voiced syllables (a glottal-pulse-rich harmonic
 * series with a gliding pitch, shaped by two formants) separated by short pauses and a noisy
 * fricative, so the codec sees what telephone speech looks like rather than a pure tone.
 */
export function speechLike(seconds: number, rate = 8000): Int16Array {
  const n = Math.round(seconds * rate);
  const out = new Int16Array(n);
  let phase = 0;
  let seed = 12345;
  const noise = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x3fffffff - 1;
  };
  const syllable = 0.32; // seconds, then 0.08 s pause
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    const k = Math.floor(t / (syllable + 0.08));
    const inSyl = t - k * (syllable + 0.08);
    if (inSyl > syllable) continue;
    const env = Math.sin((Math.PI * inSyl) / syllable) ** 0.6;
    if (k % 4 === 3) {
      // A fricative ("s"-like), high-passed noise.
      out[i] = Math.round(2500 * env * noise());
      continue;
    }
    const f0 = 110 + 40 * Math.sin(2 * Math.PI * 0.7 * t) + 15 * (k % 3);
    phase += (2 * Math.PI * f0) / rate;
    const formants = [
      [500 + 200 * (k % 3), 1.0],
      [1500 + 300 * (k % 2), 0.5],
      [2500, 0.2],
    ] as const;
    let v = 0;
    for (let h = 1; h * f0 < 3600; h++) {
      const f = h * f0;
      let gain = 0;
      for (const [fc, g] of formants) gain += g / (1 + ((f - fc) / 120) ** 2);
      v += (gain / h ** 0.3) * Math.sin(h * phase);
    }
    out[i] = Math.max(-32767, Math.min(32767, Math.round(5000 * env * v)));
  }
  return out;
}

export function wavOf(samples: Int16Array, rate = 8000): Buffer {
  const data = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'ascii');
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVEfmt ', 8, 'ascii');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'ascii');
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

/** Normalised cross-correlation of a and b (b shifted by `lag` samples). */
export function correlation(a: Int16Array, b: Int16Array, lag = 0): number {
  let s = 0;
  let ea = 0;
  let eb = 0;
  for (let i = 0; i < a.length; i++) {
    const j = i + lag;
    if (j < 0 || j >= b.length) continue;
    s += a[i]! * b[j]!;
    ea += a[i]! ** 2;
    eb += b[j]! ** 2;
  }
  return ea && eb ? s / Math.sqrt(ea * eb) : 0;
}

/** Correlation of the 20 ms energy envelopes (loudness over time: syllables, pauses). */
export function envelopeCorrelation(a: Int16Array, b: Int16Array, frame = 160): number {
  const env = (x: Int16Array) => {
    const out: number[] = [];
    for (let i = 0; i + frame <= x.length; i += frame) {
      let e = 0;
      for (let k = i; k < i + frame; k++) e += x[k]! ** 2;
      out.push(Math.sqrt(e / frame));
    }
    return out;
  };
  const ea = env(a);
  const eb = env(b);
  const n = Math.min(ea.length, eb.length);
  const mean = (v: number[]) => v.slice(0, n).reduce((x, y) => x + y, 0) / n;
  const ma = mean(ea);
  const mb = mean(eb);
  let s = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < n; i++) {
    s += (ea[i]! - ma) * (eb[i]! - mb);
    va += (ea[i]! - ma) ** 2;
    vb += (eb[i]! - mb) ** 2;
  }
  return s / Math.sqrt(va * vb);
}
