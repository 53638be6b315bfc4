/**
 * Power spectrum of a real frame.
 *
 * A real signal of even length N is read as N/2 complex numbers z[n] = x[2n] + i·x[2n+1],
 * transformed with one N/2-point complex FFT, and split into the spectrum of x with the usual
 * even/odd identities: about half the work of an N-point complex transform. A closure over its
 * buffers, like the FFT (see fft.ts).
 */
import { complexFft } from './fft.js';

export interface RealPowerSpectrum {
  /** Transform size N (even). */
  readonly size: number;
  /**
   * Where to write the frame: samples 2n and 2n + 1 go to input[pairIndex[n]] and the slot after
   * it (the FFT's own input order). Slots never written stay zero, which is the zero padding.
   */
  readonly input: Float64Array;
  readonly pairIndex: Int32Array;
  /** After `compute`: 4·|X[k]|² for k = 0 .. N/2; slots past N/2 stay zero. */
  readonly power: Float64Array;
  /**
   * Transforms `input` into `power`: four times the power (the split below yields 2·X), an exact
   * power-of-two factor the caller folds into its weights.
   */
  readonly compute: () => void;
}

/** The spectrum of N-sample frames, `power` allocated with `powerLength` >= N/2 + 1 slots. */
export function realPowerSpectrum(size: number, powerLength: number): RealPowerSpectrum {
  const half = size / 2;
  const fft = complexFft(half);
  const z = fft.output;
  const transform = fft.transform;
  const power = new Float64Array(Math.max(powerLength, half + 1));
  const cos = new Float64Array(half + 1);
  const sin = new Float64Array(half + 1);
  for (let k = 0; k <= half; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / size);
    sin[k] = Math.sin((2 * Math.PI * k) / size);
  }

  function compute(): void {
    transform();
    // Both ends pair Z[0] with itself: 2X[0] = 2(Zr + Zi), 2X[N/2] = 2(Zr − Zi).
    power[0] = 4 * (z[0] + z[1]) * (z[0] + z[1]);
    power[half] = 4 * (z[0] - z[1]) * (z[0] - z[1]);
    // Z[k] pairs with Z[N/2 − k]: 2E = Z[k] + conj Z[N/2−k] and 2O = (Z[k] − conj Z[N/2−k]) / i are
    // twice the spectra of the even and odd samples; 2X[k] = 2E + W^k·2O and, since E and O of
    // N/2 − k are their conjugates and W^(N/2−k) = −conj W^k, |X[N/2 − k]| = |E − W^k·O|.
    for (let k = 1, m = 2 * (half - 1); 2 * k <= half; k++, m -= 2) {
      const zrK = z[2 * k];
      const ziK = z[2 * k + 1];
      const zrM = z[m];
      const ziM = z[m + 1];
      const er = zrK + zrM;
      const ei = ziK - ziM;
      const or = ziK + ziM;
      const oi = zrM - zrK;
      const c = cos[k];
      const s = sin[k];
      const tr = c * or + s * oi;
      const ti = c * oi - s * or;
      const ar = er + tr;
      const ai = ei + ti;
      const br = er - tr;
      const bi = ei - ti;
      power[k] = ar * ar + ai * ai;
      power[half - k] = br * br + bi * bi;
    }
  }

  return { size, input: fft.input, pairIndex: fft.inputIndex, power, compute };
}
