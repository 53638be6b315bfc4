import { readFileSync } from 'node:fs';
import { fixturePath } from '@wsp/testkit';
import { decodeNpy, seededRandom } from '@wsp/weights';
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

/**
 * Reads a golden .npy from fixtures/. Decodes from a plain Uint8Array copy: @wsp/weights'
 * decodeNpy slices its input, and a Node Buffer's slice is a view whose `.buffer` is the whole
 * file (header included), so testkit's readGoldenNpy returns data with the header's bytes in front.
 */
export function readGolden(...parts: string[]): { shape: number[]; data: Float32Array | Float64Array } {
  const file = fixturePath(...parts);
  const npy = decodeNpy(new Uint8Array(readFileSync(file)), file);
  return { shape: npy.shape, data: npy.data as Float32Array | Float64Array };
}
