import type { NdArray } from 'ndarray';
import type { StorageDType } from './dtype.js';
import { ITEM_SIZE, encodeFloat } from './dtype.js';
import { WeightsError } from './errors.js';
import { isContiguous } from './tensor.js';

export interface SafetensorsWriteOptions {
  /** Element type written for every tensor: F32 (default, exact), F16 or BF16 (round to nearest even). */
  dtype?: StorageDType;
}

/**
 * Serialises float32 tensors to the safetensors format: an 8-byte little-endian header length,
 * a JSON header padded with spaces so the data starts at a multiple of 8 bytes, then the tensors
 * back to back in sorted name order (so equal inputs give equal bytes). `metadata` becomes
 * `__metadata__` (string values only); the loaders read `layout` from it ('ohwi' or 'oihw').
 */
export function encodeSafetensors(
  tensors: ReadonlyMap<string, NdArray<Float32Array>>,
  metadata: Record<string, string> = {},
  options: SafetensorsWriteOptions = {},
): Uint8Array {
  const dtype = options.dtype ?? 'F32';
  const itemSize = ITEM_SIZE[dtype];
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name)!;
    if (!isContiguous(t)) {
      throw new WeightsError(`tensor "${name}" is not contiguous; copy it before writing`, { code: 'TENSOR_NOT_CONTIGUOUS' });
    }
    const bytes = t.size * itemSize;
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil((8 + json.length) / 8) * 8 - 8;
  const out = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerLength), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let position = 8 + headerLength;
  for (const name of names) {
    const t = tensors.get(name)!;
    const encoded = encodeFloat(t.data.subarray(t.offset, t.offset + t.size), dtype);
    out.set(encoded, position);
    position += encoded.byteLength;
  }
  return out;
}
