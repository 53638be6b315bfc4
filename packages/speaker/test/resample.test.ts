import { maxAbsDiff, readGoldenJson, readGoldenNpy } from '@wsp/testkit';
import { describe, expect, it } from 'vitest';
import { AudioError, createResampler, resample } from '../src/index.js';

interface Case {
  from: number;
  to: number;
  inputLength: number;
  outputLength: number;
}
const cases = readGoldenJson<Record<string, Case>>('speaker', 'resample', 'cases.json');
const load = (name: string, which: 'input' | 'output') => readGoldenNpy('speaker', 'resample', `${name}.${which}.npy`).data as Float32Array;

describe('resample against torchaudio.functional.resample (defaults)', () => {
  it('has the goldens for 8, 22.05, 44.1 and 48 kHz speech and chirps', () => {
    for (const rate of [8000, 22050, 44100, 48000]) {
      expect(cases[`speech-${rate}-to-16000`]?.from).toBe(rate);
      expect(cases[`chirp-${rate}-to-16000`]?.from).toBe(rate);
    }
  });
  for (const [name, c] of Object.entries(cases)) {
    it(`${name}: ${c.from} -> ${c.to} Hz within 1e-4`, () => {
      const input = load(name, 'input');
      const expected = load(name, 'output');
      expect(input.length).toBe(c.inputLength);
      const out = resample(input, c.from, c.to);
      expect(out.length).toBe(c.outputLength);
      const diff = maxAbsDiff(out, expected);
      expect(diff).toBeLessThanOrEqual(1e-4);
      // In practice the gap is float32 rounding of torchaudio's conv1d sums.
      expect(diff).toBeLessThanOrEqual(2e-6);
    });
  }
});

describe('resample behaviour', () => {
  const input = load('chirp-48000-to-16000', 'input');

  it('is an identity copy at equal rates', () => {
    const out = resample(input, 16000, 16000);
    expect(out).not.toBe(input);
    expect(Array.from(out)).toEqual(Array.from(input));
  });

  it('a reusable resampler gives the same samples as resample()', () => {
    const r = createResampler(48000, 16000);
    expect(r.outputLength(input.length)).toBe(Math.ceil(input.length / 3));
    expect(Array.from(r.process(input))).toEqual(Array.from(resample(input, 48000, 16000)));
    expect(Array.from(r.process(input.subarray(0, 100)))).toEqual(Array.from(resample(input.subarray(0, 100), 48000, 16000)));
  });

  it('keeps ceil(to * n / from) samples, and none for empty input', () => {
    expect(resample(new Float32Array(0), 44100, 16000).length).toBe(0);
    expect(resample(new Float32Array(1), 44100, 16000).length).toBe(1);
    expect(resample(new Float32Array(441), 44100, 16000).length).toBe(160);
    expect(resample(new Float32Array(442), 44100, 16000).length).toBe(161);
  });

  it('preserves a low tone and removes one above the new Nyquist frequency', () => {
    const tone = (f: number, rate: number, n: number) => Float32Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * f * i) / rate));
    const rms = (x: Float32Array, from: number, to: number) => Math.sqrt(x.subarray(from, to).reduce((s, v) => s + v * v, 0) / (to - from));
    const low = resample(tone(1000, 44100, 44100), 44100, 16000);
    const edge = resample(tone(9000, 44100, 44100), 44100, 16000);
    const high = resample(tone(12000, 44100, 44100), 44100, 16000);
    // Away from the edges: a 1 kHz tone keeps its RMS (1/sqrt 2); above 8 kHz the filter's transition
    // band leaves 0.1019 at 9 kHz and 0.00148 at 12 kHz (torchaudio: 0.10186 and 0.00148).
    expect(rms(low, 1000, 15000)).toBeCloseTo(Math.SQRT1_2, 3);
    expect(rms(edge, 1000, 15000)).toBeCloseTo(0.10186, 3);
    expect(rms(high, 1000, 15000)).toBeLessThan(2e-3);
  });

  it.each([
    [0, 16000, /source sample rate must be a positive integer/],
    [-8000, 16000, /source sample rate/],
    [44100.5, 16000, /source sample rate must be a positive integer number of Hz, got 44100.5/],
    [16000, NaN, /target sample rate/],
  ])('rejects rates %s -> %s', (from, to, message) => {
    expect(() => resample(input, from, to)).toThrowError(message);
    try {
      resample(input, from, to);
    } catch (e) {
      expect(e).toBeInstanceOf(AudioError);
      expect((e as AudioError).code).toBe('INVALID_SAMPLE_RATE');
    }
  });

  it('rejects bad options and absurd rate pairs with typed errors', () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return (e as AudioError).code;
      }
      return 'no error';
    };
    expect(code(() => createResampler(44100, 16000, { lowpassFilterWidth: 0 }))).toBe('INVALID_OPTION');
    expect(code(() => createResampler(44100, 16000, { rolloff: 1.5 }))).toBe('INVALID_OPTION');
    expect(code(() => createResampler(9_999_991, 16000))).toBe('UNSUPPORTED_RATE_PAIR');
  });
});
