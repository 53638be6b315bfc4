/**
 * Argument checks for backends, so every backend rejects the same bad input with the same typed
 * error (`ShapeError`, `InputTooShortError`, `BackendError` for an unsupported variant) before any
 * work is queued. Each returns the output shape or the unpacked parameters.
 */
import { BackendError, InputTooShortError, ShapeError } from '../errors.js';
import { isPoolingVariant, minimumPooledFrames } from '../pooling.js';
import { convOutputLength } from '../shapes.js';
import type {
  Backend,
  ConvEpilogue,
  Conv2dWeights,
  HostTensor,
  LinearWeights,
  PoolingVariant,
  PreparedConv2d,
  PreparedLinear,
} from '../spi.js';

type Shape = readonly number[];

const shapeText = (shape: Shape) => `[${shape.join(', ')}]`;

function isFloat32Array(value: unknown): value is Float32Array {
  return Object.prototype.toString.call(value) === '[object Float32Array]';
}

/** Checks a host tensor: an ndarray over a Float32Array with positive integer dims of an allowed rank. */
export function validateHostTensor(host: unknown, what: string, ranks: readonly number[]): HostTensor {
  const t = host as Partial<HostTensor> | null;
  if (typeof t !== 'object' || t === null || !Array.isArray(t.shape) || !Array.isArray(t.stride)) {
    throw new ShapeError(`${what} must be an ndarray view`, { code: 'NOT_A_TENSOR' });
  }
  if (!isFloat32Array(t.data)) {
    const kind = Object.prototype.toString.call(t.data).slice(8, -1);
    throw new ShapeError(`${what} must hold float32 data (a Float32Array), got ${kind}`, { code: 'DTYPE_MISMATCH' });
  }
  if (!ranks.includes(t.shape.length)) {
    throw new ShapeError(`${what} must have rank ${ranks.join(' or ')}, got shape ${shapeText(t.shape)}`);
  }
  if (!t.shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new ShapeError(`${what} must have positive integer dimensions, got ${shapeText(t.shape)}`);
  }
  return t as HostTensor;
}

/** `upload()`: rank 2 `[B, N]` or rank 4 `[B, C, F, T]`, float32. */
export function validateUpload(host: unknown): HostTensor {
  return validateHostTensor(host, 'upload()', [2, 4]);
}

export interface ConvParameters {
  outChannels: number;
  inChannels: number;
  kernel: 1 | 3;
  stride: 1 | 2;
  padding: 0 | 1;
}

/** `prepareConv2d()`: weight `[O, k, k, I]` with (k, padding) = (3, 1) or (1, 0), bias `[O]`, stride 1 or 2. */
export function validateConvWeights(p: Conv2dWeights): ConvParameters {
  const weight = validateHostTensor(p?.weight, 'conv weight', [4]);
  const bias = validateHostTensor(p.bias, 'conv bias', [1]);
  const [outChannels, kh, kw, inChannels] = weight.shape;
  if (kh !== kw || (kh !== 1 && kh !== 3)) {
    throw new ShapeError(`conv weight must be [O, 3, 3, I] or [O, 1, 1, I] (MLX layout), got ${shapeText(weight.shape)}`);
  }
  if (bias.shape[0] !== outChannels) {
    throw new ShapeError(`conv bias must be [${outChannels}] for weight ${shapeText(weight.shape)}, got ${shapeText(bias.shape)}`);
  }
  if (p.stride !== 1 && p.stride !== 2) throw new ShapeError(`conv stride must be 1 or 2, got ${String(p.stride)}`);
  const kernel = kh as 1 | 3;
  const expectedPadding = kernel === 3 ? 1 : 0;
  if (p.padding !== expectedPadding) {
    throw new ShapeError(`a ${kernel}x${kernel} conv takes padding ${expectedPadding}, got ${String(p.padding)}`);
  }
  return { outChannels, inChannels, kernel, stride: p.stride, padding: p.padding };
}

/** `prepareLinear()`: weight `[N, K]`, bias `[N]`. */
export function validateLinearWeights(p: LinearWeights): { outFeatures: number; inFeatures: number } {
  const weight = validateHostTensor(p?.weight, 'linear weight', [2]);
  const bias = validateHostTensor(p.bias, 'linear bias', [1]);
  const [outFeatures, inFeatures] = weight.shape;
  if (bias.shape[0] !== outFeatures) {
    throw new ShapeError(`linear bias must be [${outFeatures}] for weight ${shapeText(weight.shape)}, got ${shapeText(bias.shape)}`);
  }
  return { outFeatures, inFeatures };
}

function expectRank(shape: Shape, rank: number, what: string): void {
  if (shape.length !== rank) {
    throw new ShapeError(`${what} must have rank ${rank}, got shape ${shapeText(shape)}`);
  }
}

/** Output shape of `conv2d(x, w, epilogue)`; checks channels and the residual's shape. */
export function validateConv2d(x: Shape, w: PreparedConv2d, epilogue: ConvEpilogue | undefined): number[] {
  expectRank(x, 4, 'conv2d input');
  if (x[1] !== w.inChannels) {
    throw new ShapeError(`conv2d input has ${x[1]} channels but the weights expect ${w.inChannels} (input ${shapeText(x)})`);
  }
  if (typeof epilogue !== 'object' || epilogue === null || typeof epilogue.relu !== 'boolean') {
    throw new ShapeError('conv2d epilogue must be an object { relu: boolean, residual? }', { code: 'INVALID_ARGUMENT' });
  }
  const out = [
    x[0],
    w.outChannels,
    convOutputLength(x[2], w.kernel, w.stride, w.padding),
    convOutputLength(x[3], w.kernel, w.stride, w.padding),
  ];
  const r = epilogue.residual;
  if (r !== undefined && (r.shape.length !== 4 || r.shape.some((d, i) => d !== out[i]))) {
    throw new ShapeError(`conv2d residual must have the output shape ${shapeText(out)}, got ${shapeText(r.shape)}`);
  }
  return out;
}

/**
 * Output shape `[B, 2·C·F]` of `statsPool`. Throws `BackendError` for a variant the backend does
 * not declare and `InputTooShortError` when T is below the variant's minimum (never NaN).
 */
export function validateStatsPool(
  x: Shape,
  variant: PoolingVariant,
  backend?: Pick<Backend, 'name' | 'capabilities'>,
): number[] {
  expectRank(x, 4, 'statsPool input');
  if (!isPoolingVariant(variant)) {
    throw new ShapeError(`unknown pooling variant ${JSON.stringify(variant)}; use pyannote, wespeaker or mlx`, { code: 'UNKNOWN_POOLING' });
  }
  const supported = backend?.capabilities.poolingVariants;
  if (backend && supported && !supported.includes(variant)) {
    throw new BackendError(backend.name, `pooling variant '${variant}' is not supported; supported: ${supported.join(', ')}`, {
      code: 'UNSUPPORTED_POOLING',
    });
  }
  const minimum = minimumPooledFrames(variant);
  if (x[3] < minimum) {
    throw new InputTooShortError({ frames: x[3], minimumFrames: minimum, pooling: variant, subject: 'statsPool input' });
  }
  return [x[0], 2 * x[1] * x[2]];
}

/** Output shape `[B, N]` of `linear`. */
export function validateLinear(x: Shape, w: PreparedLinear): number[] {
  expectRank(x, 2, 'linear input');
  if (x[1] !== w.inFeatures) {
    throw new ShapeError(`linear input has ${x[1]} features but the weights expect ${w.inFeatures} (input ${shapeText(x)})`);
  }
  return [x[0], w.outFeatures];
}

/** Output shape of `l2Normalize` (the input's). */
export function validateL2Normalize(x: Shape): number[] {
  expectRank(x, 2, 'l2Normalize input');
  return [...x];
}
