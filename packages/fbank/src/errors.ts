/**
 * The typed error of @wsp/fbank.
 *
 * @wsp/fbank must install alone, so it cannot import `WspError` from @wsp/weights. It implements the
 * same marker protocol instead (docs/decisions/0001): every error carries, under
 * `Symbol.for('@wsp/error')`, the chain of class names up to `WspError`, here
 * `['FbankError', 'WspError']`. So `WspError.isInstance(e)` from any @wsp package, and
 * `FbankError.isInstance(e)` from any copy of this one, recognise it without `instanceof`.
 */
const MARKER = Symbol.for('@wsp/error');
const CHAIN: readonly string[] = Object.freeze(['FbankError', 'WspError']);

/** Stable, machine-readable reasons. New codes may be added; existing ones keep their meaning. */
export type FbankErrorCode =
  /** The input has no samples. */
  | 'EMPTY_INPUT'
  /** The input is shorter than one frame (snipEdges true), or gives no frame at all. */
  | 'INPUT_TOO_SHORT'
  /** A sample is NaN or ±Infinity. */
  | 'NON_FINITE_INPUT'
  /** The samples are not a Float32Array or Float64Array. */
  | 'INVALID_INPUT'
  /** An option has a bad value (zero shift, high <= low frequency, too many bins, ...). */
  | 'INVALID_OPTION'
  /** An option name that does not exist (usually a typo). */
  | 'UNKNOWN_OPTION'
  /** A window type other than hamming, hanning, povey, rectangular, blackman. */
  | 'UNKNOWN_WINDOW'
  /** A frame index that was popped already or is not ready yet, or `pop(n)` beyond the ready frames. */
  | 'FRAME_OUT_OF_RANGE'
  /** An OnlineFbank call in the wrong state (e.g. `acceptWaveform` after `inputFinished`). */
  | 'INVALID_STATE'
  /** A result object whose `data` length is not `numFrames * numBins`. */
  | 'INVALID_RESULT';

export class FbankError extends Error {
  static readonly errorName = 'FbankError';
  readonly code: FbankErrorCode;
  /** Always undefined here (fbank reads no files); present so it has the same shape as `WspError`. */
  readonly file: string | undefined = undefined;

  constructor(code: FbankErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FbankError';
    this.code = code;
    Object.defineProperty(this, MARKER, { value: CHAIN, enumerable: false });
  }

  /** True when `value` is an FbankError, from any copy of @wsp/fbank. */
  static isInstance(value: unknown): value is FbankError {
    if (typeof value !== 'object' || value === null) return false;
    const chain = (value as Record<symbol, unknown>)[MARKER];
    return Array.isArray(chain) && chain.includes(FbankError.errorName);
  }
}

export function fail(code: FbankErrorCode, message: string): never {
  throw new FbankError(code, message);
}
