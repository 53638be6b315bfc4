/**
 * Winograd F(2×2, 3×3) for the stride-1 3×3 convolutions (Lavin & Gray, 2015): each 2×2 output
 * tile costs 16 multiplies per (input, output) channel pair instead of 36. With
 *   Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1],  G = [1 0 0; ½ ½ ½; ½ −½ ½; 0 0 1],
 *   Aᵀ = [1 1 1 0; 0 1 −1 −1],
 * the output tile is Aᵀ [ Σ_i (G g_{o,i} Gᵀ) ⊙ (Bᵀ d_i B) ] A, where d_i is the 4×4 input patch of
 * channel i. The sum over i at each of the 16 positions ξ is a matrix product
 * M_ξ[tiles, O] = V_ξ[tiles, I] · U_ξ[I, O], done with the same packed micro-kernel as im2col.
 * The transforms use only additions and halvings, so float32 rounding stays near the direct
 * convolution's (checked against the float64 oracle and PyTorch by the tests).
 */
import { MR, NR, microKernel4x4, packWeights } from './gemm.js';
import type { ConvScratch, PackedConv } from './conv.js';

/** The 16 transformed weight matrices, each packed into NR-wide panels of depth I. */
export interface WinogradWeights {
  /** Panels of U_ξ for ξ = 0..15, back to back (`panelSize` floats each). */
  panels: Float32Array;
  panelSize: number;
}

/** Whether a convolution takes the Winograd path: 3×3, stride 1, and enough channels to amortise the transforms. */
export function useWinograd(w: Pick<PackedConv, 'kernel' | 'stride' | 'inChannels'>): boolean {
  return w.kernel === 3 && w.stride === 1 && w.inChannels >= 8;
}

/** U = G g Gᵀ for every (o, i), from dense MLX-order weights `[O, 3, 3, I]`. */
export function transformWeights(dense: Float32Array, O: number, I: number): WinogradWeights {
  const u = Array.from({ length: 16 }, () => new Float32Array(O * I));
  const g = new Float64Array(9);
  const gg = new Float64Array(12); // G g: 4 × 3
  for (let o = 0; o < O; o++) {
    for (let i = 0; i < I; i++) {
      for (let kh = 0; kh < 3; kh++) for (let kw = 0; kw < 3; kw++) g[kh * 3 + kw] = dense[((o * 3 + kh) * 3 + kw) * I + i];
      for (let c = 0; c < 3; c++) {
        const g0 = g[c], g1 = g[3 + c], g2 = g[6 + c];
        gg[c] = g0;
        gg[3 + c] = 0.5 * (g0 + g1 + g2);
        gg[6 + c] = 0.5 * (g0 - g1 + g2);
        gg[9 + c] = g2;
      }
      for (let r = 0; r < 4; r++) {
        const a = gg[r * 3], b = gg[r * 3 + 1], c = gg[r * 3 + 2];
        const values = [a, 0.5 * (a + b + c), 0.5 * (a - b + c), c];
        for (let col = 0; col < 4; col++) u[r * 4 + col][o * I + i] = values[col];
      }
    }
  }
  const packed = u.map((m) => packWeights(m, O, I));
  const panelSize = packed[0].length;
  const panels = new Float32Array(16 * panelSize);
  packed.forEach((p, xi) => panels.set(p, xi * panelSize));
  return { panels, panelSize };
}

/** Tiles per transformed-input block: about 256 KiB of V (16 × I floats per tile). */
function blockTiles(I: number): number {
  return Math.max(MR, Math.min(256, Math.floor(4096 / I / MR) * MR));
}

/**
 * Copies NHWC `[B, F, T, I]` into a zero-bordered `[B, 2·tilesF + 2, 2·tilesT + 2, I]`, so every
 * 4×4 input patch of every tile is in range (no per-element padding checks).
 */
function padInput(x: Float32Array, B: number, F: number, T: number, I: number, Fp: number, Tp: number, padded: Float32Array): void {
  padded.fill(0, 0, B * Fp * Tp * I);
  for (let b = 0; b < B; b++)
    for (let f = 0; f < F; f++) padded.set(x.subarray(((b * F + f) * T) * I, ((b * F + f) * T + T) * I), ((b * Fp + f + 1) * Tp + 1) * I);
}

/**
 * V_ξ = Bᵀ d B for tiles [t0, t0 + count) into `V` laid out `[ξ][panel][i][MR]`
 * (tile index = (b·tilesF + tf)·tilesT + tt; `padded` from padInput).
 */
function transformInput(padded: Float32Array, Fp: number, Tp: number, I: number, tilesF: number, tilesT: number, t0: number, count: number, V: Float32Array): void {
  const panels = Math.ceil(count / MR);
  const xs = panels * I * MR; // distance between consecutive ξ
  if (count % MR !== 0) V.fill(0, 0, 16 * xs); // the unused rows of the last panel must be finite
  const row = Tp * I; // distance between patch rows
  for (let n = 0; n < count; n++) {
    const tile = t0 + n;
    const tt = tile % tilesT;
    const tf = ((tile - tt) / tilesT) % tilesF;
    const b = (tile - tt - tf * tilesT) / (tilesT * tilesF);
    const p0 = ((b * Fp + 2 * tf) * Tp + 2 * tt) * I; // patch (0, 0), channel 0
    let dst = ((n / MR) | 0) * I * MR + (n % MR);
    for (let i = 0; i < I; i++, dst += MR) {
      const q0 = p0 + i, q1 = q0 + row, q2 = q1 + row, q3 = q2 + row;
      const d00 = padded[q0], d01 = padded[q0 + I], d02 = padded[q0 + 2 * I], d03 = padded[q0 + 3 * I];
      const d10 = padded[q1], d11 = padded[q1 + I], d12 = padded[q1 + 2 * I], d13 = padded[q1 + 3 * I];
      const d20 = padded[q2], d21 = padded[q2 + I], d22 = padded[q2 + 2 * I], d23 = padded[q2 + 3 * I];
      const d30 = padded[q3], d31 = padded[q3 + I], d32 = padded[q3 + 2 * I], d33 = padded[q3 + 3 * I];
      // Bᵀ d (rows) ...
      const r00 = d00 - d20, r01 = d01 - d21, r02 = d02 - d22, r03 = d03 - d23;
      const r10 = d10 + d20, r11 = d11 + d21, r12 = d12 + d22, r13 = d13 + d23;
      const r20 = d20 - d10, r21 = d21 - d11, r22 = d22 - d12, r23 = d23 - d13;
      const r30 = d10 - d30, r31 = d11 - d31, r32 = d12 - d32, r33 = d13 - d33;
      // ... then · B (columns).
      V[dst] = r00 - r02;
      V[dst + xs] = r01 + r02;
      V[dst + 2 * xs] = r02 - r01;
      V[dst + 3 * xs] = r01 - r03;
      V[dst + 4 * xs] = r10 - r12;
      V[dst + 5 * xs] = r11 + r12;
      V[dst + 6 * xs] = r12 - r11;
      V[dst + 7 * xs] = r11 - r13;
      V[dst + 8 * xs] = r20 - r22;
      V[dst + 9 * xs] = r21 + r22;
      V[dst + 10 * xs] = r22 - r21;
      V[dst + 11 * xs] = r21 - r23;
      V[dst + 12 * xs] = r30 - r32;
      V[dst + 13 * xs] = r31 + r32;
      V[dst + 14 * xs] = r32 - r31;
      V[dst + 15 * xs] = r31 - r33;
    }
  }
}

/** Stride-1 3×3 convolution (padding 1) on NHWC buffers with the fused epilogue; `out` must not alias. */
export function winogradConv2dNHWC(
  x: Float32Array,
  batch: number,
  F: number,
  T: number,
  w: PackedConv & { winograd: WinogradWeights },
  out: Float32Array,
  residual: Float32Array | null,
  relu: boolean,
  scratch: ConvScratch,
): void {
  const I = w.inChannels;
  const O = w.outChannels;
  const tilesF = Math.ceil(F / 2);
  const tilesT = Math.ceil(T / 2);
  const Fp = 2 * tilesF + 2;
  const Tp = 2 * tilesT + 2;
  const padded = scratch.padded(batch * Fp * Tp * I);
  padInput(x, batch, F, T, I, Fp, Tp, padded);
  const tiles = batch * tilesF * tilesT;
  const mc = blockTiles(I);
  const V = scratch.block(16 * Math.ceil(mc / MR) * I * MR);
  const M = scratch.acc; // [ξ][r][c]
  const { panels: U, panelSize } = w.winograd;
  const bias = w.bias;
  const oPanels = Math.ceil(O / NR);
  const S = MR * NR; // distance between consecutive ξ in M

  for (let t0 = 0; t0 < tiles; t0 += mc) {
    const count = Math.min(mc, tiles - t0);
    const panels = Math.ceil(count / MR);
    const xs = panels * I * MR;
    transformInput(padded, Fp, Tp, I, tilesF, tilesT, t0, count, V);
    for (let ob = 0; ob < oPanels; ob++) {
      const o0 = ob * NR;
      const cols = Math.min(NR, O - o0);
      for (let p = 0; p < panels; p++) {
        for (let xi = 0; xi < 16; xi++) microKernel4x4(I, V, xi * xs + p * I * MR, U, xi * panelSize + ob * I * NR, M, xi * S);
        const rows = Math.min(MR, count - p * MR);
        for (let r = 0; r < rows; r++) {
          const tile = t0 + p * MR + r;
          const tt = tile % tilesT;
          const tf = ((tile - tt) / tilesT) % tilesF;
          const b = (tile - tt - tf * tilesT) / (tilesT * tilesF);
          const f0 = 2 * tf;
          const q0 = 2 * tt;
          const hasRow1 = f0 + 1 < F;
          const hasCol1 = q0 + 1 < T;
          const pixel00 = ((b * F + f0) * T + q0) * O + o0;
          for (let c = 0; c < cols; c++) {
            const m = r * NR + c;
            // Aᵀ m (rows) ...
            const s0 = M[m] + M[m + 4 * S] + M[m + 8 * S];
            const s1 = M[m + S] + M[m + 5 * S] + M[m + 9 * S];
            const s2 = M[m + 2 * S] + M[m + 6 * S] + M[m + 10 * S];
            const s3 = M[m + 3 * S] + M[m + 7 * S] + M[m + 11 * S];
            const u0 = M[m + 4 * S] - M[m + 8 * S] - M[m + 12 * S];
            const u1 = M[m + 5 * S] - M[m + 9 * S] - M[m + 13 * S];
            const u2 = M[m + 6 * S] - M[m + 10 * S] - M[m + 14 * S];
            const u3 = M[m + 7 * S] - M[m + 11 * S] - M[m + 15 * S];
            // ... then · A (columns), + bias, + residual, ReLU.
            const beta = bias[o0 + c];
            const o = pixel00 + c;
            storeOutput(out, residual, relu, o, s0 + s1 + s2 + beta);
            if (hasCol1) storeOutput(out, residual, relu, o + O, s1 - s2 - s3 + beta);
            if (hasRow1) {
              storeOutput(out, residual, relu, o + T * O, u0 + u1 + u2 + beta);
              if (hasCol1) storeOutput(out, residual, relu, o + (T + 1) * O, u1 - u2 - u3 + beta);
            }
          }
        }
      }
    }
  }
  scratch.trim();
}

function storeOutput(out: Float32Array, residual: Float32Array | null, relu: boolean, o: number, value: number): void {
  const v = residual === null ? value : value + residual[o];
  out[o] = relu && v < 0 ? 0 : v;
}
