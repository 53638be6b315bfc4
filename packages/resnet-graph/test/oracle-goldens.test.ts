// The float64 oracle against PyTorch (tools/reference/resnet_goldens.py): every tiny-model case,
// and the full-size model at batch 4 × 9 frames (the oracle is slow by design on big inputs).
import { describe, expect, it } from 'vitest';
import {
  checkGoldenFeatures,
  compareGoldenStage,
  embeddingAgreement,
  goldenModel,
  readResnetGoldens,
} from '@wsp/testkit';
import type { ResnetGoldens } from '@wsp/testkit';
import { refEmbed, syntheticFeatures } from '../src/testing/index.js';

function checkCases(goldens: ResnetGoldens, only?: (id: string) => boolean) {
  const model = goldenModel(goldens);
  for (const c of goldens.cases.filter((x) => !only || only(x.id))) {
    it(`${c.id}: oracle embeddings and stages match PyTorch`, () => {
      const features = syntheticFeatures(c.batch, c.frames, goldens.model.config.n_mels, c.featureSeed);
      checkGoldenFeatures(c, features.data);
      const ref = refEmbed(model, features, { pooling: c.pooling, normalize: true });
      const agreement = embeddingAgreement(ref.embedding.data, c.normalized);
      expect(agreement.minCosine).toBeGreaterThanOrEqual(0.99999);
      expect(agreement.maxAbsDiff).toBeLessThanOrEqual(1e-4);
      // The raw (unnormalised) embedding too, relative to its size.
      const raw = embeddingAgreement(ref.stages.get('embedding')!.data, c.embedding);
      const rawScale = Math.max(...c.embedding.flat().map(Math.abs));
      expect(raw.maxAbsDiff / rawScale).toBeLessThanOrEqual(1e-4);
      for (const [stage, golden] of Object.entries(c.stages)) {
        compareGoldenStage(`${c.id} ${stage}`, golden, ref.stages.get(stage)!.data, 1e-4);
      }
    });
  }
}

describe('oracle vs PyTorch goldens: tiny model', () => {
  checkCases(readResnetGoldens('tiny'));
});

describe('oracle vs PyTorch goldens: full-size model', () => {
  checkCases(readResnetGoldens('full'), (id) => id === 'full-pyannote-b4-t9');
});

describe('golden files', () => {
  it('cover batch 1 and 4, T = 9, 200, 1000 and odd T, and every pooling variant', () => {
    const cases = [...readResnetGoldens('tiny').cases, ...readResnetGoldens('full').cases];
    expect(new Set(cases.map((c) => c.batch))).toEqual(new Set([1, 2, 4]));
    for (const t of [9, 200, 1000]) expect(cases.some((c) => c.frames === t)).toBe(true);
    expect(cases.some((c) => c.frames % 2 === 1 && c.frames > 9)).toBe(true);
    expect(new Set(cases.map((c) => c.pooling))).toEqual(new Set(['pyannote', 'wespeaker', 'mlx']));
    // The pooling variants really differ (mlx's biased std changes the direction).
    const tiny = readResnetGoldens('tiny').cases;
    const a = tiny.find((c) => c.id === 'tiny-pyannote-b1-t37')!.normalized[0];
    const b = tiny.find((c) => c.id === 'tiny-mlx-b1-t37')!.normalized[0];
    expect(Math.max(...a.map((v, i) => Math.abs(v - b[i])))).toBeGreaterThan(1e-3);
  });

  it('the comparison catches a wrong variant and a wrong stage', () => {
    const goldens = readResnetGoldens('tiny');
    const c = goldens.cases.find((x) => x.id === 'tiny-pyannote-b4-t200')!;
    const features = syntheticFeatures(c.batch, c.frames, 80, c.featureSeed);
    const wrong = refEmbed(goldenModel(goldens), features, { pooling: 'mlx' });
    const agreement = embeddingAgreement(wrong.embedding.data, c.normalized);
    expect(agreement.minCosine < 0.99999 || agreement.maxAbsDiff > 1e-4).toBe(true);
    expect(() => compareGoldenStage('layer3 as layer4', c.stages.layer4, wrong.stages.get('layer3')!.data, 1e-4)).toThrowError(/values, the golden stage has/);
    const shifted = Float64Array.from(wrong.stages.get('layer4')!.data, (v) => v * 1.001);
    expect(() => compareGoldenStage('layer4 × 1.001', c.stages.layer4, shifted, 1e-4)).toThrowError(/PyTorch/);
  });
});
