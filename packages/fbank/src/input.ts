import { fail } from './errors.js';
import type { SampleArray } from './frame-input.js';

/** Largest float32; Float64Array samples beyond it could overflow the energies. */
const MAX_SAMPLE = 3.4028234663852886e38;

/** Exponent bits of a float32: all ones exactly for NaN and ±Infinity. */
const FLOAT32_EXPONENT = 0x7f800000;
const FLOAT32_EXPONENT_LSB = 0x00800000;

/**
 * Whether every value is finite, from the bits: (bits & exponent) + exponent LSB reaches the sign
 * bit exactly when the exponent is all ones, and OR keeps it. Integer work only, one pass.
 */
function allFinite(samples: Float32Array): boolean {
  const bits = new Int32Array(samples.buffer, samples.byteOffset, samples.length);
  let flags = 0;
  for (let i = 0; i < bits.length; i++) flags |= (bits[i] & FLOAT32_EXPONENT) + FLOAT32_EXPONENT_LSB;
  return flags >= 0;
}

/** Checks the type and every value of an input chunk; `what` names it in messages. */
export function checkSamples(samples: unknown, what: string): asserts samples is SampleArray {
  if (samples instanceof Float32Array) {
    if (allFinite(samples)) return;
  } else if (!(samples instanceof Float64Array)) {
    const got = samples === null ? 'null' : Array.isArray(samples) ? 'an Array' : typeof samples === 'object' ? (samples.constructor?.name ?? 'an object') : typeof samples;
    fail('INVALID_INPUT', `${what} must be a Float32Array (or Float64Array) of samples, got ${got}`);
  }
  // Float64Array, or a Float32Array with a bad value: find and name the first one.
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i];
    // One comparison catches NaN, ±Infinity and out-of-range float64 values.
    if (!(v <= MAX_SAMPLE && v >= -MAX_SAMPLE)) {
      if (Number.isNaN(v) || !Number.isFinite(v)) fail('NON_FINITE_INPUT', `${what}[${i}] is ${v}; samples must be finite numbers`);
      fail('INVALID_INPUT', `${what}[${i}] is ${v}, beyond the float32 range`);
    }
  }
}
