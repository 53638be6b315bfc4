import type { NdArray } from 'ndarray';
import { WeightsError } from './errors.js';
import { isContiguous } from './tensor.js';

/**
 * Serialises float32 tensors to the safetensors format: an 8-byte little-endian header length,
 * a JSON header padded with spaces to a multiple of 8 bytes, then the tensors back to back in
 * sorted name order (so equal inputs give equal bytes).
 */
export function encodeSafetensors(
  tensors: ReadonlyMap<string, NdArray<Float32Array>>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name)!;
    if (!isContiguous(t)) {
      throw new WeightsError(`tensor "${name}" is not contiguous; copy it before writing`, { code: 'TENSOR_NOT_CONTIGUOUS' });
    }
    const bytes = t.size * 4;
    header[name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + bytes] };
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
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.size * 4), position);
    position += t.size * 4;
  }
  return out;
}
