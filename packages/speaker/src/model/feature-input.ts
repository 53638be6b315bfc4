/**
 * Precomputed features in the shapes users hold them: an fbank result `{ data, numFrames,
 * numBins }`, a decoded .npy `{ data, shape }` of `[T, n_mels]` or `[B, T, n_mels]`, or a scijs
 * ndarray of either rank. All become one `[B, T, n_mels]` float32 view (no copy).
 */
import ndarray from 'ndarray';
import { ShapeError } from '@wsp/resnet-graph';
import type { HostTensor } from '@wsp/resnet-graph';

/** Features `{ data, numFrames, numBins }` as `@wsp/fbank` returns them. */
export interface FeatureMatrix {
  data: Float32Array;
  numFrames: number;
  numBins: number;
}

/** Row-major data with its shape, as `decodeNpy` returns it. */
export interface ShapedFeatures {
  data: Float32Array;
  shape: readonly number[];
}

export type FeaturesInput = FeatureMatrix | ShapedFeatures | HostTensor;

function isNdarray(x: object): x is HostTensor {
  return 'stride' in x && 'offset' in x && 'shape' in x && 'data' in x;
}

function needFloat32(data: unknown, what: string): Float32Array {
  if (!(data instanceof Float32Array)) {
    const got = data && typeof data === 'object' ? data.constructor.name : typeof data;
    throw new ShapeError(`${what} must hold float32 values (Float32Array), got ${got}`, { code: 'DTYPE_MISMATCH' });
  }
  return data;
}

/** Any supported features input -> a `[B, T, n_mels]` view. */
export function featuresToBatch(input: FeaturesInput, file?: string): HostTensor {
  if (typeof input !== 'object' || input === null) throw new ShapeError('features must be an object ({ data, shape }, an fbank result or an ndarray)', { file });
  if (isNdarray(input)) {
    needFloat32(input.data, 'features');
    if (input.shape.length === 3) return input;
    if (input.shape.length === 2) {
      return ndarray(input.data, [1, input.shape[0], input.shape[1]], [0, input.stride[0], input.stride[1]], input.offset);
    }
    throw new ShapeError(`features must be [T, n_mels] or [B, T, n_mels], got [${input.shape.join(', ')}]`, { file });
  }
  if ('numFrames' in input) {
    const data = needFloat32(input.data, 'features');
    const { numFrames, numBins } = input;
    if (!Number.isSafeInteger(numFrames) || !Number.isSafeInteger(numBins) || numFrames < 0 || numBins < 1 || data.length !== numFrames * numBins) {
      throw new ShapeError(`features hold ${data.length} values, numFrames × numBins = ${numFrames} × ${numBins}`, { file });
    }
    return ndarray(data, [1, numFrames, numBins]);
  }
  const data = needFloat32(input.data, 'features');
  const shape = [...input.shape];
  if (shape.length !== 2 && shape.length !== 3) throw new ShapeError(`features must be [T, n_mels] or [B, T, n_mels], got [${shape.join(', ')}]`, { file });
  const size = shape.reduce((a, b) => a * b, 1);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0) || size !== data.length) {
    throw new ShapeError(`features hold ${data.length} values, shape [${shape.join(', ')}] needs ${size}`, { file });
  }
  return ndarray(data, shape.length === 2 ? [1, ...shape] : shape);
}

/** A contiguous copy of `features` `[B, T, F]` with the frames repeated cyclically up to `frames`. */
export function repeatFrames(features: HostTensor, frames: number): HostTensor {
  const [batch, have, bins] = features.shape;
  const out = new Float32Array(batch * frames * bins);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < frames; t++) {
      const src = t % have;
      for (let m = 0; m < bins; m++) out[(b * frames + t) * bins + m] = features.get(b, src, m);
    }
  }
  return ndarray(out, [batch, frames, bins]);
}
