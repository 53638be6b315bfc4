// The mel bank and frame counting against model-spec §3 and torchaudio's get_mel_banks.
import { maxAbsDiff } from '@wsp/testkit';
import { describe, expect, it } from 'vitest';
import { buildMelBank, denseMelBank, featureWindow, firstSampleOfFrame, inverseMelScale, melBanks, melScale, numFrames, numFramesReady } from '../src/index.js';
import type { WindowType } from '../src/index.js';
import { readGoldenNpy } from '@wsp/testkit';
import { goldenMelBank, manifest } from './goldens.js';

function binRun(bank: ReturnType<typeof melBanks>, b: number) {
  const weights = Array.from(bank.weights.subarray(bank.offsets[b], bank.offsets[b + 1]));
  return { first: bank.firstFftBin[b], last: bank.firstFftBin[b] + weights.length - 1, weights, sum: weights.reduce((a, c) => a + c, 0), max: Math.max(...weights) };
}

describe('mel bank: model-spec §3.2 spot values', () => {
  const bank = melBanks('wespeaker');
  const mel = (hz: number) => 1127 * Math.log(1 + hz / 700);

  it('uses 1127·ln(1 + f/700) between 20 Hz and 8000 Hz', () => {
    expect(melScale(20)).toBeCloseTo(31.748578341466644, 12);
    expect(melScale(8000)).toBeCloseTo(2840.0377117383778, 10);
    expect((melScale(8000) - melScale(20)) / 81).toBeCloseTo(34.67023621477668, 12);
    expect(inverseMelScale(melScale(1234.5))).toBeCloseTo(1234.5, 9);
  });

  it('filter 0: edges 20.000 / 42.494 / 65.690 Hz, bins 1..2, sum 0.6397, max 0.5040', () => {
    const r = binRun(bank, 0);
    expect([r.first, r.last]).toEqual([1, 2]);
    expect(r.sum).toBeCloseTo(0.6397, 4);
    expect(r.max).toBeCloseTo(0.504, 4);
    expect(bank.centerFrequencies[0]).toBeCloseTo(42.494, 3);
    expect(inverseMelScale(mel(20) + 2 * ((mel(8000) - mel(20)) / 81))).toBeCloseTo(65.69, 2);
  });

  it('filter 1 only bin 2 (0.8643), filter 2 only bin 3 (0.8301)', () => {
    const r1 = binRun(bank, 1);
    const r2 = binRun(bank, 2);
    expect([r1.first, r1.last]).toEqual([2, 2]);
    expect(r1.weights[0]).toBeCloseTo(0.8643, 4);
    expect([r2.first, r2.last]).toEqual([3, 3]);
    expect(r2.weights[0]).toBeCloseTo(0.8301, 4);
  });

  it('filter 40: bins 57..61, sum 2.5760; filter 78: bins 232..247', () => {
    const r40 = binRun(bank, 40);
    expect([r40.first, r40.last]).toEqual([57, 61]);
    expect(r40.sum).toBeCloseTo(2.576, 3);
    const r78 = binRun(bank, 78);
    expect([r78.first, r78.last]).toEqual([232, 247]);
  });

  it('filter 79: centre 7736.434 Hz, bins 240..255 (16), sum 8.2908, max 0.9478', () => {
    const r = binRun(bank, 79);
    expect([r.first, r.last, r.weights.length]).toEqual([240, 255, 16]);
    expect(r.sum).toBeCloseTo(8.2908, 3);
    expect(r.max).toBeCloseTo(0.9478, 4);
    expect(bank.centerFrequencies[79]).toBeCloseTo(7736.434, 2);
  });

  it('has 501 non-zero weights and never uses bin 0 (DC) or 256 (Nyquist)', () => {
    expect(Array.from(bank.weights).filter((w) => w !== 0)).toHaveLength(501);
    const dense = denseMelBank(bank);
    expect(bank.numFftBins).toBe(256);
    for (let b = 0; b < 80; b++) expect(dense[b * 256]).toBe(0);
  });
});

describe('mel bank against torchaudio get_mel_banks', () => {
  for (const g of manifest.melbanks) {
    it(`${g.name} (${g.shape.join('×')}): same non-zero pattern, equal to the float64 run, to float32 rounding of torchaudio's`, () => {
      const ours = buildMelBank(g.params);
      const dense = denseMelBank(ours);
      const golden = goldenMelBank(g);
      expect([ours.numBins, ours.numFftBins]).toEqual(g.shape);
      expect(maxAbsDiff(dense, golden.dense64)).toBeLessThan(1e-12);
      // torchaudio builds in float32: mel values up to ~2840 carry ~3e-4 of rounding, over a ~35 mel slope.
      expect(maxAbsDiff(dense, golden.dense)).toBeLessThan(3e-5);
      const patternMismatches = dense.filter((w, i) => w !== 0 !== (golden.dense[i] !== 0)).length;
      expect(patternMismatches).toBe(0);
      const relative = Array.from(ours.centerFrequencies, (v, b) => Math.abs(v - golden.centers[b]) / golden.centers[b]);
      // Centres come from float32 mel values through exp (and the VTLN warp): a few 1e-7 relative.
      expect(Math.max(...relative)).toBeLessThan(5e-6);
    });
  }
});

describe('windows against torchaudio', () => {
  for (const [type, file] of Object.entries(manifest.windows)) {
    it(`${type} (400 samples, symmetric)`, () => {
      const golden = readGoldenNpy('fbank', file).data as Float32Array;
      expect(maxAbsDiff(featureWindow(type as WindowType, 400), golden)).toBeLessThan(1e-6);
    });
  }
  it('hamming is 0.08 at both ends and symmetric (denominator 399)', () => {
    const w = featureWindow('hamming', 400);
    expect(w[0]).toBeCloseTo(0.08, 15);
    expect(w[399]).toBeCloseTo(0.08, 15);
    expect(w[100]).toBeCloseTo(0.54 - 0.46 * Math.cos((2 * Math.PI * 100) / 399), 15);
  });
});

describe('frame counting (Kaldi)', () => {
  const wespeaker = { windowSize: 400, windowShift: 160, snipEdges: true };
  it('model-spec §3: N=400 → 1; 1,680 → 9; 16,000 → 98; 32,000 → 198; 32,240 → 200; 80,000 → 498', () => {
    const counts = [400, 1680, 16000, 32000, 32240, 80000].map((n) => numFrames(n, wespeaker));
    expect(counts).toEqual([1, 9, 98, 198, 200, 498]);
    expect(numFrames(399, wespeaker)).toBe(0);
  });
  it('agrees with the frame counts of every torchaudio golden', () => {
    for (const c of manifest.cases) {
      if (c.name.startsWith('kaldi-reflect')) continue;
      const rate = c.options.sampleFrequency ?? 16000;
      const g = {
        windowSize: Math.trunc(rate * (c.options.frameLength ?? 25) * 0.001),
        windowShift: Math.trunc(rate * (c.options.frameShift ?? 10) * 0.001),
        snipEdges: c.options.snipEdges ?? true,
      };
      expect(numFrames(manifest.inputs[c.input].length, g), c.name).toBe(c.shape[0]);
    }
  });
  it('snipEdges false: round(N / shift) frames centred on m·shift + shift/2', () => {
    const g = { windowSize: 400, windowShift: 160, snipEdges: false };
    expect(numFrames(16000, g)).toBe(100);
    expect(numFrames(79, g)).toBe(0);
    expect(numFrames(80, g)).toBe(1);
    expect(firstSampleOfFrame(0, g)).toBe(-120);
    expect(firstSampleOfFrame(3, g)).toBe(360);
  });
  it('streaming readiness: with snipEdges false a frame waits until it lies inside the input', () => {
    const g = { windowSize: 400, windowShift: 160, snipEdges: false };
    // Frame m covers [160m − 120, 160m + 280): frame 4 ends at 920, frame 5 at 1080.
    expect(numFramesReady(1000, false, g)).toBe(5);
    expect(numFramesReady(919, false, g)).toBe(4);
    expect(numFramesReady(1000, true, g)).toBe(6);
  });
});
