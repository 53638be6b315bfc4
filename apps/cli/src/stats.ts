/** Timing statistics as NumPy computes them (population std, linearly interpolated percentiles). */
export interface TimingStats {
  mean: number;
  std: number;
  p50: number;
  p99: number;
  min: number;
  max: number;
}

/** numpy.percentile(values, q) with the default linear interpolation. */
export function percentile(sorted: readonly number[], q: number): number {
  const rank = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

export function timingStats(samples: readonly number[]): TimingStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  const std = Math.sqrt(samples.reduce((a, b) => a + (b - mean) ** 2, 0) / samples.length);
  return { mean, std, p50: percentile(sorted, 50), p99: percentile(sorted, 99), min: sorted[0], max: sorted[sorted.length - 1] };
}

/** Standard-normal float32 features `[B, T, bins]` from a seeded generator. */
export function randomFeatures(rng: { normal(): number }, batch: number, frames: number, bins: number): { data: Float32Array; shape: number[] } {
  const data = new Float32Array(batch * frames * bins);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return { data, shape: [batch, frames, bins] };
}
