// compile(): the graph as one native program (native/program.cpp). Values are numbered — the graph
// input is 0, each node's output the next number — and each node becomes one step.
import ndarray from 'ndarray';
import { DisposedError, GRAPH_INPUT, TrackedResource } from '@wsp/resnet-graph';
import type { CompiledGraph, HostTensor, ResNetGraph, ResourceTracker } from '@wsp/resnet-graph';
import { nativeAsync } from './errors.js';
import { packFloat32 } from './host.js';
import { POOLING_INDEX } from './pooling.js';
import type { NativeProgram, NativeProgramStep, NativeShapeInfo, NativeWeights } from './native.js';


/** The steps of `graph`; `weights` finds the prepared weights of a node by name (and checks them). */
export function programSteps(
  graph: ResNetGraph,
  weights: { conv(name: string): NativeWeights; linear(name: string): NativeWeights },
): { steps: NativeProgramStep[]; valueCount: number } {
  const ids = new Map<string, number>([[GRAPH_INPUT, 0]]);
  const id = (value: string) => {
    const v = ids.get(value);
    if (v === undefined) throw new Error(`graph node reads '${value}' before any node produced it`);
    return v;
  };
  const steps: NativeProgramStep[] = graph.nodes.map((node) => {
    const input = id(node.input);
    const output = ids.size;
    ids.set(node.name, output);
    switch (node.op) {
      case 'conv2d':
        return {
          kind: 'conv',
          input,
          output,
          relu: node.relu,
          residual: node.residual === undefined ? -1 : id(node.residual),
          weights: weights.conv(node.name),
        };
      case 'statsPool':
        return { kind: 'statsPool', input, output, pooling: POOLING_INDEX[node.variant] };
      case 'linear':
        return { kind: 'linear', input, output, weights: weights.linear(node.name) };
      case 'l2Normalize':
        return { kind: 'l2Normalize', input, output };
    }
  });
  if (graph.nodes[graph.nodes.length - 1]?.name !== graph.output) {
    throw new Error(`the graph's output '${graph.output}' is not its last node`);
  }
  return { steps, valueCount: ids.size };
}

interface CompiledOwner {
  flushWarnings(): void;
  forgetCompiled(c: AscendCompiledGraph): void;
}

export class AscendCompiledGraph extends TrackedResource implements CompiledGraph {
  /** @internal */
  constructor(
    tracker: ResourceTracker,
    private readonly program: NativeProgram,
    readonly graph: ResNetGraph,
    private readonly owner: CompiledOwner,
  ) {
    super(tracker, 'other', 0);
  }

  /** features [B, T, n_mels] (validated by the session) -> [B, embedding_dim]. */
  async run(features: HostTensor): Promise<HostTensor> {
    if (this.disposed) throw new DisposedError('compiled graph');
    const [batch, frames] = features.shape;
    const data = packFloat32(features);
    const out = await nativeAsync(() => this.program.run(data, batch, frames));
    this.owner.flushWarnings();
    return ndarray(out.data, out.dims);
  }

  /** Shapes with planned buffers: runs so far, whether an ACL graph replays them, device bytes. */
  shapes(): NativeShapeInfo[] {
    return this.disposed ? [] : this.program.shapes();
  }

  /** Device bytes of the planned shape buffers. */
  deviceBytes(): number {
    return this.shapes().reduce((n, s) => n + s.deviceBytes, 0);
  }

  protected override releaseMemory(): void {
    this.owner.forgetCompiled(this);
    this.program.dispose();
  }
}
