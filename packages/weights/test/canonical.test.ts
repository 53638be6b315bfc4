import { describe, expect, it } from 'vitest';
import type { RandomAccess, TensorMap } from '../src/index.js';
import {
  RESNET34_LM_CONFIG,
  encodeSafetensors,
  encodeTorchStateDict,
  encodeWeights,
  float32Tensor,
  generateSyntheticModel,
  inspectWeightsBytes,
  loadWeSpeakerWeightsFromBytes,
  modelSpec,
  ohwiToOihw,
  openWeights,
  planCanonical,
  readTorchStateDict,
  seededRandom,
  tinyConfig,
} from '../src/index.js';
import { expectSameTensors, readFixture, weightsErrorOf } from './helpers.js';

const config = tinyConfig();
const model = generateSyntheticModel(config, { seed: 3 });
const withChanges = (tensors: TensorMap, changes: (m: TensorMap) => void): TensorMap => {
  const m = new Map(tensors);
  changes(m);
  return m;
};

describe('validation against modelSpec(config)', () => {
  it('lists every missing, unexpected and mis-shaped tensor by name in one error', async () => {
    const broken = withChanges(model.tensors, (m) => {
      m.delete('layer3.0.shortcut.bias');
      m.delete('embedding.bias');
      m.set('layer9.0.conv1.weight', float32Tensor([2]));
      m.set('layer2.0.conv2.weight', float32Tensor([8, 3, 3, 7]));
    });
    const e = await weightsErrorOf(() => loadWeSpeakerWeightsFromBytes(encodeSafetensors(broken), { config, file: 'm.safetensors' }));
    expect(e.code).toBe('WEIGHTS_MISMATCH');
    expect(e.message).toMatch(/^m\.safetensors: /);
    expect(e.message).toContain('missing: layer3.0.shortcut.bias, embedding.bias');
    expect(e.message).toContain('unexpected: layer9.0.conv1.weight');
    expect(e.message).toContain('layer2.0.conv2.weight is [8, 3, 3, 7], expected [8, 3, 3, 8]');
  });

  it('names the unfused source tensors a PyTorch checkpoint lacks', async () => {
    const raw = readTorchStateDict(readFixture('wespeaker-tiny.pt'));
    raw.delete('layer1.1.bn2.running_var');
    raw.delete('seg_1.bias');
    const e = await weightsErrorOf(() => loadWeSpeakerWeightsFromBytes(encodeTorchStateDict(raw)));
    expect(e.message).toContain('missing: layer1.1.bn2.running_var, seg_1.bias');
    expect(e.message).toContain('wespeaker naming, oihw convolutions');
  });

  it('rejects integer tensors where weights belong', async () => {
    const raw = readTorchStateDict(readFixture('wespeaker-tiny.pt'));
    const plan = planCanonical([...raw].map(([name, t]) => ({ name, dtype: name === 'bn1.weight' ? ('I64' as const) : ('F32' as const), shape: t.shape })));
    expect(plan.validation.ok).toBe(false);
    expect(plan.validation.wrongDtype).toEqual([{ name: 'bn1.weight', dtype: 'I64' }]);
  });

  it('reports a config.json that disagrees with the tensors as mismatches', async () => {
    const e = await weightsErrorOf(() => loadWeSpeakerWeightsFromBytes(encodeSafetensors(model.tensors), { config: tinyConfig({ channels: [4, 8, 16, 16] }) }));
    expect(e.code).toBe('WEIGHTS_MISMATCH');
    expect(e.message).toMatch(/layer3\.0\.conv1\.weight is \[8, 3, 3, 8\], expected \[16, 3, 3, 8\]/);
  });
});

describe('config inference', () => {
  it('recovers the published ResNet34-LM config from the full-size shapes', () => {
    const specs = modelSpec(RESNET34_LM_CONFIG);
    const plan = planCanonical(specs.map((s) => ({ name: s.name, dtype: 'F32', shape: s.shape })));
    expect(plan.config).toEqual(RESNET34_LM_CONFIG);
    expect(plan.configSource).toBe('inferred');
    expect(plan.validation.ok).toBe(true);
  });

  it('fails with WEIGHTS_CONFIG_UNKNOWN when the tensors are not a WeSpeaker ResNet', async () => {
    const e = await weightsErrorOf(() => loadWeSpeakerWeightsFromBytes(encodeSafetensors(new Map([['encoder.w', float32Tensor([3, 3])]]))));
    expect(e.code).toBe('WEIGHTS_CONFIG_UNKNOWN');
    const report = inspectWeightsBytes(encodeSafetensors(new Map([['encoder.w', float32Tensor([3, 3])]])));
    expect(report.validation.ok).toBe(false);
    expect(report.validation.message).toMatch(/cannot infer/);
    expect(report.model).toBeUndefined();
  });
});

describe('names, prefixes and layouts', () => {
  it('strips module. (DataParallel) and resnet. prefixes', () => {
    const prefixed = new Map([...model.tensors].map(([n, t]) => [`module.resnet.${n}`, t]));
    const loaded = loadWeSpeakerWeightsFromBytes(encodeSafetensors(prefixed));
    expect(loaded.source.prefix).toBe('module.resnet.');
    expectSameTensors(loaded.tensors, model.tensors);
  });

  it('detects OIHW from the shapes when no metadata says so, and obeys the metadata when it does', () => {
    const oihw = new Map([...model.tensors].map(([n, t]) => [n, t.shape.length === 4 ? ohwiToOihw(t) : t]));
    const detected = loadWeSpeakerWeightsFromBytes(encodeSafetensors(oihw));
    expect(detected.source.layout).toBe('oihw');
    expectSameTensors(detected.tensors, model.tensors);
    // The same OIHW tensors declared as OHWI do not fit: the metadata is believed, the shapes reported.
    expect(() => loadWeSpeakerWeightsFromBytes(encodeSafetensors(oihw, { layout: 'ohwi' }))).toThrow(/wrong shape/);
  });

  it('folds a conv bias that precedes the BatchNorm (float64 oracle)', () => {
    const rng = seededRandom(9);
    const raw = readTorchStateDict(readFixture('wespeaker-tiny.pt'));
    const convBias = float32Tensor([4], Float32Array.from({ length: 4 }, () => rng.normal()));
    raw.set('conv1.bias', convBias);
    const loaded = loadWeSpeakerWeightsFromBytes(encodeTorchStateDict(raw));
    const g = (n: string) => raw.get(n)!.data;
    const fusedBias = loaded.tensors.get('conv1.bias')!.data;
    for (let o = 0; o < 4; o++) {
      const scale = g('bn1.weight')[o] / Math.sqrt(g('bn1.running_var')[o] + 1e-5);
      const want = g('bn1.bias')[o] + (convBias.data[o] - g('bn1.running_mean')[o]) * scale;
      expect(fusedBias[o]).toBeCloseTo(want, 5);
    }
  });

  it('inspection reads the header or the pickle, not the tensor data', () => {
    const full = encodeWeights(generateSyntheticModel(RESNET34_LM_CONFIG).tensors, { format: 'pytorch' });
    for (const bytes of [full, encodeSafetensors(model.tensors)]) {
      let read = 0;
      const counting: RandomAccess = { byteLength: bytes.length, read: (offset, length) => ((read += length), bytes.subarray(offset, offset + length)) };
      const opened = openWeights(counting);
      expect(planCanonical(opened.tensors).validation.ok).toBe(true);
      expect(read).toBeLessThan(bytes.length / 20);
    }
  });

  it('reports the file as it is and how it maps onto the model', () => {
    const report = inspectWeightsBytes(readFixture('pyannote-tiny.bin'));
    expect(report.format).toBe('pytorch');
    expect(report.stateDictPath).toBe('state_dict');
    expect(report.tensors[0]).toEqual({ name: 'resnet.conv1.weight', dtype: 'F32', shape: [4, 1, 3, 3], parameters: 36 });
    expect(report.dtypes).toEqual({ F32: report.tensorCount - 14, I64: 14 }); // one num_batches_tracked per BatchNorm
    expect(report.model).toMatchObject({ naming: 'wespeaker', layout: 'oihw', batchNormFused: false, prefix: 'resnet.', configSource: 'inferred' });
    expect(report.validation.ok).toBe(true);
    expect(report.model!.parameterCount).toBe(modelSpec(report.model!.config).reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0));
  });
});
