import { fail } from './errors.js';
import type { SampleArray } from './frame-input.js';

/** Largest float32; Float64Array samples beyond it could overflow the energies. */
const MAX_SAMPLE = 3.4028234663852886e38;

/**
 * Whether every value is finite: v·0 is NaN exactly for NaN and ±Infinity (else ±0), and NaN sticks
 * in a sum. Four partial sums keep the adds from waiting on each other (measured the fastest of
 * the variants tried, ahead of tests on the exponent bits).
 */
function allFinite(samples: Float32Array): boolean {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const n = samples.length;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += samples[i] * 0;
    s1 += samples[i + 1] * 0;
    s2 += samples[i + 2] * 0;
    s3 += samples[i + 3] * 0;
  }
  for (; i < n; i++) s0 += samples[i] * 0;
  return s0 + s1 + s2 + s3 === 0;
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
