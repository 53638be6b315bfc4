import ndarray from 'ndarray';
import { describe, expect, it } from 'vitest';
import { contiguousCopy, convertLayout, float32Tensor, isContiguous, ohwiToOihw, oihwToOhwi, seededRandom } from '../src/index.js';
import { expectSameBits, weightsErrorOf } from './helpers.js';

const random = (shape: number[], seed: number) => {
  const rng = seededRandom(seed);
  return float32Tensor(shape, Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()));
};

describe('OHWI <-> OIHW', () => {
  it('moves every element to [o][i][h][w] = [o][h][w][i] (index arithmetic as the oracle)', () => {
    const [O, H, W, I] = [5, 3, 2, 7];
    const ohwi = random([O, H, W, I], 1);
    const oihw = ohwiToOihw(ohwi);
    expect(oihw.shape).toEqual([O, I, H, W]);
    expect(isContiguous(oihw)).toBe(true);
    for (let o = 0; o < O; o++)
      for (let i = 0; i < I; i++)
        for (let h = 0; h < H; h++)
          for (let w = 0; w < W; w++) {
            expect(oihw.data[((o * I + i) * H + h) * W + w]).toBe(ohwi.data[((o * H + h) * W + w) * I + i]);
          }
  });

  it('the two transforms are inverse, bit for bit', () => {
    const t = random([64, 3, 3, 32], 2);
    expectSameBits(oihwToOhwi(ohwiToOihw(t)).data, t.data, 'round trip');
    expect(oihwToOhwi(ohwiToOihw(t)).shape).toEqual(t.shape);
  });

  it('leaves non-convolution tensors alone and rejects other ranks', async () => {
    const bias = random([4], 3);
    const map = convertLayout(new Map([['b', bias], ['w', random([4, 3, 3, 2], 4)]]), 'ohwi', 'oihw');
    expect(map.get('b')).toBe(bias);
    expect(map.get('w')!.shape).toEqual([4, 2, 3, 3]);
    expect((await weightsErrorOf(() => ohwiToOihw(random([4, 5], 5)))).code).toBe('TENSOR_SHAPE_INVALID');
  });
});

describe('contiguousCopy', () => {
  it('copies strided views of any rank in row-major order (ndarray.get as the oracle)', () => {
    const base = random([4, 5, 6, 3, 2], 6);
    const views = [
      base.transpose(4, 2, 0, 3, 1),
      base.hi(3, 4, 5, 2, 2).lo(1, 1, 2, 0, 1),
      base.pick(2, null, null, 1, null).transpose(2, 0, 1),
      base.step(-1, 2, 1, -1, 1),
      ndarray(base.data, [6, 20], [1, 6], 3),
    ];
    for (const view of views) {
      const copy = contiguousCopy(view);
      expect(isContiguous(copy)).toBe(true);
      let k = 0;
      const walk = (prefix: number[]) => {
        if (prefix.length === view.shape.length) {
          expect(copy.data[k++]).toBe(view.get(...prefix));
          return;
        }
        for (let i = 0; i < view.shape[prefix.length]; i++) walk([...prefix, i]);
      };
      walk([]);
      expect(k).toBe(copy.size);
    }
  });
});
