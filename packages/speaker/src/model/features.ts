/**
 * Audio -> model features: the `wespeaker` fbank preset of @wsp/fbank (80 log-mel bins, 25 ms
 * Hamming frames every 10 ms, samples scaled by 32768) and per-utterance mean normalisation (CMN),
 * as WeSpeaker and pyannote compute them.
 */
import { FbankError, applyCmn, fbank, resolveFbankOptions } from '@wsp/fbank';
import type { FbankResult } from '@wsp/fbank';
import { AudioError } from '../errors.js';
import type { LoadedAudio } from '../audio/index.js';
import { toModelAudio } from './audio-input.js';
import type { AudioInput, AudioInputOptions } from './audio-input.js';

const PRESET = resolveFbankOptions('wespeaker');

/** Samples per frame (400) and between frame starts (160) at 16 kHz. */
export const FRAME_GEOMETRY = Object.freeze({ windowSize: PRESET.windowSize, windowShift: PRESET.windowShift, numBins: PRESET.numBins });

/** Frames the preset makes from `samples` samples (snip edges: whole frames only). */
export function framesFor(samples: number): number {
  return samples < PRESET.windowSize ? 0 : Math.floor((samples - PRESET.windowSize) / PRESET.windowShift) + 1;
}

/** Samples needed for `frames` frames. */
export function samplesFor(frames: number): number {
  return frames <= 0 ? 0 : PRESET.windowSize + (frames - 1) * PRESET.windowShift;
}

/** What is known about the audio the features came from. */
export interface AudioInfo {
  /** Duration of the (16 kHz) audio in seconds, before any padding. */
  durationSec: number;
  originalSampleRate: number;
  channels: number;
  format: LoadedAudio['format'];
  upsampled: boolean;
  warnings: string[];
}

/** Features `[numFrames, numBins]` (row-major `data`) plus what the audio was. */
export interface SpeakerFeatures extends FbankResult {
  audio: AudioInfo;
}

export interface FeatureOptions extends AudioInputOptions {
  /** Subtract each bin's mean over the utterance (default true, as the model expects). */
  cmn?: boolean;
}

export function audioInfo(audio: LoadedAudio): AudioInfo {
  const { durationSec, originalSampleRate, channels, format, upsampled, warnings } = audio;
  return { durationSec, originalSampleRate, channels, format, upsampled, warnings };
}

/** The preset's features of 16 kHz mono samples; fbank's errors get the file name. */
export function fbankOf(samples: Float32Array, cmn: boolean, file?: string): FbankResult {
  if (samples.length === 0) throw new AudioError('audio has no samples (zero length)', { code: 'EMPTY_AUDIO', file });
  try {
    const features = fbank(samples, 'wespeaker');
    return cmn ? applyCmn(features, { inPlace: true }) : features;
  } catch (e) {
    if (FbankError.isInstance(e)) throw new AudioError(e.message, { code: e.code, file, cause: e });
    throw e;
  }
}

/**
 * The model's input features of any audio (`wsp fbank` writes these): decoded, mixed down,
 * resampled to 16 kHz, `wespeaker` fbank, CMN unless `cmn: false`.
 */
export async function computeFeatures(input: AudioInput, options: FeatureOptions = {}): Promise<SpeakerFeatures> {
  const audio = await toModelAudio(input, options);
  const file = options.file ?? (typeof input === 'string' ? input : undefined);
  return { ...fbankOf(audio.samples, options.cmn ?? true, file), audio: audioInfo(audio) };
}
