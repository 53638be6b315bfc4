import { WeightsError } from './errors.js';

/**
 * Element types, named as safetensors names them. PyTorch storages map onto the same names
 * (FloatStorage = F32, HalfStorage = F16, BFloat16Storage = BF16, DoubleStorage = F64, LongStorage = I64).
 */
export type DType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** The floating-point types that convert to float32 (exactly for F16/BF16, rounded for F64). */
export type FloatDType = 'F64' | 'F32' | 'F16' | 'BF16';

/** Float types a writer can emit. */
export type StorageDType = 'F32' | 'F16' | 'BF16';

export const ITEM_SIZE: Readonly<Record<DType, number>> = Object.freeze({
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
});

export const isDType = (value: unknown): value is DType => typeof value === 'string' && Object.hasOwn(ITEM_SIZE, value);

export const isFloatDType = (dtype: DType): dtype is FloatDType =>
  dtype === 'F32' || dtype === 'F16' || dtype === 'BF16' || dtype === 'F64';

/** True on little-endian hosts (all common ones); typed-array views of file bytes need it. */
export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The product of a shape, or an error when a dimension is not a non-negative safe integer or the
 * product (times `itemSize`) leaves the safe-integer range: a hostile header must not wrap around.
 */
export function shapeByteLength(shape: readonly unknown[], itemSize: number, what: string, code: string, file?: string): number {
  let count = 1;
  for (const dim of shape) {
    if (!Number.isSafeInteger(dim) || (dim as number) < 0) {
      throw new WeightsError(`${what}: shape [${shape.join(', ')}] has a dimension that is not a non-negative integer`, { code, file });
    }
    count *= dim as number;
    if (!Number.isSafeInteger(count * itemSize)) {
      throw new WeightsError(`${what}: shape [${shape.join(', ')}] is too large (the byte size overflows)`, { code, file });
    }
  }
  return count * itemSize;
}

const f16Table = (() => {
  // All 65,536 half-precision values as float32: conversion becomes one lookup per element.
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    if (exponent === 0) table[h] = sign * mantissa * 2 ** -24;
    else if (exponent === 31) table[h] = mantissa === 0 ? sign * Infinity : NaN;
    else table[h] = sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
  }
  return table;
})();

/** IEEE half bits to float32 (exact). */
export const float16ToFloat32 = (bits: number): number => f16Table[bits & 0xffff];

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/** float32 to IEEE half bits, round to nearest even; overflow gives ±Inf, NaN becomes ±0x7e00 (as torch's `.half()`). */
export function float32ToFloat16Bits(value: number): number {
  scratchF32[0] = value;
  const x = scratchU32[0];
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  const mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | (mantissa ? 0x7e00 : 0x7c00);
  const e = exponent - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign; // below half the smallest subnormal: rounds to ±0
    const m = mantissa | 0x800000; // implicit leading one
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = m & ((1 << shift) - 1);
    let h = m >>> shift;
    if (rest > half || (rest === half && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h++; // may carry into the exponent (up to Inf): correct
  return sign | h;
}

/** float32 to bfloat16 bits, round to nearest even as torch's `.bfloat16()`; NaN becomes 0x7fc0 (torch's scalar path; its vectorised path writes 0xffff). */
export function float32ToBFloat16Bits(value: number): number {
  scratchF32[0] = value;
  const x = scratchU32[0];
  if ((x & 0x7fffffff) > 0x7f800000) return 0x7fc0;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

/**
 * Decodes `count` little-endian elements of a float type starting at `bytes[0]` into a new
 * Float32Array. F64 rounds to nearest float32; F16/BF16 are exact.
 */
export function decodeFloat32(bytes: Uint8Array, dtype: FloatDType, count: number): Float32Array {
  const out = new Float32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'F32':
      if (HOST_IS_LITTLE_ENDIAN) out.set(new Float32Array(bytes.slice(0, count * 4).buffer));
      else for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
      break;
    case 'F64':
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
      break;
    case 'F16':
      for (let i = 0; i < count; i++) out[i] = f16Table[view.getUint16(i * 2, true)];
      break;
    case 'BF16': {
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i++) bits[i] = view.getUint16(i * 2, true) << 16;
      break;
    }
  }
  return out;
}

/**
 * A Float32Array over `bytes` without copying when the host is little-endian and the bytes are
 * 4-byte aligned; a copy otherwise.
 */
export function float32View(bytes: Uint8Array, count: number): Float32Array {
  if (HOST_IS_LITTLE_ENDIAN && bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, count);
  return decodeFloat32(bytes, 'F32', count);
}

/** Encodes float32 values as little-endian bytes of a float storage type. */
export function encodeFloat(values: Float32Array, dtype: StorageDType): Uint8Array {
  if (dtype === 'F32') {
    if (HOST_IS_LITTLE_ENDIAN) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    const out = new Uint8Array(values.length * 4);
    const view = new DataView(out.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
    return out;
  }
  const out = new Uint8Array(values.length * 2);
  const view = new DataView(out.buffer);
  const convert = dtype === 'F16' ? float32ToFloat16Bits : float32ToBFloat16Bits;
  for (let i = 0; i < values.length; i++) view.setUint16(i * 2, convert(values[i]), true);
  return out;
}
