import { InputTooShortError, ShapeError } from './errors.js';
import type { GraphNode, ResNetGraph } from './graph.js';
import { minimumPooledFrames } from './pooling.js';

/** Output length of a convolution along one axis: floor((n + 2p − k)/s) + 1 (model-spec §2.1). */
export function convOutputLength(length: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((length + 2 * padding - kernel) / stride) + 1;
}

export interface GraphShapes {
  batch: number;
  frames: number;
  /** Shape of every value: activations `[B, C, F, T]`, vectors `[B, N]`. */
  values: ReadonlyMap<string, readonly number[]>;
}

function checkCount(what: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new ShapeError(`${what} must be a positive integer, got ${String(value)}`);
  }
}

/** Shape of a node's output from the shapes of its inputs. */
function nodeOutputShape(node: GraphNode, input: readonly number[]): number[] {
  switch (node.op) {
    case 'conv2d': {
      const [b, , f, t] = input;
      return [
        b,
        node.outChannels,
        convOutputLength(f, node.kernel, node.stride, node.padding),
        convOutputLength(t, node.kernel, node.stride, node.padding),
      ];
    }
    case 'statsPool':
      return [input[0], 2 * input[1] * input[2]];
    case 'linear':
      return [input[0], node.outFeatures];
    case 'l2Normalize':
      return [...input];
  }
}

function computeShapes(graph: ResNetGraph, batch: number, frames: number): Map<string, readonly number[]> {
  const values = new Map<string, readonly number[]>();
  values.set(graph.input, [batch, 1, graph.config.n_mels, frames]);
  for (const node of graph.nodes) values.set(node.name, nodeOutputShape(node, values.get(node.input)!));
  return values;
}

/** Time steps reaching the pooling for `frames` input frames (T -> T -> ceil(T/2) -> …). */
export function pooledFrames(graph: ResNetGraph, frames: number): number {
  const pool = graph.nodes.find((n) => n.op === 'statsPool')!;
  return computeShapes(graph, 1, frames).get(pool.input)![3];
}

/**
 * The fewest input frames the graph's pooling accepts: 9 for the unbiased variants with four
 * stages (ceil(T/8) ≥ 2), 1 for `mlx`.
 */
export function minimumFrames(graph: ResNetGraph): number {
  const needed = minimumPooledFrames(graph.pooling);
  let frames = 1;
  while (pooledFrames(graph, frames) < needed) frames++;
  return frames;
}

/** Checks an input size against the graph: `ShapeError` for bad counts, `InputTooShortError` below the minimum. */
export function checkInputSize(graph: ResNetGraph, batch: number, frames: number): void {
  checkCount('batch', batch);
  checkCount('frames', frames);
  const minimum = minimumFrames(graph);
  if (frames < minimum) {
    throw new InputTooShortError({ frames, minimumFrames: minimum, pooling: graph.pooling });
  }
}

/**
 * Shapes of every value for a batch of `frames`-long inputs. Frequency goes 80 -> 80 -> 40 -> 20
 * -> 10 and time T -> T -> ceil(T/2) -> ceil(T/4) -> ceil(T/8) for the published config.
 */
export function inferShapes(graph: ResNetGraph, batch: number, frames: number): GraphShapes {
  checkInputSize(graph, batch, frames);
  return { batch, frames, values: computeShapes(graph, batch, frames) };
}
