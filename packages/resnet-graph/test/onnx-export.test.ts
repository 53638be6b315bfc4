// exportOnnx against two independent readers: the official onnx package (Debian python3-onnx,
// tools/reference/onnx_check.py: checker with full shape inference, then what it parsed) and
// onnxruntime-node, whose embeddings must match the float64 oracle (cosine >= 0.99999) for every
// pooling variant, batch 1 and 4, several frame counts (odd ones too) and every opset path.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { RESNET34_LM_CONFIG, generateSyntheticModel, ohwiToOihw, tinyConfig } from '@wsp/weights';
import type { TensorMap } from '@wsp/weights';
import { embeddingAgreement, pythonHas, repoRoot, runPython } from '@wsp/testkit';
import { ONNX_OPSET_MAX, ONNX_OPSET_MIN, POOLING_VARIANT_NAMES, ShapeError, buildGraph, exportOnnx, minimumFrames } from '../src/index.js';
import type { OnnxExportOptions, PoolingVariant } from '../src/index.js';
import { refEmbed, syntheticFeatures } from '../src/testing/index.js';

const tiny = generateSyntheticModel(tinyConfig(), { seed: 11 });
const tmp = mkdtempSync(join(tmpdir(), 'wsp-onnx-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const rows = (data: Float64Array, dim: number) => Array.from({ length: data.length / dim }, (_, b) => Array.from(data.subarray(b * dim, (b + 1) * dim)));

async function ortEmbed(session: ort.InferenceSession, features: { data: Float32Array; shape: number[] }, input = 'feats', output = 'embedding') {
  const result = await session.run({ [input]: new ort.Tensor('float32', features.data, features.shape) });
  return result[output];
}

/** ORT's embeddings of the exported model against the oracle, for each (batch, frames). */
async function expectMatchesOracle(
  model: { config: typeof tiny.config; tensors: TensorMap },
  options: OnnxExportOptions,
  sizes: readonly (readonly [number, number])[],
) {
  const session = await ort.InferenceSession.create(exportOnnx(model, options));
  try {
    for (const [batch, frames] of sizes) {
      const features = syntheticFeatures(batch, frames, model.config.n_mels, batch * 1000 + frames);
      const out = await ortEmbed(session, features);
      expect(out.dims).toEqual([batch, model.config.embedding_dim]);
      const ref = refEmbed(model, features, { pooling: options.pooling, normalize: options.normalize });
      const agreement = embeddingAgreement(out.data as Float32Array, rows(ref.embedding.data, model.config.embedding_dim));
      expect(agreement.minCosine, `${JSON.stringify(options)} ${batch}x${frames}`).toBeGreaterThanOrEqual(0.99999);
      if (options.normalize !== false) expect(agreement.maxAbsDiff).toBeLessThanOrEqual(1e-5);
    }
  } finally {
    await session.release();
  }
}

describe('exportOnnx: onnxruntime-node embeddings match the float64 oracle', () => {
  for (const pooling of POOLING_VARIANT_NAMES) {
    it(`tiny model, ${pooling} pooling, L2 on and off, batch 1 and 4, odd and even frames`, async () => {
      const shortest = minimumFrames(buildGraph(tiny.config, { pooling }));
      const sizes = [[1, shortest], [4, shortest], [1, 37], [4, 37], [1, 200], [4, 201]] as const;
      await expectMatchesOracle(tiny, { pooling }, sizes);
      await expectMatchesOracle(tiny, { pooling, normalize: false }, [[1, 37], [4, 201]]);
    });
  }

  it('every opset path: 13 (ReduceMean axes attribute) to 21 (axes input from 18)', async () => {
    for (const opset of [ONNX_OPSET_MIN, 17, 18, ONNX_OPSET_MAX]) {
      await expectMatchesOracle(tiny, { opset, pooling: 'wespeaker' }, [[4, 29]]);
    }
  });

  it('full-size ResNet34-LM (channel-major rows c·10 + f), batch 1 and 4', async () => {
    const full = generateSyntheticModel(RESNET34_LM_CONFIG, { seed: 2 });
    await expectMatchesOracle(full, { pooling: 'pyannote' }, [[1, 17], [4, 9]]);
  });

  it('is deterministic, and names its input and output as asked (also names our graph uses inside)', async () => {
    expect(Buffer.from(exportOnnx(tiny)).equals(Buffer.from(exportOnnx(tiny)))).toBe(true);
    for (const [inputName, outputName] of [['features', 'pool'], ['pool', 'features'], ['embedding', 'conv1']]) {
      const session = await ort.InferenceSession.create(exportOnnx(tiny, { inputName, outputName }));
      expect(session.inputNames).toEqual([inputName]);
      expect(session.outputNames).toEqual([outputName]);
      const features = syntheticFeatures(2, 40, 80, 3);
      const out = await ortEmbed(session, features, inputName, outputName);
      const ref = refEmbed(tiny, features);
      expect(embeddingAgreement(out.data as Float32Array, rows(ref.embedding.data, 16)).minCosine).toBeGreaterThanOrEqual(0.99999);
      await session.release();
    }
  });

  it('gives NaN below the minimum frames of the unbiased poolings, as documented (wsp.minimum_frames)', async () => {
    const session = await ort.InferenceSession.create(exportOnnx(tiny, { pooling: 'pyannote' }));
    const out = await ortEmbed(session, syntheticFeatures(1, 8, 80, 1));
    expect(Array.from(out.data as Float32Array).every(Number.isNaN)).toBe(true);
    await session.release();
  });
});

describe('exportOnnx: typed errors', () => {
  const expectShapeError = (fn: () => unknown, code: string) => {
    try {
      fn();
    } catch (e) {
      expect(ShapeError.isInstance(e)).toBe(true);
      expect((e as ShapeError).code).toBe(code);
      return;
    }
    throw new Error('expected a ShapeError');
  };

  it('refuses bad options, unknown pooling and missing or misshapen tensors', () => {
    for (const opset of [12, 22, 13.5, Number.NaN]) expectShapeError(() => exportOnnx(tiny, { opset }), 'INVALID_ARGUMENT');
    expectShapeError(() => exportOnnx(tiny, { inputName: 'x', outputName: 'x' }), 'INVALID_ARGUMENT');
    expectShapeError(() => exportOnnx(tiny, { inputName: '' }), 'INVALID_ARGUMENT');
    expectShapeError(() => exportOnnx(tiny, { outputName: 'pool.mean' }), 'INVALID_ARGUMENT');
    expectShapeError(() => exportOnnx(tiny, { metadata: { n: 1 as unknown as string } }), 'INVALID_ARGUMENT');
    expectShapeError(() => exportOnnx(tiny, { pooling: 'median' as PoolingVariant }), 'UNKNOWN_POOLING');
    const missing = new Map(tiny.tensors);
    missing.delete('layer2.0.shortcut.bias');
    expectShapeError(() => exportOnnx({ config: tiny.config, tensors: missing }), 'WEIGHT_MISSING');
    const misshapen = new Map(tiny.tensors);
    misshapen.set('conv1.weight', ohwiToOihw(tiny.tensors.get('conv1.weight')!));
    expectShapeError(() => exportOnnx({ config: tiny.config, tensors: misshapen }), 'WEIGHT_SHAPE');
  });
});

describe('exportOnnx: the official onnx checker (tools/reference/onnx_check.py)', () => {
  const onnx = pythonHas('onnx', 'numpy');
  if (!onnx.ok) console.warn(`onnx checker not run: ${onnx.reason}`);

  interface Checked {
    ir_version: number;
    opset: Record<string, number>;
    producer: [string, string];
    inputs: { name: string; elem_type: number; dims: (number | string)[] }[];
    outputs: { name: string; elem_type: number; dims: (number | string)[] }[];
    outputs_after_inference: Record<string, (number | string)[]>;
    ops: Record<string, number>;
    initializers: Record<string, { dims: number[]; dtype: string; sum: number; first: number }>;
    metadata: Record<string, string>;
  }

  it.runIf(onnx.ok)('passes check_model(full_check) for every pooling and opset 13..17, and parses back to what we wrote', () => {
    const cases: { file: string; pooling: PoolingVariant; opset: number; normalize: boolean }[] = [];
    for (const pooling of POOLING_VARIANT_NAMES) {
      // The Debian onnx (1.12) knows opsets up to 17; 18+ is checked by onnxruntime above.
      for (const opset of [13, 15, 17]) cases.push({ file: join(tmp, `tiny-${pooling}-${opset}.onnx`), pooling, opset, normalize: opset !== 15 });
    }
    const full = generateSyntheticModel(RESNET34_LM_CONFIG, { seed: 4 });
    const fullFile = join(tmp, 'full.onnx');
    writeFileSync(fullFile, exportOnnx(full, { metadata: { url: 'https://example.org/model' } }));
    for (const c of cases) writeFileSync(c.file, exportOnnx(tiny, c));
    const report = JSON.parse(runPython(join(repoRoot, 'tools', 'reference', 'onnx_check.py'), [...cases.map((c) => c.file), fullFile])) as Checked[];

    report.slice(0, cases.length).forEach((r, i) => {
      const c = cases[i];
      expect(r.opset).toEqual({ '': c.opset });
      expect(r.ir_version).toBe(c.opset <= 14 ? 7 : 8);
      expect(r.producer[0]).toBe('@wsp/resnet-graph');
      expect(r.inputs).toEqual([{ name: 'feats', elem_type: 1, dims: ['batch', 'frames', 80] }]);
      expect(r.outputs).toEqual([{ name: 'embedding', elem_type: 1, dims: ['batch', 16] }]);
      expect(r.outputs_after_inference.embedding).toEqual(['batch', 16]);
      const unbiased = c.pooling !== 'mlx';
      const epsilon = c.pooling !== 'pyannote';
      expect(r.ops).toEqual({
        Transpose: 1,
        Unsqueeze: 1,
        Conv: 12, // stem + 4 blocks × 2 + 3 shortcuts
        Relu: 9, // stem + 4 blocks × 2
        Add: 4 + (epsilon ? 1 : 0), // residuals (+ the variance epsilon)
        Reshape: 1,
        ReduceMean: 1,
        Sub: 1 + (unbiased ? 1 : 0),
        Mul: 1 + (c.normalize ? 1 : 0),
        ReduceSum: 1 + (c.normalize ? 1 : 0),
        Shape: 1,
        Gather: 1,
        Cast: 1,
        Div: 1 + (c.normalize ? 1 : 0),
        Sqrt: 1 + (c.normalize ? 1 : 0),
        Flatten: 2,
        Concat: 1,
        Gemm: 1,
        ...(c.normalize ? { Max: 1 } : {}),
      });
      expect(r.metadata['wsp.pooling']).toBe(c.pooling);
      expect(r.metadata['wsp.normalize']).toBe(String(c.normalize));
    });

    // The full model: every weight in PyTorch layout with the same values, and the metadata.
    const r = report[cases.length];
    expect(r.outputs[0].dims).toEqual(['batch', 256]);
    expect(r.ops.Conv).toBe(1 + 2 * 16 + 3); // stem, two per block, three shortcuts
    for (const [name, t] of full.tensors) {
      const got = r.initializers[name];
      const expected = t.shape.length === 4 ? ohwiToOihw(t) : t;
      expect(got.dims, name).toEqual(expected.shape);
      expect(got.dtype).toBe('float32');
      expect(got.first).toBe(expected.data[0]);
      const sum = expected.data.reduce((a, v) => a + v, 0);
      expect(Math.abs(got.sum - sum)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(sum)) + 1e-9);
    }
    expect(r.metadata).toMatchObject({
      framework: 'wespeaker',
      sample_rate: '16000',
      output_dim: '256',
      normalize_samples: '0',
      url: 'https://example.org/model',
      'wsp.sample_rate': '16000',
      'wsp.n_mels': '80',
      'wsp.fbank_preset': 'wespeaker',
      'wsp.cmn': 'utterance-mean',
      'wsp.pooling': 'pyannote',
      'wsp.pooling_std': 'unbiased (T-1), epsilon 0',
      'wsp.normalize': 'true',
      'wsp.embedding_dim': '256',
      'wsp.minimum_frames': '9',
    });
    expect(JSON.parse(r.metadata['wsp.config'])).toEqual(RESNET34_LM_CONFIG);
  });
});
