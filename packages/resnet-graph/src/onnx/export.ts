/**
 * Writes the network of a model, weights included, as an ONNX model: the same graph as
 * `buildGraph` (so the same config, pooling and normalisation choices), with dynamic batch and
 * frames, features `[B, T, n_mels]` in and embeddings `[B, E]` out.
 *
 * Operators (all in the default domain, opset 13+): Transpose, Unsqueeze, Conv, Add, Relu,
 * Reshape, ReduceMean, Sub, Mul, ReduceSum, Shape, Gather, Cast, Div, Sqrt, Flatten, Concat, Gemm,
 * Max. The standard deviation is built from primitives, so every pooling variant (unbiased or
 * not, epsilon or not) is exact and no runtime-specific op is needed.
 */
import { ohwiToOihw } from '@wsp/weights';
import { ShapeError } from '../errors.js';
import { buildGraph } from '../graph.js';
import type { Conv2dNode, LinearNode, ResNetGraph, StatsPoolNode } from '../graph.js';
import { checkModelTensors } from '../model.js';
import type { EmbeddingModel } from '../model.js';
import { POOLING_VARIANTS } from '../pooling.js';
import { inferShapes, minimumFrames } from '../shapes.js';
import { L2_NORM_EPSILON } from '../spi.js';
import type { PoolingVariant } from '../spi.js';
import { OnnxGraphWriter } from './graph-writer.js';
import { exportMetadata } from './metadata.js';
import { ONNX_DTYPE, encodeOnnxModel } from './onnx-proto.js';

/** Operator-set versions the export writes. 13 is the oldest with the ops as used here. */
export const ONNX_OPSET_MIN = 13;
export const ONNX_OPSET_MAX = 21;
/** Default: 13, inside the 11–15 range Ascend's ATC documents for ONNX (docs/ascend-cann.md §4.1). */
export const ONNX_DEFAULT_OPSET = 13;

/** The lowest IR version each opset needs (onnx/docs/Versioning.md). */
const IR_VERSION_FOR_OPSET: Readonly<Record<number, number>> = { 13: 7, 14: 7, 15: 8, 16: 8, 17: 8, 18: 8, 19: 9, 20: 9, 21: 10 };

export interface OnnxExportOptions {
  /** Statistics pooling variant (default `pyannote`). */
  pooling?: PoolingVariant;
  /** L2-normalise the embeddings inside the model (default true, as sessions do). */
  normalize?: boolean;
  /** Default operator-set version, 13..21 (default 13). */
  opset?: number;
  /** Graph input name (default `feats`, as WeSpeaker's ONNX models). */
  inputName?: string;
  /** Graph output name (default `embedding`). */
  outputName?: string;
  /** Extra `metadata_props` entries (added after ours; same key replaces ours). */
  metadata?: Readonly<Record<string, string>>;
}

function checkOptions(options: OnnxExportOptions): { opset: number; inputName: string; outputName: string } {
  const opset = options.opset ?? ONNX_DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < ONNX_OPSET_MIN || opset > ONNX_OPSET_MAX) {
    throw new ShapeError(`ONNX opset must be an integer from ${ONNX_OPSET_MIN} to ${ONNX_OPSET_MAX}, got ${String(opset)}`, {
      code: 'INVALID_ARGUMENT',
    });
  }
  const inputName = options.inputName ?? 'feats';
  const outputName = options.outputName ?? 'embedding';
  for (const [what, name] of [['inputName', inputName], ['outputName', outputName]] as const) {
    if (typeof name !== 'string' || name.length === 0) {
      throw new ShapeError(`ONNX ${what} must be a non-empty string, got ${JSON.stringify(name)}`, { code: 'INVALID_ARGUMENT' });
    }
  }
  if (inputName === outputName) throw new ShapeError(`ONNX input and output names are both '${inputName}'`, { code: 'INVALID_ARGUMENT' });
  for (const [key, value] of Object.entries(options.metadata ?? {})) {
    if (typeof value !== 'string') throw new ShapeError(`ONNX metadata '${key}' must be a string`, { code: 'INVALID_ARGUMENT' });
  }
  return { opset, inputName, outputName };
}

/** Conv + (Add residual) + (Relu), named after the graph node; returns the value holding its result. */
function writeConv(w: OnnxGraphWriter, model: EmbeddingModel, node: Conv2dNode): string {
  const { input, residual } = node;
  const weight = w.float32(node.weight, ohwiToOihw(model.tensors.get(node.weight)!));
  const bias = w.float32(node.bias, model.tensors.get(node.bias)!);
  const attributes = {
    kernel_shape: [node.kernel, node.kernel],
    strides: [node.stride, node.stride],
    pads: [node.padding, node.padding, node.padding, node.padding],
    dilations: [1, 1],
    group: 1,
  };
  const last = residual === undefined && !node.relu;
  let x = w.node('Conv', [input, weight, bias], last ? node.name : `${node.name}.conv`, attributes);
  if (residual !== undefined) x = w.node('Add', [x, residual], node.relu ? `${node.name}.add` : node.name);
  if (node.relu) x = w.node('Relu', [x], node.name);
  return x;
}

/**
 * `[B, C, F, T']` -> `[B, 2·C·F]`: rows `c·F + f` (a reshape), means over time, then the standard
 * deviation sqrt(Σ(x − mean)² / n + ε) with n = T' − 1 (unbiased) or T', T' read from the shape.
 */
function writeStatsPool(w: OnnxGraphWriter, node: StatsPoolNode, rows: number): string {
  const { unbiased, epsilon } = POOLING_VARIANTS[node.variant];
  const p = node.name;
  const x = w.node('Reshape', [node.input, w.int64(`${p}.rows_shape`, [0, rows, -1])], `${p}.rows`);
  const mean = w.reduce('ReduceMean', x, `${p}.mean`, [2], true);
  const centred = w.node('Sub', [x, mean], `${p}.centred`);
  const squares = w.node('Mul', [centred, centred], `${p}.squares`);
  const sum = w.reduce('ReduceSum', squares, `${p}.sum_squares`, [2], true);
  const steps = w.node('Gather', [w.node('Shape', [x], `${p}.shape`), w.int64(`${p}.time_axis`, [2], { scalar: true })], `${p}.steps`, {
    axis: 0,
  });
  let count = w.node('Cast', [steps], `${p}.steps_float`, { to: ONNX_DTYPE.FLOAT });
  if (unbiased) count = w.node('Sub', [count, w.scalar(`${p}.one`, 1)], `${p}.steps_minus_one`);
  let variance = w.node('Div', [sum, count], `${p}.variance`);
  if (epsilon > 0) variance = w.node('Add', [variance, w.scalar(`${p}.epsilon`, epsilon)], `${p}.variance_eps`);
  const std = w.node('Sqrt', [variance], `${p}.std`);
  const means = w.node('Flatten', [mean], `${p}.means`, { axis: 1 });
  const stds = w.node('Flatten', [std], `${p}.stds`, { axis: 1 });
  return w.node('Concat', [means, stds], p, { axis: 1 });
}

function writeLinear(w: OnnxGraphWriter, model: EmbeddingModel, node: LinearNode): string {
  const weight = w.float32(node.weight, model.tensors.get(node.weight)!);
  const bias = w.float32(node.bias, model.tensors.get(node.bias)!);
  return w.node('Gemm', [node.input, weight, bias], node.name, { transB: 1 });
}

/** Each row divided by max(‖row‖₂, 1e-12), as the oracle and the backends do. */
function writeL2Normalize(w: OnnxGraphWriter, name: string, input: string): string {
  const squares = w.node('Mul', [input, input], `${name}.squares`);
  const norm = w.node('Sqrt', [w.reduce('ReduceSum', squares, `${name}.sum_squares`, [1], true)], `${name}.norm`);
  const floored = w.node('Max', [norm, w.scalar(`${name}.epsilon`, L2_NORM_EPSILON)], `${name}.norm_floored`);
  return w.node('Div', [input, floored], name);
}

function writeNetwork(w: OnnxGraphWriter, graph: ResNetGraph, model: EmbeddingModel, inputName: string, outputName: string): void {
  w.claim(inputName);
  // Our value names stay free for the caller's input and output names.
  w.rename(graph.input, `${graph.input}.nchw`);
  w.rename(graph.output, outputName);
  for (const node of graph.nodes) {
    if (node.name !== graph.output && (node.name === inputName || node.name === outputName)) w.rename(node.name, `${node.name}.value`);
  }
  // [B, T, M] -> [B, M, T] -> [B, 1, M, T]: frequency is the first spatial axis (model-spec §2.1).
  const transposed = w.node('Transpose', [inputName], `${graph.input}.transposed`, { perm: [0, 2, 1] }, { graphInputs: true });
  w.node('Unsqueeze', [transposed, w.int64(`${graph.input}.channel_axis`, [1])], graph.input);
  // Channel-major rows c·F + f need F at the pooling, which does not depend on T.
  const shapes = inferShapes(graph, 1, minimumFrames(graph)).values;
  for (const node of graph.nodes) {
    switch (node.op) {
      case 'conv2d':
        writeConv(w, model, node);
        break;
      case 'statsPool': {
        const [, channels, bins] = shapes.get(node.input)!;
        writeStatsPool(w, node, channels * bins);
        break;
      }
      case 'linear':
        writeLinear(w, model, node);
        break;
      case 'l2Normalize':
        writeL2Normalize(w, node.name, node.input);
        break;
    }
  }
}

/**
 * The ONNX `ModelProto` bytes (an `.onnx` file) of `model` with its weights. Throws `ShapeError`
 * for a tensor missing or misshapen against `modelSpec(config)`, an unknown pooling variant or a
 * bad option. Embeddings below `minimumFrames` are NaN for the unbiased poolings (an ONNX graph
 * cannot raise): the metadata key `wsp.minimum_frames` says where that starts.
 */
export function exportOnnx(model: EmbeddingModel, options: OnnxExportOptions = {}): Uint8Array {
  const { opset, inputName, outputName } = checkOptions(options);
  const graph = buildGraph(model.config, { pooling: options.pooling, normalize: options.normalize });
  checkModelTensors(model);
  const w = new OnnxGraphWriter(opset);
  writeNetwork(w, graph, model, inputName, outputName);

  const { config } = graph;
  return encodeOnnxModel({
    irVersion: IR_VERSION_FOR_OPSET[opset],
    opset,
    producerName: '@wsp/resnet-graph',
    producerVersion: 'onnx-export/1',
    docString: `WeSpeaker ResNet speaker embeddings: ${inputName} [batch, frames, ${config.n_mels}] -> ${outputName} [batch, ${config.embedding_dim}]`,
    graph: {
      name: 'wespeaker_resnet',
      nodes: w.nodes,
      initializers: w.initializers,
      inputs: [{ name: inputName, dtype: ONNX_DTYPE.FLOAT, dims: ['batch', 'frames', config.n_mels] }],
      outputs: [{ name: outputName, dtype: ONNX_DTYPE.FLOAT, dims: ['batch', config.embedding_dim] }],
    },
    metadata: exportMetadata(
      { config, pooling: graph.pooling, normalize: graph.normalize, minimumFrames: minimumFrames(graph), inputName, outputName },
      options.metadata,
    ),
  });
}
