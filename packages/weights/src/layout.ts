import type { NdArray } from 'ndarray';
import { WeightsError } from './errors.js';
import type { TensorMap } from './tensor.js';
import { contiguousCopy } from './tensor.js';

/**
 * Convolution weight layouts: MLX stores `[O, kH, kW, I]` ('ohwi'), PyTorch `[O, I, kH, kW]`
 * ('oihw'). Linear weights are `[out, in]` in both and biases are 1-D, so only rank-4 tensors move.
 */
export type ConvLayout = 'ohwi' | 'oihw';

const requireRank4 = (t: NdArray<Float32Array>, what: string) => {
  if (t.shape.length !== 4) {
    throw new WeightsError(`${what} needs a rank-4 tensor, got shape [${t.shape.join(', ')}]`, { code: 'TENSOR_SHAPE_INVALID' });
  }
};

/** `[O, kH, kW, I]` -> `[O, I, kH, kW]`: a transposed view, then a contiguous copy. */
export function ohwiToOihw(t: NdArray<Float32Array>): NdArray<Float32Array> {
  requireRank4(t, 'ohwiToOihw');
  return contiguousCopy(t.transpose(0, 3, 1, 2));
}

/** `[O, I, kH, kW]` -> `[O, kH, kW, I]`: a transposed view, then a contiguous copy. */
export function oihwToOhwi(t: NdArray<Float32Array>): NdArray<Float32Array> {
  requireRank4(t, 'oihwToOhwi');
  return contiguousCopy(t.transpose(0, 2, 3, 1));
}

/**
 * A map with every rank-4 tensor moved from layout `from` to `to` (new arrays); other tensors
 * are shared with the input. Same layout: the input map itself.
 */
export function convertLayout(tensors: TensorMap, from: ConvLayout, to: ConvLayout): TensorMap {
  if (from === to) return tensors;
  const move = from === 'ohwi' ? ohwiToOihw : oihwToOhwi;
  return new Map([...tensors].map(([name, t]) => [name, t.shape.length === 4 ? move(t) : t]));
}
