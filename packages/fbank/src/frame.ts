/**
 * The per-frame kernel shared by the batch and the streaming paths, so both give the same bits:
 * load one frame of scaled samples, then dither, DC removal, (raw) energy, pre-emphasis, window,
 * zero padding, power (or magnitude) spectrum, mel bank, log — torchaudio's order of steps.
 * Everything runs in float64 on reused buffers; only the output row is float32.
 */
import { buildMelBank } from './mel.js';
import type { ResolvedFbankOptions } from './options.js';
import { gaussianSource } from './random.js';
import type { GaussianSource } from './random.js';
import { RealPowerSpectrum } from './spectrum.js';
import { featureWindow } from './window.js';
import { reflectIndex } from './frames.js';

/** float32 machine epsilon: the floor of energies before the log (torchaudio's EPSILON). */
export const ENERGY_EPSILON = 1.1920928955078125e-7;

export type SampleArray = Float32Array | Float64Array;

export class FrameComputer {
  private readonly o: ResolvedFbankOptions;
  private readonly frame: Float64Array;
  private readonly window: Float64Array;
  private readonly spectrum: RealPowerSpectrum;
  private readonly power: Float64Array;
  private readonly melFirst: Int32Array;
  private readonly melOffsets: Int32Array;
  private readonly melWeights: Float64Array;
  private readonly spectrumFrom: number;
  private readonly spectrumTo: number;
  private readonly noise: GaussianSource | null;
  private readonly logEnergyFloor: number;

  constructor(options: ResolvedFbankOptions) {
    this.o = options;
    this.frame = new Float64Array(options.windowSize);
    this.window = featureWindow(options.windowType, options.windowSize, options.blackmanCoeff);
    this.spectrum = new RealPowerSpectrum(options.paddedWindowSize);
    this.power = new Float64Array(options.paddedWindowSize / 2 + 1);
    const bank = buildMelBank(options);
    this.melFirst = bank.firstFftBin;
    this.melOffsets = bank.offsets;
    // The spectrum comes as 4·power (2·magnitude); scaling the weights by a power of two is exact.
    const scale = options.usePower ? 0.25 : 0.5;
    this.melWeights = bank.weights.map((w) => w * scale);
    let from = bank.numFftBins;
    let to = 0;
    for (let b = 0; b < bank.numBins; b++) {
      if (bank.offsets[b + 1] > bank.offsets[b]) {
        from = Math.min(from, bank.firstFftBin[b]);
        to = Math.max(to, bank.firstFftBin[b] + bank.offsets[b + 1] - bank.offsets[b]);
      }
    }
    this.spectrumFrom = Math.min(from, to);
    this.spectrumTo = to;
    this.noise = options.dither !== 0 ? gaussianSource(options.ditherSeed) : null;
    this.logEnergyFloor = options.energyFloor !== 0 ? Math.log(options.energyFloor) : -Infinity;
  }

  /** Loads samples source[start .. start + windowSize) (all inside the array). */
  load(source: SampleArray, start: number): void {
    const { frame } = this;
    const scale = this.o.inputScale;
    for (let j = 0; j < frame.length; j++) frame[j] = source[start + j] * scale;
  }

  /**
   * Loads the frame that starts at sample `firstSample` of an input of `numSamples` samples, with
   * Kaldi's reflection outside [0, numSamples). Sample s is read from source[s − sourceBase].
   */
  loadReflected(source: SampleArray, sourceBase: number, firstSample: number, numSamples: number): void {
    const { frame } = this;
    const scale = this.o.inputScale;
    for (let j = 0; j < frame.length; j++) frame[j] = source[reflectIndex(firstSample + j, numSamples) - sourceBase] * scale;
  }

  /** Computes the loaded frame's features into out[offset .. offset + numBins). */
  compute(out: Float32Array, offset: number): void {
    const o = this.o;
    const frame = this.frame;
    const size = frame.length;
    if (this.noise !== null) {
      for (let j = 0; j < size; j++) frame[j] += o.dither * this.noise.next();
    }
    let mean = 0;
    if (o.removeDcOffset) {
      let sum = 0;
      for (let j = 0; j < size; j++) sum += frame[j];
      mean = sum / size;
    }
    // DC removal, raw energy, pre-emphasis (first sample against itself) and window in one pass.
    const fftIn = this.spectrum.input;
    const win = this.window;
    const p = o.preemphasisCoefficient;
    let prev = frame[0] - mean;
    let rawEnergy = prev * prev;
    fftIn[0] = (prev - p * prev) * win[0];
    for (let j = 1; j < size; j++) {
      const d = frame[j] - mean;
      rawEnergy += d * d;
      fftIn[j] = (d - p * prev) * win[j];
      prev = d;
    }
    let logEnergy = 0;
    if (o.useEnergy) {
      let energy = rawEnergy;
      if (!o.rawEnergy) {
        energy = 0;
        for (let j = 0; j < size; j++) energy += fftIn[j] * fftIn[j];
      }
      logEnergy = Math.max(Math.log(Math.max(energy, ENERGY_EPSILON)), this.logEnergyFloor);
    }

    const power = this.power;
    const from = this.spectrumFrom;
    const to = this.spectrumTo;
    this.spectrum.quadruplePower(power, from, to);
    if (!o.usePower) for (let k = from; k < to; k++) power[k] = Math.sqrt(power[k]);

    let melOut = offset;
    if (o.useEnergy) {
      if (o.htkCompat) out[offset + o.numMelBins] = logEnergy;
      else out[melOut++] = logEnergy;
    }
    const first = this.melFirst;
    const offsets = this.melOffsets;
    const weights = this.melWeights;
    const useLog = o.useLogFbank;
    for (let b = 0; b < first.length; b++) {
      let e = 0;
      const end = offsets[b + 1];
      for (let i = offsets[b], k = first[b]; i < end; i++, k++) e += weights[i] * power[k];
      out[melOut + b] = useLog ? Math.log(e > ENERGY_EPSILON ? e : ENERGY_EPSILON) : e;
    }
  }
}
