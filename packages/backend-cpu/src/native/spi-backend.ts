/**
 * `cpu`: the native SIMD addon behind the `wsp-backend/1` interface of @wsp/resnet-graph. Single
 * ops run on the calling thread inside the addon (they return when done); `compile()` turns the
 * graph into one native plan whose `run()` works on a libuv thread, off the event loop.
 */
import ndarray from 'ndarray';
import {
  BACKEND_SPEC_VERSION,
  BackendError,
  DisposedError,
  TrackedBackend,
  WspError,
  toContiguous,
  validateConv2d,
  validateConvWeights,
  validateL2Normalize,
  validateLinear,
  validateLinearWeights,
  validateStatsPool,
  validateUpload,
} from '@wsp/resnet-graph';
import type {
  Backend,
  BackendCapabilities,
  BackendCreateOptions,
  CompiledGraph,
  ConvEpilogue,
  Conv2dWeights,
  DeviceTensor,
  HostTensor,
  LinearWeights,
  PoolingVariant,
  PreparedConv2d,
  PreparedLinear,
  PreparedWeights,
  ResNetGraph,
  ResourceTracker,
} from '@wsp/resnet-graph';
import { TrackedResource } from '@wsp/resnet-graph';
import type { NativeBackendHandle, NativeBackendOptions, NativePlanOp } from './addon-types.js';
import { createNativeCpu } from './backend.js';
import { NativeConvWeights, NativeLinearWeights, NativePlanResource, NativeTensorResource } from './resources.js';

export interface NativeCpuBackendOptions extends NativeBackendOptions {
  /** Name reported by the backend and its objects (default `cpu`). */
  name?: string;
}

/** Reads the registry's create() options: `threads`, and this backend's `isa`, `precision`, `winograd`. */
export function nativeOptionsFrom(options: BackendCreateOptions = {}): NativeCpuBackendOptions {
  const out: NativeCpuBackendOptions = {};
  if (options.threads !== undefined) out.threads = options.threads;
  for (const key of ['isa', 'precision', 'winograd', 'name'] as const) {
    if (options[key] !== undefined) (out as Record<string, unknown>)[key] = options[key];
  }
  return out;
}

export class NativeCpuBackend extends TrackedBackend implements Backend {
  readonly capabilities: BackendCapabilities;
  readonly #handle: NativeBackendHandle;

  /** Throws `NativeUnavailableError` when the addon cannot load, `RangeError`/`TypeError` for bad options. */
  constructor(options: NativeCpuBackendOptions = {}) {
    super(options.name ?? 'cpu');
    const { name: _name, ...native } = options;
    this.#handle = createNativeCpu(native);
    this.capabilities = Object.freeze({
      specVersion: BACKEND_SPEC_VERSION,
      precision: this.#handle.precision,
      asyncExecution: true,
      wholeGraph: true,
      poolingVariants: Object.freeze(['pyannote', 'wespeaker', 'mlx'] as const),
    });
  }

  /** Kernel set in use (`avx512`, `avx2`, `neon`, `generic`) and threads per op. */
  get isa(): string {
    return this.#handle.isa;
  }

  get threads(): number {
    return this.#handle.threads;
  }

  /** Runs an addon call; anything it throws after our own validation is a backend failure. */
  #native<T>(what: string, call: () => T): T {
    try {
      return call();
    } catch (e) {
      if (WspError.isInstance(e)) throw e;
      throw new BackendError(this.name, `${what} failed: ${(e as Error).message ?? String(e)}`, { cause: e });
    }
  }

  upload(host: HostTensor): DeviceTensor {
    this.tracker.assertUsable();
    const t = toContiguous(validateUpload(host));
    const native = this.#native('upload', () => this.#handle.upload(t.data, [...t.shape]));
    return new NativeTensorResource(this.tracker, t.shape, native);
  }

  async download(tensor: DeviceTensor): Promise<HostTensor> {
    const t = this.tracker.own(tensor, NativeTensorResource, 'download() tensor');
    return ndarray(this.#native('download', () => this.#handle.download(t.native)), [...t.shape]);
  }

  prepareConv2d(weights: Conv2dWeights): PreparedConv2d {
    this.tracker.assertUsable();
    const p = validateConvWeights(weights);
    const w = toContiguous(weights.weight);
    const b = toContiguous(weights.bias);
    const shape = [...w.shape] as [number, number, number, number];
    const native = this.#native('prepareConv2d', () => this.#handle.prepareConv2d(w.data, shape, b.data, p.stride, p.padding));
    // Winograd F(4x4) keeps 36 values per 9 weights; the direct path keeps them as they are.
    const perWeight = native.algorithm === 'winograd-f4x4' ? 4 : native.algorithm === 'winograd-f2x2' ? 16 / 9 : 1;
    const bytes = Math.round(4 * w.size * perWeight) + 4 * b.size;
    return new NativeConvWeights(this.tracker, native, bytes, p.inChannels, p.outChannels, p.kernel, p.stride, p.padding);
  }

  prepareLinear(weights: LinearWeights): PreparedLinear {
    this.tracker.assertUsable();
    const { outFeatures, inFeatures } = validateLinearWeights(weights);
    const w = toContiguous(weights.weight);
    const b = toContiguous(weights.bias);
    const native = this.#native('prepareLinear', () => this.#handle.prepareLinear(w.data, outFeatures, inFeatures, b.data));
    return new NativeLinearWeights(this.tracker, native, 4 * (w.size + b.size), inFeatures, outFeatures);
  }

  conv2d(x: DeviceTensor, weights: PreparedConv2d, epilogue: ConvEpilogue): DeviceTensor {
    const input = this.tracker.own(x, NativeTensorResource, 'conv2d input');
    const w = this.tracker.own(weights, NativeConvWeights, 'conv2d weights');
    const shape = validateConv2d(input.shape, w, epilogue);
    const residual = epilogue.residual === undefined ? null : this.tracker.own(epilogue.residual, NativeTensorResource, 'conv2d residual').native;
    const out = this.#native('conv2d', () => this.#handle.conv2d(input.native, w.native, epilogue.relu, residual));
    return new NativeTensorResource(this.tracker, shape, out);
  }

  statsPool(x: DeviceTensor, variant: PoolingVariant): DeviceTensor {
    const input = this.tracker.own(x, NativeTensorResource, 'statsPool input');
    const shape = validateStatsPool(input.shape, variant, this);
    return new NativeTensorResource(this.tracker, shape, this.#native('statsPool', () => this.#handle.statsPool(input.native, variant)));
  }

  linear(x: DeviceTensor, weights: PreparedLinear): DeviceTensor {
    const input = this.tracker.own(x, NativeTensorResource, 'linear input');
    const w = this.tracker.own(weights, NativeLinearWeights, 'linear weights');
    const shape = validateLinear(input.shape, w);
    return new NativeTensorResource(this.tracker, shape, this.#native('linear', () => this.#handle.linear(input.native, w.native)));
  }

  l2Normalize(x: DeviceTensor): DeviceTensor {
    const input = this.tracker.own(x, NativeTensorResource, 'l2Normalize input');
    const shape = validateL2Normalize(input.shape);
    return new NativeTensorResource(this.tracker, shape, this.#native('l2Normalize', () => this.#handle.l2Normalize(input.native)));
  }

  compile(graph: ResNetGraph, weights: PreparedWeights): CompiledGraph {
    this.tracker.assertUsable();
    // Value numbering of the addon's plan: the input is 0, node i produces i + 1.
    const index = new Map<string, number>([[graph.input, 0]]);
    const ref = (value: string) => {
      const i = index.get(value);
      if (i === undefined) throw new BackendError(this.name, `graph value '${value}' is used before it is produced`, { code: 'INVALID_GRAPH' });
      return i;
    };
    const borrowed: Array<NativeConvWeights | NativeLinearWeights> = [];
    const ops: NativePlanOp[] = graph.nodes.map((node, i) => {
      let op: NativePlanOp;
      switch (node.op) {
        case 'conv2d': {
          const w = this.tracker.own(weights.conv2d.get(node.name), NativeConvWeights, `weights of node '${node.name}'`);
          borrowed.push(w);
          op = { op: 'conv', input: ref(node.input), weights: w.native, relu: node.relu, ...(node.residual === undefined ? {} : { residual: ref(node.residual) }) };
          break;
        }
        case 'statsPool':
          op = { op: 'pool', input: ref(node.input), variant: node.variant };
          break;
        case 'linear': {
          const w = this.tracker.own(weights.linear.get(node.name), NativeLinearWeights, `weights of node '${node.name}'`);
          borrowed.push(w);
          op = { op: 'linear', input: ref(node.input), weights: w.native };
          break;
        }
        case 'l2Normalize':
          op = { op: 'l2', input: ref(node.input) };
          break;
      }
      index.set(node.name, i + 1);
      return op;
    });
    if (ref(graph.output) !== ops.length) throw new BackendError(this.name, 'the graph output must be its last node', { code: 'INVALID_GRAPH' });
    const plan = this.#native('compile', () => this.#handle.compile(ops, graph.config.n_mels));
    return new NativeCompiledGraph(this.tracker, this.name, plan, borrowed);
  }
}

/** One inference = one native call; `run` is asynchronous (libuv thread), `runSync` blocks. */
class NativeCompiledGraph extends TrackedResource implements CompiledGraph {
  readonly #plan: NativePlanResource;
  readonly #weights: ReadonlyArray<NativeConvWeights | NativeLinearWeights>;
  readonly #backendName: string;

  constructor(tracker: ResourceTracker, backendName: string, plan: NativePlanResource['native'], weights: ReadonlyArray<NativeConvWeights | NativeLinearWeights>) {
    super(tracker, 'other', 0);
    this.#backendName = backendName;
    this.#plan = new NativePlanResource(tracker, plan);
    this.#weights = weights;
  }

  #args(features: HostTensor): [Float32Array, number, number] {
    if (this.disposed) throw new DisposedError('compiled graph');
    this.tracker.assertUsable();
    for (const w of this.#weights) if (w.disposed) throw new DisposedError('prepared weights of a compiled graph');
    const f = toContiguous(features);
    return [f.data, f.shape[0], f.shape[1]];
  }

  #result(data: Float32Array, batch: number): HostTensor {
    return ndarray(data, [batch, data.length / batch]);
  }

  async run(features: HostTensor): Promise<HostTensor> {
    const [data, batch, frames] = this.#args(features);
    try {
      return this.#result(await this.#plan.native.run(data, batch, frames), batch);
    } catch (e) {
      throw new BackendError(this.#backendName, `inference failed: ${(e as Error).message ?? String(e)}`, { cause: e });
    }
  }

  runSync(features: HostTensor): HostTensor {
    const [data, batch, frames] = this.#args(features);
    try {
      return this.#result(this.#plan.native.runSync(data, batch, frames), batch);
    } catch (e) {
      throw new BackendError(this.#backendName, `inference failed: ${(e as Error).message ?? String(e)}`, { cause: e });
    }
  }

  protected override releaseMemory(): void {
    this.#plan.dispose();
  }
}
