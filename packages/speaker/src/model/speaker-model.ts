/**
 * The speaker model: a loaded network on one backend, with the whole pipeline around it
 * (audio -> 16 kHz -> fbank + CMN -> network -> embedding), batching, long-audio windows and
 * verification. Created by `loadSpeakerModel`.
 */
import ndarray from 'ndarray';
import { applyCmn } from '@wsp/fbank';
import type { FbankResult } from '@wsp/fbank';
import { DisposedError, InputTooShortError } from '@wsp/resnet-graph';
import type { Backend, HostTensor, InferenceSession, PoolingVariant } from '@wsp/resnet-graph';
import type { WeSpeakerConfig } from '@wsp/weights';
import { AudioError, EmbeddingError, SpeakerModelError } from '../errors.js';
import type { VerifyResult } from '../registry.js';
import { checkDimension, similarity } from '../similarity.js';
import type { EmbeddingLike } from '../similarity.js';
import { describeInput, MODEL_SAMPLE_RATE, toModelAudio } from './audio-input.js';
import type { AudioInput, AudioInputOptions } from './audio-input.js';
import { featuresToBatch, repeatFrames } from './feature-input.js';
import type { FeaturesInput } from './feature-input.js';
import { audioInfo, FRAME_GEOMETRY, fbankOf, framesFor, samplesFor } from './features.js';
import type { AudioInfo } from './features.js';
import { frameWindows } from './windows.js';

/**
 * What to do with input shorter than the pooling minimum (9 frames = 1680 samples = 0.105 s for
 * the unbiased poolings): `'error'` (default) throws `InputTooShortError`; `'pad'` repeats the
 * audio (or the feature frames) cyclically up to the minimum.
 */
export type ShortInputPolicy = 'error' | 'pad';

export interface EmbedOptions extends AudioInputOptions {
  /** Overrides the model's `shortInput` policy for this call. */
  shortInput?: ShortInputPolicy;
}

export interface ProgressEvent {
  /** `features`: audio decoded and turned into features; `embeddings`: network outputs ready. */
  stage: 'features' | 'embeddings';
  completed: number;
  total: number;
}

export interface EmbedBatchOptions extends EmbedOptions {
  /** Most items per network call (default: the model's `maxBatchSize`, 16). */
  maxBatchSize?: number;
  onProgress?: (event: ProgressEvent) => void;
}

export interface EmbedLongOptions extends EmbedBatchOptions {
  /** Window length in seconds (default 1.5, WeSpeaker's diarization recipe). */
  windowSec?: number;
  /** Step between window starts in seconds (default 0.75). */
  hopSec?: number;
}

/** One embedding with what it was computed from. */
export interface EmbeddingResult {
  embedding: Float32Array;
  /** Feature frames the network saw (after padding, if any). */
  frames: number;
  /** True when the input was shorter than the pooling minimum and was repeated up to it. */
  padded: boolean;
  audio: AudioInfo;
}

export interface LongWindow {
  startFrame: number;
  frames: number;
  startSec: number;
  endSec: number;
  embedding: Float32Array;
}

export interface LongEmbedding {
  /** Mean of the L2-normalised window embeddings, L2-normalised. */
  embedding: Float32Array;
  windows: LongWindow[];
  padded: boolean;
  audio: AudioInfo;
}

export interface VerifyOptions extends EmbedOptions {
  /** Cosine in [-1, 1] at or above which the two are accepted as the same speaker (required). */
  threshold: number;
}

export interface SpeakerModelParts {
  session: InferenceSession;
  backendName: string;
  ownsBackend: boolean;
  skippedBackends: readonly { name: string; reason: string }[];
  shortInput: ShortInputPolicy;
  maxBatchSize: number;
}

const FRAMES_PER_SECOND = MODEL_SAMPLE_RATE / FRAME_GEOMETRY.windowShift;

/** A cyclic repetition of `samples` to `length` samples. */
function repeatSamples(samples: Float32Array, length: number): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i += samples.length) out.set(samples.subarray(0, Math.min(samples.length, length - i)), i);
  return out;
}

function checkBatchSize(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1) throw new SpeakerModelError(`maxBatchSize must be a positive integer, got ${n}`, { code: 'INVALID_OPTION' });
  return n;
}

function isEmbeddingLike(x: unknown): x is EmbeddingLike {
  return x instanceof Float32Array || x instanceof Float64Array || (Array.isArray(x) && x.every((v) => typeof v === 'number'));
}

/** Stacks equal-length features into one contiguous `[B, T, F]` tensor. */
function stack(items: readonly FbankResult[]): HostTensor {
  const { numFrames, numBins } = items[0];
  const data = new Float32Array(items.length * numFrames * numBins);
  items.forEach((f, i) => data.set(f.data, i * numFrames * numBins));
  return ndarray(data, [items.length, numFrames, numBins]);
}

function rows(t: HostTensor): Float32Array[] {
  const [batch, dim] = t.shape;
  return Array.from({ length: batch }, (_, b) => Float32Array.from({ length: dim }, (_, i) => t.get(b, i)));
}

function unit(v: ArrayLike<number>): Float64Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const n = Math.sqrt(s);
  return Float64Array.from(v, (x) => x / n);
}

export class SpeakerModel {
  readonly #session: InferenceSession;
  readonly #ownsBackend: boolean;
  readonly #shortInput: ShortInputPolicy;
  readonly #maxBatchSize: number;
  #queue: Promise<unknown> = Promise.resolve();
  #disposed = false;

  /** Registered name of the backend running the network (or the name of a Backend object given). */
  readonly backendName: string;
  /** Backends `'auto'` passed over before this one, and why. */
  readonly skippedBackends: readonly { name: string; reason: string }[];

  constructor(parts: SpeakerModelParts) {
    this.#session = parts.session;
    this.#ownsBackend = parts.ownsBackend;
    this.#shortInput = parts.shortInput;
    this.#maxBatchSize = checkBatchSize(parts.maxBatchSize);
    this.backendName = parts.backendName;
    this.skippedBackends = parts.skippedBackends;
  }

  get backend(): Backend {
    return this.#session.backend;
  }
  get config(): WeSpeakerConfig {
    return this.#session.graph.config;
  }
  get embeddingDim(): number {
    return this.config.embedding_dim;
  }
  get pooling(): PoolingVariant {
    return this.#session.graph.pooling;
  }
  /** Whether embeddings are L2-normalised. */
  get normalize(): boolean {
    return this.#session.graph.normalize;
  }
  /** Fewest feature frames the network accepts (9, or 1 with `mlx` pooling). */
  get minimumFrames(): number {
    return this.#session.minimumFrames;
  }
  /** Fewest 16 kHz samples that give `minimumFrames` frames (1680 = 0.105 s for 9 frames). */
  get minimumSamples(): number {
    return samplesFor(this.minimumFrames);
  }
  readonly sampleRate = MODEL_SAMPLE_RATE;
  get disposed(): boolean {
    return this.#disposed;
  }

  /** The embedding of one recording. */
  async embed(audio: AudioInput, options: EmbedOptions = {}): Promise<Float32Array> {
    const [result] = await this.embedBatchDetailed([audio], options);
    return result.embedding;
  }

  /**
   * Embeddings of several recordings, in order. Inputs of equal length share network calls (up to
   * `maxBatchSize`); each result equals `embed` of that input.
   */
  async embedBatch(audios: readonly AudioInput[], options: EmbedBatchOptions = {}): Promise<Float32Array[]> {
    return (await this.embedBatchDetailed(audios, options)).map((r) => r.embedding);
  }

  /** `embedBatch` with the frame count, padding and audio facts of each input. */
  async embedBatchDetailed(audios: readonly AudioInput[], options: EmbedBatchOptions = {}): Promise<EmbeddingResult[]> {
    this.#checkOpen();
    checkBatchSize(options.maxBatchSize ?? this.#maxBatchSize);
    const total = audios.length;
    const prepared: { features: FbankResult; padded: boolean; audio: AudioInfo }[] = [];
    for (let i = 0; i < total; i++) {
      const input = audios[i];
      const file = typeof input === 'string' ? input : total === 1 ? options.file : describeInput(input, i);
      const audio = await toModelAudio(input, { ...options, file });
      const { samples, padded } = this.#lengthen(audio.samples, audio.durationSec, options.shortInput, file);
      prepared.push({ features: fbankOf(samples, true, file), padded, audio: audioInfo(audio) });
      options.onProgress?.({ stage: 'features', completed: i + 1, total });
    }
    const embeddings = await this.#embedGrouped(
      prepared.map((p) => p.features),
      options,
    );
    return prepared.map((p, i) => ({ embedding: embeddings[i], frames: p.features.numFrames, padded: p.padded, audio: p.audio }));
  }

  /**
   * A long recording in windows (default 1.5 s every 0.75 s; the last one aligned to the end):
   * fbank of the whole recording, CMN per window (WeSpeaker's diarization recipe), one embedding
   * per window, and their mean (of the L2-normalised windows, normalised again).
   */
  async embedLong(audio: AudioInput, options: EmbedLongOptions = {}): Promise<LongEmbedding> {
    this.#checkOpen();
    const { windowSec = 1.5, hopSec = 0.75 } = options;
    const windowFrames = Math.round(windowSec * FRAMES_PER_SECOND);
    const hopFrames = Math.round(hopSec * FRAMES_PER_SECOND);
    if (!(windowSec > 0) || windowFrames < this.minimumFrames) {
      throw new SpeakerModelError(`windowSec must give at least ${this.minimumFrames} frames (${(samplesFor(this.minimumFrames) / MODEL_SAMPLE_RATE).toFixed(3)} s), got ${windowSec}`, {
        code: 'INVALID_OPTION',
      });
    }
    if (!(hopSec > 0) || hopFrames < 1) throw new SpeakerModelError(`hopSec must be at least one frame (0.01 s), got ${hopSec}`, { code: 'INVALID_OPTION' });
    const file = options.file ?? (typeof audio === 'string' ? audio : undefined);
    const loaded = await toModelAudio(audio, { ...options, file });
    const { samples, padded } = this.#lengthen(loaded.samples, loaded.durationSec, options.shortInput, file);
    const all = fbankOf(samples, false, file);
    const windows = frameWindows(all.numFrames, windowFrames, hopFrames);
    const features = windows.map(({ start, frames }) =>
      applyCmn({ data: all.data.slice(start * all.numBins, (start + frames) * all.numBins), numFrames: frames, numBins: all.numBins }, { inPlace: true }),
    );
    options.onProgress?.({ stage: 'features', completed: windows.length, total: windows.length });
    const embeddings = await this.#embedGrouped(features, options);
    const sum = new Float64Array(this.embeddingDim);
    for (const e of embeddings) unit(e).forEach((v, i) => (sum[i] += v));
    return {
      embedding: Float32Array.from(unit(sum)),
      windows: windows.map(({ start, frames }, i) => ({
        startFrame: start,
        frames,
        startSec: start / FRAMES_PER_SECOND,
        endSec: samplesFor(start + frames) / MODEL_SAMPLE_RATE,
        embedding: embeddings[i],
      })),
      padded,
      audio: audioInfo(loaded),
    };
  }

  /**
   * Embeddings of precomputed features `[T, n_mels]` or `[B, T, n_mels]` (float32), one per item,
   * used as given: no CMN is applied (the model expects CMN'd wespeaker fbank).
   */
  async embedFeatures(features: FeaturesInput, options: { shortInput?: ShortInputPolicy; file?: string } = {}): Promise<Float32Array[]> {
    this.#checkOpen();
    let batch = featuresToBatch(features, options.file);
    const frames = batch.shape[1];
    if (frames < this.minimumFrames) {
      if ((options.shortInput ?? this.#shortInput) !== 'pad' || frames === 0) throw this.#tooShort(frames, `features (${frames} frames)`, options.file, frames > 0);
      batch = repeatFrames(batch, this.minimumFrames);
    }
    return rows(await this.#run(batch));
  }

  /** Raw cosine of two embeddings, in [-1, 1]. */
  similarity(a: EmbeddingLike, b: EmbeddingLike): number {
    return similarity(a, b);
  }

  /**
   * Same speaker or not: `{ score, accepted }` with the raw cosine as the score. `a` and `b` are
   * embeddings (typed or plain number arrays) or audio inputs (a bare Float32Array counts as an
   * embedding here; pass audio samples as `{ samples, sampleRate }`).
   */
  async verify(a: AudioInput | EmbeddingLike, b: AudioInput | EmbeddingLike, options: VerifyOptions): Promise<VerifyResult> {
    const threshold = options?.threshold;
    if (typeof threshold !== 'number' || !(threshold >= -1 && threshold <= 1)) {
      throw new EmbeddingError(`verify needs a threshold: a cosine in [-1, 1], got ${threshold} (calibrate it on your own recordings; see the README)`, {
        code: 'INVALID_THRESHOLD',
      });
    }
    const [ea, eb] = [await this.#asEmbedding(a, options, 'first'), await this.#asEmbedding(b, options, 'second')];
    const score = similarity(ea, eb);
    return { score, accepted: score >= threshold };
  }

  /** Frees the prepared weights and, when the model created it, the backend. Twice is a no-op. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    const backend = this.#session.backend;
    this.#session.dispose();
    if (this.#ownsBackend) backend.dispose();
  }
  [Symbol.dispose](): void {
    this.dispose();
  }
  async [Symbol.asyncDispose](): Promise<void> {
    await this.#queue.catch(() => undefined);
    this.dispose();
  }

  async #asEmbedding(x: AudioInput | EmbeddingLike, options: EmbedOptions, which: string): Promise<EmbeddingLike> {
    if (isEmbeddingLike(x)) {
      checkDimension(x, this.embeddingDim, `${which} embedding (audio samples go as { samples, sampleRate })`);
      return x;
    }
    return this.embed(x as AudioInput, options);
  }

  #checkOpen(): void {
    if (this.#disposed) throw new DisposedError('speaker model');
  }

  #tooShort(frames: number, what: string, file: string | undefined, canPad: boolean): InputTooShortError {
    const e = new InputTooShortError({ frames, minimumFrames: this.minimumFrames, pooling: this.pooling, subject: what }, { file });
    const minSec = (this.minimumSamples / MODEL_SAMPLE_RATE).toFixed(3);
    e.message += ` (${this.minimumSamples} samples = ${minSec} s at 16 kHz)` + (canPad ? "; pass shortInput: 'pad' to repeat it up to that length" : '');
    return e;
  }

  /** Audio at least `minimumSamples` long: as is, repeated (policy 'pad'), or an error. */
  #lengthen(samples: Float32Array, durationSec: number, policy: ShortInputPolicy | undefined, file?: string): { samples: Float32Array; padded: boolean } {
    if (samples.length === 0) throw new AudioError('audio has no samples (zero length)', { code: 'EMPTY_AUDIO', file });
    if (framesFor(samples.length) >= this.minimumFrames) return { samples, padded: false };
    if ((policy ?? this.#shortInput) === 'pad') return { samples: repeatSamples(samples, this.minimumSamples), padded: true };
    throw this.#tooShort(framesFor(samples.length), `audio of ${durationSec.toFixed(3)} s (${samples.length} samples at 16 kHz)`, file, true);
  }

  /** Embeds features, batching those of equal length, results in input order. */
  async #embedGrouped(features: readonly FbankResult[], options: EmbedBatchOptions): Promise<Float32Array[]> {
    const maxBatch = checkBatchSize(options.maxBatchSize ?? this.#maxBatchSize);
    const groups = new Map<number, number[]>();
    features.forEach((f, i) => {
      const group = groups.get(f.numFrames);
      if (group) group.push(i);
      else groups.set(f.numFrames, [i]);
    });
    const out = new Array<Float32Array>(features.length);
    let completed = 0;
    for (const indices of groups.values()) {
      for (let start = 0; start < indices.length; start += maxBatch) {
        const chunk = indices.slice(start, start + maxBatch);
        rows(await this.#run(stack(chunk.map((i) => features[i])))).forEach((e, k) => (out[chunk[k]] = e));
        completed += chunk.length;
        options.onProgress?.({ stage: 'embeddings', completed, total: features.length });
      }
    }
    return out;
  }

  /** One network call at a time: a compiled plan's buffers are shared between calls. */
  #run(batch: HostTensor): Promise<HostTensor> {
    this.#checkOpen();
    const next = this.#queue.then(() => {
      this.#checkOpen();
      return this.#session.run(batch);
    });
    this.#queue = next.catch(() => undefined);
    return next;
  }
}
