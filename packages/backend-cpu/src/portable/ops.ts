/** The small ops of the portable backend and the NCHW <-> NHWC layout moves. */
import { L2_NORM_EPSILON, POOLING_VARIANTS } from '@wsp/resnet-graph';
import type { HostTensor, PoolingVariant } from '@wsp/resnet-graph';

/** Host `[B, C, F, T]` (any strides) -> NHWC `[B, F, T, C]`. */
export function nchwToNhwc(host: HostTensor, out: Float32Array): void {
  const [B, C, F, T] = host.shape;
  const [sb, sc, sf, st] = host.stride;
  const src = host.data;
  let o = 0;
  for (let b = 0; b < B; b++)
    for (let f = 0; f < F; f++)
      for (let t = 0; t < T; t++) {
        let i = host.offset + b * sb + f * sf + t * st;
        for (let c = 0; c < C; c++, i += sc) out[o++] = src[i];
      }
}

/** NHWC `[B, F, T, C]` -> contiguous NCHW `[B, C, F, T]`. */
export function nhwcToNchw(x: Float32Array, B: number, C: number, F: number, T: number, out: Float32Array): void {
  let i = 0;
  for (let b = 0; b < B; b++)
    for (let f = 0; f < F; f++)
      for (let t = 0; t < T; t++) {
        let o = ((b * C) * F + f) * T + t;
        for (let c = 0; c < C; c++, o += F * T) out[o] = x[i++];
      }
}

/** Host `[B, N]` (any strides) -> contiguous. */
export function copyMatrix(host: HostTensor, out: Float32Array): void {
  const [B, N] = host.shape;
  const [sb, sn] = host.stride;
  let o = 0;
  for (let b = 0; b < B; b++) for (let n = 0, i = host.offset + b * sb; n < N; n++, i += sn) out[o++] = host.data[i];
}

/**
 * Statistics pooling on NHWC `[B, F, T, C]` -> `[B, 2·C·F]` (means at c·F + f, then standard
 * deviations), two-pass in double precision so a large mean does not swamp the spread.
 */
export function statsPoolNHWC(x: Float32Array, B: number, F: number, T: number, C: number, variant: PoolingVariant, out: Float32Array): void {
  const { unbiased, epsilon } = POOLING_VARIANTS[variant];
  const divisor = unbiased ? T - 1 : T;
  const sums = new Float64Array(C);
  const squares = new Float64Array(C);
  const rows = C * F;
  for (let b = 0; b < B; b++) {
    for (let f = 0; f < F; f++) {
      const base = (b * F + f) * T * C;
      sums.fill(0);
      for (let t = 0, i = base; t < T; t++) for (let c = 0; c < C; c++, i++) sums[c] += x[i];
      for (let c = 0; c < C; c++) sums[c] /= T;
      squares.fill(0);
      for (let t = 0, i = base; t < T; t++)
        for (let c = 0; c < C; c++, i++) {
          const d = x[i] - sums[c];
          squares[c] += d * d;
        }
      const o = b * 2 * rows + f;
      for (let c = 0; c < C; c++) {
        out[o + c * F] = sums[c];
        out[o + rows + c * F] = Math.sqrt(squares[c] / divisor + epsilon);
      }
    }
  }
}

/** `y[b, n] = Σ_k W[n, k]·x[b, k] + bias[n]` with W `[N, K]` contiguous; four partial sums per dot product. */
export function linearRows(x: Float32Array, B: number, K: number, W: Float32Array, bias: Float32Array, N: number, out: Float32Array): void {
  const k4 = K - (K % 4);
  for (let b = 0; b < B; b++) {
    const xb = b * K;
    for (let n = 0; n < N; n++) {
      const wn = n * K;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let k = 0;
      for (; k < k4; k += 4) {
        s0 += W[wn + k] * x[xb + k];
        s1 += W[wn + k + 1] * x[xb + k + 1];
        s2 += W[wn + k + 2] * x[xb + k + 2];
        s3 += W[wn + k + 3] * x[xb + k + 3];
      }
      for (; k < K; k++) s0 += W[wn + k] * x[xb + k];
      out[b * N + n] = s0 + s1 + s2 + s3 + bias[n];
    }
  }
}

/** Each row of `[B, N]` divided by max(‖row‖₂, 1e-12). */
export function l2NormalizeRows(x: Float32Array, B: number, N: number, out: Float32Array): void {
  for (let b = 0; b < B; b++) {
    let sq = 0;
    for (let n = 0; n < N; n++) sq += x[b * N + n] * x[b * N + n];
    const scale = 1 / Math.max(Math.sqrt(sq), L2_NORM_EPSILON);
    for (let n = 0; n < N; n++) out[b * N + n] = x[b * N + n] * scale;
  }
}
