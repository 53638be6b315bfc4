import ndarray from 'ndarray';
import type { NdArray } from '@wsp/weights';
import { seededRandom } from '@wsp/weights';

/** A contiguous float32 ndarray of seeded N(0, scale²) values. */
export function randomNd(shape: number[], seed: number, scale = 1): NdArray<Float32Array> {
  const rng = seededRandom(seed);
  const size = shape.reduce((n, d) => n * d, 1);
  return ndarray(Float32Array.from({ length: size }, () => scale * rng.normal()), shape);
}
