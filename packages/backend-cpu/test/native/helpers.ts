import { seededRandom } from '@wsp/weights';
import { createNativeCpu, nativeIsas } from '../../src/native/index.js';
import type { NativeBackendOptions } from '../../src/native/index.js';

/** Seeded normal values as float32 (scaled). */
export function randomFloats(n: number, seed: number, scale = 1): Float32Array {
  const rng = seededRandom(seed);
  return Float32Array.from({ length: n }, () => scale * rng.normal());
}

/** Every kernel set this CPU runs (avx512/avx2/generic on x64), so each dispatch path is tested. */
export const isas = nativeIsas();

export function backendFor(isa: string, options: NativeBackendOptions = {}) {
  return createNativeCpu({ ...options, isa: isa as NativeBackendOptions['isa'] });
}

