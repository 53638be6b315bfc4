// The native CPU backend as a TypeScript object: the addon's kernels and thread pool behind a small
// API, plus compileNetwork() which turns a WeSpeaker model into one whole-graph native plan.
import { WspError, architecture, isContiguous } from '@wsp/weights';
import type { NdArray, TensorMap, WeSpeakerConfig } from '@wsp/weights';
import type {
  NativeBackendHandle,
  NativeBackendOptions,
  NativeIsa,
  NativePlan,
  NativePlanOp,
  NativePooling,
  NativePreparedConv2d,
  NativePreparedLinear,
} from './addon-types.js';
import { loadNativeAddon } from './load.js';

/** The addon could not be loaded here; `message` says why and how to fix it. */
export class NativeUnavailableError extends WspError {
  static override readonly errorName: string = 'NativeUnavailableError';
}

/** Input the network cannot take (too few frames for the pooling, wrong feature size). */
export class NativeInputError extends WspError {
  static override readonly errorName: string = 'NativeInputError';
}

/** Whether the native addon loads here, and why not. Never throws. */
export function nativeAvailability(): { available: true; isa: NativeIsa; path: string } | { available: false; reason: string } {
  const r = loadNativeAddon();
  return r.ok ? { available: true, isa: r.addon.defaultIsa, path: r.path } : { available: false, reason: r.reason };
}

/** Kernel sets this CPU runs (best first), e.g. ['avx512', 'avx2', 'generic']. */
export function nativeIsas(): NativeIsa[] {
  const r = loadNativeAddon();
  return r.ok ? r.addon.availableIsas() : [];
}

/** Creates a native backend handle; throws NativeUnavailableError when the addon cannot load. */
export function createNativeCpu(options: NativeBackendOptions = {}): NativeBackendHandle {
  const r = loadNativeAddon();
  if (!r.ok) throw new NativeUnavailableError(r.reason, { code: 'NATIVE_UNAVAILABLE', cause: r.error });
  return new r.addon.NativeBackend(options);
}

export interface CompileNetworkOptions {
  /** Statistics pooling variant (docs/model-spec §2.3). Default 'pyannote'. */
  pooling?: NativePooling;
  /** L2-normalise the embedding as the last step. Default true. */
  normalize?: boolean;
}

export interface NativeNetwork {
  readonly config: WeSpeakerConfig;
  /** Smallest frame count accepted (9 for the unbiased poolings of ResNet34, 1 for 'mlx'). */
  readonly minimumFrames: number;
  readonly embeddingDim: number;
  /** The algorithm chosen per convolution, by MLX parameter name. */
  readonly algorithms: ReadonlyMap<string, string>;
  /** features: [batch][frames][n_mels] row-major. Runs off the event loop; resolves to [batch][embeddingDim]. */
  run(features: Float32Array, batch: number, frames: number): Promise<Float32Array>;
  /** Same on the calling thread (blocks it for the whole inference). */
  runSync(features: Float32Array, batch: number, frames: number): Float32Array;
  /** runSync plus the wall time of each op, in plan order (see `opNames`). For benchmarks. */
  runProfiled(features: Float32Array, batch: number, frames: number): { output: Float32Array; opSeconds: Float64Array };
  /** The name of every op of the plan, in order (MLX parameter names; 'pool', 'l2'). */
  readonly opNames: readonly string[];
  dispose(): void;
  [Symbol.dispose](): void;
}

function contiguousData(t: NdArray<Float32Array>, name: string): Float32Array {
  if (!(t.data instanceof Float32Array)) throw new NativeInputError(`${name} must be float32`, { code: 'WEIGHT_DTYPE' });
  if (isContiguous(t)) return t.data;
  const out = new Float32Array(t.size);
  let i = 0;
  const walk = (dim: number, offset: number) => {
    if (dim === t.shape.length) {
      out[i++] = t.data[offset];
      return;
    }
    for (let k = 0; k < t.shape[dim]; k++) walk(dim + 1, offset + k * t.stride[dim]);
  };
  walk(0, t.offset);
  return out;
}

/**
 * Prepares every weight once (repacked, Winograd-transformed) and compiles the whole ResNet into
 * one native plan: stem, residual blocks (identity or 1x1 stride-2 shortcut), statistics pooling,
 * the embedding layer and, by default, L2 normalisation.
 */
export function compileNetwork(
  backend: NativeBackendHandle,
  model: { config: WeSpeakerConfig; tensors: TensorMap },
  options: CompileNetworkOptions = {},
): NativeNetwork {
  const { config, tensors } = model;
  const arch = architecture(config);
  const prepared: Array<NativePreparedConv2d | NativePreparedLinear> = [];
  const algorithms = new Map<string, string>();
  const tensor = (name: string) => {
    const t = tensors.get(name);
    if (!t) throw new NativeInputError(`missing tensor ${name}`, { code: 'WEIGHT_MISSING' });
    return t;
  };
  const ops: NativePlanOp[] = [];
  const opNames: string[] = [];
  // Returns the new value's number (op i produces value i + 1).
  const push = (op: NativePlanOp, name: string) => {
    opNames.push(name);
    return ops.push(op);
  };
  const conv = (name: string, stride: 1 | 2, padding: 0 | 1) => {
    const w = tensor(`${name}.weight`);
    const b = tensor(`${name}.bias`);
    if (w.shape.length !== 4 || b.shape.length !== 1 || b.shape[0] !== w.shape[0]) {
      throw new NativeInputError(`${name}: weight ${JSON.stringify(w.shape)} / bias ${JSON.stringify(b.shape)} are not [O,kH,kW,I] / [O]`, { code: 'WEIGHT_SHAPE' });
    }
    const p = backend.prepareConv2d(contiguousData(w, `${name}.weight`), w.shape as [number, number, number, number], contiguousData(b, `${name}.bias`), stride, padding);
    prepared.push(p);
    algorithms.set(name, p.algorithm);
    return p;
  };
  try {
    let x = push({ op: 'conv', input: 0, weights: conv('conv1', 1, 1), relu: true }, 'conv1');
    for (const block of arch.stages.flat()) {
      const h = push({ op: 'conv', input: x, weights: conv(`${block.name}.conv1`, block.stride, 1), relu: true }, `${block.name}.conv1`);
      const residual = block.hasShortcut
        ? push({ op: 'conv', input: x, weights: conv(`${block.name}.shortcut`, block.stride, 0), relu: false }, `${block.name}.shortcut`)
        : x;
      x = push({ op: 'conv', input: h, weights: conv(`${block.name}.conv2`, 1, 1), relu: true, residual }, `${block.name}.conv2`);
    }
    x = push({ op: 'pool', input: x, variant: options.pooling ?? 'pyannote' }, 'pool');
    const lw = tensor('embedding.weight');
    const lb = tensor('embedding.bias');
    const linear = backend.prepareLinear(contiguousData(lw, 'embedding.weight'), lw.shape[0], lw.shape[1], contiguousData(lb, 'embedding.bias'));
    prepared.push(linear);
    x = push({ op: 'linear', input: x, weights: linear }, 'embedding');
    if (options.normalize ?? true) push({ op: 'l2', input: x }, 'l2');
    const plan: NativePlan = backend.compile(ops, config.n_mels);
    return makeNetwork(plan, config, algorithms, opNames, prepared);
  } catch (e) {
    for (const p of prepared) p.dispose();
    throw e;
  }
}

function makeNetwork(
  plan: NativePlan,
  config: WeSpeakerConfig,
  algorithms: Map<string, string>,
  opNames: string[],
  prepared: Array<{ dispose(): void }>,
): NativeNetwork {
  const check = (features: Float32Array, batch: number, frames: number) => {
    if (!plan.disposed && Number.isInteger(frames) && frames >= 1 && frames < plan.minimumFrames) {
      throw new NativeInputError(`input too short: ${frames} frames, the network needs at least ${plan.minimumFrames}`, { code: 'INPUT_TOO_SHORT' });
    }
    return [features, batch, frames] as const;
  };
  const dispose = () => {
    plan.dispose();
    for (const p of prepared) p.dispose();
  };
  return {
    config,
    minimumFrames: plan.minimumFrames,
    embeddingDim: plan.outputSize,
    algorithms,
    run: (features, batch, frames) => {
      try {
        return plan.run(...check(features, batch, frames));
      } catch (e) {
        return Promise.reject(e);
      }
    },
    runSync: (features, batch, frames) => plan.runSync(...check(features, batch, frames)),
    runProfiled: (features, batch, frames) => plan.runProfiled(...check(features, batch, frames)),
    opNames,
    dispose,
    [Symbol.dispose]: dispose,
  };
}
