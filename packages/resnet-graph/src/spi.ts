/**
 * The backend interface (SPI), version `wsp-backend/1` (docs/decisions/0002-backend-spi.md).
 *
 * A backend owns device memory and a small op set at layer granularity. Host tensors crossing the
 * boundary are scijs `ndarray` views over `Float32Array`; device tensors are opaque handles.
 */
import type { NdArray } from 'ndarray';
import type { ResNetGraph } from './graph.js';

/** The SPI version this package speaks; backends declare it in `capabilities.specVersion`. */
export const BACKEND_SPEC_VERSION = 'wsp-backend/1';
export type BackendSpecVersion = typeof BACKEND_SPEC_VERSION;

/** Arithmetic a backend runs at; the conformance tolerances derive from it. */
export type Precision = 'fp32' | 'hf32' | 'fp16' | 'bf16';
export const PRECISIONS: readonly Precision[] = ['fp32', 'hf32', 'fp16', 'bf16'];

/** Standard-deviation flavours of the statistics pooling (model-spec §2.3). */
export type PoolingVariant = 'pyannote' | 'wespeaker' | 'mlx';

/** A host tensor: an ndarray view over float32 data, any strides. */
export type HostTensor = NdArray<Float32Array>;

export interface BackendCapabilities {
  readonly specVersion: BackendSpecVersion;
  /** As configured; drives the conformance tolerances. */
  readonly precision: Precision;
  /** True when work runs off the JS thread (a native worker, a device stream). */
  readonly asyncExecution: boolean;
  /** True when the backend offers `compile()`. */
  readonly wholeGraph: boolean;
  readonly poolingVariants: readonly PoolingVariant[];
  /** Largest batch one call accepts; the session splits larger batches. */
  readonly maxBatch?: number;
}

/** Anything a backend allocates: explicit lifetime, `dispose()` twice is a no-op. */
export interface DeviceObject {
  /** Name of the owning backend. */
  readonly backend: string;
  readonly disposed: boolean;
  dispose(): void;
  [Symbol.dispose](): void;
}

/**
 * An opaque device tensor. Activations have the logical NCHW shape `[B, C, F, T]` (whatever the
 * device layout), vectors `[B, N]`.
 */
export interface DeviceTensor extends DeviceObject {
  readonly shape: readonly number[];
  readonly dtype: 'float32';
}

/** Convolution weights repacked for the device. `(kernel, padding)` is `(3, 1)` or `(1, 0)`. */
export interface PreparedConv2d extends DeviceObject {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernel: 1 | 3;
  readonly stride: 1 | 2;
  readonly padding: 0 | 1;
}

export interface PreparedLinear extends DeviceObject {
  readonly inFeatures: number;
  readonly outFeatures: number;
}

export interface Conv2dWeights {
  /** MLX layout `[O, kH, kW, I]`; kH runs over frequency, kW over time. */
  weight: HostTensor;
  /** `[O]` */
  bias: HostTensor;
  stride: 1 | 2;
  padding: 0 | 1;
}

export interface LinearWeights {
  /** `[N, K]` (out, in) */
  weight: HostTensor;
  /** `[N]` */
  bias: HostTensor;
}

/** What runs after the convolution sum, in this order: + bias, + residual, ReLU. */
export interface ConvEpilogue {
  relu: boolean;
  /** Same shape as the output. */
  residual?: DeviceTensor;
}

export interface MemoryStats {
  /** Live device tensors. */
  tensors: number;
  /** Live prepared weights. */
  preparedWeights: number;
  /** Device bytes held by live objects (tensors, weights, compiled plans). */
  bytes: number;
}

/** The prepared weights of a whole graph, keyed by node name (`conv1`, `layer2.0.shortcut`, `embedding`). */
export interface PreparedWeights {
  readonly conv2d: ReadonlyMap<string, PreparedConv2d>;
  readonly linear: ReadonlyMap<string, PreparedLinear>;
}

/** A whole-graph plan: one inference is one call. */
export interface CompiledGraph {
  /** `features`: `[B, T, n_mels]` (frames × bins) -> `[B, embedding_dim]`. Already validated by the session. */
  run(features: HostTensor): Promise<HostTensor>;
  /** Offered only where a synchronous run is honest (the work runs on the JS thread anyway). */
  runSync?(features: HostTensor): HostTensor;
  readonly disposed: boolean;
  dispose(): void;
  [Symbol.dispose](): void;
}

/**
 * A backend. Ops enqueue: they return their output handle synchronously; the work may run later.
 * `download()` is the completion point. Disposing a tensor that queued work still reads is allowed
 * (the backend keeps the memory until the work is done).
 */
export interface Backend {
  readonly name: string;
  readonly capabilities: BackendCapabilities;

  /** Any strides; rank 2 `[B, N]` or rank 4 `[B, C, F, T]`; the logical shape is `host.shape`. */
  upload(host: HostTensor): DeviceTensor;
  /** A contiguous row-major copy in the logical shape. */
  download(tensor: DeviceTensor): Promise<HostTensor>;

  prepareConv2d(weights: Conv2dWeights): PreparedConv2d;
  prepareLinear(weights: LinearWeights): PreparedLinear;

  /** `[B, I, F, T]` -> `[B, O, F', T']` with F' = floor((F + 2p − k)/s) + 1 (ceil(F/2) for stride 2). */
  conv2d(x: DeviceTensor, weights: PreparedConv2d, epilogue: ConvEpilogue): DeviceTensor;
  /** `[B, C, F, T]` -> `[B, 2·C·F]`: means (index c·F + f) then standard deviations over T. */
  statsPool(x: DeviceTensor, variant: PoolingVariant): DeviceTensor;
  /** `[B, K]` -> `[B, N]`: x·Wᵀ + b. */
  linear(x: DeviceTensor, weights: PreparedLinear): DeviceTensor;
  /** `[B, N]` -> `[B, N]`: each row divided by max(‖row‖₂, 1e-12). */
  l2Normalize(x: DeviceTensor): DeviceTensor;

  /** Optional whole-graph path. The graph and weights are borrowed: the session owns them. */
  compile?(graph: ResNetGraph, weights: PreparedWeights): CompiledGraph;

  memory(): MemoryStats;
  readonly disposed: boolean;
  /** Frees every object the backend still owns; later calls throw `DisposedError`. */
  dispose(): void;
  [Symbol.dispose](): void;
}

/** The epsilon of `l2Normalize`: the same floor as PyTorch's `F.normalize`. */
export const L2_NORM_EPSILON = 1e-12;
