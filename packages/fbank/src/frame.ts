/**
 * The per-frame kernel shared by the batch and the streaming paths, so both give the same bits:
 * one frame of scaled samples, then dither, DC removal, (raw) energy, pre-emphasis, window,
 * zero padding, power (or magnitude) spectrum, mel bank, log — torchaudio's order of steps.
 * Everything runs in float64 on reused buffers; only the output row is float32. The stages live in
 * their own modules: frame-input (mean, DC, pre-emphasis, window), fft, spectrum (split, power,
 * mel weighting), log.
 */
import { reflectIndex } from './frames.js';
import { fftInputWriter, frameMean, sumOfSquares } from './frame-input.js';
import type { FftInputWriter, SampleArray } from './frame-input.js';
import { flooredLogWriter } from './log.js';
import type { FlooredLogWriter } from './log.js';
import { buildMelBank } from './mel.js';
import { melLayout } from './mel-layout.js';
import type { ResolvedFbankOptions } from './options.js';
import { gaussianSource } from './random.js';
import type { GaussianSource } from './random.js';
import { melSpectrum } from './spectrum.js';
import type { MelSpectrum } from './spectrum.js';
import { featureWindow } from './window.js';

/** float32 machine epsilon: the floor of energies before the log (torchaudio's EPSILON). */
export const ENERGY_EPSILON = 1.1920928955078125e-7;

/**
 * What depends only on the options: the stages of the kernel with their tables and buffers, wired
 * together (the FFT input the writer fills, the energies the log reads). Shared between computers
 * with equal options: a frame fills and consumes the buffers within one synchronous call. Each
 * plan's stages are closures (see fft.ts on why).
 */
interface FramePlan {
  writeFftInput: FftInputWriter;
  spectrum: MelSpectrum;
  /** The mel energies of the last frame (a view of the spectrum's, without its scratch slot). */
  energies: Float64Array;
  writeLogs: FlooredLogWriter;
}

const plans = new Map<string, FramePlan>();
const MAX_PLANS = 8;

function framePlan(o: ResolvedFbankOptions): FramePlan {
  const key = JSON.stringify([o.windowType, o.windowSize, o.blackmanCoeff, o.preemphasisCoefficient, o.paddedWindowSize, o.numMelBins, o.sampleFrequency, o.lowFreq, o.highFreq, o.vtlnLow, o.vtlnHigh, o.vtlnWarp, o.usePower]);
  const cached = plans.get(key);
  if (cached) return cached;
  // The spectrum comes as 2·X: weights × 1/4 for the power, × 1/2 for the magnitude (exact).
  const layout = melLayout(buildMelBank(o), o.usePower ? 0.25 : 0.5);
  const spectrum = melSpectrum(o.paddedWindowSize, layout, o.usePower);
  const energies = spectrum.energies.subarray(0, o.numMelBins);
  const plan: FramePlan = {
    writeFftInput: fftInputWriter(featureWindow(o.windowType, o.windowSize, o.blackmanCoeff), o.preemphasisCoefficient, spectrum),
    spectrum,
    energies,
    writeLogs: flooredLogWriter(energies, ENERGY_EPSILON),
  };
  if (plans.size >= MAX_PLANS) plans.delete(plans.keys().next().value as string);
  plans.set(key, plan);
  return plan;
}

export class FrameComputer {
  private readonly plan: FramePlan;
  private readonly frame: Float64Array;
  private readonly noise: GaussianSource | null;
  // Option values copied into fields: the hot loop reads plain numbers and booleans.
  private readonly inputScale: number;
  private readonly dither: number;
  private readonly removeDcOffset: boolean;
  private readonly useEnergy: boolean;
  private readonly rawEnergy: boolean;
  private readonly energyLast: boolean;
  private readonly logEnergyFloor: number;
  private readonly useLogFbank: boolean;
  private readonly numMelBins: number;

  constructor(o: ResolvedFbankOptions) {
    this.plan = framePlan(o);
    this.frame = new Float64Array(o.windowSize);
    this.noise = o.dither !== 0 ? gaussianSource(o.ditherSeed) : null;
    this.inputScale = o.inputScale;
    this.dither = o.dither;
    this.removeDcOffset = o.removeDcOffset;
    this.useEnergy = o.useEnergy;
    this.rawEnergy = o.rawEnergy;
    this.energyLast = o.htkCompat;
    this.logEnergyFloor = o.energyFloor !== 0 ? Math.log(o.energyFloor) : -Infinity;
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
    const plan = this.plan;
    const size = this.frame.length;
    const mean = this.removeDcOffset ? frameMean(source, start, size, scale) : 0;
    plan.writeFftInput(source, start, scale, mean);
    let melOut = offset;
    if (this.useEnergy) {
      const input = plan.spectrum.input;
      const energy = this.rawEnergy ? sumOfSquares(source, start, size, scale, mean) : sumOfSquares(input, 0, input.length, 1, 0);
      const logEnergy = Math.max(Math.log(Math.max(energy, ENERGY_EPSILON)), this.logEnergyFloor);
      if (this.energyLast) out[offset + this.numMelBins] = logEnergy;
      else out[melOut++] = logEnergy;
    }
    plan.spectrum.compute();
    if (this.useLogFbank) plan.writeLogs(out, melOut);
    else out.set(plan.energies, melOut);
  }
}
