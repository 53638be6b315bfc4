import { WeightsError } from './errors.js';

/**
 * The model's `config.json`, with the field names the MLX converter writes
 * (docs: model-spec §1.3). Only `layers`, `channels`, `n_mels` and `embedding_dim` shape the
 * network; the rest is checked for consistency.
 */
export interface WeSpeakerConfig {
  model_type: string;
  sample_rate: number;
  n_mels: number;
  embedding_dim: number;
  /** Residual blocks per stage, e.g. [3, 4, 6, 3]. */
  layers: number[];
  /** Output channels per stage, e.g. [32, 64, 128, 256]; the stem outputs `channels[0]`. */
  channels: number[];
  /** 2 × channels[last] × (frequency bins after the strides); 5120 for ResNet34-LM. */
  pooling_output_dim: number;
}

/** The published aufklarer/WeSpeaker-ResNet34-LM-MLX configuration. */
export const RESNET34_LM_CONFIG: Readonly<WeSpeakerConfig> = Object.freeze({
  model_type: 'wespeaker-resnet34-lm',
  sample_rate: 16000,
  n_mels: 80,
  embedding_dim: 256,
  layers: [3, 4, 6, 3],
  channels: [32, 64, 128, 256],
  pooling_output_dim: 5120,
});

/** Frequency rows left after the stride-2 stages: ceil(n/2) once per stage after the first. */
export function pooledFrequencyBins(nMels: number, numStages: number): number {
  let f = nMels;
  for (let s = 1; s < numStages; s++) f = Math.ceil(f / 2);
  return f;
}

const isPositiveInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;

/**
 * Validates a parsed `config.json`. Missing optional fields are derived; `pooling_output_dim`, when
 * present, must agree with the shapes. Throws `WeightsError` (code `CONFIG_INVALID`) naming every
 * problem found.
 */
export function parseConfig(value: unknown, file?: string): WeSpeakerConfig {
  const problems: string[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new WeightsError('config.json must be a JSON object', { code: 'CONFIG_INVALID', file });
  }
  const v = value as Record<string, unknown>;
  const layers = v.layers;
  const channels = v.channels;
  if (!Array.isArray(layers) || layers.length === 0 || !layers.every(isPositiveInt)) {
    problems.push('"layers" must be a non-empty array of positive integers');
  }
  if (!Array.isArray(channels) || channels.length === 0 || !channels.every(isPositiveInt)) {
    problems.push('"channels" must be a non-empty array of positive integers');
  }
  if (Array.isArray(layers) && Array.isArray(channels) && layers.length !== channels.length) {
    problems.push(`"layers" has ${layers.length} stages but "channels" has ${channels.length}`);
  }
  const nMels = v.n_mels ?? RESNET34_LM_CONFIG.n_mels;
  const embeddingDim = v.embedding_dim ?? RESNET34_LM_CONFIG.embedding_dim;
  const sampleRate = v.sample_rate ?? RESNET34_LM_CONFIG.sample_rate;
  if (!isPositiveInt(nMels)) problems.push('"n_mels" must be a positive integer');
  if (!isPositiveInt(embeddingDim)) problems.push('"embedding_dim" must be a positive integer');
  if (!isPositiveInt(sampleRate)) problems.push('"sample_rate" must be a positive integer');
  if (v.model_type !== undefined && typeof v.model_type !== 'string') problems.push('"model_type" must be a string');
  if (problems.length > 0) {
    throw new WeightsError(`invalid config.json: ${problems.join('; ')}`, { code: 'CONFIG_INVALID', file });
  }
  const ch = channels as number[];
  const expectedPooling = 2 * ch[ch.length - 1] * pooledFrequencyBins(nMels as number, ch.length);
  if (v.pooling_output_dim !== undefined && v.pooling_output_dim !== expectedPooling) {
    throw new WeightsError(
      `invalid config.json: "pooling_output_dim" is ${JSON.stringify(v.pooling_output_dim)} but the shapes give ${expectedPooling}`,
      { code: 'CONFIG_INVALID', file },
    );
  }
  return {
    model_type: (v.model_type as string | undefined) ?? RESNET34_LM_CONFIG.model_type,
    sample_rate: sampleRate as number,
    n_mels: nMels as number,
    embedding_dim: embeddingDim as number,
    layers: [...(layers as number[])],
    channels: [...ch],
    pooling_output_dim: expectedPooling,
  };
}

/** A config for tests: small channels and blocks, same structure. */
export function tinyConfig(overrides: Partial<WeSpeakerConfig> = {}): WeSpeakerConfig {
  return parseConfig({
    model_type: 'wespeaker-resnet-tiny',
    sample_rate: 16000,
    n_mels: 80,
    embedding_dim: 16,
    layers: [1, 1, 1, 1],
    channels: [4, 8, 8, 16],
    ...overrides,
  });
}
