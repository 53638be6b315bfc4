/**
 * The ResNet as a list of layer-granularity nodes, derived from `architecture(config)` in
 * @wsp/weights (the one place the parameter names are made), so any config — the published
 * [3,4,6,3] × [32,64,128,256] or a tiny test one — gives its graph.
 */
import { architecture } from '@wsp/weights';
import type { ArchitectureSpec, WeSpeakerConfig } from '@wsp/weights';
import { ShapeError } from './errors.js';
import { isPoolingVariant } from './pooling.js';
import type { PoolingVariant } from './spi.js';

/** Name of the graph input value: features arranged `[B, 1, n_mels, T]`. */
export const GRAPH_INPUT = 'features';

/** Convolution with a fused epilogue: + bias, + residual (optional), ReLU (optional). */
export interface Conv2dNode {
  op: 'conv2d';
  /** Node name = MLX parameter prefix = name of the value it produces, e.g. `layer2.0.conv1`. */
  name: string;
  input: string;
  residual?: string;
  relu: boolean;
  inChannels: number;
  outChannels: number;
  kernel: 1 | 3;
  stride: 1 | 2;
  padding: 0 | 1;
  /** `${name}.weight`, MLX `[O, kH, kW, I]`. */
  weight: string;
  /** `${name}.bias`, `[O]`. */
  bias: string;
}

/** Mean and standard deviation over time, flattened channel-major (c·F + f), means first. */
export interface StatsPoolNode {
  op: 'statsPool';
  name: string;
  input: string;
  variant: PoolingVariant;
}

export interface LinearNode {
  op: 'linear';
  name: string;
  input: string;
  inFeatures: number;
  outFeatures: number;
  weight: string;
  bias: string;
}

export interface L2NormalizeNode {
  op: 'l2Normalize';
  name: string;
  input: string;
}

export type GraphNode = Conv2dNode | StatsPoolNode | LinearNode | L2NormalizeNode;

/** A named point of the network whose activation is worth looking at (goldens, debugging). */
export interface GraphStage {
  /** `stem`, `layer1` … `layerN`, `pooled`, `embedding`, `normalized`. */
  name: string;
  /** The value holding it. */
  value: string;
}

export interface GraphOptions {
  /** Default `pyannote`. */
  pooling?: PoolingVariant;
  /** L2-normalise the embedding (default true). */
  normalize?: boolean;
}

export interface ResNetGraph {
  readonly config: WeSpeakerConfig;
  readonly architecture: ArchitectureSpec;
  readonly pooling: PoolingVariant;
  readonly normalize: boolean;
  /** Always `features`. */
  readonly input: string;
  /** The value holding the result `[B, embedding_dim]`. */
  readonly output: string;
  /** In execution (topological) order. */
  readonly nodes: readonly GraphNode[];
  readonly stages: readonly GraphStage[];
}

/** Values a node reads, in order (the residual last). */
export function nodeInputs(node: GraphNode): string[] {
  return node.op === 'conv2d' && node.residual !== undefined ? [node.input, node.residual] : [node.input];
}

/** Builds the graph of a config. Throws `ShapeError` for an unknown pooling variant. */
export function buildGraph(config: WeSpeakerConfig, options: GraphOptions = {}): ResNetGraph {
  const pooling = options.pooling ?? 'pyannote';
  if (!isPoolingVariant(pooling)) {
    throw new ShapeError(`unknown pooling variant ${JSON.stringify(pooling)}; use pyannote, wespeaker or mlx`, {
      code: 'UNKNOWN_POOLING',
    });
  }
  const normalize = options.normalize ?? true;
  const arch = architecture(config);
  const nodes: GraphNode[] = [];
  const stages: GraphStage[] = [];

  const conv = (
    name: string,
    input: string,
    inChannels: number,
    outChannels: number,
    kernel: 1 | 3,
    stride: 1 | 2,
    relu: boolean,
    residual?: string,
  ): string => {
    nodes.push({
      op: 'conv2d',
      name,
      input,
      ...(residual === undefined ? {} : { residual }),
      relu,
      inChannels,
      outChannels,
      kernel,
      stride,
      padding: kernel === 3 ? 1 : 0,
      weight: `${name}.weight`,
      bias: `${name}.bias`,
    });
    return name;
  };

  let x = conv('conv1', GRAPH_INPUT, 1, arch.stemChannels, 3, 1, true);
  stages.push({ name: 'stem', value: x });
  arch.stages.forEach((blocks, s) => {
    for (const block of blocks) {
      // BasicBlock: ReLU(conv3x3_s(x)) -> conv3x3 -> + (identity | 1x1_s shortcut) -> ReLU (model-spec §2.2).
      const h = conv(`${block.name}.conv1`, x, block.inChannels, block.outChannels, 3, block.stride, true);
      const r = block.hasShortcut
        ? conv(`${block.name}.shortcut`, x, block.inChannels, block.outChannels, 1, block.stride, false)
        : x;
      x = conv(`${block.name}.conv2`, h, block.outChannels, block.outChannels, 3, 1, true, r);
    }
    stages.push({ name: `layer${s + 1}`, value: x });
  });

  nodes.push({ op: 'statsPool', name: 'pool', input: x, variant: pooling });
  stages.push({ name: 'pooled', value: 'pool' });
  nodes.push({
    op: 'linear',
    name: 'embedding',
    input: 'pool',
    inFeatures: arch.poolingOutputDim,
    outFeatures: arch.embeddingDim,
    weight: 'embedding.weight',
    bias: 'embedding.bias',
  });
  stages.push({ name: 'embedding', value: 'embedding' });
  let output = 'embedding';
  if (normalize) {
    nodes.push({ op: 'l2Normalize', name: 'normalized', input: 'embedding' });
    stages.push({ name: 'normalized', value: 'normalized' });
    output = 'normalized';
  }
  return Object.freeze({
    config: arch.config,
    architecture: arch,
    pooling,
    normalize,
    input: GRAPH_INPUT,
    output,
    nodes: Object.freeze(nodes),
    stages: Object.freeze(stages),
  });
}
