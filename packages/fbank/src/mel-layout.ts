/**
 * The mel bank laid out for the spectrum loop: each triangle's run of weights is cut into blocks of
 * four (the last one padded with zero weights), and `melWeighting` adds one block per step,
 * four products summed in registers. One flat loop of equal steps has no data-dependent branch
 * (runs of 1 to 50 bins made a loop per run mispredict), and the blocks are ordered by their rank
 * in the triangle (every first block, then every second one, ...), so neighbouring steps add to
 * different mel bins instead of waiting on each other's store.
 */
import type { MelBank } from './mel.js';

/** Weights per block. */
const BLOCK = 4;

export interface MelLayout {
  /** Block i adds Σ_q weights[4i + q] · spectrum[start[i] + q] (q < 4) to energies[bin[i]]. */
  readonly bin: Int32Array;
  readonly start: Int32Array;
  readonly weights: Float64Array;
  /** The FFT bins with a non-zero weight: [from, to). */
  readonly from: number;
  readonly to: number;
  /** The length a spectrum array needs: blocks read up to three padding slots past the last bin (keep them 0). */
  readonly spectrumLength: number;
  /** Number of mel bins. */
  readonly numBins: number;
}

/** Builds the layout, the weights multiplied by `scale`. */
export function melLayout(bank: MelBank, scale: number): MelLayout {
  const blocks: Array<{ bin: number; first: number; rank: number }> = [];
  let from = Infinity;
  let to = 0;
  for (let b = 0; b < bank.numBins; b++) {
    const length = bank.offsets[b + 1] - bank.offsets[b];
    for (let rank = 0; rank * BLOCK < length; rank++) blocks.push({ bin: b, first: rank * BLOCK, rank });
    if (length > 0) {
      from = Math.min(from, bank.firstFftBin[b]);
      to = Math.max(to, bank.firstFftBin[b] + length);
    }
  }
  blocks.sort((x, y) => x.rank - y.rank || x.bin - y.bin);
  const bin = new Int32Array(blocks.length);
  const start = new Int32Array(blocks.length);
  const weights = new Float64Array(blocks.length * BLOCK);
  blocks.forEach((block, i) => {
    const b = block.bin;
    const end = bank.offsets[b + 1];
    bin[i] = b;
    start[i] = bank.firstFftBin[b] + block.first;
    for (let q = 0, w = bank.offsets[b] + block.first; q < BLOCK && w < end; q++, w++) weights[BLOCK * i + q] = bank.weights[w] * scale;
  });
  return { bin, start, weights, from: Math.min(from, to), to, spectrumLength: Math.max(bank.numFftBins + 1, to + BLOCK - 1), numBins: bank.numBins };
}

export interface MelWeighting {
  /** The mel energies after `compute`. */
  readonly energies: Float64Array;
  /** energies[b] = Σ_k weight(b, k)·spectrum[k] over the FFT bins under triangle b. */
  readonly compute: () => void;
}

/**
 * The weighting of `spectrum` (at least `layout.spectrumLength` long, padding slots zero) by the
 * layout's blocks: a closure over both arrays, like the FFT (see fft.ts).
 */
export function melWeighting(layout: MelLayout, spectrum: Float64Array): MelWeighting {
  if (spectrum.length < layout.spectrumLength) throw new Error(`internal: the spectrum needs ${layout.spectrumLength} slots`);
  const { bin, start, weights } = layout;
  const blocks = bin.length;
  const energies = new Float64Array(layout.numBins);
  function compute(): void {
    for (let b = 0; b < energies.length; b++) energies[b] = 0;
    for (let i = 0, w = 0; i < blocks; i++, w += BLOCK) {
      const k = start[i];
      energies[bin[i]] += weights[w] * spectrum[k] + weights[w + 1] * spectrum[k + 1] + (weights[w + 2] * spectrum[k + 2] + weights[w + 3] * spectrum[k + 3]);
    }
  }
  return { energies, compute };
}
