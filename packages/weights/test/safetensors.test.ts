import { describe, expect, it } from 'vitest';
import type { RandomAccess } from '../src/index.js';
import {
  bytesAccess,
  encodeSafetensors,
  float32Tensor,
  float32ToBFloat16Bits,
  float32ToFloat16Bits,
  openSafetensors,
  parseSafetensorsHeader,
  readSafetensors,
} from '../src/index.js';
import { expectSameBits, readFixture } from './helpers.js';

describe('readSafetensors on files written by Python (tools/reference/wsp_reference.py)', () => {
  it('converts F32, F16, BF16, F64 and I64 to float32 exactly as torch .float() does', () => {
    const { tensors, metadata } = readSafetensors(readFixture('dtypes.safetensors'));
    const expected = readSafetensors(readFixture('dtypes.expected.safetensors')).tensors;
    expect(metadata).toEqual({ note: 'one tensor per dtype' });
    for (const name of ['f32', 'f16', 'bf16', 'f64', 'i64']) {
      expect(tensors.get(name)!.shape).toEqual(expected.get(name)!.shape);
      expectSameBits(tensors.get(name)!.data, expected.get(name)!.data, name);
    }
  });

  it('gives each tensor in its own element type on request', () => {
    const st = openSafetensors(readFixture('dtypes.safetensors'));
    expect(st.tensors.map((t) => [t.name, t.dtype])).toEqual([
      ['bf16', 'BF16'],
      ['f16', 'F16'],
      ['f32', 'F32'],
      ['f64', 'F64'],
      ['i64', 'I64'],
    ]);
    const i64 = st.native('i64');
    expect(i64.data).toBeInstanceOf(BigInt64Array);
    expect([...(i64.data as BigInt64Array)].slice(0, 3)).toEqual([-5000015n, -4000012n, -3000009n]);
    const f64 = st.native('f64');
    expect(f64.data).toBeInstanceOf(Float64Array);
    expect(f64.shape).toEqual([4, 17]);
    expect(Object.is((f64.data as Float64Array)[60], 0)).toBe(true); // the fixture's 0.0, -0.0, 1.0, -2.5 ... start at 60
    expect(Object.is((f64.data as Float64Array)[61], -0)).toBe(true);
    expect((st.native('f16').data as Uint16Array)[62]).toBe(0x3c00); // 1.0 in half precision
  });
});

describe('zero-copy views and header-only access', () => {
  const tensors = new Map([
    ['b', float32Tensor([2, 3], Float32Array.from([1, 2, 3, 4, 5, 6]))],
    ['a', float32Tensor([4], Float32Array.from([-1, 0.5, 1e-30, 3]))],
  ]);

  it('views the input bytes when aligned, copies when not', () => {
    const bytes = encodeSafetensors(tensors, { layout: 'ohwi' });
    const aligned = openSafetensors(bytes).float32('b');
    expect(aligned.data.buffer).toBe(bytes.buffer);
    expect([...aligned.data]).toEqual([1, 2, 3, 4, 5, 6]);

    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const unaligned = openSafetensors(shifted.subarray(1)).float32('b');
    expect(unaligned.data.buffer).not.toBe(shifted.buffer);
    expect([...unaligned.data]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('reads only the 8-byte length and the header to inspect', () => {
    const bytes = encodeSafetensors(tensors);
    const reads: [number, number][] = [];
    const inner = bytesAccess(bytes);
    const counting: RandomAccess = {
      byteLength: bytes.length,
      read(offset, length) {
        reads.push([offset, length]);
        return inner.read(offset, length);
      },
    };
    const header = parseSafetensorsHeader(counting);
    expect(header.tensors.map((t) => t.name)).toEqual(['a', 'b']);
    expect(reads).toEqual([
      [0, 8],
      [8, header.headerByteLength],
    ]);
  });
});

describe('encodeSafetensors', () => {
  it('sorts names, aligns the data to 8 bytes and records the metadata', () => {
    const t = new Map([
      ['z', float32Tensor([1], Float32Array.of(1))],
      ['m.weight', float32Tensor([2, 1, 1, 1], Float32Array.of(2, 3))],
    ]);
    const bytes = encodeSafetensors(t, { layout: 'oihw' });
    const header = parseSafetensorsHeader(bytes);
    expect(header.dataStart % 8).toBe(0);
    expect(header.tensors.map((x) => x.name)).toEqual(['m.weight', 'z']);
    expect(header.metadata).toEqual({ layout: 'oihw' });
    expect(encodeSafetensors(t, { layout: 'oihw' })).toEqual(bytes); // deterministic
  });

  it('writes F16 and BF16 with torch .half() / .bfloat16() rounding (ties, subnormals, overflow, NaN)', () => {
    const st = openSafetensors(readFixture('rounding.safetensors'));
    const input = st.float32('input');
    const torchHalf = st.native('f16').data as Uint16Array;
    const torchBf16 = st.native('bf16').data as Uint16Array;
    expect(input.size).toBeGreaterThan(8000);
    for (let i = 0; i < input.size; i++) {
      const x = input.data[i];
      if (float32ToFloat16Bits(x) !== torchHalf[i]) expect.fail(`half(${x}) = 0x${float32ToFloat16Bits(x).toString(16)}, torch 0x${torchHalf[i].toString(16)}`);
      // torch's NaN pattern depends on its code path (0xffff vectorised, 0x7fc0 scalar): any NaN will do.
      if (Number.isNaN(x)) {
        expect(float32ToBFloat16Bits(x) & 0x7f80).toBe(0x7f80);
        expect(float32ToBFloat16Bits(x) & 0x7f).not.toBe(0);
        continue;
      }
      if (float32ToBFloat16Bits(x) !== torchBf16[i]) expect.fail(`bf16(${x}) = 0x${float32ToBFloat16Bits(x).toString(16)}, torch 0x${torchBf16[i].toString(16)}`);
    }
    const encoded = openSafetensors(encodeSafetensors(new Map([['x', input]]), {}, { dtype: 'F16' }));
    expect(encoded.info('x').dtype).toBe('F16');
    expect(encoded.native('x').data).toEqual(torchHalf);
    const bf = openSafetensors(encodeSafetensors(new Map([['x', input]]), {}, { dtype: 'BF16' })).float32('x');
    const torchBf = st.float32('bf16');
    for (let i = 0; i < input.size; i++) expect(Object.is(bf.data[i], torchBf.data[i]) || (Number.isNaN(bf.data[i]) && Number.isNaN(torchBf.data[i]))).toBe(true);
  });
});
