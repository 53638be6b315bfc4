/**
 * From a windowed real frame to its mel energies in one pass over the spectrum.
 *
 * A real signal of even length N is read as N/2 complex numbers z[n] = x[2n] + i·x[2n+1],
 * transformed with one N/2-point complex FFT, and split into the spectrum of x with the usual
 * even/odd identities (about half the work of an N-point complex transform). Each bin's power (or
 * magnitude) goes straight into the mel energies it feeds (see mel-layout.ts), without a spectrum
 * array in between. A closure over its buffers and tables, like the FFT (see fft.ts).
 */
import { complexFft } from './fft.js';
import type { MelLayout } from './mel-layout.js';

export interface MelSpectrum {
  /** Transform size N (even). */
  readonly size: number;
  /**
   * Where to write the frame: samples 2n and 2n + 1 go to input[pairIndex[n]] and the slot after
   * it (the FFT's own input order). Slots never written stay zero, which is the zero padding.
   */
  readonly input: Float64Array;
  readonly pairIndex: Int32Array;
  /** After `compute`: the mel energies, then the layout's scratch slot. */
  readonly energies: Float64Array;
  /** Transforms `input` and weights its power (or magnitude) spectrum into `energies`. */
  readonly compute: () => void;
}

/** Adds FFT bin k, of squared magnitude `square` (of 2·X[k]), to its two mel energies. */
function addBin(energies: Float64Array, lowBin: Int32Array, highBin: Int32Array, lowWeight: Float64Array, highWeight: Float64Array, usePower: boolean, k: number, square: number): void {
  const value = usePower ? square : Math.sqrt(square);
  energies[lowBin[k]] += lowWeight[k] * value;
  energies[highBin[k]] += highWeight[k] * value;
}

/**
 * The mel spectrum of N-sample frames. The split yields 2·X, so the layout's weights must carry the
 * exact factor: 1/4 for the power (`usePower`), 1/2 for the magnitude.
 */
export function melSpectrum(size: number, layout: MelLayout, usePower: boolean): MelSpectrum {
  const half = size / 2;
  const fft = complexFft(half);
  const z = fft.output;
  const transform = fft.transform;
  const { lowBin, highBin, lowWeight, highWeight } = layout;
  const energies = new Float64Array(layout.numBins + 1);
  const cos = new Float64Array(half + 1);
  const sin = new Float64Array(half + 1);
  for (let k = 0; k <= half; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / size);
    sin[k] = Math.sin((2 * Math.PI * k) / size);
  }

  function compute(): void {
    transform();
    // Locals for the loop (see fft.ts).
    const spectrum = z;
    const mel = energies;
    const low = lowBin;
    const high = highBin;
    const lowW = lowWeight;
    const highW = highWeight;
    const c = cos;
    const s = sin;
    const h = half;
    const power = usePower;
    for (let b = 0; b < mel.length; b++) mel[b] = 0;
    // Both ends pair Z[0] with itself: 2X[0] = 2(Zr + Zi), 2X[N/2] = 2(Zr − Zi).
    const sum = spectrum[0] + spectrum[1];
    const difference = spectrum[0] - spectrum[1];
    addBin(mel, low, high, lowW, highW, power, 0, 4 * sum * sum);
    addBin(mel, low, high, lowW, highW, power, h, 4 * difference * difference);
    // Z[k] pairs with Z[N/2 − k]: 2E = Z[k] + conj Z[N/2−k] and 2O = (Z[k] − conj Z[N/2−k]) / i are
    // twice the spectra of the even and odd samples; 2X[k] = 2E + W^k·2O and, since E and O of
    // N/2 − k are their conjugates and W^(N/2−k) = −conj W^k, |X[N/2 − k]| = |E − W^k·O|. For
    // k = N/4 (N/2 even) both are the same bin, added once.
    for (let k = 1, m = 2 * (h - 1); 2 * k <= h; k++, m -= 2) {
      const zrK = spectrum[2 * k];
      const ziK = spectrum[2 * k + 1];
      const zrM = spectrum[m];
      const ziM = spectrum[m + 1];
      const er = zrK + zrM;
      const ei = ziK - ziM;
      const or = ziK + ziM;
      const oi = zrM - zrK;
      const tr = c[k] * or + s[k] * oi;
      const ti = c[k] * oi - s[k] * or;
      const ar = er + tr;
      const ai = ei + ti;
      addBin(mel, low, high, lowW, highW, power, k, ar * ar + ai * ai);
      if (2 * k === h) break;
      const br = er - tr;
      const bi = ei - ti;
      addBin(mel, low, high, lowW, highW, power, h - k, br * br + bi * bi);
    }
  }

  return { size, input: fft.input, pairIndex: fft.inputIndex, energies, compute };
}
