// Host-side packing: the addon takes contiguous row-major float32 data, while callers may hand
// over any ndarray view (transposed, sliced, float64).
import type { NdArray } from '@wsp/weights';

type HostArray = NdArray<Float32Array | Float64Array | number[]>;

/** The elements of `a` in row-major order of its logical shape, as float32. */
export function packFloat32(a: HostArray): Float32Array {
  const shape = a.shape;
  const size = shape.reduce((n, d) => n * d, 1);
  const data = a.data;
  if (data instanceof Float32Array && isRowMajor(a) && a.offset + size <= data.length) {
    return data.subarray(a.offset, a.offset + size);
  }
  const out = new Float32Array(size);
  if (size === 0) return out;
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  let src = a.offset;
  for (let i = 0; i < size; i++) {
    out[i] = data[src];
    // Advance the multi-index (last axis fastest) and the source offset with it.
    for (let d = rank - 1; d >= 0; d--) {
      index[d]++;
      src += a.stride[d];
      if (index[d] < shape[d]) break;
      src -= a.stride[d] * shape[d];
      index[d] = 0;
    }
  }
  return out;
}

function isRowMajor(a: HostArray): boolean {
  let expected = 1;
  for (let d = a.shape.length - 1; d >= 0; d--) {
    if (a.shape[d] !== 1 && a.stride[d] !== expected) return false;
    expected *= a.shape[d];
  }
  return true;
}
