import ndarray from 'ndarray';
import type { NdArray } from 'ndarray';
import type { DType } from './dtype.js';

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

/**
 * One tensor of a weights file as the loaders see it: name, element type and shape at once (from
 * the header or the pickle), values only when asked, so inspection reads no tensor data.
 */
export interface SourceTensor {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Contiguous row-major float32 values; a zero-copy view of the file bytes where possible. */
  float32(): NdArray<Float32Array>;
}

/**
 * A contiguous row-major copy of a strided float32 view (e.g. a transposed ndarray). Rank-4
 * views take a specialised loop: they are the convolution weights, the bulk of the model.
 */
export function contiguousCopy(view: NdArray<Float32Array>): NdArray<Float32Array> {
  const out = float32Tensor(view.shape);
  const { data: src, shape, stride, offset } = view;
  const dst = out.data;
  if (shape.length === 4) {
    const [n0, n1, n2, n3] = shape;
    const [s0, s1, s2, s3] = stride;
    let k = 0;
    for (let a = 0; a < n0; a++) {
      for (let b = 0; b < n1; b++) {
        for (let c = 0; c < n2; c++) {
          let p = offset + a * s0 + b * s1 + c * s2;
          for (let d = 0; d < n3; d++, p += s3) dst[k++] = src[p];
        }
      }
    }
    return out;
  }
  gatherStrided(src, offset, shape, stride, dst);
  return out;
}

/** Copies the elements of any strided view of `src` into `dst` in row-major order. */
export function gatherStrided(
  src: ArrayLike<number>,
  offset: number,
  shape: readonly number[],
  stride: readonly number[],
  dst: Float32Array,
): void {
  const rank = shape.length;
  if (dst.length === 0) return;
  if (rank === 0) {
    dst[0] = src[offset];
    return;
  }
  const index = new Array<number>(rank).fill(0);
  const last = rank - 1;
  const innerCount = shape[last];
  const innerStride = stride[last];
  let base = offset;
  for (let k = 0; k < dst.length; ) {
    for (let i = 0, p = base; i < innerCount; i++, p += innerStride) dst[k++] = src[p];
    // Odometer increment over the outer axes.
    let d = last - 1;
    for (; d >= 0; d--) {
      index[d]++;
      base += stride[d];
      if (index[d] < shape[d]) break;
      base -= stride[d] * shape[d];
      index[d] = 0;
    }
    if (d < 0) break;
  }
}
