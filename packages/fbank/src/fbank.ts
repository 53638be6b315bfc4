import { subtractColumnMeans } from './cmn.js';
import { fail } from './errors.js';
import { FrameComputer } from './frame.js';
import { firstSampleOfFrame, numFrames as countFrames } from './frames.js';
import { checkSamples } from './input.js';
import { resolveFbankOptions } from './options.js';
import type { FbankOptions, FbankPresetName, ResolvedFbankOptions } from './options.js';

/** Features of an utterance: `data` is row-major [numFrames, numBins]. */
export interface FbankResult {
  data: Float32Array;
  numFrames: number;
  numBins: number;
}

/** The smallest input that gives one frame. */
export function minimumSamples(o: Pick<ResolvedFbankOptions, 'windowSize' | 'windowShift' | 'snipEdges'>): number {
  return o.snipEdges ? o.windowSize : o.windowShift - Math.floor(o.windowShift / 2);
}

/**
 * Log-mel filterbank features of a whole input, equal to torchaudio.compliance.kaldi.fbank with the
 * same options (samples are multiplied by `inputScale` first; the 'wespeaker' preset uses 32768 for
 * samples in [-1, 1]). Throws `FbankError` for empty, too short or non-finite input and bad options.
 */
export function fbank(samples: Float32Array | Float64Array, options?: FbankOptions | FbankPresetName): FbankResult {
  const o = resolveFbankOptions(options);
  checkSamples(samples, 'samples');
  const n = samples.length;
  if (n === 0) fail('EMPTY_INPUT', 'samples is empty; fbank needs at least one frame of audio');
  if (n < o.minDuration * o.sampleFrequency) return { data: new Float32Array(0), numFrames: 0, numBins: o.numBins };
  const frames = countFrames(n, o);
  if (frames === 0) {
    const need = minimumSamples(o);
    fail(
      'INPUT_TOO_SHORT',
      `samples has ${n} samples (${((1000 * n) / o.sampleFrequency).toFixed(2)} ms); one ${o.frameLength} ms frame at ${o.sampleFrequency} Hz needs at least ${need}` +
        (o.snipEdges ? ' (snipEdges true)' : ''),
    );
  }
  const dim = o.numBins;
  const data = new Float32Array(frames * dim);
  const computer = new FrameComputer(o);
  for (let m = 0; m < frames; m++) {
    const start = firstSampleOfFrame(m, o);
    if (start >= 0 && start + o.windowSize <= n) computer.computeAt(samples, start, data, m * dim);
    else computer.computeReflected(samples, 0, start, n, data, m * dim);
  }
  if (o.subtractMean) subtractColumnMeans(data, frames, dim);
  return { data, numFrames: frames, numBins: dim };
}
