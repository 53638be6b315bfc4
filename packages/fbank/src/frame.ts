/**
 * The per-frame kernel shared by the batch and the streaming paths, so both give the same bits:
 * one frame of scaled samples, then dither, DC removal, (raw) energy, pre-emphasis, window,
 * zero padding, power (or magnitude) spectrum, mel bank, log — torchaudio's order of steps.
 * Everything runs in float64 on reused buffers; only the output row is float32.
 */
import { buildMelBank } from './mel.js';
import { addMelEnergies, melLayout } from './mel-layout.js';
import type { MelLayout } from './mel-layout.js';
import type { ResolvedFbankOptions } from './options.js';
import { gaussianSource } from './random.js';
import type { GaussianSource } from './random.js';
import { RealPowerSpectrum } from './spectrum.js';
import { featureWindow } from './window.js';
import { reflectIndex } from './frames.js';

/** float32 machine epsilon: the floor of energies before the log (torchaudio's EPSILON). */
export const ENERGY_EPSILON = 1.1920928955078125e-7;

export type SampleArray = Float32Array | Float64Array;

/**
 * What depends only on the options: window, mel layout, FFT tables. Shared between computers with
 * equal options (the spectrum's scratch buffer too: `compute` fills and consumes it within one
 * synchronous call).
 */
interface FramePlan {
  window: Float64Array;
  spectrum: RealPowerSpectrum;
  mel: MelLayout;
}

const plans = new Map<string, FramePlan>();
const MAX_PLANS = 8;

function framePlan(o: ResolvedFbankOptions): FramePlan {
  const key = JSON.stringify([o.windowType, o.windowSize, o.blackmanCoeff, o.paddedWindowSize, o.numMelBins, o.sampleFrequency, o.lowFreq, o.highFreq, o.vtlnLow, o.vtlnHigh, o.vtlnWarp, o.usePower]);
  const cached = plans.get(key);
  if (cached) return cached;
  const plan: FramePlan = {
    window: featureWindow(o.windowType, o.windowSize, o.blackmanCoeff),
    spectrum: new RealPowerSpectrum(o.paddedWindowSize),
    // The spectrum comes as 2·X: weights × 1/4 for the power, × 1/2 for the magnitude (exact).
    mel: melLayout(buildMelBank(o), o.usePower ? 0.25 : 0.5),
  };
  if (plans.size >= MAX_PLANS) plans.delete(plans.keys().next().value as string);
  plans.set(key, plan);
  return plan;
}

export class FrameComputer {
  private readonly plan: FramePlan;
  private readonly frame: Float64Array;
  /** Power (or magnitude) spectrum of one frame, bins 0 .. N/2. */
  private readonly spectrum: Float64Array;
  /** Mel energies of one frame, plus the scratch bin that unused slots point at. */
  private readonly energies: Float64Array;
  private readonly noise: GaussianSource | null;
  // Option values copied into fields: the hot loop reads plain numbers and booleans.
  private readonly inputScale: number;
  private readonly dither: number;
  private readonly removeDcOffset: boolean;
  private readonly preemphasis: number;
  private readonly useEnergy: boolean;
  private readonly rawEnergy: boolean;
  private readonly energyLast: boolean;
  private readonly logEnergyFloor: number;
  private readonly usePower: boolean;
  private readonly useLogFbank: boolean;
  private readonly numMelBins: number;

  constructor(o: ResolvedFbankOptions) {
    this.plan = framePlan(o);
    this.frame = new Float64Array(o.windowSize);
    this.spectrum = new Float64Array(o.paddedWindowSize / 2 + 1);
    this.energies = new Float64Array(o.numMelBins + 1);
    this.noise = o.dither !== 0 ? gaussianSource(o.ditherSeed) : null;
    this.inputScale = o.inputScale;
    this.dither = o.dither;
    this.removeDcOffset = o.removeDcOffset;
    this.preemphasis = o.preemphasisCoefficient;
    this.useEnergy = o.useEnergy;
    this.rawEnergy = o.rawEnergy;
    this.energyLast = o.htkCompat;
    this.logEnergyFloor = o.energyFloor !== 0 ? Math.log(o.energyFloor) : -Infinity;
    this.usePower = o.usePower;
    this.useLogFbank = o.useLogFbank;
    this.numMelBins = o.numMelBins;
  }

  /** Computes the frame of samples source[start .. start + windowSize) (all inside the array) into out[offset ..]. */
  computeAt(source: SampleArray, start: number, out: Float32Array, offset: number): void {
    if (this.noise === null) {
      this.process(source, start, this.inputScale, out, offset);
      return;
    }
    const frame = this.frame;
    for (let j = 0; j < frame.length; j++) frame[j] = source[start + j];
    this.processDithered(out, offset);
  }

  /**
   * Computes the frame that starts at sample `firstSample` of an input of `numSamples` samples,
   * with Kaldi's reflection outside [0, numSamples); sample s is read from source[s − sourceBase].
   */
  computeReflected(source: SampleArray, sourceBase: number, firstSample: number, numSamples: number, out: Float32Array, offset: number): void {
    const frame = this.frame;
    for (let j = 0; j < frame.length; j++) frame[j] = source[reflectIndex(firstSample + j, numSamples) - sourceBase];
    if (this.noise === null) this.process(frame, 0, this.inputScale, out, offset);
    else this.processDithered(out, offset);
  }

  /** Scales the samples copied into `this.frame` and adds the dither noise, then processes them. */
  private processDithered(out: Float32Array, offset: number): void {
    const frame = this.frame;
    const noise = this.noise as GaussianSource;
    for (let j = 0; j < frame.length; j++) frame[j] = frame[j] * this.inputScale + this.dither * noise.next();
    this.process(frame, 0, 1, out, offset);
  }

  /**
   * The kernel, from the samples source[start .. start + windowSize) times `scale`: the input
   * itself (so batch and streaming, which read equal values, do equal arithmetic) or `this.frame`.
   */
  private process(source: SampleArray, start: number, scale: number, out: Float32Array, offset: number): void {
    const size = this.frame.length;
    let mean = 0;
    if (this.removeDcOffset) {
      // Four partial sums break the add latency chain (the order is fixed, so results stay reproducible).
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let j = 0;
      for (; j + 3 < size; j += 4) {
        s0 += source[start + j] * scale;
        s1 += source[start + j + 1] * scale;
        s2 += source[start + j + 2] * scale;
        s3 += source[start + j + 3] * scale;
      }
      for (; j < size; j++) s0 += source[start + j] * scale;
      mean = (s0 + s1 + s2 + s3) / size;
    }
    // DC removal, pre-emphasis (the first sample against itself) and window in one pass, with the
    // raw energy when it is asked for. The zero padding of fftIn[size ..] is never written.
    const plan = this.plan;
    const fftIn = plan.spectrum.input;
    const win = plan.window;
    const p = this.preemphasis;
    let prev = source[start] * scale - mean;
    fftIn[0] = (prev - p * prev) * win[0];
    let energy = 0;
    if (this.useEnergy && this.rawEnergy) {
      energy = prev * prev;
      for (let j = 1; j < size; j++) {
        const d = source[start + j] * scale - mean;
        energy += d * d;
        fftIn[j] = (d - p * prev) * win[j];
        prev = d;
      }
    } else {
      for (let j = 1; j < size; j++) {
        const d = source[start + j] * scale - mean;
        fftIn[j] = (d - p * prev) * win[j];
        prev = d;
      }
    }

    let melOut = offset;
    if (this.useEnergy) {
      if (!this.rawEnergy) for (let j = 0; j < size; j++) energy += fftIn[j] * fftIn[j];
      const logEnergy = Math.max(Math.log(Math.max(energy, ENERGY_EPSILON)), this.logEnergyFloor);
      if (this.energyLast) out[offset + this.numMelBins] = logEnergy;
      else out[melOut++] = logEnergy;
    }

    const spectrum = this.spectrum;
    plan.spectrum.quadruplePower(spectrum);
    if (!this.usePower) for (let k = plan.mel.from; k < plan.mel.to; k++) spectrum[k] = Math.sqrt(spectrum[k]);
    const energies = this.energies;
    energies.fill(0);
    addMelEnergies(plan.mel, spectrum, energies);
    const bins = this.numMelBins;
    if (this.useLogFbank) {
      for (let b = 0; b < bins; b++) {
        const e = energies[b];
        out[melOut + b] = Math.log(e > ENERGY_EPSILON ? e : ENERGY_EPSILON);
      }
    } else {
      for (let b = 0; b < bins; b++) out[melOut + b] = energies[b];
    }
  }
}
