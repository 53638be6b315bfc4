// The whole network through one native plan, against PyTorch goldens written by
// tools/reference/backend_cpu_goldens.py on generateSyntheticModel() (seed 1).
import { generateSyntheticModel } from '@wsp/weights';
import { cosine, l2Normalize, maxAbsDiff, readGoldenNpy } from '@wsp/testkit';
import { describe, expect, it } from 'vitest';
import { compileNetwork, createNativeCpu } from '../../src/native/index.js';
import type { NativePooling } from '../../src/native/index.js';
import { backendFor, isas } from './helpers.js';

const model = generateSyntheticModel();
const poolings: NativePooling[] = ['pyannote', 'wespeaker', 'mlx'];
const inputs = ['a', 'b'] as const; // [2, 200, 80] and [1, 123, 80]

function expectMatches(got: Float32Array, batch: number, pooling: NativePooling, key: string) {
  const dim = got.length / batch;
  for (const golden of [`embedding_${pooling}_${key}.npy`, `embedding64_${pooling}_${key}.npy`]) {
    const ref = readGoldenNpy('backend-cpu', golden).data as Float32Array | Float64Array;
    for (let b = 0; b < batch; b++) {
      const mine = got.subarray(b * dim, (b + 1) * dim); // already L2-normalised by the plan
      const theirs = l2Normalize(ref.subarray(b * dim, (b + 1) * dim));
      expect(cosine(mine, theirs), `${golden} item ${b}`).toBeGreaterThanOrEqual(0.99999);
      expect(maxAbsDiff(mine, theirs), `${golden} item ${b}`).toBeLessThanOrEqual(1e-4);
    }
  }
}

describe('whole network vs PyTorch (fp32 goldens and float64)', () => {
  const variants = [
    ...isas.map((isa) => ({ isa, winograd: 4 as const })),
    { isa: isas[0], winograd: 2 as const },
    { isa: isas[0], winograd: 0 as const },
  ];
  describe.each(variants)('$isa, winograd $winograd', ({ isa, winograd }) => {
    it.each(poolings)('%s pooling, both inputs, async and sync', async (pooling) => {
      const be = backendFor(isa, { winograd });
      const net = compileNetwork(be, model, { pooling });
      for (const key of inputs) {
        const feats = readGoldenNpy('backend-cpu', `features_${key}.npy`);
        const [batch, frames] = feats.shape;
        const data = feats.data as Float32Array;
        const asyncOut = await net.run(data, batch, frames);
        expectMatches(asyncOut, batch, pooling, key);
        expect(net.runSync(data, batch, frames)).toEqual(asyncOut); // same plan, same result
      }
      net.dispose();
      expect(be.memory()).toEqual({ tensors: 0, preparedWeights: 0, bytes: 0 });
    });
  });

  it('bf16 mode (AVX512_BF16): cosine >= 0.9995 against float64 PyTorch, and really not fp32', () => {
    let bf16;
    try {
      bf16 = createNativeCpu({ precision: 'bf16' });
    } catch (e) {
      // A CPU without AVX512_BF16 must refuse clearly rather than silently run fp32.
      expect(String(e)).toMatch(/needs a CPU with AVX512_BF16/);
      return;
    }
    expect(bf16.precision).toBe('bf16');
    const net = compileNetwork(bf16, model);
    const fp32 = compileNetwork(backendFor('avx512'), model);
    const feats = readGoldenNpy('backend-cpu', 'features_a.npy');
    const [batch, frames] = feats.shape;
    const got = net.runSync(feats.data as Float32Array, batch, frames);
    const ref = readGoldenNpy('backend-cpu', 'embedding64_pyannote_a.npy').data as Float64Array;
    for (let b = 0; b < batch; b++) {
      const theirs = l2Normalize(ref.subarray(b * 256, (b + 1) * 256));
      expect(cosine(got.subarray(b * 256, (b + 1) * 256), theirs)).toBeGreaterThanOrEqual(0.9995);
    }
    expect(maxAbsDiff(got, fp32.runSync(feats.data as Float32Array, batch, frames))).toBeGreaterThan(1e-5);
    net.dispose();
    fp32.dispose();
  });

  it('chooses Winograd F(4x4) for every 3x3 stride-1 conv except the 1-channel stem', () => {
    const net = compileNetwork(backendFor(isas[0]), model);
    const algos = net.algorithms;
    expect(algos.get('conv1')).toBe('direct');
    expect(algos.get('layer1.0.conv1')).toBe('winograd-f4x4');
    expect(algos.get('layer2.0.conv1')).toBe('direct'); // stride 2
    expect(algos.get('layer2.0.shortcut')).toBe('direct');
    expect(algos.get('layer4.2.conv2')).toBe('winograd-f4x4');
    net.dispose();
  });

  it('batch items are independent: a batch of 3 equals three single runs', async () => {
    const net = compileNetwork(backendFor(isas[0]), model);
    const feats = readGoldenNpy('backend-cpu', 'features_a.npy').data as Float32Array; // [2, 200, 80]
    const three = new Float32Array(3 * 57 * 80);
    three.set(feats.subarray(0, three.length));
    const batched = await net.run(three, 3, 57);
    for (let b = 0; b < 3; b++) {
      const single = await net.run(three.subarray(b * 57 * 80, (b + 1) * 57 * 80).slice(), 1, 57);
      expect(maxAbsDiff(batched.subarray(b * 256, (b + 1) * 256), single)).toBeLessThanOrEqual(1e-6);
    }
    net.dispose();
  });

  it('a batch of 5 at 200 frames (head one item at a time, tail in one group) equals five single runs', async () => {
    // At 200 frames one item's activations fill the 3 MB chunk budget, so the head of the network
    // runs item by item while its tail (from layer 4 on) runs the five items together.
    const net = compileNetwork(backendFor(isas[0]), model);
    const five = Float32Array.from({ length: 5 * 200 * 80 }, (_, i) => 3 * Math.sin(i * 0.37) + Math.cos(i * 0.011));
    const batched = await net.run(five, 5, 200);
    for (let b = 0; b < 5; b++) {
      const single = await net.run(five.slice(b * 200 * 80, (b + 1) * 200 * 80), 1, 200);
      expect(maxAbsDiff(batched.subarray(b * 256, (b + 1) * 256), single)).toBeLessThanOrEqual(1e-6);
    }
    net.dispose();
  });

  it('rejects inputs too short for the pooling with a typed error naming the minimum', async () => {
    const net = compileNetwork(backendFor(isas[0]), model, { pooling: 'pyannote' });
    expect(net.minimumFrames).toBe(9);
    expect(() => net.runSync(new Float32Array(8 * 80), 1, 8)).toThrow(/at least 9/);
    await expect(net.run(new Float32Array(8 * 80), 1, 8)).rejects.toThrow(/at least 9/);
    const mlx = compileNetwork(backendFor(isas[0]), model, { pooling: 'mlx' });
    expect(mlx.minimumFrames).toBe(1);
    expect(Array.from(mlx.runSync(new Float32Array(80), 1, 1)).every(Number.isFinite)).toBe(true);
    net.dispose();
    mlx.dispose();
  });
});
