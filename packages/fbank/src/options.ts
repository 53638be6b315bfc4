/**
 * Options of the filterbank: torchaudio.compliance.kaldi.fbank's keyword arguments in camelCase, with
 * the same defaults (which are Kaldi's), plus `ditherSeed` and `inputScale`. Flat rather than nested:
 * see docs/decisions/fb-01-fbank-options-and-streaming.md.
 */
import { fail } from './errors.js';
import { isWindowType, WINDOW_TYPES } from './window.js';
import type { WindowType } from './window.js';

export interface FbankOptions {
  /** Sample rate of the input in Hz. Default 16000. */
  sampleFrequency?: number;
  /** Frame length in milliseconds. Default 25. */
  frameLength?: number;
  /** Frame shift in milliseconds. Default 10. */
  frameShift?: number;
  /** Standard deviation of Gaussian noise added to every sample of every frame (after scaling). Default 0 (off). */
  dither?: number;
  /** Seed of the dither noise; the same seed gives the same noise in batch and streaming. Default 0. */
  ditherSeed?: number;
  /** Pre-emphasis coefficient in [0, 1], applied per frame. Default 0.97. */
  preemphasisCoefficient?: number;
  /** Subtract each frame's mean before pre-emphasis. Default true. */
  removeDcOffset?: boolean;
  /** Window function. Default 'povey' (Kaldi's default; WeSpeaker uses 'hamming'). */
  windowType?: WindowType;
  /** Constant coefficient of the generalised Blackman window. Default 0.42. */
  blackmanCoeff?: number;
  /** Zero-pad each frame to the next power of two for the FFT. Default true. */
  roundToPowerOfTwo?: boolean;
  /** Only frames that fit completely in the input (true), or frames every shift with the edges reflected (false). Default true. */
  snipEdges?: boolean;
  /** Number of triangular mel bins. Default 23. */
  numMelBins?: number;
  /** Low cut-off of the mel bins in Hz. Default 20. */
  lowFreq?: number;
  /** High cut-off of the mel bins in Hz; a value <= 0 is an offset from the Nyquist frequency. Default 0 (Nyquist). */
  highFreq?: number;
  /** Low inflection point of the piecewise linear VTLN warp, in Hz. Default 100. */
  vtlnLow?: number;
  /** High inflection point of the VTLN warp in Hz; a negative value is an offset from Nyquist. Default -500. */
  vtlnHigh?: number;
  /** VTLN warp factor; 1 means no warping. Default 1. */
  vtlnWarp?: number;
  /** Add the log energy as an extra column (first, or last with htkCompat). Default false. */
  useEnergy?: boolean;
  /** Floor of the energy (absolute, not log); 0 means no floor. Default 1. */
  energyFloor?: number;
  /** Measure the energy before pre-emphasis and windowing. Default true. */
  rawEnergy?: boolean;
  /** Put the energy column last instead of first. Default false. */
  htkCompat?: boolean;
  /** Natural log of the mel energies (floored at float32 epsilon); false gives linear energies. Default true. */
  useLogFbank?: boolean;
  /** Power spectrum (true) or magnitude spectrum (false). Default true. */
  usePower?: boolean;
  /** Subtract the mean of every column over the frames of the input (batch only). Default false. */
  subtractMean?: boolean;
  /** Inputs shorter than this many seconds give zero frames instead of features (batch only). Default 0. */
  minDuration?: number;
  /** Factor applied to every sample first; the wespeaker preset uses 32768 for samples in [-1, 1]. Default 1. */
  inputScale?: number;
}

/** Every option with its value, plus the sizes in samples derived from them. */
export interface ResolvedFbankOptions extends Readonly<Required<FbankOptions>> {
  /** Samples per frame: trunc(sampleFrequency * frameLength / 1000). */
  readonly windowSize: number;
  /** Samples between frame starts: trunc(sampleFrequency * frameShift / 1000). */
  readonly windowShift: number;
  /** FFT size: windowSize, or the next power of two with roundToPowerOfTwo. */
  readonly paddedWindowSize: number;
  /** Columns of the output: numMelBins, plus one with useEnergy. */
  readonly numBins: number;
}

/** torchaudio's (and Kaldi's) defaults, except dither: torchaudio's 0 rather than Kaldi's binary's 1. */
export const FBANK_DEFAULTS: Readonly<Required<FbankOptions>> = Object.freeze({
  sampleFrequency: 16000,
  frameLength: 25,
  frameShift: 10,
  dither: 0,
  ditherSeed: 0,
  preemphasisCoefficient: 0.97,
  removeDcOffset: true,
  windowType: 'povey',
  blackmanCoeff: 0.42,
  roundToPowerOfTwo: true,
  snipEdges: true,
  numMelBins: 23,
  lowFreq: 20,
  highFreq: 0,
  vtlnLow: 100,
  vtlnHigh: -500,
  vtlnWarp: 1,
  useEnergy: false,
  energyFloor: 1,
  rawEnergy: true,
  htkCompat: false,
  useLogFbank: true,
  usePower: true,
  subtractMean: false,
  minDuration: 0,
  inputScale: 1,
});

/**
 * The front end of WeSpeaker ResNet34-LM as pyannote calls it (model-spec §3.2): samples in [-1, 1]
 * scaled by 32768, 16 kHz, 25/10 ms, Hamming, 80 bins, dither 0, snip edges, no energy.
 * Apply `applyCmn` to the result for the network input.
 */
export const WESPEAKER_PRESET: Readonly<FbankOptions> = Object.freeze({
  sampleFrequency: 16000,
  frameLength: 25,
  frameShift: 10,
  numMelBins: 80,
  windowType: 'hamming',
  dither: 0,
  snipEdges: true,
  roundToPowerOfTwo: true,
  useEnergy: false,
  inputScale: 32768,
});

export const FBANK_PRESETS = Object.freeze({ wespeaker: WESPEAKER_PRESET });
export type FbankPresetName = keyof typeof FBANK_PRESETS;

const BOOLEAN_OPTIONS = ['removeDcOffset', 'roundToPowerOfTwo', 'snipEdges', 'useEnergy', 'rawEnergy', 'htkCompat', 'useLogFbank', 'usePower', 'subtractMean'] as const;

/** Smallest power of two >= n (torchaudio's _next_power_of_2). */
export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * Fills in the defaults, checks every value and derives the sizes in samples. Throws `FbankError`
 * (`UNKNOWN_OPTION`, `INVALID_OPTION`, `UNKNOWN_WINDOW`) naming the option and the accepted range.
 */
export function resolveFbankOptions(options?: FbankOptions | FbankPresetName): ResolvedFbankOptions {
  const given = presetOrOptions(options);
  for (const key of Object.keys(given)) {
    if (!(key in FBANK_DEFAULTS)) {
      const hint = key === 'numBins' ? ' (did you mean numMelBins?)' : key === 'sampleRate' ? ' (did you mean sampleFrequency?)' : '';
      fail('UNKNOWN_OPTION', `unknown fbank option "${key}"${hint}; known options: ${Object.keys(FBANK_DEFAULTS).join(', ')}`);
    }
  }
  const o: Required<FbankOptions> = { ...FBANK_DEFAULTS };
  for (const [key, value] of Object.entries(given)) {
    if (value !== undefined) (o as Record<string, unknown>)[key] = value;
  }
  for (const key of BOOLEAN_OPTIONS) {
    if (typeof o[key] !== 'boolean') fail('INVALID_OPTION', `${key} must be a boolean, got ${describe(o[key])}`);
  }
  if (!isWindowType(o.windowType)) {
    fail('UNKNOWN_WINDOW', `unknown windowType ${describe(o.windowType)}; use one of ${WINDOW_TYPES.join(', ')}`);
  }

  requireNumber(o, 'sampleFrequency', (v) => v > 0, 'must be > 0');
  requireNumber(o, 'frameLength', (v) => v > 0, 'must be > 0 (milliseconds)');
  requireNumber(o, 'frameShift', (v) => v > 0, 'must be > 0 (milliseconds)');
  requireNumber(o, 'dither', (v) => v >= 0, 'must be >= 0');
  requireNumber(o, 'ditherSeed', (v) => Number.isInteger(v), 'must be an integer');
  requireNumber(o, 'preemphasisCoefficient', (v) => v >= 0 && v <= 1, 'must be in [0, 1]');
  requireNumber(o, 'blackmanCoeff', () => true, '');
  requireNumber(o, 'numMelBins', (v) => Number.isInteger(v) && v > 3, 'must be an integer > 3');
  requireNumber(o, 'lowFreq', () => true, '');
  requireNumber(o, 'highFreq', () => true, '');
  requireNumber(o, 'vtlnLow', () => true, '');
  requireNumber(o, 'vtlnHigh', () => true, '');
  requireNumber(o, 'vtlnWarp', (v) => v > 0, 'must be > 0');
  requireNumber(o, 'energyFloor', (v) => v >= 0, 'must be >= 0 (0 means no floor)');
  requireNumber(o, 'minDuration', (v) => v >= 0, 'must be >= 0 (seconds)');
  requireNumber(o, 'inputScale', (v) => v !== 0 && Math.abs(v) <= 1e15, 'must be non-zero and at most 1e15 in magnitude');

  // Same expressions as torchaudio (the product is truncated, not rounded).
  const windowShift = Math.trunc(o.sampleFrequency * o.frameShift * 0.001);
  const windowSize = Math.trunc(o.sampleFrequency * o.frameLength * 0.001);
  if (windowShift < 1) {
    fail('INVALID_OPTION', `frameShift ${o.frameShift} ms at ${o.sampleFrequency} Hz is ${windowShift} samples; the shift must be at least one sample`);
  }
  if (windowSize < 2) {
    fail('INVALID_OPTION', `frameLength ${o.frameLength} ms at ${o.sampleFrequency} Hz is ${windowSize} samples; a frame needs at least 2`);
  }
  const paddedWindowSize = o.roundToPowerOfTwo ? nextPowerOfTwo(windowSize) : windowSize;
  if (paddedWindowSize % 2 !== 0) {
    fail('INVALID_OPTION', `frameLength gives an odd frame of ${windowSize} samples; the FFT size must be even: set roundToPowerOfTwo or change frameLength`);
  }
  const numFftBins = paddedWindowSize / 2;
  if (o.numMelBins > numFftBins) {
    fail('INVALID_OPTION', `numMelBins ${o.numMelBins} is more than the ${numFftBins} FFT bins of a ${paddedWindowSize}-point FFT; use fewer bins or longer frames`);
  }

  const nyquist = 0.5 * o.sampleFrequency;
  const highFreq = o.highFreq <= 0 ? o.highFreq + nyquist : o.highFreq;
  if (!(o.lowFreq >= 0 && o.lowFreq < nyquist)) {
    fail('INVALID_OPTION', `lowFreq ${o.lowFreq} Hz must be in [0, ${nyquist}) (Nyquist of ${o.sampleFrequency} Hz)`);
  }
  if (!(highFreq > 0 && highFreq <= nyquist)) {
    fail('INVALID_OPTION', `highFreq ${o.highFreq} Hz gives ${highFreq} Hz, which must be in (0, ${nyquist}] (values <= 0 are offsets from Nyquist)`);
  }
  if (!(o.lowFreq < highFreq)) {
    fail('INVALID_OPTION', `highFreq (${highFreq} Hz) must be above lowFreq (${o.lowFreq} Hz)`);
  }
  if (o.vtlnWarp !== 1) {
    const vtlnHigh = o.vtlnHigh < 0 ? o.vtlnHigh + nyquist : o.vtlnHigh;
    if (!(o.lowFreq < o.vtlnLow && o.vtlnLow < highFreq && vtlnHigh > 0 && vtlnHigh < highFreq && o.vtlnLow < vtlnHigh)) {
      fail(
        'INVALID_OPTION',
        `VTLN cut-offs must satisfy lowFreq < vtlnLow < vtlnHigh < highFreq; got vtlnLow ${o.vtlnLow}, vtlnHigh ${o.vtlnHigh} (${vtlnHigh} Hz), lowFreq ${o.lowFreq}, highFreq ${highFreq}`,
      );
    }
  }
  const numBins = o.numMelBins + (o.useEnergy ? 1 : 0);
  return Object.freeze({ ...o, windowSize, windowShift, paddedWindowSize, numBins });
}

function presetOrOptions(options: FbankOptions | FbankPresetName | undefined): FbankOptions {
  if (options === undefined) return {};
  if (typeof options === 'string') {
    const preset = (FBANK_PRESETS as Record<string, FbankOptions>)[options];
    if (!preset) fail('INVALID_OPTION', `unknown preset "${options}"; presets: ${Object.keys(FBANK_PRESETS).join(', ')}`);
    return preset;
  }
  if (typeof options !== 'object' || options === null) {
    fail('INVALID_OPTION', `options must be an object or a preset name, got ${describe(options)}`);
  }
  return options;
}

type NumericKey = { [K in keyof FbankOptions]-?: Required<FbankOptions>[K] extends number ? K : never }[keyof FbankOptions];

function requireNumber(o: Required<FbankOptions>, key: NumericKey, ok: (v: number) => boolean, rule: string): void {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) fail('INVALID_OPTION', `${key} must be a finite number, got ${describe(v)}`);
  if (!ok(v)) fail('INVALID_OPTION', `${key} ${rule}, got ${v}`);
}

function describe(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}
