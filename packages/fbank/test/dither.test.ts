// Dither: torch's RNG cannot be reproduced, so test reproducibility and the noise statistics.
import { describe, expect, it } from 'vitest';
import { OnlineFbank, fbank } from '../src/index.js';
import type { FbankOptions } from '../src/index.js';
import { goldenInput, manifest } from './goldens.js';

/**
 * With a rectangular window, no DC removal and no pre-emphasis, the raw energy of a frame of
 * silence plus dither d is d²·χ²(400): exp(energy) / 400 has mean d² and variance 2d⁴/400.
 */
const ENERGY_ONLY: FbankOptions = { windowType: 'rectangular', removeDcOffset: false, preemphasisCoefficient: 0, useEnergy: true, energyFloor: 0 };

function energyRatios(dither: number, seed: number, frames = 2000): number[] {
  const silence = new Float32Array(400 + 160 * (frames - 1));
  const r = fbank(silence, { ...ENERGY_ONLY, dither, ditherSeed: seed });
  return Array.from({ length: r.numFrames }, (_, m) => Math.exp(r.data[m * r.numBins]) / 400);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: number[]) => mean(xs.map((x) => (x - mean(xs)) ** 2));

describe('dither', () => {
  const speech = goldenInput('speech-a1').subarray(0, 8000);

  it('is reproducible: the same seed gives the same bits, another seed other values', () => {
    const a = fbank(speech, { dither: 1, ditherSeed: 42, inputScale: 32768 });
    const b = fbank(speech, { dither: 1, ditherSeed: 42, inputScale: 32768 });
    const c = fbank(speech, { dither: 1, ditherSeed: 43, inputScale: 32768 });
    const none = fbank(speech, { inputScale: 32768 });
    expect(a.data).toEqual(b.data);
    expect(a.data).not.toEqual(c.data);
    expect(a.data).not.toEqual(none.data);
  });

  it("changes the features as much as torchaudio's dither does (mean |change| over seeds within 10 %)", () => {
    const ref = manifest.dither;
    const input = goldenInput(ref.input).subarray(0, ref.samples);
    const plain = fbank(input, { inputScale: 32768 });
    const effects = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => {
      const dithered = fbank(input, { ...ref.options, ditherSeed: seed });
      return mean(Array.from(dithered.data, (v, i) => Math.abs(v - plain.data[i])));
    });
    expect(Math.abs(mean(effects) / ref.meanAbsChange - 1)).toBeLessThan(0.1);
  });

  it('is the same in streaming as in batch', () => {
    const options = { dither: 0.5, ditherSeed: 9, inputScale: 32768 };
    const online = new OnlineFbank(options);
    for (let i = 0; i < speech.length; i += 100) online.acceptWaveform(speech.subarray(i, i + 100));
    online.inputFinished();
    expect(online.pop().data).toEqual(fbank(speech, options).data);
  });

  it('adds Gaussian noise of standard deviation `dither` to every sample of every frame', () => {
    for (const [dither, seed] of [[1, 1], [0.25, 2], [3, 3]]) {
      const ratios = energyRatios(dither, seed);
      // Mean d² within 5 standard errors (sqrt(2/400/2000) d² = 0.0016 d²), variance 2d⁴/400 within 15 %.
      expect(Math.abs(mean(ratios) / dither ** 2 - 1)).toBeLessThan(0.008);
      expect(variance(ratios) / (2 * dither ** 4 / 400)).toBeGreaterThan(0.85);
      expect(variance(ratios) / (2 * dither ** 4 / 400)).toBeLessThan(1.15);
    }
  });

  it('draws independent noise per frame (overlapping samples get new noise) and per seed', () => {
    const a = energyRatios(1, 5, 400);
    const b = energyRatios(1, 6, 400);
    const lag1 = mean(a.slice(1).map((x, i) => (x - mean(a)) * (a[i] - mean(a)))) / variance(a);
    const cross = mean(a.map((x, i) => (x - mean(a)) * (b[i] - mean(b)))) / Math.sqrt(variance(a) * variance(b));
    expect(Math.abs(lag1)).toBeLessThan(0.2);
    expect(Math.abs(cross)).toBeLessThan(0.2);
  });
});
