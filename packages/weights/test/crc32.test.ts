import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32Js } from '../src/crc32.js';
import { seededRandom } from '../src/index.js';

describe('crc32 (JavaScript slice-by-16)', () => {
  it('gives the standard check value', () => {
    expect(crc32Js(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32Js(new Uint8Array(0))).toBe(0);
  });

  it('agrees with zlib for every length and alignment, and when continued', () => {
    const rng = seededRandom(1);
    const bytes = Uint8Array.from({ length: 5000 }, () => Math.floor(rng.uniform() * 256));
    for (const offset of [0, 1, 2, 3, 5]) {
      for (const length of [0, 1, 3, 15, 16, 17, 63, 64, 65, 1000, 4093]) {
        const slice = bytes.subarray(offset, offset + length);
        expect(crc32Js(slice), `offset ${offset} length ${length}`).toBe(zlibCrc32(slice));
      }
    }
    expect(crc32Js(bytes.subarray(777), crc32Js(bytes.subarray(0, 777)))).toBe(zlibCrc32(bytes));
  });
});
