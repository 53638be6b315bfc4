/**
 * `loadAudio`: anything a user may hold (a path, file bytes, or samples with their rate) to the
 * mono 16 kHz waveform the model expects, with the original rate kept and a warning when the
 * input had to be upsampled.
 */
import { AudioError } from '../errors.js';
import { decodeAudio } from './decode.js';
import type { AudioSource } from './decode.js';
import { mixToMono, nonFiniteSample } from './mixdown.js';
import { resample } from './resample.js';
import type { ResampleOptions } from './resample.js';
import type { AudioFormat } from './types.js';

/** Samples already in memory: mono, or one array per channel (mixed down by their mean). */
export interface RawAudio {
  samples: Float32Array | Float32Array[];
  /** Required: a wrong rate silently ruins embeddings, so it is never guessed. */
  sampleRate: number;
}

export interface LoadAudioOptions {
  /** Rate of the returned samples (default 16000, the model's). */
  targetRate?: number;
  /** Names the source in errors. */
  file?: string;
  /** Resampler settings (default: torchaudio's, as WeSpeaker uses). */
  resample?: ResampleOptions;
}

export interface LoadedAudio {
  /** Mono samples at `sampleRate`. */
  samples: Float32Array;
  /** The target rate. */
  sampleRate: number;
  /** The rate of the input before resampling. */
  originalSampleRate: number;
  channels: number;
  /** Container format, or `'raw'` for samples given in memory. */
  format: AudioFormat | 'raw';
  durationSec: number;
  /** True when the input rate was below the target rate. */
  upsampled: boolean;
  /** Decoder warnings plus the upsampling note; empty when none. */
  warnings: string[];
}

function isRawAudio(source: unknown): source is RawAudio {
  return typeof source === 'object' && source !== null && 'samples' in source && !(source instanceof Uint8Array);
}

export async function loadAudio(source: AudioSource | RawAudio, options: LoadAudioOptions = {}): Promise<LoadedAudio> {
  const { targetRate = 16000, file } = options;
  if (!Number.isSafeInteger(targetRate) || targetRate <= 0) {
    throw new AudioError(`targetRate must be a positive integer number of Hz, got ${targetRate}`, { code: 'INVALID_SAMPLE_RATE', file });
  }
  const decoded = isRawAudio(source) ? fromRaw(source, file) : await decodeAudio(source, { file });
  const upsampled = decoded.sampleRate < targetRate;
  const warnings = [...decoded.warnings];
  if (upsampled) {
    warnings.push(
      `audio was recorded at ${decoded.sampleRate} Hz and upsampled to ${targetRate} Hz; it has nothing above ${decoded.sampleRate / 2} Hz, so embeddings may be less reliable than for ${targetRate} Hz recordings`,
    );
  }
  const samples = resample(decoded.samples, decoded.sampleRate, targetRate, options.resample);
  return {
    samples,
    sampleRate: targetRate,
    originalSampleRate: decoded.sampleRate,
    channels: decoded.channels,
    format: decoded.format,
    durationSec: samples.length / targetRate,
    upsampled,
    warnings,
  };
}

function fromRaw(raw: RawAudio, file?: string) {
  const { sampleRate } = raw;
  if (!Number.isSafeInteger(sampleRate) || sampleRate <= 0) {
    throw new AudioError(`sampleRate must be given as a positive integer number of Hz, got ${sampleRate}`, { code: 'INVALID_SAMPLE_RATE', file });
  }
  const channels = Array.isArray(raw.samples) ? raw.samples : [raw.samples];
  if (channels.length === 0 || !channels.every((c) => c instanceof Float32Array)) {
    throw new AudioError('samples must be a Float32Array or a non-empty array of Float32Array channels', { code: 'INVALID_SOURCE', file });
  }
  let samples: Float32Array;
  if (channels.length === 1) {
    samples = channels[0];
    for (let i = 0; i < samples.length; i++) if (!Number.isFinite(samples[i])) throw nonFiniteSample(i, file);
  } else {
    samples = mixToMono(channels, file);
  }
  return { samples, sampleRate, channels: channels.length, format: 'raw' as const, warnings: [] as string[] };
}
