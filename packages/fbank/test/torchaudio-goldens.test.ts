// Every case of fixtures/fbank against the real torchaudio 0.13 kaldi.fbank output.
import { maxAbsDiff, meanAbsDiff } from '@wsp/testkit';
import { describe, expect, it } from 'vitest';
import { applyCmn, fbank } from '../src/index.js';
import type { FbankOptions } from '../src/index.js';
import { goldenFeatures, goldenInput, manifest } from './goldens.js';

/** The bounds, in the log domain. */
const MAX_ABS = 5e-3;
const MEAN_ABS = 1e-4;

/** Linear outputs (useLogFbank false) are compared as logs, so the same bounds apply. */
function logOf(values: Float32Array): Float64Array {
  return Float64Array.from(values, (v) => Math.log(Math.max(v, 1e-30)));
}

describe(`fbank against torchaudio ${manifest.torchaudio} goldens`, () => {
  it('has the whole grid', () => {
    expect(manifest.cases.length).toBeGreaterThanOrEqual(50);
  });

  for (const c of manifest.cases) {
    it(`${c.name}: ${c.shape[0]}×${c.shape[1]} within max 5e-3 / mean 1e-4`, () => {
      let result = fbank(goldenInput(c.input), c.options as FbankOptions);
      if (c.cmn) result = applyCmn(result);
      expect([result.numFrames, result.numBins]).toEqual(c.shape);
      const golden = goldenFeatures(c);
      const linear = c.options.useLogFbank === false;
      const ours = linear ? logOf(result.data) : result.data;
      const theirs = linear ? logOf(golden) : golden;
      const max = maxAbsDiff(ours, theirs);
      const mean = meanAbsDiff(ours, theirs);
      expect(max, `max |diff| of ${c.name}`).toBeLessThanOrEqual(MAX_ABS);
      expect(mean, `mean |diff| of ${c.name}`).toBeLessThanOrEqual(MEAN_ABS);
      for (const v of result.data) expect(Number.isFinite(v)).toBe(true);
    });
  }
});
