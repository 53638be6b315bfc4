import { fail } from './errors.js';
import type { SampleArray } from './frame.js';

/** Largest float32; Float64Array samples beyond it could overflow the energies. */
const MAX_SAMPLE = 3.4028234663852886e38;

/** Checks the type and every value of an input chunk; `what` names it in messages. */
export function checkSamples(samples: unknown, what: string): asserts samples is SampleArray {
  if (samples instanceof Float32Array) {
    // Every finite float32 is in range; v − v is NaN exactly for NaN and ±Infinity, and NaN sticks
    // in the partial sums (two of them, to shorten the add chain).
    let a = 0;
    let b = 0;
    const n = samples.length;
    let i = 0;
    for (; i + 1 < n; i += 2) {
      a += samples[i] - samples[i];
      b += samples[i + 1] - samples[i + 1];
    }
    if (i < n) a += samples[i] - samples[i];
    if (a + b === 0) return;
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
