/**
 * The mel bank laid out for the spectrum loop. Neighbouring triangles share their edges, so every
 * FFT bin k lies under at most two of them: the falling edge of a lower mel bin and the rising edge
 * of the next. Consecutive FFT bins under the same pair form a segment; `addMelEnergies` sums a
 * segment's contributions in two registers and adds them to the pair's energies once, instead of
 * updating memory for every bin.
 */
import type { MelBank } from './mel.js';

export interface MelLayout {
  /** FFT bins with any weight: [from, to). */
  from: number;
  to: number;
  /** Segment s covers FFT bins [segmentStart[s], segmentEnd[s]) and feeds mel bins lowBin[s] and highBin[s]. */
  segmentStart: Int32Array;
  segmentEnd: Int32Array;
  lowBin: Int32Array;
  highBin: Int32Array;
  /** Per FFT bin: its weight in the lower and in the higher mel bin of its pair (0 when unused). */
  lowWeight: Float64Array;
  highWeight: Float64Array;
}

/**
 * Builds the layout, the weights multiplied by `scale`. An unused slot points at mel bin
 * `bank.numBins`, a scratch energy the caller allocates and ignores.
 */
export function melLayout(bank: MelBank, scale: number): MelLayout {
  const scratch = bank.numBins;
  const size = bank.numFftBins + 1;
  const low = new Int32Array(size).fill(scratch);
  const high = new Int32Array(size).fill(scratch);
  const lowWeight = new Float64Array(size);
  const highWeight = new Float64Array(size);
  let from = size;
  let to = 0;
  for (let b = 0; b < bank.numBins; b++) {
    for (let i = bank.offsets[b], k = bank.firstFftBin[b]; i < bank.offsets[b + 1]; i++, k++) {
      // Mel bins come in increasing order, so the first one to claim k is the lower of the pair.
      if (low[k] === scratch) {
        low[k] = b;
        lowWeight[k] = bank.weights[i] * scale;
      } else if (high[k] === scratch) {
        high[k] = b;
        highWeight[k] = bank.weights[i] * scale;
      } else {
        throw new Error(`internal: FFT bin ${k} lies under more than two mel triangles`);
      }
      from = Math.min(from, k);
      to = Math.max(to, k + 1);
    }
  }
  from = Math.min(from, to);
  const starts: number[] = [];
  const ends: number[] = [];
  const lows: number[] = [];
  const highs: number[] = [];
  for (let k = from; k < to; k++) {
    const s = starts.length - 1;
    if (s >= 0 && ends[s] === k && lows[s] === low[k] && highs[s] === high[k]) {
      ends[s] = k + 1;
    } else {
      starts.push(k);
      ends.push(k + 1);
      lows.push(low[k]);
      highs.push(high[k]);
    }
  }
  return {
    from,
    to,
    segmentStart: Int32Array.from(starts),
    segmentEnd: Int32Array.from(ends),
    lowBin: Int32Array.from(lows),
    highBin: Int32Array.from(highs),
    lowWeight,
    highWeight,
  };
}

/**
 * Adds the mel energies of a spectrum (`spectrum[k]` for the FFT bins of the layout) to `energies`,
 * which has one extra scratch entry at the end.
 */
export function addMelEnergies(layout: MelLayout, spectrum: Float64Array, energies: Float64Array): void {
  const { segmentStart, segmentEnd, lowBin, highBin, lowWeight, highWeight } = layout;
  for (let s = 0; s < segmentStart.length; s++) {
    let lower = 0;
    let higher = 0;
    const end = segmentEnd[s];
    for (let k = segmentStart[s]; k < end; k++) {
      const v = spectrum[k];
      lower += lowWeight[k] * v;
      higher += highWeight[k] * v;
    }
    energies[lowBin[s]] += lower;
    energies[highBin[s]] += higher;
  }
}
