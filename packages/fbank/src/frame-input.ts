/**
 * From samples to the FFT input of one frame: the frame's mean, then DC removal, pre-emphasis and
 * window in one pass that writes straight into the FFT's input order; and the frame energy.
 */
import type { MelSpectrum } from './spectrum.js';

export type SampleArray = Float32Array | Float64Array;

/**
 * Mean of source[start .. start + size) times `scale`, with four partial sums (a fixed order, so
 * reproducible) to break the chain of dependent adds.
 */
export function frameMean(source: SampleArray, start: number, size: number, scale: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = start;
  const end = start + size;
  for (; j + 3 < end; j += 4) {
    s0 += source[j];
    s1 += source[j + 1];
    s2 += source[j + 2];
    s3 += source[j + 3];
  }
  for (; j < end; j++) s0 += source[j];
  return ((s0 + s1 + s2 + s3) * scale) / size;
}

/** Σ (source[j]·scale − mean)² over source[start .. start + size). */
export function sumOfSquares(source: SampleArray, start: number, size: number, scale: number, mean: number): number {
  let sum = 0;
  for (let j = start; j < start + size; j++) {
    const d = source[j] * scale - mean;
    sum += d * d;
  }
  return sum;
}

/** Writes e[j] = (d[j] − p·d[j−1])·window[j], d = source·scale − mean, e[0] = (d[0] − p·d[0])·window[0]. */
export type FftInputWriter = (source: SampleArray, start: number, scale: number, mean: number) => void;

/**
 * The writer of frames of `window.length` samples into `spectrum.input`, two samples (one complex
 * FFT input) per step. The zero padding is never written. A closure over the tables, like the FFT
 * (see fft.ts).
 */
export function fftInputWriter(window: Float64Array, preemphasis: number, spectrum: Pick<MelSpectrum, 'input' | 'pairIndex'>): FftInputWriter {
  const frameSize = window.length;
  const fftInput = spectrum.input;
  const pairs = spectrum.pairIndex;
  return function writeFftInput(source, start, scale, mean) {
    // Locals for the loop (see fft.ts).
    const size = frameSize;
    const input = fftInput;
    const pairIndex = pairs;
    const w = window;
    const p = preemphasis;
    let previous = source[start] * scale - mean;
    let n = 0;
    for (let j = 0; j + 1 < size; j += 2, n++) {
      const even = source[start + j] * scale - mean;
      const odd = source[start + j + 1] * scale - mean;
      const at = pairIndex[n];
      input[at] = (even - p * previous) * w[j];
      input[at + 1] = (odd - p * even) * w[j + 1];
      previous = odd;
    }
    if (size % 2 === 1) input[pairIndex[n]] = (source[start + size - 1] * scale - mean - p * previous) * w[size - 1];
  };
}
