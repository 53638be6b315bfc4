import ndarray from 'ndarray';
import type { NdArray } from 'ndarray';

export type { NdArray };

/** The canonical weight set: MLX names to contiguous float32 ndarrays in MLX layout. */
export type TensorMap = Map<string, NdArray<Float32Array>>;

/** A contiguous row-major float32 ndarray over `data` (allocated when omitted). */
export function float32Tensor(shape: readonly number[], data?: Float32Array): NdArray<Float32Array> {
  const size = shape.reduce((a, b) => a * b, 1);
  return ndarray(data ?? new Float32Array(size), [...shape]);
}

/** True when the ndarray's strides are the row-major strides of its shape with offset 0. */
export function isContiguous(t: NdArray<Float32Array | Float64Array>): boolean {
  let expected = 1;
  for (let d = t.shape.length - 1; d >= 0; d--) {
    if (t.shape[d] !== 1 && t.stride[d] !== expected) return false;
    expected *= t.shape[d];
  }
  return t.offset === 0 && t.data.length === expected;
}
