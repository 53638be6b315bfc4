/**
 * Convolution with a fused epilogue on NHWC activations (`[B, F, T, C]`: channels innermost, so
 * one im2col row is k·k contiguous runs of C values, and the output of the GEMM is already NHWC).
 */
import type { HostTensor } from '@wsp/resnet-graph';
import { MR, NR, microKernel4x4, packWeights } from './gemm.js';
import { transformWeights, useWinograd, winogradConv2dNHWC } from './winograd.js';
import type { WinogradWeights } from './winograd.js';

/** Convolution weights repacked for the micro-kernel. */
export interface PackedConv {
  inChannels: number;
  outChannels: number;
  kernel: 1 | 3;
  stride: 1 | 2;
  padding: 0 | 1;
  /** k·k·I: the reduction length. */
  depth: number;
  /** NR-wide panels of the `[O, k·k·I]` weight matrix (empty when the Winograd path is used). */
  panels: Float32Array;
  /** Transformed weights for the Winograd path (stride-1 3×3 convs with ≥ 8 input channels). */
  winograd?: WinogradWeights;
  bias: Float32Array;
}

/** Scratch larger than this is dropped after each convolution instead of kept for the next. */
const RETAINED_SCRATCH_BYTES = 16 << 20;

/**
 * Reusable work memory: the packed A block, a padded input copy and the accumulator tiles. Not
 * counted by `memory()` (it is not a device object); `trim()` bounds what stays allocated.
 */
export class ConvScratch {
  #a = new Float32Array(0);
  #padded = new Float32Array(0);
  /** MR×NR accumulators, or 16 of them (one per Winograd position). */
  readonly acc = new Float64Array(16 * MR * NR);

  block(size: number): Float32Array {
    if (this.#a.length < size) this.#a = new Float32Array(size);
    return this.#a;
  }

  padded(size: number): Float32Array {
    if (this.#padded.length < size) this.#padded = new Float32Array(size);
    return this.#padded;
  }

  /** Drops the padded copy when it is large (big batches of long inputs), keeping memory bounded. */
  trim(): void {
    if (this.#padded.byteLength > RETAINED_SCRATCH_BYTES) this.#padded = new Float32Array(0);
  }
}

/**
 * Packs MLX weights `[O, k, k, I]` (any strides) and the bias, for the Winograd path when the
 * convolution qualifies and `allowWinograd`, else for im2col.
 */
export function packConv(weight: HostTensor, bias: HostTensor, stride: 1 | 2, padding: 0 | 1, allowWinograd = true): PackedConv {
  const [O, k, , I] = weight.shape;
  const depth = k * k * I;
  const [s0, s1, s2, s3] = weight.stride;
  const dense = new Float32Array(O * depth);
  let n = 0;
  for (let o = 0; o < O; o++)
    for (let kh = 0; kh < k; kh++)
      for (let kw = 0; kw < k; kw++)
        for (let i = 0; i < I; i++) dense[n++] = weight.data[weight.offset + o * s0 + kh * s1 + kw * s2 + i * s3];
  const b = new Float32Array(O);
  for (let o = 0; o < O; o++) b[o] = bias.data[bias.offset + o * bias.stride[0]];
  const shape = { inChannels: I, outChannels: O, kernel: k as 1 | 3, stride, padding, depth, bias: b };
  if (allowWinograd && useWinograd(shape)) return { ...shape, panels: new Float32Array(0), winograd: transformWeights(dense, O, I) };
  return { ...shape, panels: packWeights(dense, O, depth) };
}

export function convOutputSize(n: number, w: PackedConv): number {
  return Math.floor((n + 2 * w.padding - w.kernel) / w.stride) + 1;
}

/** Pixels per packed A block: about 128 KiB of A, so it stays in L2 while every B panel streams past. */
function blockPixels(depth: number): number {
  return Math.max(MR, Math.min(256, Math.floor(32768 / depth / MR) * MR));
}

/**
 * Writes the im2col rows of output pixels [p0, p0 + rows) into `A` as MR-pixel panels (zero where
 * the kernel reads padding, and for the unused rows of the last panel).
 */
function packPixels(
  x: Float32Array,
  F: number,
  T: number,
  Fo: number,
  To: number,
  w: PackedConv,
  p0: number,
  rows: number,
  A: Float32Array,
): void {
  const { kernel: k, stride: s, padding: pad, inChannels: I, depth: K } = w;
  const panelCount = Math.ceil(rows / MR);
  A.fill(0, 0, panelCount * K * MR);
  let t = p0 % To;
  let f = ((p0 - t) / To) % Fo;
  let b = (p0 - t - f * To) / (To * Fo);
  for (let r = 0; r < rows; r++) {
    const base = ((r / MR) | 0) * K * MR + (r % MR);
    for (let kh = 0; kh < k; kh++) {
      const fi = s * f + kh - pad;
      if (fi < 0 || fi >= F) continue; // padding rows stay zero
      for (let kw = 0; kw < k; kw++) {
        const ti = s * t + kw - pad;
        if (ti < 0 || ti >= T) continue;
        const src = ((b * F + fi) * T + ti) * I;
        let dst = base + (kh * k + kw) * I * MR;
        for (let i = 0; i < I; i++, dst += MR) A[dst] = x[src + i];
      }
    }
    if (++t === To) {
      t = 0;
      if (++f === Fo) {
        f = 0;
        b++;
      }
    }
  }
}

/**
 * `out[b, f, t, o] = ReLU?(bias[o] + Σ W[o, kh, kw, i] · x[b, s·f+kh−p, s·t+kw−p, i] + residual[b, f, t, o])`
 * on NHWC buffers. `out` must not alias `x` or `residual`.
 */
export function conv2dNHWC(
  x: Float32Array,
  batch: number,
  F: number,
  T: number,
  w: PackedConv,
  out: Float32Array,
  residual: Float32Array | null,
  relu: boolean,
  scratch: ConvScratch,
): void {
  if (w.winograd) {
    winogradConv2dNHWC(x, batch, F, T, w as PackedConv & { winograd: WinogradWeights }, out, residual, relu, scratch);
    return;
  }
  const Fo = convOutputSize(F, w);
  const To = convOutputSize(T, w);
  const P = batch * Fo * To;
  const K = w.depth;
  const O = w.outChannels;
  const oPanels = Math.ceil(O / NR);
  const mc = blockPixels(K);
  const A = scratch.block(Math.ceil(mc / MR) * K * MR);
  const acc = scratch.acc;
  const B = w.panels;
  const bias = w.bias;

  for (let p0 = 0; p0 < P; p0 += mc) {
    const rows = Math.min(mc, P - p0);
    const panels = Math.ceil(rows / MR);
    packPixels(x, F, T, Fo, To, w, p0, rows, A);
    for (let ob = 0; ob < oPanels; ob++) {
      const o0 = ob * NR;
      const cols = Math.min(NR, O - o0);
      const bOffset = ob * K * NR;
      for (let pp = 0; pp < panels; pp++) {
        microKernel4x4(K, A, pp * K * MR, B, bOffset, acc, 0);
        const pBase = p0 + pp * MR;
        const rEnd = Math.min(MR, P - pBase);
        for (let r = 0; r < rEnd; r++) {
          let o = (pBase + r) * O + o0;
          for (let c = 0; c < cols; c++, o++) {
            let v = acc[r * NR + c] + bias[o0 + c];
            if (residual !== null) v += residual[o];
            out[o] = relu && v < 0 ? 0 : v;
          }
        }
      }
    }
  }
}
