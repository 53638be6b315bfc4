import type { WeSpeakerConfig } from './config.js';
import { pooledFrequencyBins } from './config.js';

/** One residual block of the ResNet, with the MLX names of its parameters. */
export interface BlockSpec {
  /** `layer{stage}.{block}`, e.g. `layer2.0`. */
  name: string;
  inChannels: number;
  outChannels: number;
  /** 2 for the first block of every stage after the first, else 1. */
  stride: 1 | 2;
  /** A 1×1 convolution on the residual path (stride or channel change). */
  hasShortcut: boolean;
}

export interface ArchitectureSpec {
  config: WeSpeakerConfig;
  /** Stem: 3×3 conv from 1 channel to channels[0], then ReLU. Parameter prefix `conv1`. */
  stemChannels: number;
  stages: BlockSpec[][];
  /** Frequency bins entering the pooling (10 for 80 mels and 4 stages). */
  pooledFrequencyBins: number;
  /** Channels entering the pooling. */
  pooledChannels: number;
  /** Pooling output = 2 × pooledChannels × pooledFrequencyBins (means then stds). */
  poolingOutputDim: number;
  embeddingDim: number;
}

/**
 * The block structure of the WeSpeaker ResNet for a config (docs: model-spec §2.2). The single
 * source of the parameter names: the weight spec and the graph are both derived from it.
 */
export function architecture(config: WeSpeakerConfig): ArchitectureSpec {
  const stages: BlockSpec[][] = [];
  let inChannels = config.channels[0];
  config.layers.forEach((numBlocks, s) => {
    const outChannels = config.channels[s];
    const blocks: BlockSpec[] = [];
    for (let b = 0; b < numBlocks; b++) {
      const stride: 1 | 2 = s > 0 && b === 0 ? 2 : 1;
      blocks.push({
        name: `layer${s + 1}.${b}`,
        inChannels,
        outChannels,
        stride,
        hasShortcut: stride !== 1 || inChannels !== outChannels,
      });
      inChannels = outChannels;
    }
    stages.push(blocks);
  });
  const pooledChannels = config.channels[config.channels.length - 1];
  const freq = pooledFrequencyBins(config.n_mels, config.channels.length);
  return {
    config,
    stemChannels: config.channels[0],
    stages,
    pooledFrequencyBins: freq,
    pooledChannels,
    poolingOutputDim: 2 * pooledChannels * freq,
    embeddingDim: config.embedding_dim,
  };
}
