/**
 * An inference session: the graph of a model on one backend, weights prepared once. `run()` uses
 * the backend's `compile()` when it offers one, else runs op by op.
 */
import type { TensorMap } from '@wsp/weights';
import { BackendError, DisposedError, ShapeError } from './errors.js';
import { asBackendError, runOpByOp } from './executor.js';
import { buildGraph } from './graph.js';
import type { GraphOptions, ResNetGraph } from './graph.js';
import { concatBatch, sliceBatch, validateFeatures } from './host.js';
import { checkModelTensors } from './model.js';
import type { EmbeddingModel } from './model.js';
import { checkInputSize, minimumFrames } from './shapes.js';
import { BACKEND_SPEC_VERSION } from './spi.js';
import type { Backend, CompiledGraph, HostTensor, PreparedConv2d, PreparedLinear, PreparedWeights } from './spi.js';

/** `auto` (default): compiled when the backend offers `compile()`, else op by op. */
export type ExecutionMode = 'auto' | 'compiled' | 'op-by-op';

export interface SessionOptions extends GraphOptions {
  execution?: ExecutionMode;
}

export interface RunWithActivationsResult {
  embedding: HostTensor;
  /** Value name (see `graph.stages`) -> contiguous host copy. */
  activations: Map<string, HostTensor>;
}

export interface InferenceSession {
  readonly graph: ResNetGraph;
  readonly backend: Backend;
  /** What `run()` uses. */
  readonly execution: 'compiled' | 'op-by-op';
  /** Fewest frames `run()` accepts (9 for the unbiased poolings of ResNet34-LM, 1 for `mlx`). */
  readonly minimumFrames: number;
  readonly disposed: boolean;
  /**
   * `features` `[B, T, n_mels]` (float32, any strides) -> `[B, embedding_dim]`. Throws
   * `InputTooShortError` below `minimumFrames`, `ShapeError` for a wrong shape or dtype.
   */
  run(features: HostTensor): Promise<HostTensor>;
  /** Op by op, also downloading the named values (e.g. `graph.stages[i].value`). */
  runWithActivations(features: HostTensor, values: readonly string[]): Promise<RunWithActivationsResult>;
  /** Frees the prepared weights and any compiled plan; the backend stays usable. Twice is a no-op. */
  dispose(): void;
  [Symbol.dispose](): void;
}

function prepareWeights(backend: Backend, graph: ResNetGraph, tensors: TensorMap): PreparedWeights & { dispose(): void } {
  const conv2d = new Map<string, PreparedConv2d>();
  const linear = new Map<string, PreparedLinear>();
  const dispose = () => {
    for (const w of conv2d.values()) w.dispose();
    for (const w of linear.values()) w.dispose();
  };
  try {
    for (const node of graph.nodes) {
      if (node.op === 'conv2d') {
        conv2d.set(
          node.name,
          backend.prepareConv2d({ weight: tensors.get(node.weight)!, bias: tensors.get(node.bias)!, stride: node.stride, padding: node.padding }),
        );
      } else if (node.op === 'linear') {
        linear.set(node.name, backend.prepareLinear({ weight: tensors.get(node.weight)!, bias: tensors.get(node.bias)! }));
      }
    }
  } catch (e) {
    dispose();
    throw asBackendError(backend, e, 'preparing the weights');
  }
  return { conv2d, linear, dispose };
}

function checkBackend(backend: Backend, graph: ResNetGraph, execution: ExecutionMode): void {
  const caps = backend.capabilities;
  if (caps.specVersion !== BACKEND_SPEC_VERSION) {
    throw new BackendError(backend.name, `implements ${String(caps.specVersion)}, this @wsp/resnet-graph speaks ${BACKEND_SPEC_VERSION}`, {
      code: 'SPEC_VERSION',
    });
  }
  if (!caps.poolingVariants.includes(graph.pooling)) {
    throw new BackendError(backend.name, `pooling variant '${graph.pooling}' is not supported; supported: ${caps.poolingVariants.join(', ')}`, {
      code: 'UNSUPPORTED_POOLING',
    });
  }
  if (execution === 'compiled' && typeof backend.compile !== 'function') {
    throw new BackendError(backend.name, "execution 'compiled' was asked for but the backend has no compile()", { code: 'NO_COMPILE' });
  }
}

/**
 * Builds the graph of `model.config`, checks the tensors against the spec and prepares them on the
 * backend (once). The session borrows the backend: disposing the session leaves it usable.
 */
export function createInferenceSession(backend: Backend, model: EmbeddingModel, options: SessionOptions = {}): InferenceSession {
  const graph = buildGraph(model.config, options);
  const requested = options.execution ?? 'auto';
  if (!['auto', 'compiled', 'op-by-op'].includes(requested)) {
    throw new ShapeError(`execution must be 'auto', 'compiled' or 'op-by-op', got ${JSON.stringify(requested)}`, { code: 'INVALID_ARGUMENT' });
  }
  checkBackend(backend, graph, requested);
  checkModelTensors(model);
  const weights = prepareWeights(backend, graph, model.tensors);
  let compiled: CompiledGraph | undefined;
  if (requested !== 'op-by-op' && typeof backend.compile === 'function') {
    try {
      compiled = backend.compile(graph, weights);
    } catch (e) {
      weights.dispose();
      throw asBackendError(backend, e, 'compile');
    }
  }
  const maxBatch = backend.capabilities.maxBatch ?? Infinity;
  let disposed = false;

  const checkedInput = (features: HostTensor) => {
    if (disposed) throw new DisposedError('inference session');
    const { batch, frames } = validateFeatures(features, graph.config.n_mels);
    checkInputSize(graph, batch, frames);
    return batch;
  };

  const runChunk = async (chunk: HostTensor): Promise<HostTensor> => {
    if (compiled) {
      try {
        return await compiled.run(chunk);
      } catch (e) {
        throw asBackendError(backend, e, 'compiled run');
      }
    }
    return (await runOpByOp(backend, graph, weights, chunk)).output;
  };

  return {
    graph,
    backend,
    execution: compiled ? 'compiled' : 'op-by-op',
    minimumFrames: minimumFrames(graph),
    get disposed() {
      return disposed;
    },
    async run(features) {
      const batch = checkedInput(features);
      if (batch <= maxBatch) return runChunk(features);
      const parts: HostTensor[] = [];
      for (let start = 0; start < batch; start += maxBatch) {
        parts.push(await runChunk(sliceBatch(features, start, Math.min(batch, start + maxBatch))));
      }
      return concatBatch(parts);
    },
    async runWithActivations(features, values) {
      const batch = checkedInput(features);
      if (batch > maxBatch) {
        throw new ShapeError(`runWithActivations takes at most the backend's maxBatch (${maxBatch}) items, got ${batch}`);
      }
      const known = new Set([graph.input, ...graph.nodes.map((n) => n.name)]);
      const unknown = values.filter((v) => !known.has(v));
      if (unknown.length > 0) throw new ShapeError(`unknown graph values: ${unknown.join(', ')}`, { code: 'UNKNOWN_VALUE' });
      const { output, captured } = await runOpByOp(backend, graph, weights, features, values);
      return { embedding: output, activations: captured };
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      compiled?.dispose();
      weights.dispose();
    },
    [Symbol.dispose]() {
      this.dispose();
    },
  };
}
