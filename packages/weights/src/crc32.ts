import { HOST_IS_LITTLE_ENDIAN } from './dtype.js';

/**
 * CRC-32 (IEEE 802.3, the zip checksum). In JavaScript: slice-by-16 over aligned 32-bit words
 * (about 1 GB/s). Under Node, the file functions register `zlib.crc32` (Node >= 20.15, about five
 * times faster) the first time they load `node:fs`; the result is the same either way.
 */
const TABLES = (() => {
  const t = new Int32Array(16 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n];
    for (let s = 1; s < 16; s++) {
      c = t[c & 0xff] ^ (c >>> 8);
      t[s * 256 + n] = c;
    }
  }
  return t;
})();

type Crc32 = (bytes: Uint8Array, previous: number) => number;
let nativeCrc32: Crc32 | undefined;

/** Lets the Node file layer plug in zlib's native CRC-32. */
export function useNativeCrc32(fn: Crc32 | undefined): void {
  nativeCrc32 = fn;
}

/** CRC-32 of `bytes`, continuing from `previous` (0 for a fresh checksum). */
export function crc32(bytes: Uint8Array, previous = 0): number {
  if (nativeCrc32 && bytes.length > 4096) return nativeCrc32(bytes, previous) >>> 0;
  return crc32Js(bytes, previous);
}

export function crc32Js(bytes: Uint8Array, previous = 0): number {
  const t = TABLES;
  let c = ~previous;
  let i = 0;
  const n = bytes.length;
  for (; i < n && (bytes.byteOffset + i) % 4 !== 0; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  const blocks = (n - i) >>> 4;
  if (blocks > 0 && HOST_IS_LITTLE_ENDIAN) {
    const words = new Int32Array(bytes.buffer, bytes.byteOffset + i, blocks * 4);
    for (let j = 0; j < words.length; j += 4) {
      const a = words[j] ^ c;
      const b = words[j + 1];
      const d = words[j + 2];
      const e = words[j + 3];
      c =
        t[3840 + (a & 0xff)] ^ t[3584 + ((a >>> 8) & 0xff)] ^ t[3328 + ((a >>> 16) & 0xff)] ^ t[3072 + (a >>> 24)] ^
        t[2816 + (b & 0xff)] ^ t[2560 + ((b >>> 8) & 0xff)] ^ t[2304 + ((b >>> 16) & 0xff)] ^ t[2048 + (b >>> 24)] ^
        t[1792 + (d & 0xff)] ^ t[1536 + ((d >>> 8) & 0xff)] ^ t[1280 + ((d >>> 16) & 0xff)] ^ t[1024 + (d >>> 24)] ^
        t[768 + (e & 0xff)] ^ t[512 + ((e >>> 8) & 0xff)] ^ t[256 + ((e >>> 16) & 0xff)] ^ t[e >>> 24];
    }
    i += blocks * 16;
  }
  for (; i < n; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
