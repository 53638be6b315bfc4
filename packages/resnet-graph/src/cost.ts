import type { GraphNode, ResNetGraph } from './graph.js';
import { inferShapes } from './shapes.js';

export interface NodeCost {
  node: GraphNode;
  outputShape: readonly number[];
  /**
   * Multiply-accumulates: H_out·W_out·C_out·C_in·k² per item for a conv, K·N per item for the linear
   * layer. Bias, ReLU, residual adds, pooling and normalisation are not counted (< 0.1 %,
   * model-spec §7), so they show 0.
   */
  macs: number;
  /** 2 × MACs. */
  flops: number;
}

export interface GraphCost {
  batch: number;
  frames: number;
  nodes: NodeCost[];
  totalMacs: number;
  totalFlops: number;
}

function nodeMacs(node: GraphNode, out: readonly number[]): number {
  if (node.op === 'conv2d') {
    const [b, c, f, t] = out;
    return b * c * f * t * node.inChannels * node.kernel * node.kernel;
  }
  if (node.op === 'linear') return out[0] * node.inFeatures * node.outFeatures;
  return 0;
}

/** Compute cost per node for a batch of `frames`-long inputs; 4,527,902,720 MACs at B=1, T=200 for ResNet34-LM. */
export function graphCost(graph: ResNetGraph, batch: number, frames: number): GraphCost {
  const shapes = inferShapes(graph, batch, frames);
  const nodes = graph.nodes.map((node) => {
    const outputShape = shapes.values.get(node.name)!;
    const macs = nodeMacs(node, outputShape);
    return { node, outputShape, macs, flops: 2 * macs };
  });
  const totalMacs = nodes.reduce((s, n) => s + n.macs, 0);
  return { batch, frames, nodes, totalMacs, totalFlops: 2 * totalMacs };
}
