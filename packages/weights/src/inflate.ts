import { Inflate } from 'fflate';
import { WeightsError } from './errors.js';

/** Compressed bytes handed to the inflater at a time: bounds the output of one step to ~16 MiB (ratio <= 1032). */
const INPUT_CHUNK = 16 * 1024;

/**
 * Inflates a raw DEFLATE stream that must produce exactly `expectedSize` bytes. Output beyond
 * that stops the work at once (a zip bomb lying about its size costs one input chunk, not the
 * whole expansion); a short or corrupt stream is an error too.
 */
export function inflateExactly(compressed: Uint8Array, expectedSize: number, what: string, file?: string): Uint8Array {
  const out = new Uint8Array(expectedSize);
  let written = 0;
  const inflater = new Inflate((chunk) => {
    if (written + chunk.length > expectedSize) {
      throw new WeightsError(`${what} inflates to more than its declared ${expectedSize} bytes (zip bomb?)`, { code: 'ZIP_SIZE_MISMATCH', file });
    }
    out.set(chunk, written);
    written += chunk.length;
  });
  try {
    if (compressed.length === 0) inflater.push(compressed, true);
    for (let i = 0; i < compressed.length; i += INPUT_CHUNK) {
      inflater.push(compressed.subarray(i, i + INPUT_CHUNK), i + INPUT_CHUNK >= compressed.length);
    }
  } catch (e) {
    if (WeightsError.isInstance(e)) throw e;
    throw new WeightsError(`${what}: corrupt deflate data (${(e as Error).message})`, { code: 'ZIP_DATA_CORRUPT', file, cause: e });
  }
  if (written !== expectedSize) {
    throw new WeightsError(`${what} inflates to ${written} bytes but declares ${expectedSize}`, { code: 'ZIP_SIZE_MISMATCH', file });
  }
  return out;
}
