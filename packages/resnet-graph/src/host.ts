/** Host-side tensor helpers: the features view the executor uploads, slicing and stacking batches. */
import ndarray from 'ndarray';
import { float32Tensor, isContiguous } from '@wsp/weights';
import { validateHostTensor } from './backend-kit/validate.js';
import { ShapeError, WspError } from './errors.js';
import type { HostTensor } from './spi.js';

/**
 * Checks features `[B, T, n_mels]` (float32, finite) and returns `{ batch, frames }`. Throws
 * `ShapeError` for a wrong rank, dtype or bin count, `WspError` (code `NON_FINITE_INPUT`) for NaN/∞.
 */
export function validateFeatures(features: unknown, nMels: number): { batch: number; frames: number } {
  const f = validateHostTensor(features, 'features', [3]);
  const [batch, frames, bins] = f.shape;
  if (bins !== nMels) {
    throw new ShapeError(`features must be [batch, frames, ${nMels}] (frames × mel bins), got [${f.shape.join(', ')}]`);
  }
  const [s0, s1, s2] = f.stride;
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < frames; t++) {
      const row = f.offset + b * s0 + t * s1;
      for (let m = 0; m < bins; m++) {
        if (!Number.isFinite(f.data[row + m * s2])) {
          throw new WspError(`features[${b}, ${t}, ${m}] is ${f.data[row + m * s2]}; features must be finite`, {
            code: 'NON_FINITE_INPUT',
          });
        }
      }
    }
  }
  return { batch, frames };
}

/** The view `[B, 1, n_mels, T]` of features `[B, T, n_mels]` (no copy): what the graph input is. */
export function featuresToInputView(features: HostTensor): HostTensor {
  const [b, t, m] = features.shape;
  const [sb, st, sm] = features.stride;
  return ndarray(features.data, [b, 1, m, t], [sb, 0, sm, st], features.offset);
}

/** Items `[start, end)` of a batch-major host tensor, as a view. */
export function sliceBatch(t: HostTensor, start: number, end: number): HostTensor {
  return t.lo(start).hi(end - start);
}

/** Concatenates host tensors along the batch axis into a contiguous one. */
export function concatBatch(parts: readonly HostTensor[]): HostTensor {
  const rest = parts[0].shape.slice(1);
  const batch = parts.reduce((n, p) => n + p.shape[0], 0);
  const out = float32Tensor([batch, ...rest]);
  let offset = 0;
  for (const p of parts) {
    const c = toContiguous(p);
    out.data.set(c.data, offset);
    offset += c.size;
  }
  return out;
}

/** A contiguous row-major copy (or the tensor itself when it already is one). */
export function toContiguous(t: HostTensor): HostTensor {
  if (isContiguous(t)) return t;
  const out = float32Tensor(t.shape);
  const shape = t.shape;
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < t.size; i++) {
    let src = t.offset;
    for (let d = 0; d < shape.length; d++) src += index[d] * t.stride[d];
    out.data[i] = t.data[src];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return out;
}
