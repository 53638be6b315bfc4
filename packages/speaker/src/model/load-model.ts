/**
 * `loadSpeakerModel`: weights (a model directory, a weights file, bytes, an already loaded
 * `{ config, tensors }`, or nothing = the published model, downloaded once into the cache) + a
 * backend (`'auto'`, a registered name, a list of names, or your own `Backend` object) -> a
 * `SpeakerModel`.
 */
import { createInferenceSession, resolveBackend } from '@wsp/resnet-graph';
import type { BackendChoice, EmbeddingModel, ExecutionMode, PoolingVariant } from '@wsp/resnet-graph';
import { loadWeSpeakerWeights } from '@wsp/weights';
import type { WeightsSource, WeSpeakerConfig } from '@wsp/weights';
import { downloadModel } from '../download.js';
import { SpeakerModelError } from '../errors.js';
import type { DownloadModelOptions } from '../download.js';
import { loadOptionalBackends } from './backends.js';
import { SpeakerModel } from './speaker-model.js';
import type { ShortInputPolicy } from './speaker-model.js';

export interface LoadSpeakerModelOptions {
  /** `'auto'` (default: the fastest available), a registered name, names to try in order, or a Backend object (not disposed with the model). */
  backend?: BackendChoice;
  /** Worker threads for CPU backends (passed to the backend's `create`). */
  threads?: number;
  /** Statistics pooling variant (default `'pyannote'`, which the published weights come from). */
  pooling?: PoolingVariant;
  /** L2-normalise embeddings (default true); false gives the raw 256-d output of the linear layer. */
  normalize?: boolean;
  /** Input shorter than the pooling minimum: `'error'` (default) or `'pad'` (repeat it). */
  shortInput?: ShortInputPolicy;
  /** Default largest batch of `embedBatch` / `embedLong` (default 16). */
  maxBatchSize?: number;
  /** `'auto'` (default), `'compiled'` or `'op-by-op'` (see @wsp/resnet-graph sessions). */
  execution?: ExecutionMode;
  /** Config for weights without a config.json (otherwise inferred from the tensors). */
  config?: WeSpeakerConfig;
  /** Options of `downloadModel` when no source is given (progress, cache folder, mirror, ...). */
  download?: DownloadModelOptions;
}

function isLoadedModel(source: unknown): source is EmbeddingModel {
  return typeof source === 'object' && source !== null && 'config' in source && 'tensors' in source && (source as EmbeddingModel).tensors instanceof Map;
}

/**
 * Loads the weights, picks the backend and prepares the network on it. Without a `source` the
 * published model (`aufklarer/WeSpeaker-ResNet34-LM-MLX`) is taken from the cache or downloaded.
 */
export async function loadSpeakerModel(source?: WeightsSource | EmbeddingModel, options: LoadSpeakerModelOptions = {}): Promise<SpeakerModel> {
  const { backend: choice = 'auto', threads, pooling = 'pyannote', normalize = true, shortInput = 'error', maxBatchSize = 16, execution } = options;
  if (shortInput !== 'error' && shortInput !== 'pad') {
    throw new SpeakerModelError(`shortInput must be 'error' or 'pad', got ${JSON.stringify(shortInput)}`, { code: 'INVALID_OPTION' });
  }
  let model: EmbeddingModel;
  if (isLoadedModel(source)) model = source;
  else {
    const from = source ?? (await downloadModel(options.download)).dir;
    model = await loadWeSpeakerWeights(from, options.config ? { config: options.config } : {});
  }
  const givenObject = typeof choice === 'object' && !Array.isArray(choice);
  if (!givenObject) await loadOptionalBackends();
  const resolved = await resolveBackend(choice, threads === undefined ? undefined : { threads });
  try {
    const session = createInferenceSession(resolved.backend, model, { pooling, normalize, execution });
    return new SpeakerModel({ session, backendName: resolved.name, ownsBackend: !givenObject, skippedBackends: resolved.skipped, shortInput, maxBatchSize });
  } catch (e) {
    if (!givenObject) resolved.backend.dispose();
    throw e;
  }
}
