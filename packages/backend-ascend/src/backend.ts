// The Ascend backend (wsp-backend/1, docs/decisions/0002-backend-spi.md): layer operations of the
// WeSpeaker ResNet on an NPU. Operations queue on the device stream and return at once; download()
// and compiled-graph runs complete on a libuv worker thread.
import ndarray from 'ndarray';
import {
  BACKEND_SPEC_VERSION,
  TrackedBackend,
  TrackedResource,
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
  Conv2dWeights,
  ConvEpilogue,
  DeviceTensor,
  HostTensor,
  LinearWeights,
  MemoryStats,
  PoolingVariant,
  PreparedConv2d,
  PreparedLinear,
  PreparedWeights,
  ResNetGraph,
  ResourceTracker,
} from '@wsp/resnet-graph';
import { isAvailable } from './availability.js';
import { AscendCompiledGraph, programSteps } from './compiled.js';
import { AscendError, AscendUnavailableError, BACKEND_NAME, native, nativeAsync } from './errors.js';
import { packFloat32 } from './host.js';
import { POOLING_INDEX, POOLING_VARIANTS } from './pooling.js';
import type { NativeSession, NativeTensor, NativeWeights } from './native.js';
import { loadNative } from './native.js';

export type AscendPrecision = 'fp32' | 'hf32' | 'fp16';


export interface AscendBackendOptions {
  /** Device id (default 0). */
  device?: number;
  /**
   * Cube-unit precision of convolutions and the linear layer: 'fp32' (default, cubeMathType 0),
   * 'hf32' (3) or 'fp16' (2). With 'fp32', an operator that rejects it falls back to HF32 once,
   * with a warning, and `capabilities.precision` becomes 'hf32'.
   */
  precision?: AscendPrecision;
  /** Deterministic kernels (aclrtCtxSetSysParamOpt ACL_OPT_DETERMINISTIC). Default false. */
  deterministic?: boolean;
  /**
   * Compiled graphs capture the launch sequence of each (batch, frames) shape into an ACL graph on
   * its second run and replay it afterwards (aclmdlRI*). Default false. A capture that fails falls
   * back to eager launches for that shape, with a warning.
   */
  graphCapture?: boolean;
  /** Shapes whose buffers (and graphs) a compiled graph keeps, least recently used dropped. Default 4. */
  maxCachedShapes?: number;
  /** Receives precision fallbacks and capture failures; default process.emitWarning. */
  onWarning?: (message: string) => void;
}

/** A float32 tensor in device memory; its shape is the logical NCHW [B, C, F, T] or [B, N]. */
export class AscendTensor extends TrackedResource implements DeviceTensor {
  readonly dtype = 'float32' as const;
  readonly shape: readonly number[];

  constructor(
    tracker: ResourceTracker,
    /** @internal */ readonly handle: NativeTensor,
  ) {
    super(tracker, 'tensor', 4 * handle.dims.reduce((n, d) => n * d, 1));
    this.shape = Object.freeze([...handle.dims]);
  }

  protected override releaseMemory(): void {
    // Back to the device pool; work still queued on the stream keeps its memory until it has run.
    this.handle.dispose();
  }
}

/** Convolution weights, converted once from MLX [O, kH, kW, I] to OIHW, and bias. */
export class AscendConv2d extends TrackedResource implements PreparedConv2d {
  readonly outChannels: number;
  readonly inChannels: number;
  readonly kernel: 1 | 3;
  readonly stride: 1 | 2;
  readonly padding: 0 | 1;

  constructor(
    tracker: ResourceTracker,
    /** @internal */ readonly handle: NativeWeights,
    p: { outChannels: number; inChannels: number; kernel: 1 | 3; stride: 1 | 2; padding: 0 | 1 },
  ) {
    super(tracker, 'preparedWeights', 4 * p.outChannels * (p.inChannels * p.kernel * p.kernel + 1));
    ({ outChannels: this.outChannels, inChannels: this.inChannels, kernel: this.kernel, stride: this.stride, padding: this.padding } = p);
  }

  protected override releaseMemory(): void {
    this.handle.dispose();
  }
}

/** Linear weights, stored transposed ([in, out]) so the matmul reads them row-major, and bias. */
export class AscendLinear extends TrackedResource implements PreparedLinear {
  constructor(
    tracker: ResourceTracker,
    /** @internal */ readonly handle: NativeWeights,
    readonly inFeatures: number,
    readonly outFeatures: number,
  ) {
    super(tracker, 'preparedWeights', 4 * outFeatures * (inFeatures + 1));
  }

  protected override releaseMemory(): void {
    this.handle.dispose();
  }
}

export class AscendBackend extends TrackedBackend implements Backend {
  /** @internal */ readonly session: NativeSession;
  private readonly warn: (message: string) => void;
  private readonly compileOptions: { graphCapture: boolean; maxCachedShapes: number };
  private readonly compiled = new Set<AscendCompiledGraph>();
  private lastPrecision: AscendPrecision;

  /** Opens the device. Throws AscendUnavailableError with the reason when it cannot be used. */
  constructor(options: AscendBackendOptions = {}) {
    super(BACKEND_NAME);
    const precision = options.precision ?? 'fp32';
    if (!['fp32', 'hf32', 'fp16'].includes(precision)) {
      throw new AscendError(`precision must be 'fp32', 'hf32' or 'fp16', not '${String(precision)}'`, { code: 'INVALID_OPTION' });
    }
    const availability = isAvailable();
    if (!availability.available) {
      throw new AscendUnavailableError(availability.reason, { code: availability.code, cannMessage: availability.cannMessage });
    }
    const load = loadNative();
    if (!load.ok) throw new AscendUnavailableError(load.error.message, { code: 'ADDON_NOT_LOADED' });
    this.session = native(
      () => new load.addon.Session({ device: options.device ?? 0, precision, deterministic: options.deterministic ?? false }),
    );
    this.lastPrecision = precision;
    this.warn = options.onWarning ?? ((message) => process.emitWarning(message, { code: 'WSP_ASCEND' }));
    this.compileOptions = { graphCapture: options.graphCapture ?? false, maxCachedShapes: options.maxCachedShapes ?? 4 };
  }

  get capabilities(): BackendCapabilities {
    return {
      specVersion: BACKEND_SPEC_VERSION,
      precision: this.precision,
      asyncExecution: true,
      wholeGraph: true,
      poolingVariants: POOLING_VARIANTS,
    };
  }

  /** The precision in effect (after any HF32 fallback). */
  get precision(): AscendPrecision {
    if (!this.disposed) this.lastPrecision = this.session.info().precision;
    return this.lastPrecision;
  }

  upload(host: HostTensor): AscendTensor {
    validateUpload(host);
    this.tracker.assertUsable();
    return new AscendTensor(this.tracker, native(() => this.session.upload(packFloat32(host), [...host.shape])));
  }

  async download(tensor: DeviceTensor): Promise<HostTensor> {
    const t = this.tracker.own(tensor, AscendTensor, 'download() input');
    const data = await nativeAsync(() => this.session.download(t.handle));
    this.flushWarnings();
    return ndarray(data, [...t.shape]);
  }

  prepareConv2d(weights: Conv2dWeights): AscendConv2d {
    const p = validateConvWeights(weights);
    this.tracker.assertUsable();
    const oihw = packFloat32(weights.weight.transpose(0, 3, 1, 2));
    const handle = native(() =>
      this.session.prepareConv(oihw, packFloat32(weights.bias), p.outChannels, p.inChannels, p.kernel, p.stride, p.padding),
    );
    return new AscendConv2d(this.tracker, handle, p);
  }

  prepareLinear(weights: LinearWeights): AscendLinear {
    const p = validateLinearWeights(weights);
    this.tracker.assertUsable();
    const transposed = packFloat32(weights.weight.transpose(1, 0));
    const handle = native(() => this.session.prepareLinear(transposed, packFloat32(weights.bias), p.inFeatures, p.outFeatures));
    return new AscendLinear(this.tracker, handle, p.inFeatures, p.outFeatures);
  }

  conv2d(x: DeviceTensor, weights: PreparedConv2d, epilogue: ConvEpilogue): AscendTensor {
    const input = this.tracker.own(x, AscendTensor, 'conv2d input');
    const w = this.tracker.own(weights, AscendConv2d, 'conv2d weights');
    const residual = epilogue?.residual === undefined ? undefined : this.tracker.own(epilogue.residual, AscendTensor, 'conv2d residual');
    validateConv2d(input.shape, w, epilogue);
    const out = native(() => this.session.conv2d(input.handle, w.handle, epilogue.relu, residual?.handle ?? null));
    this.flushWarnings();
    return new AscendTensor(this.tracker, out);
  }

  /** x [B, C, F, T] -> [B, 2·C·F]: means (index c·F + f), then standard deviations over T. */
  statsPool(x: DeviceTensor, variant: PoolingVariant): AscendTensor {
    const input = this.tracker.own(x, AscendTensor, 'statsPool input');
    validateStatsPool(input.shape, variant, this);
    return new AscendTensor(this.tracker, native(() => this.session.statsPool(input.handle, POOLING_INDEX[variant])));
  }

  linear(x: DeviceTensor, weights: PreparedLinear): AscendTensor {
    const input = this.tracker.own(x, AscendTensor, 'linear input');
    const w = this.tracker.own(weights, AscendLinear, 'linear weights');
    validateLinear(input.shape, w);
    const out = native(() => this.session.linear(input.handle, w.handle));
    this.flushWarnings();
    return new AscendTensor(this.tracker, out);
  }

  l2Normalize(x: DeviceTensor): AscendTensor {
    const input = this.tracker.own(x, AscendTensor, 'l2Normalize input');
    validateL2Normalize(input.shape);
    return new AscendTensor(this.tracker, native(() => this.session.l2Normalize(input.handle)));
  }

  /**
   * The whole graph as one native program: one call per inference, on a worker thread, buffers
   * planned per (batch, frames) shape, optional ACL graph replay. The weights are borrowed.
   */
  compile(graph: ResNetGraph, weights: PreparedWeights): AscendCompiledGraph {
    this.tracker.assertUsable();
    const steps = programSteps(graph, {
      conv: (name) => this.tracker.own(weights.conv2d.get(name), AscendConv2d, `compile(): weights of '${name}'`).handle,
      linear: (name) => this.tracker.own(weights.linear.get(name), AscendLinear, `compile(): weights of '${name}'`).handle,
    });
    const program = native(() => this.session.createProgram(steps.steps, steps.valueCount, graph.config.n_mels, this.compileOptions));
    const compiled = new AscendCompiledGraph(this.tracker, program, graph, this);
    this.compiled.add(compiled);
    return compiled;
  }

  /** Waits until every queued operation has run (errors of queued kernels surface here). */
  async synchronize(): Promise<void> {
    this.tracker.assertUsable();
    await nativeAsync(() => this.session.synchronize());
  }

  /** Live tensors and weights, and the device bytes they and the compiled graphs' shape plans hold. */
  override memory(): MemoryStats {
    const stats = super.memory();
    for (const c of this.compiled) stats.bytes += c.deviceBytes();
    return stats;
  }

  /** Frees every device resource of this backend; its tensors and weights become unusable. */
  override dispose(): void {
    if (this.disposed) return;
    this.lastPrecision = this.precision;
    super.dispose();
    this.session.dispose();
  }

  /** @internal */
  forgetCompiled(c: AscendCompiledGraph): void {
    this.compiled.delete(c);
  }

  /** @internal */
  flushWarnings(): void {
    if (this.disposed) return;
    for (const w of this.session.takeWarnings()) this.warn(w);
  }
}
