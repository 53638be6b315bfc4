// Host-side packing: the addon takes contiguous row-major float32 data, while callers may hand
// over any ndarray view (transposed, sliced, float64).
import { gatherStrided } from '@wsp/weights';
import type { NdArray } from '@wsp/weights';

export type HostArray = NdArray<Float32Array | Float64Array | number[]>;

/** The elements of `a` in row-major order of its logical shape, as float32 (no copy when already so). */
export function packFloat32(a: HostArray): Float32Array {
  const size = a.shape.reduce((n, d) => n * d, 1);
  if (a.data instanceof Float32Array && isRowMajor(a) && a.offset + size <= a.data.length) {
    return a.data.subarray(a.offset, a.offset + size);
  }
  const out = new Float32Array(size);
  if (size > 0) gatherStrided(a.data, a.offset, a.shape, a.stride, out);
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
