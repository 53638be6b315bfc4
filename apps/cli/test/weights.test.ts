// wsp convert / wsp inspect: the equivalents of the Python port's convert_weights.py and of a
// weights report, checked by loading the output back with @wsp/weights.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeSafetensors, loadWeSpeakerWeights } from '@wsp/weights';
import { beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, tinyModelDir, work, wsp } from './helpers/wsp.js';

let model: string;
beforeAll(async () => {
  model = await tinyModelDir();
});

describe('wsp convert', () => {
  it('MLX folder -> PyTorch .bin (OIHW) -> MLX .safetensors gives the same tensors', async () => {
    const bin = join(work, 'pytorch_model.bin');
    const r = await wsp(['convert', '--input', model, '--output', bin]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/wrote .*pytorch_model\.bin: pytorch, OIHW, F32, 26 tensors, 11,264 parameters/);
    const back = join(work, 'back.safetensors');
    const j = jsonLines((await wsp(['convert', '--input', bin, '--output', back, '--layout', 'ohwi', '--json'])).stdout)[0];
    expect(j).toMatchObject({ format: 'safetensors', layout: 'ohwi', dtype: 'F32', tensorCount: 26, source: { format: 'pytorch', layout: 'oihw' } });
    const [a, b, c] = await Promise.all([loadWeSpeakerWeights(model), loadWeSpeakerWeights(bin), loadWeSpeakerWeights(back)]);
    expect(b.source.layout).toBe('oihw');
    for (const [name, t] of a.tensors) {
      expect(Array.from(b.tensors.get(name)!.data), name).toEqual(Array.from(t.data));
      expect(Array.from(c.tensors.get(name)!.data), name).toEqual(Array.from(t.data));
    }
  });

  it('--dtype F16 halves the tensor bytes', async () => {
    const out = join(work, 'half.safetensors');
    const j = jsonLines((await wsp(['convert', '--input', model, '--output', out, '--dtype', 'F16', '--json'])).stdout)[0];
    expect(j.dtype).toBe('F16');
    const full = jsonLines((await wsp(['convert', '--input', model, '--output', join(work, 'full.safetensors'), '--json'])).stdout)[0];
    expect((j.bytesWritten as number) < (full.bytesWritten as number) * 0.6).toBe(true);
  });

  it('an unknown output extension is bad input (exit 2)', async () => {
    const r = await wsp(['convert', '--input', model, '--output', join(work, 'model.onnx')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/model\.onnx/);
  });
});

describe('wsp inspect', () => {
  it('reports format, tensors, dtypes, shapes, parameter count and validation', async () => {
    const r = await wsp(['inspect', model]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^format: safetensors, /m);
    expect(r.stdout).toMatch(/^tensors: 26, parameters: 11,264, dtypes: F32 x26$/m);
    expect(r.stdout).toMatch(/^validation: ok$/m);
    expect(r.stdout).toMatch(/^\| conv1\.weight \| F32 \| \[4, 3, 3, 1\] \| 36 \|$/m);
    const [j] = jsonLines((await wsp(['inspect', join(model, 'model.safetensors'), '--json'])).stdout);
    expect(j).toMatchObject({ format: 'safetensors', tensorCount: 26, parameterCount: 11264, validation: { ok: true } });
  });

  it('exit 2 when the tensors do not fit the model, naming the missing one', async () => {
    const loaded = await loadWeSpeakerWeights(model);
    const tensors = new Map(loaded.tensors);
    tensors.delete('layer2.0.shortcut.weight');
    const broken = join(work, 'missing-tensor.safetensors');
    writeFileSync(broken, encodeSafetensors(tensors, { layout: 'ohwi' }));
    const r = await wsp(['inspect', broken]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^validation: FAILED: .*layer2\.0\.shortcut\.weight/m);
    expect(r.stderr).toMatch(/missing-tensor\.safetensors: .*layer2\.0\.shortcut\.weight/);
  });
});
