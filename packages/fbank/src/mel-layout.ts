/**
 * The mel bank laid out per FFT bin for the spectrum loop. Neighbouring triangles share their
 * edges, so every FFT bin k lies under at most two of them (the falling edge of a lower mel bin
 * and the rising edge of the next): bin k adds weight·|X[k]|² to at most two energies, and the
 * loop that computes |X[k]|² adds it right away, with no branch on the layout.
 */
import type { MelBank } from './mel.js';

export interface MelLayout {
  /** Number of mel bins; energies arrays have one more slot, the scratch bin unused slots point at. */
  readonly numBins: number;
  /** Per FFT bin k (0 .. numFftBins): its two mel bins and weights (scratch bin and 0 when unused). */
  readonly lowBin: Int32Array;
  readonly highBin: Int32Array;
  readonly lowWeight: Float64Array;
  readonly highWeight: Float64Array;
}

/** Builds the layout, the weights multiplied by `scale`. */
export function melLayout(bank: MelBank, scale: number): MelLayout {
  const scratch = bank.numBins;
  const size = bank.numFftBins + 1;
  const lowBin = new Int32Array(size).fill(scratch);
  const highBin = new Int32Array(size).fill(scratch);
  const lowWeight = new Float64Array(size);
  const highWeight = new Float64Array(size);
  for (let b = 0; b < bank.numBins; b++) {
    for (let i = bank.offsets[b], k = bank.firstFftBin[b]; i < bank.offsets[b + 1]; i++, k++) {
      // Mel bins come in increasing order, so the first one to claim k is the lower of the pair.
      if (lowBin[k] === scratch) {
        lowBin[k] = b;
        lowWeight[k] = bank.weights[i] * scale;
      } else if (highBin[k] === scratch) {
        highBin[k] = b;
        highWeight[k] = bank.weights[i] * scale;
      } else {
        throw new Error(`internal: FFT bin ${k} lies under more than two mel triangles`);
      }
    }
  }
  return { numBins: bank.numBins, lowBin, highBin, lowWeight, highWeight };
}
