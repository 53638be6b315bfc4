/**
 * Band-limited resampling that reproduces `torchaudio.functional.resample` (torchaudio 0.13,
 * `sinc_interp_hann`, the method WeSpeaker uses): a Hann-windowed sinc low-pass with
 * `lowpass_filter_width` zero crossings and a cut-off of `rolloff` x the lower Nyquist rate.
 *
 * torchaudio's construction, which this follows step by step:
 * - reduce the rates by their gcd: `orig = from / g`, `new = to / g`;
 * - `base = min(orig, new) * rolloff`, `width = ceil(lowpassFilterWidth * orig / base)`;
 * - one kernel per output phase j < new over input offsets i - width, i in [0, 2 width + orig):
 *   `t = ((i - width) / orig - j / new) * base`, clamped to ±lowpassFilterWidth,
 *   `k = sinc(pi t) * cos(pi t / (2 lowpassFilterWidth))^2 * base / orig`;
 * - output y[m new + j] = sum_i x[m orig + i - width] k_j[i] (zero outside the input: torchaudio
 *   pads `width` zeros before and `width + orig` after and runs a strided conv1d);
 * - the output keeps `ceil(new * length / orig)` samples.
 * Differences: sums accumulate in float64 (torchaudio's conv1d in float32), and each phase keeps only its taps with
 * |t| < lowpassFilterWidth (the clamped ones are below 1e-30), so a phase costs about
 * 2 x width taps instead of 2 x width + orig: this is the polyphase form, computed once per rate pair.
 */
import { AudioError } from '../errors.js';

export interface ResampleOptions {
  /** Zero crossings of the sinc on each side (torchaudio `lowpass_filter_width`, default 6). */
  lowpassFilterWidth?: number;
  /** Cut-off as a fraction of the lower Nyquist frequency (torchaudio `rolloff`, default 0.99). */
  rolloff?: number;
}

/** A resampler for one rate pair, with its polyphase kernel computed once. */
export interface Resampler {
  readonly fromRate: number;
  readonly toRate: number;
  /** Output length for an input of `inputLength` samples: ceil(toRate * inputLength / fromRate). */
  outputLength(inputLength: number): number;
  /** Resamples a whole signal; always returns a new array. */
  process(input: Float32Array): Float32Array;
}

/** Kernel tables above this many taps (64 MiB) are refused: only absurd rate pairs get there. */
const MAX_KERNEL_TAPS = 16 * 1024 * 1024;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

function checkRate(rate: number, what: string): void {
  if (!Number.isSafeInteger(rate) || rate <= 0) {
    throw new AudioError(`${what} must be a positive integer number of Hz, got ${rate}`, { code: 'INVALID_SAMPLE_RATE' });
  }
}

export function createResampler(fromRate: number, toRate: number, options: ResampleOptions = {}): Resampler {
  checkRate(fromRate, 'source sample rate');
  checkRate(toRate, 'target sample rate');
  const { lowpassFilterWidth = 6, rolloff = 0.99 } = options;
  if (!Number.isInteger(lowpassFilterWidth) || lowpassFilterWidth <= 0) {
    throw new AudioError(`lowpassFilterWidth must be a positive integer, got ${lowpassFilterWidth}`, { code: 'INVALID_OPTION' });
  }
  if (!(rolloff > 0 && rolloff <= 1)) {
    throw new AudioError(`rolloff must be in (0, 1], got ${rolloff}`, { code: 'INVALID_OPTION' });
  }
  if (fromRate === toRate) {
    return { fromRate, toRate, outputLength: (n) => n, process: (input) => input.slice() };
  }
  const g = gcd(fromRate, toRate);
  const orig = fromRate / g;
  const phases = toRate / g;
  const kernel = buildPolyphaseKernel(orig, phases, lowpassFilterWidth, rolloff);
  const outputLength = (n: number) => Math.ceil((phases * n) / orig);
  return {
    fromRate,
    toRate,
    outputLength,
    process: (input) => applyPolyphase(input, orig, phases, kernel, outputLength(input.length)),
  };
}

interface PolyphaseKernel {
  /** Taps of every phase, back to back. */
  taps: Float32Array;
  /** Phase j's taps are taps[start[j] .. start[j + 1]). */
  start: Int32Array;
  /** Input offset (relative to m orig) of phase j's first tap: i_lo - width. */
  firstOffset: Int32Array;
}

function buildPolyphaseKernel(orig: number, phases: number, lowpassFilterWidth: number, rolloff: number): PolyphaseKernel {
  const base = Math.min(orig, phases) * rolloff;
  const width = Math.ceil((lowpassFilterWidth * orig) / base);
  const fullLength = 2 * width + orig;
  const reach = (lowpassFilterWidth / base) * orig; // |i - width - orig j / new| below this has |t| < width
  const approxTaps = phases * (Math.ceil(2 * reach) + 3);
  if (approxTaps > MAX_KERNEL_TAPS) {
    throw new AudioError(
      `resampling ${orig}:${phases} (after gcd reduction) needs a ${approxTaps}-tap kernel table; pick rates with a larger common divisor`,
      { code: 'UNSUPPORTED_RATE_PAIR' },
    );
  }
  const taps = new Float32Array(approxTaps);
  const start = new Int32Array(phases + 1);
  const firstOffset = new Int32Array(phases);
  // Every step is rounded to float32 in torchaudio's order, because torchaudio builds the kernel
  // in the waveform's dtype: with a large reduced rate (12345 -> 16000 is 2469:3200) its float32
  // time grid is off by up to ~1e-4 of a sample, which moves the output by up to ~1e-4 too.
  const f = Math.fround;
  const baseF = f(base);
  const piF = f(Math.PI);
  const scaleF = f(base / orig);
  let used = 0;
  for (let j = 0; j < phases; j++) {
    const centre = width + (orig * j) / phases;
    const lo = Math.max(0, Math.floor(centre - reach));
    const hi = Math.min(fullLength - 1, Math.ceil(centre + reach));
    const phaseTime = f(-j / phases);
    start[j] = used;
    firstOffset[j] = lo - width;
    for (let i = lo; i <= hi; i++) {
      let t = f(f(phaseTime + f((i - width) / orig)) * baseF);
      t = Math.min(lowpassFilterWidth, Math.max(-lowpassFilterWidth, t));
      const window = f(f(Math.cos(f(f(f(t * piF) / lowpassFilterWidth) / 2))) ** 2);
      const x = f(t * piF);
      const sinc = x === 0 ? 1 : f(f(Math.sin(x)) / x);
      taps[used++] = sinc * f(window * scaleF);
    }
  }
  start[phases] = used;
  return { taps, start, firstOffset };
}

function applyPolyphase(input: Float32Array, orig: number, phases: number, kernel: PolyphaseKernel, outLength: number): Float32Array {
  const out = new Float32Array(outLength);
  const { taps, start, firstOffset } = kernel;
  const n = input.length;
  for (let m = 0, o = 0; o < outLength; m++) {
    for (let j = 0; j < phases && o < outLength; j++, o++) {
      const first = m * orig + firstOffset[j];
      const k0 = start[j];
      const count = start[j + 1] - k0;
      let sum = 0;
      if (first >= 0 && first + count <= n) {
        // Four partial sums: the additions no longer wait on each other (about 3x faster).
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        let k = 0;
        for (; k + 3 < count; k += 4) {
          sum += input[first + k] * taps[k0 + k];
          s1 += input[first + k + 1] * taps[k0 + k + 1];
          s2 += input[first + k + 2] * taps[k0 + k + 2];
          s3 += input[first + k + 3] * taps[k0 + k + 3];
        }
        for (; k < count; k++) sum += input[first + k] * taps[k0 + k];
        sum += s1 + s2 + s3;
      } else {
        // Near the edges: the input is zero outside [0, n).
        const kFrom = Math.max(0, -first);
        const kTo = Math.min(count, n - first);
        for (let k = kFrom; k < kTo; k++) sum += input[first + k] * taps[k0 + k];
      }
      out[o] = sum;
    }
  }
  return out;
}

const cache = new Map<string, Resampler>();
const CACHE_SIZE = 8;

/**
 * Resamples `samples` from `fromRate` to `toRate` Hz like `torchaudio.functional.resample` with
 * the same options. Rates must be positive integers. Resamplers for recent rate pairs are cached.
 * Returns a new array (a copy when the rates are equal).
 */
export function resample(samples: Float32Array, fromRate: number, toRate: number, options: ResampleOptions = {}): Float32Array {
  const key = `${fromRate}:${toRate}:${options.lowpassFilterWidth ?? 6}:${options.rolloff ?? 0.99}`;
  let resampler = cache.get(key);
  if (!resampler) {
    resampler = createResampler(fromRate, toRate, options);
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    cache.set(key, resampler);
  }
  return resampler.process(samples);
}
