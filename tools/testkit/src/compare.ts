type Numbers = ArrayLike<number>;

function checkLengths(a: Numbers, b: Numbers): void {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
}

/** Largest |a[i] − b[i]| (NaN anywhere gives NaN, so a comparison against a bound fails). */
export function maxAbsDiff(a: Numbers, b: Numbers): number {
  checkLengths(a, b);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = d;
  }
  return m;
}

export function meanAbsDiff(a: Numbers, b: Numbers): number {
  checkLengths(a, b);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}

/** Cosine similarity computed in float64. */
export function cosine(a: Numbers, b: Numbers): number {
  checkLengths(a, b);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

export function l2Normalize(a: Numbers): Float64Array {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  const n = Math.sqrt(s);
  return Float64Array.from(a as ArrayLike<number>, (v) => v / n);
}
