/**
 * Power spectrum of a real frame with fft.js.
 *
 * A real signal of even length N is read as N/2 complex numbers z[n] = x[2n] + i·x[2n+1] (the
 * interleaved layout fft.js uses, so the frame buffer is passed as is), transformed with one
 * N/2-point complex FFT, and split into the spectrum of x with the usual even/odd identities.
 * That is about twice as fast as fft.js's own realTransform at N = 512 (see bench/fft-choice.mjs).
 * N/2 that is not a power of two (roundToPowerOfTwo false) goes through Bluestein's algorithm on a
 * power-of-two fft.js transform.
 */
import FFT from 'fft.js';
import type { MelLayout } from './mel-layout.js';

interface ComplexTransform {
  /** out, data: interleaved complex arrays of the transform's length. */
  transform(out: Float64Array, data: Float64Array): void;
}

function isPowerOfTwo(n: number): boolean {
  return n >= 2 && (n & (n - 1)) === 0;
}

/** Arbitrary-length DFT as a circular convolution with a chirp, computed with power-of-two FFTs. */
class BluesteinTransform implements ComplexTransform {
  private readonly length: number;
  private readonly fft: FFT;
  private readonly chirp: Float64Array;
  private readonly chirpSpectrum: Float64Array;
  private readonly work: Float64Array;
  private readonly workSpectrum: Float64Array;

  constructor(length: number) {
    this.length = length;
    let m = 2;
    while (m < 2 * length - 1) m *= 2;
    this.fft = new FFT(m);
    this.chirp = new Float64Array(2 * length);
    for (let k = 0; k < length; k++) {
      // exp(−iπk²/L); k² reduced mod 2L keeps the angle accurate for large k.
      const angle = (Math.PI * ((k * k) % (2 * length))) / length;
      this.chirp[2 * k] = Math.cos(angle);
      this.chirp[2 * k + 1] = -Math.sin(angle);
    }
    const b = new Float64Array(2 * m);
    for (let k = 0; k < length; k++) {
      b[2 * k] = this.chirp[2 * k];
      b[2 * k + 1] = -this.chirp[2 * k + 1];
      if (k > 0) {
        b[2 * (m - k)] = b[2 * k];
        b[2 * (m - k) + 1] = b[2 * k + 1];
      }
    }
    this.chirpSpectrum = new Float64Array(2 * m);
    this.fft.transform(this.chirpSpectrum, b);
    this.work = new Float64Array(2 * m);
    this.workSpectrum = new Float64Array(2 * m);
  }

  transform(out: Float64Array, data: Float64Array): void {
    const { length, chirp, work, workSpectrum, chirpSpectrum } = this;
    work.fill(0);
    for (let k = 0; k < length; k++) {
      const re = data[2 * k];
      const im = data[2 * k + 1];
      work[2 * k] = re * chirp[2 * k] - im * chirp[2 * k + 1];
      work[2 * k + 1] = re * chirp[2 * k + 1] + im * chirp[2 * k];
    }
    this.fft.transform(workSpectrum, work);
    for (let i = 0; i < workSpectrum.length; i += 2) {
      const re = workSpectrum[i];
      const im = workSpectrum[i + 1];
      work[i] = re * chirpSpectrum[i] - im * chirpSpectrum[i + 1];
      work[i + 1] = re * chirpSpectrum[i + 1] + im * chirpSpectrum[i];
    }
    this.fft.inverseTransform(workSpectrum, work);
    for (let k = 0; k < length; k++) {
      const re = workSpectrum[2 * k];
      const im = workSpectrum[2 * k + 1];
      out[2 * k] = re * chirp[2 * k] - im * chirp[2 * k + 1];
      out[2 * k + 1] = re * chirp[2 * k + 1] + im * chirp[2 * k];
    }
  }
}

/** fft.js behind the same interface (a class, so every instance calls the same function). */
class PowerOfTwoTransform implements ComplexTransform {
  private readonly fft: FFT;
  constructor(length: number) {
    this.fft = new FFT(length);
  }
  transform(out: Float64Array, data: Float64Array): void {
    this.fft.transform(out, data);
  }
}

function complexTransform(length: number): ComplexTransform {
  return isPowerOfTwo(length) ? new PowerOfTwoTransform(length) : new BluesteinTransform(length);
}

export class RealPowerSpectrum {
  /** Transform size N (even). */
  readonly size: number;
  /** The frame to transform: write N real samples here (zero padding included). */
  readonly input: Float64Array;
  private readonly half: ComplexTransform;
  private readonly spectrum: Float64Array;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;

  constructor(size: number) {
    this.size = size;
    const half = size / 2;
    this.input = new Float64Array(size);
    this.spectrum = new Float64Array(size);
    this.half = complexTransform(half);
    this.cos = new Float64Array(half + 1);
    this.sin = new Float64Array(half + 1);
    for (let k = 0; k <= half; k++) {
      this.cos[k] = Math.cos((2 * Math.PI * k) / size);
      this.sin[k] = Math.sin((2 * Math.PI * k) / size);
    }
  }

  /**
   * Transforms `input` and adds the mel energies of its spectrum to `energies` (which the caller
   * zeroes, with one extra scratch entry): power |X[k]|² or, with `magnitude`, |X[k]|, for the FFT
   * bins of `layout`. The spectrum comes out as 2·X, so the layout's weights must carry the factor
   * 1/4 (1/2 for the magnitude), an exact power of two.
   */
  melEnergies(energies: Float64Array, layout: MelLayout, magnitude: boolean): void {
    const z = this.spectrum;
    this.half.transform(z, this.input);
    const half = this.size / 2;
    const { cos, sin } = this;
    const { segmentStart, segmentEnd, lowBin, highBin, lowWeight, highWeight } = layout;
    // Both ends pair Z[0] with itself: 2X[0] = 2(Zr + Zi), 2X[N/2] = 2(Zr − Zi).
    if (layout.from === 0) this.addBin(energies, layout, 0, 0, 4 * (z[0] + z[1]) * (z[0] + z[1]), magnitude);
    if (layout.to === half + 1) this.addBin(energies, layout, segmentStart.length - 1, half, 4 * (z[0] - z[1]) * (z[0] - z[1]), magnitude);
    for (let s = 0; s < segmentStart.length; s++) {
      let lower = 0;
      let higher = 0;
      const end = Math.min(segmentEnd[s], half);
      for (let k = Math.max(segmentStart[s], 1), m = 2 * (half - k); k < end; k++, m -= 2) {
        // Z[k] pairs with Z[N/2 − k]: twice the spectra of the even and odd samples, then 2X = 2E + W^k·2O.
        const zrK = z[2 * k];
        const ziK = z[2 * k + 1];
        const zrM = z[m];
        const ziM = z[m + 1];
        const er = zrK + zrM;
        const ei = ziK - ziM;
        const or = ziK + ziM;
        const oi = zrM - zrK;
        const c = cos[k];
        const sn = sin[k];
        const xr = er + c * or + sn * oi;
        const xi = ei + c * oi - sn * or;
        const power = xr * xr + xi * xi;
        const value = magnitude ? Math.sqrt(power) : power;
        lower += lowWeight[k] * value;
        higher += highWeight[k] * value;
      }
      energies[lowBin[s]] += lower;
      energies[highBin[s]] += higher;
    }
  }

  /** Adds FFT bin k, which lies in segment s, outside the main loop (used for k = 0 and k = N/2). */
  private addBin(energies: Float64Array, layout: MelLayout, s: number, k: number, power: number, magnitude: boolean): void {
    const value = magnitude ? Math.sqrt(power) : power;
    energies[layout.lowBin[s]] += layout.lowWeight[k] * value;
    energies[layout.highBin[s]] += layout.highWeight[k] * value;
  }
}
