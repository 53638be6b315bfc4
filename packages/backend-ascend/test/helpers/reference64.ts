// A float64 reference of each layer, written straight from docs/model-spec.md §2 (MLX weight
// layout, cross-correlation, channel-major flatten, the three pooling rules). Temporary: the graph
// package's oracle replaces it once it exists.
import type { NdArray } from '@wsp/weights';

export interface Tensor64 {
  shape: number[];
  data: Float64Array;
}

type Host = NdArray<Float32Array | Float64Array | number[]>;

/** Row-major copy of any ndarray view. */
export function toTensor64(a: Host): Tensor64 {
  const shape = [...a.shape];
  const size = shape.reduce((n, d) => n * d, 1);
  const data = new Float64Array(size);
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < size; i++) {
    data[i] = a.get(...idx);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return { shape, data };
}

/**
 * out[b,o,f,t] = bias[o] + Σ_i Σ_kh Σ_kw W[o,kh,kw,i] · x[b,i,s·f+kh−p, s·t+kw−p], then + residual,
 * then ReLU. W in MLX layout [O, kH, kW, I].
 */
export function conv2d64(
  x: Tensor64,
  weight: Tensor64,
  bias: Tensor64,
  stride: number,
  padding: number,
  epilogue: { relu: boolean; residual?: Tensor64 },
): Tensor64 {
  const [B, C, H, W] = x.shape;
  const [O, KH, KW, I] = weight.shape;
  if (I !== C) throw new Error('channel mismatch');
  const Ho = Math.floor((H + 2 * padding - KH) / stride) + 1;
  const Wo = Math.floor((W + 2 * padding - KW) / stride) + 1;
  const out = new Float64Array(B * O * Ho * Wo);
  for (let b = 0; b < B; b++)
    for (let o = 0; o < O; o++)
      for (let f = 0; f < Ho; f++)
        for (let t = 0; t < Wo; t++) {
          let acc = bias.data[o];
          for (let kh = 0; kh < KH; kh++) {
            const h = stride * f + kh - padding;
            if (h < 0 || h >= H) continue;
            for (let kw = 0; kw < KW; kw++) {
              const w = stride * t + kw - padding;
              if (w < 0 || w >= W) continue;
              for (let i = 0; i < C; i++) {
                acc += weight.data[((o * KH + kh) * KW + kw) * I + i] * x.data[((b * C + i) * H + h) * W + w];
              }
            }
          }
          const k = ((b * O + o) * Ho + f) * Wo + t;
          if (epilogue.residual) acc += epilogue.residual.data[k];
          out[k] = epilogue.relu ? Math.max(0, acc) : acc;
        }
  return { shape: [B, O, Ho, Wo], data: out };
}

export const POOLING_RULES = {
  pyannote: { unbiased: true, epsilon: 0 },
  wespeaker: { unbiased: true, epsilon: 1e-7 },
  mlx: { unbiased: false, epsilon: 1e-10 },
} as const;

/** [B, C, F, T] -> [B, 2·C·F]: means at c·F + f, then sqrt(var + eps). */
export function statsPool64(x: Tensor64, variant: keyof typeof POOLING_RULES): Tensor64 {
  const [B, C, F, T] = x.shape;
  const rows = C * F;
  const rule = POOLING_RULES[variant];
  const out = new Float64Array(B * 2 * rows);
  for (let b = 0; b < B; b++)
    for (let r = 0; r < rows; r++) {
      const base = (b * rows + r) * T;
      let mean = 0;
      for (let t = 0; t < T; t++) mean += x.data[base + t];
      mean /= T;
      let ss = 0;
      for (let t = 0; t < T; t++) ss += (x.data[base + t] - mean) ** 2;
      const variance = ss / (rule.unbiased ? T - 1 : T);
      out[b * 2 * rows + r] = mean;
      out[b * 2 * rows + rows + r] = Math.sqrt(variance + rule.epsilon);
    }
  return { shape: [B, 2 * rows], data: out };
}

/** y = x · Wᵀ + b with W [N, K]. */
export function linear64(x: Tensor64, weight: Tensor64, bias: Tensor64): Tensor64 {
  const [B, K] = x.shape;
  const [N] = weight.shape;
  const out = new Float64Array(B * N);
  for (let b = 0; b < B; b++)
    for (let n = 0; n < N; n++) {
      let acc = bias.data[n];
      for (let k = 0; k < K; k++) acc += weight.data[n * K + k] * x.data[b * K + k];
      out[b * N + n] = acc;
    }
  return { shape: [B, N], data: out };
}

export function l2Normalize64(x: Tensor64): Tensor64 {
  const [B, N] = x.shape;
  const out = new Float64Array(B * N);
  for (let b = 0; b < B; b++) {
    let ss = 0;
    for (let n = 0; n < N; n++) ss += x.data[b * N + n] ** 2;
    const norm = Math.max(Math.sqrt(ss), 1e-12);
    for (let n = 0; n < N; n++) out[b * N + n] = x.data[b * N + n] / norm;
  }
  return { shape: [B, N], data: out };
}

/** Largest |a − b| relative to the largest |b| (NaN anywhere gives NaN). */
export function relativeMaxError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= diff)) diff = d;
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / Math.max(scale, 1e-30);
}
