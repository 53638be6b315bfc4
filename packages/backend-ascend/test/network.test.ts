// The whole network on the fake CANN against PyTorch goldens (tools/reference/backend_ascend_goldens.py
// on the synthetic models of @wsp/weights): compiled program, graph capture and operator-by-operator
// execution, every pooling variant, batches, shape cache.
import ndarray from 'ndarray';
import { beforeEach, describe, expect, it } from 'vitest';
import { RESNET34_LM_CONFIG, architecture, generateSyntheticModel, tinyConfig } from '@wsp/weights';
import type { NdArray, TensorMap, WeSpeakerConfig } from '@wsp/weights';
import { cosine, maxAbsDiff, readGoldenJson } from '@wsp/testkit';
import type { AscendTensor, PoolingVariant , AscendBackend} from '../src/index.js';
import { AscendArgumentError, compileNetwork, minimumFrames } from '../src/index.js';
import { fakeReport, useFakeCann } from './helpers/fake-cann.js';
import { suiteBackend } from './helpers/suite.js';
import { readGolden } from './helpers/goldens.js';
import { relativeMaxError } from './helpers/reference64.js';

useFakeCann();

const POOLINGS: PoolingVariant[] = ['pyannote', 'wespeaker', 'mlx'];

interface Manifest {
  models: Record<string, { batch: number; frames: number; fingerprints: Record<string, number> }>;
}
const manifest = readGoldenJson<Manifest>('backend-ascend', 'manifest.json');

const golden = readGolden;

/** Row by row: cosine >= 0.99999 and max |diff| <= 1e-4 (unit vectors). */
function expectEmbeddingsMatch(got: NdArray<Float32Array>, want: NdArray<Float32Array>): void {
  expect(got.shape).toEqual(want.shape);
  const [rows, width] = want.shape;
  for (let r = 0; r < rows; r++) {
    const a = got.data.subarray(r * width, (r + 1) * width);
    const b = want.data.subarray(r * width, (r + 1) * width);
    expect(cosine(a, b)).toBeGreaterThanOrEqual(0.99999);
    expect(maxAbsDiff(a, b)).toBeLessThanOrEqual(1e-4);
  }
}

/** The network driven one layer at a time through the backend operations (as a graph executor would). */
async function runOpByOp(
  backend: AscendBackend,
  model: { config: WeSpeakerConfig; tensors: TensorMap },
  features: NdArray<Float32Array>,
  pooling: PoolingVariant,
): Promise<NdArray<Float32Array>> {
  const t = (name: string) => model.tensors.get(name)!;
  const conv = (name: string, stride: 1 | 2) =>
    backend.prepareConv2d({ weight: t(`${name}.weight`), bias: t(`${name}.bias`), stride, padding: t(`${name}.weight`).shape[1] === 3 ? 1 : 0 });
  const live: AscendTensor[] = [];
  const keep = (x: AscendTensor) => (live.push(x), x);
  const weights = [];
  let x = keep(backend.upload(toNchw(features)));
  const stem = conv('conv1', 1);
  weights.push(stem);
  x = keep(backend.conv2d(x, stem, { relu: true }));
  for (const block of architecture(model.config).stages.flat()) {
    const c1 = conv(`${block.name}.conv1`, block.stride);
    const c2 = conv(`${block.name}.conv2`, 1);
    weights.push(c1, c2);
    const h = keep(backend.conv2d(x, c1, { relu: true }));
    let residual = x;
    if (block.hasShortcut) {
      const sc = conv(`${block.name}.shortcut`, block.stride);
      weights.push(sc);
      residual = keep(backend.conv2d(x, sc, { relu: false }));
    }
    x = keep(backend.conv2d(h, c2, { relu: true, residual }));
  }
  const pooled = keep(backend.statsPool(x, pooling));
  const lin = backend.prepareLinear({ weight: t('embedding.weight'), bias: t('embedding.bias') });
  weights.push(lin);
  const emb = keep(backend.l2Normalize(keep(backend.linear(pooled, lin))));
  const out = await backend.download(emb);
  for (const v of live) v.dispose();
  for (const w of weights) w.dispose();
  return out;
}

/** [B, T, F] -> contiguous [B, 1, F, T]. */
function toNchw(features: NdArray<Float32Array>): NdArray<Float32Array> {
  const [B, T, F] = features.shape;
  const out = ndarray(new Float32Array(B * T * F), [B, 1, F, T]);
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) for (let f = 0; f < F; f++) out.set(b, 0, f, t, features.get(b, t, f));
  return out;
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
  const input = golden(`${name}-input`);
  const suite = suiteBackend();
  let backend: AscendBackend;
  beforeEach(() => {
    backend = suite();
  });

  it('regenerates the weights the goldens were made from', () => {
    const want = manifest.models[name].fingerprints;
    const got = fingerprints(model.tensors);
    expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
    for (const k of Object.keys(want)) expect(Math.abs(got[k] - want[k])).toBeLessThan(1e-6 * Math.max(1, Math.abs(want[k])));
  });

  for (const pooling of POOLINGS) {
    it(`compiled network, ${pooling} pooling, L2-normalised`, async () => {
      const net = compileNetwork(backend, model, { pooling });
      expectEmbeddingsMatch(await net.run(input), golden(`${name}-${pooling}-normalized`));
      net.dispose();
      expect(backend.memory()).toMatchObject({ tensors: 0, preparedWeights: 0 });
    });
  }

  it('compiled network without normalisation returns the raw embedding', async () => {
    const net = compileNetwork(backend, model, { pooling: 'pyannote', normalize: false });
    const got = await net.run(input);
    const want = golden(`${name}-pyannote-raw`);
    expect(got.shape).toEqual(want.shape);
    expect(relativeMaxError(got.data, want.data)).toBeLessThan(1e-4);
    net.dispose();
  });

  it('operator-by-operator execution gives the same embeddings', async () => {
    expectEmbeddingsMatch(await runOpByOp(backend, model, input, 'pyannote'), golden(`${name}-pyannote-normalized`));
    expect(backend.memory()).toMatchObject({ tensors: 0, preparedWeights: 0 });
  });
});

describe('compiled network behaviour (tiny model)', () => {
  const model = generateSyntheticModel(tinyConfig(), { seed: 1 });
  const input = golden('tiny-input');
  const suite = suiteBackend();
  let backend: AscendBackend;
  beforeEach(() => {
    backend = suite();
  });

  it('captures an ACL graph on the second run of a shape and replays it with identical results', async () => {
    const eager = compileNetwork(backend, model, { pooling: 'wespeaker' });
    const captured = compileNetwork(backend, model, { pooling: 'wespeaker', graphCapture: true });
    const reference = await eager.run(input);
    const before = fakeReport().counters;
    const runs = [await captured.run(input), await captured.run(input), await captured.run(input)];
    const after = fakeReport().counters;
    for (const r of runs) expect(Array.from(r.data)).toEqual(Array.from(reference.data));
    expect(captured.shapes()).toEqual([expect.objectContaining({ batch: 3, frames: 37, captured: true, runs: 3 })]);
    expect(after.captures - before.captures).toBe(1);
    expect(after.replays - before.replays).toBe(2);
    // Replays skip phase 1: only the first (eager) run prepared operators.
    const preparesPerRun = fakeReport().counters.prepares;
    await captured.run(input);
    expect(fakeReport().counters.prepares).toBe(preparesPerRun);
    eager.dispose();
    captured.dispose();
    expect(fakeReport().live.graphs).toBe(0);
  });

  it('a batch gives the same rows as one utterance at a time', async () => {
    const net = compileNetwork(backend, model, { pooling: 'mlx' });
    const batch = await net.run(input);
    const [B, T, F] = input.shape;
    for (let b = 0; b < B; b++) {
      const one = await net.run(input.lo(b, 0, 0).hi(1, T, F));
      expect(maxAbsDiff(one.data, batch.data.subarray(b * 16, (b + 1) * 16))).toBeLessThan(1e-6);
    }
    net.dispose();
  });

  it('keeps buffers for the most recent shapes only', async () => {
    const net = compileNetwork(backend, model, { pooling: 'mlx', maxCachedShapes: 2 });
    for (const frames of [20, 21, 22]) await net.run(input.hi(1, frames, 80));
    expect(net.shapes().map((s) => s.frames)).toEqual([22, 21]);
    net.dispose();
  });

  it('rejects too few frames for the pooling, and wrong feature widths, with typed errors', async () => {
    const net = compileNetwork(backend, model, { pooling: 'pyannote' });
    const min = minimumFrames(tinyConfig(), 'pyannote');
    expect(min).toBe(9);
    await expect(net.run(input.hi(1, min - 1, 80))).rejects.toMatchObject({ code: 'INPUT_TOO_SHORT' });
    await expect(net.run(input.hi(1, min - 1, 80))).rejects.toBeInstanceOf(AscendArgumentError);
    await expect(net.run(input.hi(1, 20, 40))).rejects.toThrowError(/\[B, T, 80\]/);
    const ok = await net.run(input.hi(1, min, 80));
    expect(ok.data.every(Number.isFinite)).toBe(true);
    net.dispose();
  });

  it('runs overlapping calls of one network in turn, each with its own result', async () => {
    const net = compileNetwork(backend, model, { pooling: 'pyannote' });
    const one = await net.run(input.hi(1, 30, 80));
    const two = await net.run(input.hi(2, 25, 80));
    const both = await Promise.all([net.run(input.hi(1, 30, 80)), net.run(input.hi(2, 25, 80)), net.run(input.hi(1, 30, 80))]);
    expect(Array.from(both[0].data)).toEqual(Array.from(one.data));
    expect(Array.from(both[1].data)).toEqual(Array.from(two.data));
    expect(Array.from(both[2].data)).toEqual(Array.from(one.data));
    net.dispose();
  });
});
