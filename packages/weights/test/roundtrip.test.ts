import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TensorMap } from '../src/index.js';
import {
  RESNET34_LM_CONFIG,
  encodeSafetensors,
  encodeWeights,
  float16ToFloat32,
  float32Tensor,
  float32ToFloat16Bits,
  generateSyntheticModel,
  loadWeSpeakerWeights,
  loadWeSpeakerWeightsFromBytes,
  openTorchCheckpoint,
  tinyConfig,
} from '../src/index.js';
import { expectSameTensors, pythonHas, repoRoot, runPython, temporaryDirectory } from './helpers.js';

const tmp = temporaryDirectory('roundtrip');

const tiny = generateSyntheticModel(tinyConfig({ layers: [2, 1, 1, 1] }), { seed: 5 });
const full = generateSyntheticModel(RESNET34_LM_CONFIG, { seed: 1 });
const mlxBytes = (m: { tensors: TensorMap }) => encodeSafetensors(m.tensors, { format: 'mlx', layout: 'ohwi' });

describe('round trips through every writer, bit for bit', () => {
  for (const [label, model] of [
    ['tiny', tiny],
    ['full-size ResNet34-LM', full],
  ] as const) {
    it(`${label}: MLX safetensors -> PyTorch file -> back`, async () => {
      const loaded = await loadWeSpeakerWeights(mlxBytes(model));
      expect(loaded.source).toMatchObject({ naming: 'mlx', layout: 'ohwi', batchNormFused: true });
      const pt = encodeWeights(loaded.tensors, { format: 'pytorch' });
      const back = loadWeSpeakerWeightsFromBytes(pt);
      expect(back.source).toMatchObject({ naming: 'mlx', layout: 'oihw', batchNormFused: true });
      expect(back.config).toEqual({ ...model.config, model_type: back.config.model_type });
      expectSameTensors(back.tensors, model.tensors);
    });
  }

  it('the PyTorch file has OIHW convs, MLX names, one contiguous storage per tensor', () => {
    const checkpoint = openTorchCheckpoint(encodeWeights(tiny.tensors, { format: 'pytorch' }));
    const refs = checkpoint.stateDict().tensors;
    expect([...refs.keys()]).toEqual([...tiny.tensors.keys()]);
    const conv = refs.get('layer2.0.conv1.weight')!;
    expect(conv.shape).toEqual([8, 4, 3, 3]);
    expect(conv.isContiguous).toBe(true);
    expect(new Set([...refs.values()].map((r) => r.storage.key)).size).toBe(refs.size);
    // entries are 64-byte aligned, like PyTorch's own writer
    expect(checkpoint.archive.entries.every((e) => e.dataOffset % 64 === 0)).toBe(true);
  });

  it('OIHW safetensors (with and without the layout metadata) -> back', () => {
    const oihw = encodeWeights(tiny.tensors, { format: 'safetensors', layout: 'oihw' });
    expectSameTensors(loadWeSpeakerWeightsFromBytes(oihw).tensors, tiny.tensors);
    const bare = loadWeSpeakerWeightsFromBytes(encodeSafetensors(loadWeSpeakerWeightsFromBytes(oihw).tensors));
    expectSameTensors(bare.tensors, tiny.tensors);
  });

  it('F16 outputs come back as the float16 rounding of the originals', () => {
    const expected: TensorMap = new Map(
      [...tiny.tensors].map(([name, t]) => [name, float32Tensor(t.shape, t.data.map((x) => float16ToFloat32(float32ToFloat16Bits(x))))]),
    );
    for (const format of ['pytorch', 'safetensors'] as const) {
      const bytes = encodeWeights(tiny.tensors, { format, dtype: 'F16' });
      expectSameTensors(loadWeSpeakerWeightsFromBytes(bytes).tensors, expected);
    }
  });
});

describe('PyTorch reads what we write (tools/reference/check_weights_files.py)', () => {
  const torch = pythonHas('torch');
  if (!torch.ok) console.warn(`PyTorch check not run: ${torch.reason}`);

  it.runIf(torch.ok)('torch.load(weights_only=True) gives the exact tensors; wsp_reference reads our safetensors', () => {
    const script = join(repoRoot, 'tools', 'reference', 'check_weights_files.py');
    for (const [label, model] of [
      ['tiny', tiny],
      ['full', full],
    ] as const) {
      const reference = join(tmp, `${label}-reference.safetensors`);
      writeFileSync(reference, mlxBytes(model));
      const files: string[] = [reference];
      for (const dtype of ['F32', 'F16', 'BF16'] as const) {
        const pt = join(tmp, `${label}-${dtype}.bin`);
        writeFileSync(pt, encodeWeights(model.tensors, { format: 'pytorch', dtype }));
        files.push('--torch', pt, dtype);
      }
      for (const layout of ['ohwi', 'oihw'] as const) {
        for (const dtype of ['F32', 'F16', 'BF16'] as const) {
          const st = join(tmp, `${label}-${layout}-${dtype}.safetensors`);
          writeFileSync(st, encodeWeights(model.tensors, { format: 'safetensors', layout, dtype }));
          files.push('--safetensors', st, layout, dtype);
        }
      }
      const report = JSON.parse(runPython(script, files)) as { reference_tensors: number; checked: { tensors: number }[] };
      expect(report.reference_tensors).toBe(model.tensors.size);
      expect(report.checked.map((c) => c.tensors)).toEqual(new Array(9).fill(model.tensors.size));
    }
  });
});
