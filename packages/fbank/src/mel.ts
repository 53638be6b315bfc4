/**
 * The Kaldi mel filterbank (torchaudio get_mel_banks): triangles linear in the mel scale
 * 1127·ln(1 + f/700) between lowFreq and highFreq, over the FFT bins 0 .. paddedWindowSize/2 − 1
 * (the Nyquist bin never contributes), peak <= 1, no area normalisation; optional VTLN warping.
 * Computed in float64 and stored sparsely: each mel bin keeps the contiguous run of FFT bins
 * where its weight is non-zero.
 */
import { resolveFbankOptions } from './options.js';
import type { FbankOptions, FbankPresetName } from './options.js';

export function melScale(freq: number): number {
  return 1127 * Math.log(1 + freq / 700);
}

export function inverseMelScale(mel: number): number {
  return 700 * (Math.exp(mel / 1127) - 1);
}

/**
 * Kaldi's piecewise linear VTLN warp of a frequency in Hz: identity outside [lowFreq, highFreq],
 * f / factor between the inflection points, linear pieces joining them to the ends.
 */
export function vtlnWarpFreq(
  vtlnLowCutoff: number,
  vtlnHighCutoff: number,
  lowFreq: number,
  highFreq: number,
  vtlnWarpFactor: number,
  freq: number,
): number {
  if (freq < lowFreq || freq > highFreq) return freq;
  const l = vtlnLowCutoff * Math.max(1, vtlnWarpFactor);
  const h = vtlnHighCutoff * Math.min(1, vtlnWarpFactor);
  const scale = 1 / vtlnWarpFactor;
  if (freq < l) return lowFreq + ((scale * l - lowFreq) / (l - lowFreq)) * (freq - lowFreq);
  if (freq < h) return scale * freq;
  return highFreq + ((highFreq - scale * h) / (highFreq - h)) * (freq - highFreq);
}

/** The VTLN warp applied to a mel value (through Hz and back). */
export function vtlnWarpMelFreq(
  vtlnLowCutoff: number,
  vtlnHighCutoff: number,
  lowFreq: number,
  highFreq: number,
  vtlnWarpFactor: number,
  melFreq: number,
): number {
  return melScale(vtlnWarpFreq(vtlnLowCutoff, vtlnHighCutoff, lowFreq, highFreq, vtlnWarpFactor, inverseMelScale(melFreq)));
}

export interface MelBank {
  readonly numBins: number;
  /** paddedWindowSize / 2: the FFT bins 0 .. numFftBins − 1 the triangles are defined on. */
  readonly numFftBins: number;
  /** Centre frequency of each triangle in Hz. */
  readonly centerFrequencies: Float64Array;
  /** First FFT bin of mel bin b's non-zero run. */
  readonly firstFftBin: Int32Array;
  /** Mel bin b's weights are `weights[offsets[b] .. offsets[b + 1])`, for FFT bins firstFftBin[b], firstFftBin[b] + 1, ... */
  readonly offsets: Int32Array;
  readonly weights: Float64Array;
}

/** What the bank depends on (a subset of the resolved options). */
export interface MelBankParameters {
  numMelBins: number;
  paddedWindowSize: number;
  sampleFrequency: number;
  lowFreq: number;
  highFreq: number;
  vtlnLow: number;
  vtlnHigh: number;
  vtlnWarp: number;
}

/** Builds the bank from already validated parameters. */
export function buildMelBank(p: MelBankParameters): MelBank {
  const numBins = p.numMelBins;
  const numFftBins = p.paddedWindowSize / 2;
  const nyquist = 0.5 * p.sampleFrequency;
  const highFreq = p.highFreq <= 0 ? p.highFreq + nyquist : p.highFreq;
  const vtlnHigh = p.vtlnHigh < 0 ? p.vtlnHigh + nyquist : p.vtlnHigh;
  const fftBinWidth = p.sampleFrequency / p.paddedWindowSize;
  const melLow = melScale(p.lowFreq);
  const melDelta = (melScale(highFreq) - melLow) / (numBins + 1);
  const warped = p.vtlnWarp !== 1;
  const warp = (mel: number) => (warped ? vtlnWarpMelFreq(p.vtlnLow, vtlnHigh, p.lowFreq, highFreq, p.vtlnWarp, mel) : mel);

  const fftMel = new Float64Array(numFftBins);
  for (let k = 0; k < numFftBins; k++) fftMel[k] = melScale(fftBinWidth * k);

  const centerFrequencies = new Float64Array(numBins);
  const firstFftBin = new Int32Array(numBins);
  const offsets = new Int32Array(numBins + 1);
  const runs: number[] = [];
  const row = new Float64Array(numFftBins);
  for (let b = 0; b < numBins; b++) {
    const left = warp(melLow + b * melDelta);
    const center = warp(melLow + (b + 1) * melDelta);
    const right = warp(melLow + (b + 2) * melDelta);
    centerFrequencies[b] = inverseMelScale(center);
    let first = -1;
    let last = -1;
    for (let k = 0; k < numFftBins; k++) {
      const mel = fftMel[k];
      const up = (mel - left) / (center - left);
      const down = (right - mel) / (right - center);
      let w: number;
      if (!warped) w = Math.max(0, Math.min(up, down));
      else w = mel > left && mel <= center ? up : mel > center && mel < right ? down : 0;
      row[k] = w;
      if (w !== 0) {
        if (first < 0) first = k;
        last = k;
      }
    }
    firstFftBin[b] = Math.max(first, 0);
    for (let k = first; first >= 0 && k <= last; k++) runs.push(row[k]);
    offsets[b + 1] = runs.length;
  }
  return { numBins, numFftBins, centerFrequencies, firstFftBin, offsets, weights: Float64Array.from(runs) };
}

/** The mel bank for the given options or preset (validated like `fbank` validates them). */
export function melBanks(options?: FbankOptions | FbankPresetName): MelBank {
  return buildMelBank(resolveFbankOptions(options));
}

/** The bank as a dense row-major [numBins, numFftBins] matrix, like torchaudio's get_mel_banks. */
export function denseMelBank(bank: MelBank): Float64Array {
  const dense = new Float64Array(bank.numBins * bank.numFftBins);
  for (let b = 0; b < bank.numBins; b++) {
    for (let i = bank.offsets[b]; i < bank.offsets[b + 1]; i++) {
      dense[b * bank.numFftBins + bank.firstFftBin[b] + (i - bank.offsets[b])] = bank.weights[i];
    }
  }
  return dense;
}
