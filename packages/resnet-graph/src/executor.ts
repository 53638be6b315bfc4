/**
 * Runs a graph op by op on any backend: upload the features view, one backend call per node, each
 * intermediate disposed right after its last use (lifetimes from the planner), download the result.
 */
import { BackendError, WspError } from './errors.js';
import type { GraphNode, ResNetGraph } from './graph.js';
import { featuresToInputView } from './host.js';
import { planBuffers } from './planner.js';
import type { Backend, DeviceTensor, HostTensor, PreparedWeights } from './spi.js';

export interface OpByOpResult {
  output: HostTensor;
  /** Downloaded copies of the values asked for in `capture`. */
  captured: Map<string, HostTensor>;
}

/** Wraps anything a backend throws that is not already a @wsp error into a `BackendError`. */
export function asBackendError(backend: Backend, error: unknown, during: string): Error {
  if (WspError.isInstance(error)) return error as Error;
  const message = error instanceof Error ? error.message : String(error);
  return new BackendError(backend.name, `${during} failed: ${message}`, { cause: error });
}

function runNode(backend: Backend, node: GraphNode, weights: PreparedWeights, live: Map<string, DeviceTensor>): DeviceTensor {
  const input = live.get(node.input)!;
  switch (node.op) {
    case 'conv2d': {
      const residual = node.residual === undefined ? undefined : live.get(node.residual)!;
      return backend.conv2d(input, weights.conv2d.get(node.name)!, residual ? { relu: node.relu, residual } : { relu: node.relu });
    }
    case 'statsPool':
      return backend.statsPool(input, node.variant);
    case 'linear':
      return backend.linear(input, weights.linear.get(node.name)!);
    case 'l2Normalize':
      return backend.l2Normalize(input);
  }
}

/**
 * `features` `[B, T, n_mels]`, already validated. Every device tensor created here is disposed
 * before this returns or throws.
 */
export async function runOpByOp(
  backend: Backend,
  graph: ResNetGraph,
  weights: PreparedWeights,
  features: HostTensor,
  capture: readonly string[] = [],
): Promise<OpByOpResult> {
  const [batch, frames] = features.shape;
  const plan = planBuffers(graph, batch, frames);
  const live = new Map<string, DeviceTensor>();
  const captured = new Map<string, HostTensor>();
  const wanted = new Set(capture);
  try {
    try {
      live.set(graph.input, backend.upload(featuresToInputView(features)));
    } catch (e) {
      throw asBackendError(backend, e, 'upload');
    }
    if (wanted.has(graph.input)) captured.set(graph.input, await backend.download(live.get(graph.input)!));
    for (let i = 0; i < graph.nodes.length; i++) {
      const node = graph.nodes[i];
      try {
        live.set(node.name, runNode(backend, node, weights, live));
      } catch (e) {
        throw asBackendError(backend, e, `${node.op} '${node.name}'`);
      }
      if (wanted.has(node.name)) captured.set(node.name, await backend.download(live.get(node.name)!));
      for (const name of plan.releaseAfter[i]) {
        live.get(name)!.dispose();
        live.delete(name);
      }
    }
    let output: HostTensor;
    try {
      output = await backend.download(live.get(graph.output)!);
    } catch (e) {
      throw asBackendError(backend, e, 'download');
    }
    return { output, captured };
  } finally {
    for (const t of live.values()) t.dispose();
  }
}
