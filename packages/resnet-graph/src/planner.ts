/**
 * Buffer lifetimes and reuse. Each value lives from the step that produces it to the last step
 * that reads it (the output lives to the end). Buffers are handed out greedily in execution order:
 * a value takes the smallest free buffer that fits, else grows the largest free one, else gets a
 * new one; an op's output never shares a buffer with that op's inputs.
 *
 * The op-by-op executor uses the lifetimes to free each intermediate after its last use; a
 * backend's `compile()` can use the buffer assignment as its arena.
 */
import { nodeInputs } from './graph.js';
import type { ResNetGraph } from './graph.js';
import { inferShapes } from './shapes.js';

export interface ValuePlan {
  name: string;
  shape: readonly number[];
  bytes: number;
  /** Index of the producing node; −1 for the graph input. */
  producer: number;
  /** Index of the last node reading it; `nodes.length` for the graph output. */
  lastUse: number;
  /** Index into `BufferPlan.buffers`. */
  buffer: number;
}

export interface BufferPlan {
  batch: number;
  frames: number;
  bytesPerElement: number;
  /** In production order (graph input first). */
  values: ValuePlan[];
  /** Size in bytes of each buffer (the largest value it holds). */
  buffers: number[];
  /** Most bytes live at any one step: a lower bound for any plan. */
  peakLiveBytes: number;
  /** Sum of the buffer sizes: what an arena following this plan allocates. */
  arenaBytes: number;
  /** Sum of all values' sizes: what allocating every value separately would cost. */
  unsharedBytes: number;
  /** For each node index, the values whose last use it is (free them after the node runs). */
  releaseAfter: string[][];
}

export interface PlanOptions {
  /** Default 4 (float32). */
  bytesPerElement?: number;
}

export function planBuffers(graph: ResNetGraph, batch: number, frames: number, options: PlanOptions = {}): BufferPlan {
  const bytesPerElement = options.bytesPerElement ?? 4;
  const shapes = inferShapes(graph, batch, frames);
  const steps = graph.nodes.length;

  const values = new Map<string, ValuePlan>();
  const addValue = (name: string, producer: number) => {
    const shape = shapes.values.get(name)!;
    const bytes = shape.reduce((a, b) => a * b, 1) * bytesPerElement;
    values.set(name, { name, shape, bytes, producer, lastUse: producer, buffer: -1 });
  };
  addValue(graph.input, -1);
  graph.nodes.forEach((node, i) => {
    for (const input of nodeInputs(node)) values.get(input)!.lastUse = i;
    addValue(node.name, i);
  });
  values.get(graph.output)!.lastUse = steps;

  const releaseAfter: string[][] = Array.from({ length: steps }, () => []);
  for (const v of values.values()) if (v.lastUse < steps && v.name !== graph.output) releaseAfter[v.lastUse].push(v.name);

  // Greedy assignment in production order.
  const buffers: number[] = [];
  const free = new Set<number>();
  const assign = (v: ValuePlan) => {
    let best = -1;
    for (const id of free) if (buffers[id] >= v.bytes && (best < 0 || buffers[id] < buffers[best])) best = id;
    if (best < 0) for (const id of free) if (best < 0 || buffers[id] > buffers[best]) best = id;
    if (best < 0) {
      best = buffers.length;
      buffers.push(0);
    }
    free.delete(best);
    buffers[best] = Math.max(buffers[best], v.bytes);
    v.buffer = best;
  };
  assign(values.get(graph.input)!);
  graph.nodes.forEach((node, i) => {
    assign(values.get(node.name)!);
    for (const name of releaseAfter[i]) free.add(values.get(name)!.buffer);
  });

  let peakLiveBytes = 0;
  for (let step = -1; step < steps; step++) {
    let live = 0;
    for (const v of values.values()) if (v.producer <= step && step <= v.lastUse) live += v.bytes;
    peakLiveBytes = Math.max(peakLiveBytes, live);
  }
  const list = [...values.values()];
  return {
    batch,
    frames,
    bytesPerElement,
    values: list,
    buffers,
    peakLiveBytes,
    arenaBytes: buffers.reduce((a, b) => a + b, 0),
    unsharedBytes: list.reduce((a, v) => a + v.bytes, 0),
    releaseAfter,
  };
}
