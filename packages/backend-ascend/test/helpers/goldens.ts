import { readFileSync } from 'node:fs';
import ndarray from 'ndarray';
import { decodeNpy } from '@wsp/weights';
import type { NdArray } from '@wsp/weights';
import { fixturePath } from '@wsp/testkit';

/**
 * A float32 golden from fixtures/backend-ascend. The file is copied into its own Uint8Array first:
 * a small file read by Node comes in a slice of the shared Buffer pool, which decodeNpy would
 * otherwise read from the start of the pool.
 */
export function readGolden(name: string): NdArray<Float32Array> {
  const file = fixturePath('backend-ascend', `${name}.npy`);
  const npy = decodeNpy(new Uint8Array(readFileSync(file)), file);
  if (!(npy.data instanceof Float32Array)) throw new Error(`${file} is not float32`);
  return ndarray(npy.data, npy.shape);
}
