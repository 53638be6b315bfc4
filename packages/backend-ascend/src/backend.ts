// The Ascend backend: layer operations of the WeSpeaker ResNet on an NPU, following the backend
// contract of docs/decisions/0002-backend-spi.md. Operations enqueue on the device stream and return
// at once; download() and compiled-network runs complete on a libuv worker thread.
import ndarray from 'ndarray';
import type { NdArray } from '@wsp/weights';
import { AscendArgumentError, AscendDisposedError, AscendUnavailableError, native, nativeAsync } from './errors.js';
import { packFloat32 } from './host.js';
import type { HostArray } from './host.js';
import { isAvailable } from './availability.js';
import { disposeSymbol } from './dispose.js';
import type { NativeSession, NativeTensor, NativeWeights } from './native.js';
import { loadNative } from './native.js';

export type AscendPrecision = 'fp32' | 'hf32' | 'fp16';
export type PoolingVariant = 'pyannote' | 'wespeaker' | 'mlx';

export const POOLING_VARIANTS: readonly PoolingVariant[] = ['pyannote', 'wespeaker', 'mlx'];
const POOLING_INDEX: Record<PoolingVariant, number> = { pyannote: 0, wespeaker: 1, mlx: 2 };

export interface AscendBackendOptions {
  /** Device id (default 0). */
  device?: number;
  /**
   * Cube-unit precision of convolutions and the linear layer: 'fp32' (default, cubeMathType 0),
   * 'hf32' (3) or 'fp16' (2). With 'fp32', an operator that rejects it falls back to HF32 once,
   * with a warning.
   */
  precision?: AscendPrecision;
  /** Deterministic kernels (aclrtCtxSetSysParamOpt ACL_OPT_DETERMINISTIC). Default false. */
  deterministic?: boolean;
  /** Receives precision fallbacks and capture failures; default process.emitWarning. */
  onWarning?: (message: string) => void;
}


/** A float32 tensor in device memory. Its shape is the logical NCHW [B, C, F, T] or [B, N]. */
export class AscendTensor {
  readonly dtype = 'float32' as const;
  readonly backend = 'ascend';
  readonly shape: readonly number[];

  constructor(
    /** @internal */ readonly handle: NativeTensor,
    /** @internal */ readonly owner: AscendBackend,
  ) {
    this.shape = Object.freeze([...handle.dims]);
  }

  get disposed(): boolean {
    return this.handle.disposed;
  }

  dispose(): void {
    this.handle.dispose();
  }

  [disposeSymbol](): void {
    this.dispose();
  }
}

/** Prepared weights, resident on the device until disposed. */
abstract class DeviceWeights {
  private released = false;
  constructor(/** @internal */ readonly handle: NativeWeights) {}
  get disposed(): boolean {
    return this.released;
  }
  dispose(): void {
    this.released = true;
    this.handle.dispose();
  }
  [disposeSymbol](): void {
    this.dispose();
  }
}

/** Convolution weights (converted to OIHW) and bias. */
export class AscendConv2d extends DeviceWeights {
  constructor(
    handle: NativeWeights,
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernel: number,
    readonly stride: number,
    readonly padding: number,
  ) {
    super(handle);
  }
}

/** Linear weights (stored transposed, [in, out]) and bias. */
export class AscendLinear extends DeviceWeights {
  constructor(
    handle: NativeWeights,
    readonly inFeatures: number,
    readonly outFeatures: number,
  ) {
    super(handle);
  }
}

export class AscendBackend {
  readonly name = 'ascend';
  /** @internal */ readonly session: NativeSession;
  private readonly warn: (message: string) => void;
  private closed = false;

  /** Opens the device. Throws AscendUnavailableError with the reason when it cannot be used. */
  constructor(options: AscendBackendOptions = {}) {
    const availability = isAvailable();
    if (!availability.available) {
      throw new AscendUnavailableError(availability.reason, { code: availability.code, cannMessage: availability.cannMessage });
    }
    const load = loadNative();
    if (!load.ok) throw new AscendUnavailableError(load.error.message, { code: 'ADDON_NOT_LOADED' });
    const precision = options.precision ?? 'fp32';
    if (!['fp32', 'hf32', 'fp16'].includes(precision)) {
      throw new AscendArgumentError(`precision must be 'fp32', 'hf32' or 'fp16', not '${precision}'`, {
        code: 'ASCEND_INVALID_ARGUMENT',
      });
    }
    this.session = native(
      () => new load.addon.Session({ device: options.device ?? 0, precision, deterministic: options.deterministic ?? false }),
    );
    this.warn = options.onWarning ?? ((message) => process.emitWarning(message, { code: 'WSP_ASCEND' }));
  }

  get capabilities() {
    return {
      specVersion: 'wsp-backend/1' as const,
      precision: this.precision,
      asyncExecution: true,
      wholeGraph: true,
      poolingVariants: [...POOLING_VARIANTS],
    };
  }

  /** The precision in effect (after any HF32 fallback). */
  get precision(): AscendPrecision {
    return this.closed ? 'fp32' : this.session.info().precision;
  }

  upload(host: HostArray): AscendTensor {
    this.checkOpen();
    const dims = [...host.shape];
    if (dims.length === 0 || dims.some((d) => !Number.isInteger(d) || d < 1)) {
      throw new AscendArgumentError(`cannot upload a tensor of shape [${dims.join(', ')}]`, { code: 'ASCEND_INVALID_ARGUMENT' });
    }
    return this.wrap(native(() => this.session.upload(packFloat32(host), dims)));
  }

  async download(t: AscendTensor): Promise<NdArray<Float32Array>> {
    this.own(t);
    const data = await nativeAsync(() => this.session.download(t.handle));
    this.flushWarnings();
    return ndarray(data, [...t.shape]);
  }

  /** weight: MLX [O, kH, kW, I]; converted to OIHW once, here. */
  prepareConv2d(p: { weight: HostArray; bias: HostArray; stride: 1 | 2; padding: 0 | 1 }): AscendConv2d {
    this.checkOpen();
    const [o, kh, kw, i] = p.weight.shape;
    if (p.weight.shape.length !== 4 || kh !== kw || p.bias.shape.length !== 1 || p.bias.shape[0] !== o) {
      throw new AscendArgumentError(
        `convolution weight must be [O, k, k, I] with bias [O]; got [${p.weight.shape.join(', ')}] and [${p.bias.shape.join(', ')}]`,
        { code: 'ASCEND_INVALID_ARGUMENT' },
      );
    }
    const oihw = packFloat32(p.weight.transpose(0, 3, 1, 2));
    const handle = native(() => this.session.prepareConv(oihw, packFloat32(p.bias), o, i, kh, p.stride, p.padding));
    return new AscendConv2d(handle, i, o, kh, p.stride, p.padding);
  }

  /** weight: [N, K] (out, in); stored transposed so the matmul reads it row-major. */
  prepareLinear(p: { weight: HostArray; bias: HostArray }): AscendLinear {
    this.checkOpen();
    const [n, k] = p.weight.shape;
    if (p.weight.shape.length !== 2 || p.bias.shape.length !== 1 || p.bias.shape[0] !== n) {
      throw new AscendArgumentError(
        `linear weight must be [N, K] with bias [N]; got [${p.weight.shape.join(', ')}] and [${p.bias.shape.join(', ')}]`,
        { code: 'ASCEND_INVALID_ARGUMENT' },
      );
    }
    const transposed = packFloat32(p.weight.transpose(1, 0));
    const handle = native(() => this.session.prepareLinear(transposed, packFloat32(p.bias), k, n));
    return new AscendLinear(handle, k, n);
  }

  conv2d(x: AscendTensor, w: AscendConv2d, epilogue: { relu: boolean; residual?: AscendTensor }): AscendTensor {
    this.own(x);
    if (epilogue.residual) this.own(epilogue.residual);
    if (w.disposed) throw new AscendDisposedError('the convolution weights were disposed', { code: 'ASCEND_DISPOSED' });
    const out = native(() => this.session.conv2d(x.handle, w.handle, epilogue.relu, epilogue.residual?.handle ?? null));
    this.flushWarnings();
    return this.wrap(out);
  }

  /** x [B, C, F, T] -> [B, 2·C·F]: means (index c·F + f), then standard deviations over T. */
  statsPool(x: AscendTensor, variant: PoolingVariant): AscendTensor {
    this.own(x);
    const index = POOLING_INDEX[variant];
    if (index === undefined) {
      throw new AscendArgumentError(`unknown pooling variant '${variant}'`, { code: 'ASCEND_INVALID_ARGUMENT' });
    }
    return this.wrap(native(() => this.session.statsPool(x.handle, index)));
  }

  linear(x: AscendTensor, w: AscendLinear): AscendTensor {
    this.own(x);
    if (w.disposed) throw new AscendDisposedError('the linear weights were disposed', { code: 'ASCEND_DISPOSED' });
    const out = native(() => this.session.linear(x.handle, w.handle));
    this.flushWarnings();
    return this.wrap(out);
  }

  l2Normalize(x: AscendTensor): AscendTensor {
    this.own(x);
    return this.wrap(native(() => this.session.l2Normalize(x.handle)));
  }

  /** Waits until every queued operation has run (errors of queued kernels surface here). */
  async synchronize(): Promise<void> {
    this.checkOpen();
    await nativeAsync(() => this.session.synchronize());
  }

  /** Live device objects: tensors, prepared weights, and the device bytes they (and plans) hold. */
  memory(): { tensors: number; preparedWeights: number; bytes: number } {
    const m = this.session.memory();
    return { tensors: m.tensors, preparedWeights: m.weights, bytes: m.bytesInUse };
  }

  get disposed(): boolean {
    return this.closed;
  }

  /** Frees every device resource of this backend; tensors and weights become unusable. Idempotent. */
  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.session.dispose();
  }

  [disposeSymbol](): void {
    this.dispose();
  }

  /** @internal */
  flushWarnings(): void {
    if (this.closed) return;
    for (const w of this.session.takeWarnings()) this.warn(w);
  }

  /** @internal */
  checkOpen(): void {
    if (this.closed) throw new AscendDisposedError('the Ascend backend was disposed', { code: 'ASCEND_DISPOSED' });
  }

  private own(t: AscendTensor): void {
    this.checkOpen();
    if (!(t instanceof AscendTensor) || t.owner !== this) {
      throw new AscendArgumentError('the tensor does not belong to this Ascend backend', { code: 'ASCEND_INVALID_ARGUMENT' });
    }
    if (t.disposed) throw new AscendDisposedError('the tensor was disposed', { code: 'ASCEND_DISPOSED' });
  }

  private wrap(handle: NativeTensor): AscendTensor {
    return new AscendTensor(handle, this);
  }
}
