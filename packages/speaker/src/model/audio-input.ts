/**
 * What the embedding API accepts as audio, and turning it into the model's input: mono 16 kHz
 * samples (decoded, mixed down and resampled by `loadAudio`).
 */
import { AudioError } from '../errors.js';
import { loadAudio } from '../audio/index.js';
import type { AudioSource } from '../audio/decode.js';
import type { LoadedAudio, RawAudio } from '../audio/index.js';

/**
 * Audio for the model: a file path, the bytes of a file (any format `decodeAudio` reads), samples
 * with their rate (`{ samples, sampleRate }`), or a bare `Float32Array` of mono samples together
 * with the `sampleRate` option. The rate is never guessed.
 */
export type AudioInput = AudioSource | RawAudio | Float32Array;

export interface AudioInputOptions {
  /** Rate of a bare `Float32Array` input (required for one; ignored otherwise). */
  sampleRate?: number;
  /** Names the input in errors (default: the path, when the input is one). */
  file?: string;
}

/** The model's sample rate. */
export const MODEL_SAMPLE_RATE = 16000;

/** A short label for an input in errors and progress reports. */
export function describeInput(input: AudioInput, index?: number): string {
  if (typeof input === 'string') return input;
  const what = input instanceof Float32Array ? 'samples' : input instanceof Uint8Array || input instanceof ArrayBuffer ? 'bytes' : 'samples';
  return index === undefined ? `<${what}>` : `<${what} #${index}>`;
}

/** Decodes / resamples any `AudioInput` to mono 16 kHz. */
export async function toModelAudio(input: AudioInput, options: AudioInputOptions = {}): Promise<LoadedAudio> {
  const file = options.file ?? (typeof input === 'string' ? input : undefined);
  if (input instanceof Float32Array) {
    if (options.sampleRate === undefined) {
      throw new AudioError('a bare Float32Array needs its sampleRate (pass { sampleRate } or { samples, sampleRate }); the rate is never guessed', {
        code: 'INVALID_SAMPLE_RATE',
        file,
      });
    }
    return loadAudio({ samples: input, sampleRate: options.sampleRate }, { file, targetRate: MODEL_SAMPLE_RATE });
  }
  return loadAudio(input, { file, targetRate: MODEL_SAMPLE_RATE });
}
