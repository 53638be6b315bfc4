import ndarray from 'ndarray';
import type { NdArray } from '@wsp/weights';
import { readGoldenNpy } from '@wsp/testkit';

/** A float32 golden from fixtures/backend-ascend as an ndarray. */
export function readGolden(name: string): NdArray<Float32Array> {
  const npy = readGoldenNpy('backend-ascend', `${name}.npy`);
  if (!(npy.data instanceof Float32Array)) throw new Error(`backend-ascend/${name}.npy is not float32`);
  return ndarray(npy.data, npy.shape);
}
