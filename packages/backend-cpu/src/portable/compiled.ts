/**
 * Whole-graph execution for the portable backend: the planner's buffer assignment becomes an arena
 * of Float32Arrays (kept for the last input size seen), and one run is one synchronous pass with
 * no allocation besides the returned embedding.
 */
import ndarray from 'ndarray';
import { DisposedError, TrackedResource, featuresToInputView, planBuffers } from '@wsp/resnet-graph';
import type { BufferPlan, CompiledGraph, HostTensor, ResNetGraph, ResourceTracker } from '@wsp/resnet-graph';
import type { ConvScratch } from './conv.js';
import { conv2dNHWC } from './conv.js';
import { l2NormalizeRows, linearRows, nchwToNhwc, statsPoolNHWC } from './ops.js';
import type { PortableConvWeights, PortableLinearWeights } from './resources.js';
import { Arena } from './resources.js';

interface PlannedRun {
  batch: number;
  frames: number;
  plan: BufferPlan;
  arena: Arena;
  /** Value name -> its region of the arena, and its logical shape. */
  values: Map<string, { data: Float32Array; shape: readonly number[] }>;
}

export class PortableCompiledGraph extends TrackedResource implements CompiledGraph {
  readonly #scratch: ConvScratch;
  readonly #graph: ResNetGraph;
  readonly #conv: ReadonlyMap<string, PortableConvWeights>;
  readonly #linear: ReadonlyMap<string, PortableLinearWeights>;
  #planned: PlannedRun | undefined;

  constructor(
    tracker: ResourceTracker,
    scratch: ConvScratch,
    graph: ResNetGraph,
    conv: ReadonlyMap<string, PortableConvWeights>,
    linear: ReadonlyMap<string, PortableLinearWeights>,
  ) {
    super(tracker, 'other', 0);
    this.#scratch = scratch;
    this.#graph = graph;
    this.#conv = conv;
    this.#linear = linear;
  }

  async run(features: HostTensor): Promise<HostTensor> {
    return this.runSync(features);
  }

  runSync(features: HostTensor): HostTensor {
    if (this.disposed) throw new DisposedError('compiled graph');
    this.tracker.assertUsable();
    for (const w of [...this.#conv.values(), ...this.#linear.values()]) {
      if (w.disposed) throw new DisposedError('prepared weights of a compiled graph');
    }
    const [batch, frames] = features.shape;
    const run = this.#planFor(batch, frames);
    const value = (name: string) => run.values.get(name)!;
    nchwToNhwc(featuresToInputView(features), value(this.#graph.input).data);

    for (const node of this.#graph.nodes) {
      const input = value(node.input);
      const out = value(node.name).data;
      switch (node.op) {
        case 'conv2d': {
          const [B, , F, T] = input.shape;
          const residual = node.residual === undefined ? null : value(node.residual).data;
          conv2dNHWC(input.data, B, F, T, this.#conv.get(node.name)!.packed, out, residual, node.relu, this.#scratch);
          break;
        }
        case 'statsPool': {
          const [B, C, F, T] = input.shape;
          statsPoolNHWC(input.data, B, F, T, C, node.variant, out);
          break;
        }
        case 'linear': {
          const w = this.#linear.get(node.name)!;
          linearRows(input.data, batch, w.inFeatures, w.weight, w.bias, w.outFeatures, out);
          break;
        }
        case 'l2Normalize':
          l2NormalizeRows(input.data, batch, input.shape[1], out);
          break;
      }
    }
    const result = value(this.#graph.output);
    return ndarray(result.data.slice(), [...result.shape]);
  }

  /** The arena for this input size: reused while the size stays the same, replaced otherwise. */
  #planFor(batch: number, frames: number): PlannedRun {
    const current = this.#planned;
    if (current && current.batch === batch && current.frames === frames && !current.arena.disposed) return current;
    current?.arena.dispose();
    this.#planned = undefined;
    const plan = planBuffers(this.#graph, batch, frames);
    const arena = new Arena(this.tracker, plan.buffers);
    const values = new Map<string, { data: Float32Array; shape: readonly number[] }>();
    for (const v of plan.values) {
      const elements = v.shape.reduce((a, b) => a * b, 1);
      values.set(v.name, { data: arena.buffers[v.buffer].subarray(0, elements), shape: v.shape });
    }
    this.#planned = { batch, frames, plan, arena, values };
    return this.#planned;
  }

  protected override releaseMemory(): void {
    this.#planned?.arena.dispose();
    this.#planned = undefined;
  }
}
