/** Comparisons used by the conformance suite; they throw errors that say what differed and where. */
import { WspError } from '../errors.js';

type Numbers = ArrayLike<number>;

/** Thrown when a backend result falls outside the tolerance. */
export class ConformanceError extends WspError {
  static override readonly errorName: string = 'ConformanceError';
  constructor(message: string) {
    super(message, { code: 'CONFORMANCE' });
  }
}

export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new ConformanceError(message);
}

export function maxAbs(a: Numbers, start = 0, end = a.length): number {
  let m = 0;
  for (let i = start; i < end; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/**
 * max |actual − expected| over [start, end) must be ≤ tolerance × max |expected| (NaN fails).
 * Returns the measured ratio for reporting.
 */
export function expectClose(label: string, actual: Numbers, expected: Numbers, tolerance: number, start = 0, end = expected.length): number {
  check(actual.length === expected.length, `${label}: ${actual.length} values, expected ${expected.length}`);
  const scale = Math.max(maxAbs(expected, start, end), 1e-30);
  let worst = 0;
  let at = start;
  for (let i = start; i < end; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (Number.isNaN(d)) {
      worst = NaN;
      at = i;
      break;
    }
    if (d > worst) {
      worst = d;
      at = i;
    }
  }
  const ratio = worst / scale;
  check(
    ratio <= tolerance, // false for NaN
    `${label}: max |diff| ${worst.toExponential(3)} at index ${at} (got ${actual[at]}, oracle ${expected[at]}) is ` +
      `${ratio.toExponential(3)} of the output scale ${scale.toExponential(3)}; allowed ${tolerance}`,
  );
  return ratio;
}

export function cosine(a: Numbers, b: Numbers, start: number, end: number): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = start; i < end; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

/** Per row of `[rows, dim]` embeddings: cosine ≥ minCosine and max |diff| ≤ maxAbsDiff. */
export function expectEmbeddingsClose(label: string, actual: Numbers, expected: Numbers, dim: number, minCosine: number, maxAbsDiff: number): void {
  check(actual.length === expected.length, `${label}: ${actual.length} values, expected ${expected.length}`);
  for (let row = 0; row * dim < expected.length; row++) {
    const start = row * dim;
    const end = start + dim;
    const c = cosine(actual, expected, start, end);
    let worst = 0;
    for (let i = start; i < end; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
    check(c >= minCosine, `${label}: item ${row} cosine ${c} < ${minCosine}`);
    check(worst <= maxAbsDiff, `${label}: item ${row} max |diff| ${worst.toExponential(3)} > ${maxAbsDiff}`);
  }
}
