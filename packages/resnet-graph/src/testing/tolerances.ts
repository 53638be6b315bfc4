import type { Precision } from '../spi.js';

/**
 * How close a backend must come to the float64 oracle, by declared precision.
 *
 * - `op`: per op, max |y − oracle| ≤ op × max |oracle| (means and standard deviations of a pooling
 *   are judged separately). Float32 rounding of reductions of up to 2,304 products stays near
 *   1e-6 of the output scale; the margin leaves room for Winograd and other reassociations.
 *   hf32 rounds inputs to 10 mantissa bits (2⁻¹¹ ≈ 4.9e-4), fp16 likewise, bf16 to 7 (2⁻⁸ ≈ 3.9e-3).
 * - `cosine` and `maxAbs`: the L2-normalised end-to-end embedding, per item. fp32 is the issue's
 *   contract (cosine ≥ 0.99999, max |diff| ≤ 1e-4); the others grow with the rounding unit.
 */
export interface Tolerances {
  op: number;
  cosine: number;
  maxAbs: number;
}

export const TOLERANCES: Readonly<Record<Precision, Readonly<Tolerances>>> = Object.freeze({
  fp32: { op: 1e-4, cosine: 0.99999, maxAbs: 1e-4 },
  hf32: { op: 4e-3, cosine: 0.9999, maxAbs: 1e-2 },
  fp16: { op: 1e-2, cosine: 0.999, maxAbs: 3e-2 },
  bf16: { op: 5e-2, cosine: 0.99, maxAbs: 1e-1 },
});

export function tolerancesFor(precision: Precision): Tolerances {
  const t = TOLERANCES[precision];
  if (!t) throw new Error(`unknown precision ${JSON.stringify(precision)}`);
  return { ...t };
}
