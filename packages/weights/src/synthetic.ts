import { architecture } from './architecture.js';
import type { WeSpeakerConfig } from './config.js';
import { RESNET34_LM_CONFIG } from './config.js';
import { fuseBatchNorm } from './fuse.js';
import type { SeededRandom } from './random.js';
import { seededRandom } from './random.js';
import type { TensorMap } from './tensor.js';
import { float32Tensor } from './tensor.js';

export interface SyntheticModelOptions {
  /** Seed of the generator; the same seed gives the same bytes everywhere. Default 1. */
  seed?: number;
}

export interface SyntheticModel {
  config: WeSpeakerConfig;
  /** Canonical MLX tensors: fused, `[O, kH, kW, I]` convolutions, `[out, in]` linear. */
  tensors: TensorMap;
}

/**
 * A deterministic stand-in for the real weights, for tests and benchmarks that cannot download
 * them. Its embeddings mean nothing about speakers.
 *
 * Recipe: He-initialised convolutions (N(0, 2/fan_in)), BatchNorm with plausible statistics
 * (gamma near 1, small beta/mean, variance near 1), fused with eps 1e-5 exactly like the MLX
 * converter. The second BatchNorm of each block has gamma near 0.3 so residual sums stay of order
 * one through all 16 blocks instead of doubling at each add, and the stem is scaled for CMN'd
 * log-mel input (values of a few units).
 */
export function generateSyntheticModel(
  config: WeSpeakerConfig = RESNET34_LM_CONFIG,
  options: SyntheticModelOptions = {},
): SyntheticModel {
  const rng = seededRandom(options.seed ?? 1);
  const arch = architecture(config);
  const tensors: TensorMap = new Map();

  const convWithBatchNorm = (name: string, out: number, k: number, inp: number, gamma: number, heGain = 1) => {
    const weight = float32Tensor([out, k, k, inp]);
    const std = heGain * Math.sqrt(2 / (k * k * inp));
    for (let i = 0; i < weight.size; i++) weight.data[i] = std * rng.normal();
    const fused = fuseBatchNorm(weight, randomBatchNorm(rng, out, gamma));
    tensors.set(`${name}.weight`, fused.weight);
    tensors.set(`${name}.bias`, fused.bias);
  };

  convWithBatchNorm('conv1', arch.stemChannels, 3, 1, 1, 0.35);
  for (const block of arch.stages.flat()) {
    convWithBatchNorm(`${block.name}.conv1`, block.outChannels, 3, block.inChannels, 1);
    convWithBatchNorm(`${block.name}.conv2`, block.outChannels, 3, block.outChannels, 0.3);
    if (block.hasShortcut) convWithBatchNorm(`${block.name}.shortcut`, block.outChannels, 1, block.inChannels, 1);
  }

  const linear = float32Tensor([arch.embeddingDim, arch.poolingOutputDim]);
  const linearStd = Math.sqrt(1 / arch.poolingOutputDim);
  for (let i = 0; i < linear.size; i++) linear.data[i] = linearStd * rng.normal();
  const linearBias = float32Tensor([arch.embeddingDim]);
  for (let i = 0; i < linearBias.size; i++) linearBias.data[i] = 0.01 * rng.normal();
  tensors.set('embedding.weight', linear);
  tensors.set('embedding.bias', linearBias);

  return { config: { ...config, layers: [...config.layers], channels: [...config.channels] }, tensors };
}

function randomBatchNorm(rng: SeededRandom, channels: number, gammaScale: number) {
  const make = (fn: () => number) => Float32Array.from({ length: channels }, fn);
  return {
    weight: make(() => gammaScale * (0.8 + 0.4 * rng.uniform())),
    bias: make(() => 0.05 * rng.normal()),
    runningMean: make(() => 0.05 * rng.normal()),
    runningVar: make(() => 0.8 + 0.4 * rng.uniform()),
  };
}
