// The whole network on the fake CANN against PyTorch goldens (tools/reference/backend_ascend_goldens.py
// on the synthetic models of @wsp/weights): compiled program and operator by operator through
// @wsp/resnet-graph sessions, every pooling variant, graph capture, batches, shape cache.
import { beforeEach, describe, expect, it } from 'vitest';
import { RESNET34_LM_CONFIG, architecture, generateSyntheticModel, tinyConfig } from '@wsp/weights';
import type { NdArray, TensorMap } from '@wsp/weights';
import { InputTooShortError, createInferenceSession } from '@wsp/resnet-graph';
import type { ExecutionMode, HostTensor, PoolingVariant } from '@wsp/resnet-graph';
import { cosine, maxAbsDiff, readGoldenJson } from '@wsp/testkit';
import { AscendBackend } from '../src/index.js';
import { relativeMaxError } from './helpers/compare.js';
import { compileModel } from './helpers/compile.js';
import { fakeReport, useFakeCann } from './helpers/fake-cann.js';
import { readGolden } from './helpers/goldens.js';
import { suiteBackend } from './helpers/suite.js';

useFakeCann();

const POOLINGS: PoolingVariant[] = ['pyannote', 'wespeaker', 'mlx'];

interface Manifest {
  models: Record<string, { batch: number; frames: number; fingerprints: Record<string, number> }>;
}
const manifest = readGoldenJson<Manifest>('backend-ascend', 'manifest.json');

/** Row by row: cosine >= 0.99999 and max |diff| <= 1e-4 (unit vectors). */
function expectEmbeddingsMatch(got: HostTensor, want: NdArray<Float32Array>): void {
  expect(got.shape).toEqual(want.shape);
  const [rows, width] = want.shape;
  for (let r = 0; r < rows; r++) {
    const a = got.data.subarray(r * width, (r + 1) * width);
    const b = want.data.subarray(r * width, (r + 1) * width);
    expect(cosine(a, b)).toBeGreaterThanOrEqual(0.99999);
    expect(maxAbsDiff(a, b)).toBeLessThanOrEqual(1e-4);
  }
}

function fingerprints(tensors: TensorMap): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, t] of tensors) out[name] = t.data.reduce((s, v) => s + v, 0);
  return out;
}

describe.each([
  ['tiny', tinyConfig()],
  ['full', RESNET34_LM_CONFIG],
] as const)('%s synthetic model against the PyTorch goldens', (name, config) => {
  const model = generateSyntheticModel(config, { seed: 1 });
  const input = readGolden(`${name}-input`);
  const suite = suiteBackend();
  let backend: AscendBackend;
  beforeEach(() => {
    backend = suite();
  });

  async function embed(pooling: PoolingVariant, execution: ExecutionMode, normalize = true): Promise<HostTensor> {
    const session = createInferenceSession(backend, model, { pooling, normalize, execution });
    try {
      expect(session.execution).toBe(execution);
      return await session.run(input);
    } finally {
      session.dispose();
      expect(backend.memory()).toEqual({ tensors: 0, preparedWeights: 0, bytes: 0 });
    }
  }

  it('regenerates the weights the goldens were made from', () => {
    const want = manifest.models[name].fingerprints;
    const got = fingerprints(model.tensors);
    expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
    for (const k of Object.keys(want)) expect(Math.abs(got[k] - want[k])).toBeLessThan(1e-6 * Math.max(1, Math.abs(want[k])));
  });

  for (const pooling of POOLINGS) {
    it(`compiled, ${pooling} pooling, L2-normalised`, async () => {
      expectEmbeddingsMatch(await embed(pooling, 'compiled'), readGolden(`${name}-${pooling}-normalized`));
    });
  }

  it('compiled without normalisation returns the raw embedding', async () => {
    const got = await embed('pyannote', 'compiled', false);
    const want = readGolden(`${name}-pyannote-raw`);
    expect(got.shape).toEqual(want.shape);
    expect(relativeMaxError(got.data, want.data)).toBeLessThan(1e-4);
  });

  it('operator by operator gives the same embeddings', async () => {
    expectEmbeddingsMatch(await embed('wespeaker', 'op-by-op'), readGolden(`${name}-wespeaker-normalized`));
  });
});

describe('compiled graphs (tiny model)', () => {
  const model = generateSyntheticModel(tinyConfig(), { seed: 1 });
  const input = readGolden('tiny-input');
  const suite = suiteBackend();
  let backend: AscendBackend;
  beforeEach(() => {
    backend = suite();
  });

  it('capture an ACL graph on the second run of a shape and replay it with identical results', async () => {
    const eager = compileModel(backend, model, { pooling: 'wespeaker' });
    const reference = await eager.compiled.run(input);
    eager.dispose();

    const capturing = new AscendBackend({ graphCapture: true });
    const captured = compileModel(capturing, model, { pooling: 'wespeaker' });
    const before = fakeReport().counters;
    const runs = [await captured.compiled.run(input), await captured.compiled.run(input), await captured.compiled.run(input)];
    const after = fakeReport().counters;
    for (const r of runs) expect(Array.from(r.data)).toEqual(Array.from(reference.data));
    expect(captured.compiled.shapes()).toEqual([expect.objectContaining({ batch: 3, frames: 37, captured: true, runs: 3 })]);
    expect(after.captures - before.captures).toBe(1);
    expect(after.replays - before.replays).toBe(2);
    // Replays skip phase 1 of every operator.
    const prepares = fakeReport().counters.prepares;
    await captured.compiled.run(input);
    expect(fakeReport().counters.prepares).toBe(prepares);
    captured.dispose();
    expect(fakeReport().live.graphs).toBe(0);
    capturing.dispose();
  });

  it('a batch gives the same rows as one utterance at a time', async () => {
    const { compiled, dispose } = compileModel(backend, model, { pooling: 'mlx' });
    const batch = await compiled.run(input);
    const [B, T, F] = input.shape;
    for (let b = 0; b < B; b++) {
      const one = await compiled.run(input.lo(b, 0, 0).hi(1, T, F));
      expect(maxAbsDiff(one.data, batch.data.subarray(b * 16, (b + 1) * 16))).toBeLessThan(1e-6);
    }
    dispose();
  });

  it('keeps buffers for the most recent shapes only, and reports their bytes in memory()', async () => {
    const small = new AscendBackend({ maxCachedShapes: 2 });
    const { compiled, dispose } = compileModel(small, model, { pooling: 'mlx' });
    const weightsOnly = small.memory().bytes;
    for (const frames of [20, 21, 22]) await compiled.run(input.hi(1, frames, 80));
    expect(compiled.shapes().map((s) => s.frames)).toEqual([22, 21]);
    const planned = compiled.shapes().reduce((n, s) => n + s.deviceBytes, 0);
    expect(planned).toBeGreaterThan(0);
    expect(small.memory().bytes).toBe(weightsOnly + planned);
    dispose();
    expect(small.memory()).toEqual({ tensors: 0, preparedWeights: 0, bytes: 0 });
    small.dispose();
  });

  it('sessions refuse too few frames with InputTooShortError (minimum 9 for the unbiased poolings)', async () => {
    const session = createInferenceSession(backend, model, { pooling: 'pyannote' });
    expect(session.minimumFrames).toBe(9);
    await expect(session.run(input.hi(1, 8, 80))).rejects.toBeInstanceOf(InputTooShortError);
    const ok = await session.run(input.hi(1, 9, 80));
    expect(ok.data.every(Number.isFinite)).toBe(true);
    session.dispose();
  });

  it('runs overlapping calls of one compiled graph in turn, each with its own result', async () => {
    const { compiled, dispose } = compileModel(backend, model, { pooling: 'pyannote' });
    const one = await compiled.run(input.hi(1, 30, 80));
    const two = await compiled.run(input.hi(2, 25, 80));
    const both = await Promise.all([compiled.run(input.hi(1, 30, 80)), compiled.run(input.hi(2, 25, 80)), compiled.run(input.hi(1, 30, 80))]);
    expect(Array.from(both[0].data)).toEqual(Array.from(one.data));
    expect(Array.from(both[1].data)).toEqual(Array.from(two.data));
    expect(Array.from(both[2].data)).toEqual(Array.from(one.data));
    dispose();
  });

  it('launches one convolution per graph node', async () => {
    const blocks = architecture(tinyConfig()).stages.flat();
    const convs = 1 + 2 * blocks.length + blocks.filter((b) => b.hasShortcut).length;
    const { compiled, dispose } = compileModel(backend, model, { pooling: 'pyannote' });
    const before = fakeReport().cubeMathTypes.aclnnConvolution?.[0] ?? 0;
    await compiled.run(input);
    expect(fakeReport().cubeMathTypes.aclnnConvolution[0] - before).toBe(convs);
    dispose();
  });
});
