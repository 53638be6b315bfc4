import { fail } from './errors.js';
import type { FbankResult } from './fbank.js';

/**
 * Subtracts from every column its mean over the rows (float64 sums), in place. The shared core of
 * `applyCmn` and of the `subtractMean` option. Four rows per step: each column sum or mean is read
 * and written once per four values instead of once per value.
 */
export function subtractColumnMeans(data: Float32Array, rows: number, cols: number): void {
  if (rows === 0) return;
  const mean = new Float64Array(cols);
  const quad = rows - (rows % 4);
  for (let r = 0; r < quad; r += 4) {
    for (let c = 0, i = r * cols; c < cols; c++, i++) mean[c] += data[i] + data[i + cols] + (data[i + 2 * cols] + data[i + 3 * cols]);
  }
  for (let r = quad; r < rows; r++) for (let c = 0, i = r * cols; c < cols; c++, i++) mean[c] += data[i];
  for (let c = 0; c < cols; c++) mean[c] /= rows;
  for (let r = 0; r < quad; r += 4) {
    for (let c = 0, i = r * cols; c < cols; c++, i++) {
      const m = mean[c];
      data[i] -= m;
      data[i + cols] -= m;
      data[i + 2 * cols] -= m;
      data[i + 3 * cols] -= m;
    }
  }
  for (let r = quad; r < rows; r++) for (let c = 0, i = r * cols; c < cols; c++, i++) data[i] -= mean[c];
}

export interface CmnOptions {
  /** Overwrite `result.data` instead of returning a new array. Default false. */
  inPlace?: boolean;
}

/**
 * Cepstral mean normalisation as WeSpeaker and pyannote apply it: subtract from each bin its mean
 * over all frames of the utterance (no variance normalisation). Returns a new result unless
 * `inPlace`. With `useEnergy` the energy column is centred too.
 */
export function applyCmn(result: FbankResult, options: CmnOptions = {}): FbankResult {
  const { data, numFrames, numBins } = result ?? ({} as FbankResult);
  if (!(data instanceof Float32Array) || !Number.isInteger(numFrames) || !Number.isInteger(numBins) || numFrames < 0 || numBins < 1) {
    fail('INVALID_RESULT', 'applyCmn expects { data: Float32Array, numFrames, numBins } as returned by fbank');
  }
  if (data.length !== numFrames * numBins) {
    fail('INVALID_RESULT', `data has ${data.length} values but numFrames × numBins = ${numFrames} × ${numBins} = ${numFrames * numBins}`);
  }
  const out = options.inPlace ? data : data.slice();
  subtractColumnMeans(out, numFrames, numBins);
  return options.inPlace ? result : { data: out, numFrames, numBins };
}
