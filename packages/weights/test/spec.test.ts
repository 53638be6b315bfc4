import { describe, expect, it } from 'vitest';
import { RESNET34_LM_CONFIG, WeightsError, WspError, modelSpec, parameterCount, parseConfig, tinyConfig } from '../src/index.js';

describe('modelSpec', () => {
  it('has the 74 tensors and 6,630,080 parameters of model-spec §1.2', () => {
    const spec = modelSpec(RESNET34_LM_CONFIG);
    expect(spec).toHaveLength(74);
    expect(parameterCount(spec)).toBe(6_630_080);
    const byName = new Map(spec.map((s) => [s.name, s.shape]));
    expect(byName.get('conv1.weight')).toEqual([32, 3, 3, 1]);
    expect(byName.get('layer2.0.conv1.weight')).toEqual([64, 3, 3, 32]);
    expect(byName.get('layer2.0.shortcut.weight')).toEqual([64, 1, 1, 32]);
    expect(byName.get('layer4.2.conv2.weight')).toEqual([256, 3, 3, 256]);
    expect(byName.get('embedding.weight')).toEqual([256, 5120]);
    expect(byName.has('layer1.0.shortcut.weight')).toBe(false);
  });

  it('follows a tiny config', () => {
    const spec = modelSpec(tinyConfig());
    expect(spec.find((s) => s.name === 'embedding.weight')!.shape).toEqual([16, 2 * 16 * 10]);
  });
});

describe('parseConfig', () => {
  it('rejects inconsistent pooling_output_dim with a typed error', () => {
    const bad = { ...RESNET34_LM_CONFIG, pooling_output_dim: 4096 };
    expect(() => parseConfig(bad, 'model/config.json')).toThrowError(/model\/config.json: .*pooling_output_dim.*5120/);
    try {
      parseConfig(bad);
    } catch (e) {
      expect(WeightsError.isInstance(e)).toBe(true);
      expect(WspError.isInstance(e)).toBe(true);
      expect((e as WeightsError).code).toBe('CONFIG_INVALID');
    }
  });

  it('lists every problem at once', () => {
    expect(() => parseConfig({ layers: [3, 'x'], channels: [], n_mels: -1 })).toThrowError(
      /"layers".*"channels".*"n_mels"/,
    );
  });
});
