// TEMPORARY float64 reference for the native kernel tests (phase 1 of issue 5).
// Phase 2 replaces it with the oracle of `@wsp/resnet-graph/testing`; keep it small until then.
// Logical layouts: activations NCHW [B, C, F, T], conv weights MLX [O, kH, kW, I], vectors [B, N].

export interface Host64 {
  shape: number[];
  data: Float64Array;
}

export function conv2d64(
  x: Host64,
  weight: Float32Array,
  wShape: [number, number, number, number],
  bias: Float32Array,
  stride: number,
  padding: number,
  relu: boolean,
  residual?: Host64,
): Host64 {
  const [B, C, H, W] = x.shape;
  const [O, k, , I] = wShape;
  if (I !== C) throw new Error(`reference conv: ${C} input channels vs weight ${I}`);
  const ho = Math.floor((H + 2 * padding - k) / stride) + 1;
  const wo = Math.floor((W + 2 * padding - k) / stride) + 1;
  const out = new Float64Array(B * O * ho * wo);
  for (let b = 0; b < B; b++)
    for (let o = 0; o < O; o++)
      for (let oy = 0; oy < ho; oy++)
        for (let ox = 0; ox < wo; ox++) {
          let acc = bias[o];
          for (let ky = 0; ky < k; ky++) {
            const iy = oy * stride + ky - padding;
            if (iy < 0 || iy >= H) continue;
            for (let kx = 0; kx < k; kx++) {
              const ix = ox * stride + kx - padding;
              if (ix < 0 || ix >= W) continue;
              const wBase = ((o * k + ky) * k + kx) * I;
              for (let c = 0; c < C; c++) acc += weight[wBase + c] * x.data[((b * C + c) * H + iy) * W + ix];
            }
          }
          const at = ((b * O + o) * ho + oy) * wo + ox;
          if (residual) acc += residual.data[at];
          out[at] = relu && acc < 0 ? 0 : acc;
        }
  return { shape: [B, O, ho, wo], data: out };
}

export type Pooling = 'pyannote' | 'wespeaker' | 'mlx';

/** [B, C, F, T] -> [B, 2·C·F]: means (index c·F + f) then stds over T. */
export function statsPool64(x: Host64, variant: Pooling): Host64 {
  const [B, C, F, T] = x.shape;
  const half = C * F;
  const out = new Float64Array(B * 2 * half);
  const eps = variant === 'wespeaker' ? 1e-7 : variant === 'mlx' ? 1e-10 : 0;
  const divisor = variant === 'mlx' ? T : T - 1;
  for (let b = 0; b < B; b++)
    for (let j = 0; j < half; j++) {
      const base = (b * half + j) * T;
      let mean = 0;
      for (let t = 0; t < T; t++) mean += x.data[base + t];
      mean /= T;
      let ss = 0;
      for (let t = 0; t < T; t++) ss += (x.data[base + t] - mean) ** 2;
      out[b * 2 * half + j] = mean;
      out[b * 2 * half + half + j] = Math.sqrt(ss / divisor + eps);
    }
  return { shape: [B, 2 * half], data: out };
}

export function linear64(x: Host64, weight: Float32Array, bias: Float32Array): Host64 {
  const [B, K] = x.shape;
  const N = bias.length;
  const out = new Float64Array(B * N);
  for (let b = 0; b < B; b++)
    for (let n = 0; n < N; n++) {
      let acc = bias[n];
      for (let k = 0; k < K; k++) acc += weight[n * K + k] * x.data[b * K + k];
      out[b * N + n] = acc;
    }
  return { shape: [B, N], data: out };
}

export function l2Normalize64(x: Host64): Host64 {
  const [B, N] = x.shape;
  const out = new Float64Array(B * N);
  for (let b = 0; b < B; b++) {
    let ss = 0;
    for (let n = 0; n < N; n++) ss += x.data[b * N + n] ** 2;
    const norm = Math.sqrt(ss);
    for (let n = 0; n < N; n++) out[b * N + n] = x.data[b * N + n] / norm;
  }
  return { shape: [B, N], data: out };
}

/** Largest |got − ref| divided by the largest |ref| (NaN anywhere gives NaN). */
export function maxRelativeError(got: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (got.length !== ref.length) throw new Error(`length ${got.length} vs ${ref.length}`);
  let scale = 0;
  let err = 0;
  for (let i = 0; i < ref.length; i++) {
    scale = Math.max(scale, Math.abs(ref[i]));
    const d = Math.abs(got[i] - ref[i]);
    if (!(d <= err)) err = d;
  }
  return err / (scale || 1);
}
