import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  RESNET34_LM_CONFIG,
  convertWeights,
  generateSyntheticModel,
  inspectWeights,
  loadWeSpeakerWeights,
  openTorchCheckpointFile,
  readSafetensorsFile,
  tinyConfig,
  writeModelDirectory,
} from '../src/index.js';
import { expectSameTensors, fixturePath, temporaryDirectory, weightsErrorOf } from './helpers.js';

const tmp = temporaryDirectory('load');
const tiny = generateSyntheticModel(tinyConfig(), { seed: 2 });

describe('loadWeSpeakerWeights(path)', () => {
  it('reads a model directory: config.json + model.safetensors', async () => {
    const dir = join(tmp, 'mlx-model');
    await writeModelDirectory(dir, tiny);
    const loaded = await loadWeSpeakerWeights(dir);
    expect(loaded.configSource).toBe('config.json');
    expect(loaded.config).toEqual(tiny.config);
    expect(loaded.file).toBe(`${dir}/model.safetensors`);
    expect(loaded.format).toBe('safetensors');
    expectSameTensors(loaded.tensors, tiny.tensors);
    expect([...loaded.tensors.keys()]).toEqual([...tiny.tensors.keys()]); // spec order
  });

  it('reads a directory holding only a pyannote pytorch_model.bin, and a weights file path', async () => {
    const dir = join(tmp, 'pyannote');
    mkdirSync(dir);
    copyFileSync(fixturePath('pyannote-tiny.bin'), join(dir, 'pytorch_model.bin'));
    const fromDir = await loadWeSpeakerWeights(dir);
    const fromFile = await loadWeSpeakerWeights(join(dir, 'pytorch_model.bin'));
    expect(fromDir.configSource).toBe('inferred');
    expectSameTensors(fromDir.tensors, fromFile.tensors);
  });

  it('says what is wrong with a directory or a path', async () => {
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    expect((await weightsErrorOf(() => loadWeSpeakerWeights(empty))).code).toBe('MODEL_DIR_INVALID');
    const two = join(tmp, 'two');
    mkdirSync(two);
    writeFileSync(join(two, 'a.pt'), '');
    writeFileSync(join(two, 'b.safetensors'), '');
    const e = await weightsErrorOf(() => loadWeSpeakerWeights(two));
    expect(e.code).toBe('MODEL_DIR_INVALID');
    expect(e.message).toContain('a.pt, b.safetensors');
    expect((await weightsErrorOf(() => loadWeSpeakerWeights(join(tmp, 'nope')))).code).toBe('FILE_READ_FAILED');
    const badConfig = join(tmp, 'bad-config');
    await writeModelDirectory(badConfig, tiny);
    writeFileSync(join(badConfig, 'config.json'), '{"layers": [1, 1, 1, 1], "channels": [4, 8, 8, 16], "pooling_output_dim": 1');
    const c = await weightsErrorOf(() => loadWeSpeakerWeights(badConfig));
    expect(c.code).toBe('CONFIG_INVALID');
    expect(c.file).toBe(`${badConfig}/config.json`);
    expect((await weightsErrorOf(() => loadWeSpeakerWeights(join(two, 'a.pt')))).code).toBe('ZIP_INVALID');
  });

  it('refuses files above the size limit before reading them', async () => {
    const e = await weightsErrorOf(() => loadWeSpeakerWeights(fixturePath('wespeaker-tiny.pt'), { maxFileBytes: 1000 }));
    expect(e.code).toBe('FILE_TOO_LARGE');
  });
});

describe('inspectWeights (what wsp inspect prints)', () => {
  it('describes the full-size MLX model directory', async () => {
    const dir = join(tmp, 'full');
    await writeModelDirectory(dir, generateSyntheticModel(RESNET34_LM_CONFIG));
    const report = await inspectWeights(dir);
    expect(report.format).toBe('safetensors');
    expect(report.metadata).toEqual({ format: 'mlx', layout: 'ohwi' });
    expect(report.tensorCount).toBe(74);
    expect(report.parameterCount).toBe(6_630_080);
    expect(report.dtypes).toEqual({ F32: 74 });
    expect(report.model).toMatchObject({ configSource: 'config.json', naming: 'mlx', layout: 'ohwi', batchNormFused: true, parameterCount: 6_630_080 });
    expect(report.validation).toMatchObject({ ok: true, missing: [], unexpected: [], misshaped: [] });
    expect(report.tensors.find((t) => t.name === 'embedding.weight')).toEqual({ name: 'embedding.weight', dtype: 'F32', shape: [256, 5120], parameters: 1_310_720 });
  });

  it('reports a mismatch without throwing', async () => {
    const report = await inspectWeights(fixturePath('wespeaker-tiny.pt'), { config: RESNET34_LM_CONFIG });
    expect(report.validation.ok).toBe(false);
    expect(report.validation.missing).toContain('layer4.2.conv2.weight');
    expect(report.validation.message).toMatch(/WeSpeaker ResNet.*missing:/);
  });
});

describe('convertWeights (what wsp convert runs)', () => {
  it('writes the PyTorch file from a model directory, and it loads back to the same tensors', async () => {
    const dir = join(tmp, 'convert-src');
    await writeModelDirectory(dir, tiny);
    const output = join(tmp, 'pytorch_model.bin');
    const summary = await convertWeights({ input: dir, output });
    expect(summary).toMatchObject({
      format: 'pytorch',
      layout: 'oihw',
      dtype: 'F32',
      tensorCount: tiny.tensors.size,
      configSource: 'config.json',
      source: { format: 'safetensors', naming: 'mlx', layout: 'ohwi', batchNormFused: true },
    });
    expect(summary.parameterCount).toBe([...tiny.tensors.values()].reduce((n, t) => n + t.size, 0));
    const back = await loadWeSpeakerWeights(output);
    expectSameTensors(back.tensors, tiny.tensors);
    const checkpoint = await openTorchCheckpointFile(output);
    expect(checkpoint.stateDict().tensors.get('conv1.weight')!.shape).toEqual([4, 1, 3, 3]);
  });

  it('writes safetensors in the layout and dtype asked for, and refuses unknown extensions', async () => {
    const output = join(tmp, 'out-oihw.safetensors');
    const summary = await convertWeights({ input: fixturePath('wespeaker-tiny.pt'), output, layout: 'oihw', dtype: 'BF16' });
    expect(summary).toMatchObject({ format: 'safetensors', layout: 'oihw', dtype: 'BF16', source: { naming: 'wespeaker', batchNormFused: false } });
    const { metadata, tensors } = await readSafetensorsFile(output);
    expect(metadata).toEqual({ format: 'pt', layout: 'oihw', producer: '@wsp/weights' });
    expect(tensors.get('layer2.0.shortcut.weight')!.shape).toEqual([8, 4, 1, 1]);
    const e = await weightsErrorOf(() => convertWeights({ input: fixturePath('wespeaker-tiny.pt'), output: join(tmp, 'x.onnx') }));
    expect(e.code).toBe('CONVERT_FORMAT_UNKNOWN');
  });
});
