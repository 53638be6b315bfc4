/**
 * The matrix-multiply core of the portable backend: C[P, O] = A[P, K] · B[K, O] with both operands
 * packed into panels so the micro-kernel reads them sequentially.
 *
 * - B (the weights) is packed once, in panels of NR output channels: `Bp[(panel·K + k)·NR + j]`.
 * - A (im2col rows, one per output pixel) is packed per call, MR pixels per panel:
 *   `Ap[(panel·K + k)·MR + r]`, never materialising the whole im2col matrix.
 * - The micro-kernel keeps the MR×NR block of C in local variables (registers) over all of K.
 *
 * Plain scalar JavaScript is bound by instruction count (every typed-array load carries a bounds
 * check), so the tile shape is a trade between loads per multiply-add and register spills; 4×4
 * measured best among the shapes that tile 32/64/128/256 channels exactly (packages/backend-cpu
 * README, "Performance").
 */

/** Pixels per A panel. */
export const MR = 4;
/** Output channels per B panel. */
export const NR = 4;

/** Packs `[O, K]` row-major weights (K = kh·kw·I in MLX order) into NR-wide panels, zero-padded. */
export function packWeights(weights: Float32Array, outChannels: number, depth: number): Float32Array {
  const panels = Math.ceil(outChannels / NR);
  const packed = new Float32Array(panels * depth * NR);
  for (let o = 0; o < outChannels; o++) {
    const panel = (o / NR) | 0;
    const j = o - panel * NR;
    const dst = panel * depth * NR + j;
    const src = o * depth;
    for (let k = 0; k < depth; k++) packed[dst + k * NR] = weights[src + k];
  }
  return packed;
}

/**
 * `acc[at + r·NR + j] = Σ_k A[a + k·MR + r] · B[b + k·NR + j]` for one MR×NR tile, summed in
 * double precision.
 */
export function microKernel4x4(depth: number, A: Float32Array, a: number, B: Float32Array, b: number, acc: Float64Array, at: number): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let k = 0; k < depth; k++) {
    const ai = a + 4 * k;
    const bi = b + 4 * k;
    const a0 = A[ai], a1 = A[ai + 1], a2 = A[ai + 2], a3 = A[ai + 3];
    const b0 = B[bi];
    c00 += a0 * b0; c10 += a1 * b0; c20 += a2 * b0; c30 += a3 * b0;
    const b1 = B[bi + 1];
    c01 += a0 * b1; c11 += a1 * b1; c21 += a2 * b1; c31 += a3 * b1;
    const b2 = B[bi + 2];
    c02 += a0 * b2; c12 += a1 * b2; c22 += a2 * b2; c32 += a3 * b2;
    const b3 = B[bi + 3];
    c03 += a0 * b3; c13 += a1 * b3; c23 += a2 * b3; c33 += a3 * b3;
  }
  acc[at] = c00; acc[at + 1] = c01; acc[at + 2] = c02; acc[at + 3] = c03;
  acc[at + 4] = c10; acc[at + 5] = c11; acc[at + 6] = c12; acc[at + 7] = c13;
  acc[at + 8] = c20; acc[at + 9] = c21; acc[at + 10] = c22; acc[at + 11] = c23;
  acc[at + 12] = c30; acc[at + 13] = c31; acc[at + 14] = c32; acc[at + 15] = c33;
}
