// Both CPU backends against PyTorch (fixtures/resnet-graph, tools/reference/resnet_goldens.py):
// L2-normalised embeddings within cosine ≥ 0.99999 and max |diff| ≤ 1e-4 for every case, and the
// per-stage activations (stem, layer1..4, pooled) op by op.
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkGoldenFeatures,
  compareGoldenStage,
  embeddingAgreement,
  goldenModel,
  readResnetGoldens,
} from '@wsp/testkit';
import type { ResnetGoldenCase, ResnetGoldens } from '@wsp/testkit';
import { createInferenceSession } from '@wsp/resnet-graph';
import type { InferenceSession } from '@wsp/resnet-graph';
import { syntheticFeatures } from '@wsp/resnet-graph/testing';
import type { Backend } from '@wsp/resnet-graph';
import { NativeCpuBackend, PortableCpuBackend } from '../src/index.js';

const portable = new PortableCpuBackend();
const native = new NativeCpuBackend();
afterAll(() => {
  portable.dispose();
  native.dispose();
});

function sessions(backend: Backend, goldens: ResnetGoldens) {
  const model = goldenModel(goldens);
  const cache = new Map<string, InferenceSession>();
  return (pooling: ResnetGoldenCase['pooling'], execution: 'compiled' | 'op-by-op') => {
    const key = `${pooling} ${execution}`;
    if (!cache.has(key)) cache.set(key, createInferenceSession(backend, model, { pooling, execution }));
    return cache.get(key)!;
  };
}

function checkAgainstGoldens(backend: Backend, goldens: ResnetGoldens, compiledToo: (c: ResnetGoldenCase) => boolean) {
  const session = sessions(backend, goldens);
  for (const c of goldens.cases) {
    it(`${c.id}: embeddings and stage activations match PyTorch`, async () => {
      const features = syntheticFeatures(c.batch, c.frames, goldens.model.config.n_mels, c.featureSeed);
      checkGoldenFeatures(c, features.data);
      const opByOp = session(c.pooling, 'op-by-op');
      const stageValues = Object.fromEntries(opByOp.graph.stages.map((s) => [s.name, s.value]));
      const { embedding, activations } = await opByOp.runWithActivations(features, Object.values(stageValues));
      const agreement = embeddingAgreement(embedding.data, c.normalized);
      expect(agreement.minCosine).toBeGreaterThanOrEqual(0.99999);
      expect(agreement.maxAbsDiff).toBeLessThanOrEqual(1e-4);
      const raw = activations.get(stageValues.embedding)!;
      const rawScale = Math.max(...c.embedding.flat().map(Math.abs));
      expect(embeddingAgreement(raw.data, c.embedding).maxAbsDiff / rawScale).toBeLessThanOrEqual(1e-4);
      for (const [stage, golden] of Object.entries(c.stages)) {
        compareGoldenStage(`${c.id} ${stage}`, golden, activations.get(stageValues[stage])!.data, 1e-4);
      }
      if (compiledToo(c)) {
        const compiled = await session(c.pooling, 'compiled').run(features);
        const a = embeddingAgreement(compiled.data, c.normalized);
        expect(a.minCosine).toBeGreaterThanOrEqual(0.99999);
        expect(a.maxAbsDiff).toBeLessThanOrEqual(1e-4);
      }
    });
  }
}

describe('cpu-portable vs PyTorch goldens: tiny model', () => {
  checkAgainstGoldens(portable, readResnetGoldens('tiny'), () => true);
});

describe('cpu-portable vs PyTorch goldens: full-size model', () => {
  checkAgainstGoldens(portable, readResnetGoldens('full'), (c) => c.id === 'full-pyannote-b1-t200' || c.id === 'full-pyannote-b4-t9');
});

// The native backend (Winograd F(4x4) in fp32), compiled plan for every case.
describe('cpu (native) vs PyTorch goldens: tiny model', () => {
  checkAgainstGoldens(native, readResnetGoldens('tiny'), () => true);
});

describe('cpu (native) vs PyTorch goldens: full-size model', () => {
  checkAgainstGoldens(native, readResnetGoldens('full'), () => true);
});
