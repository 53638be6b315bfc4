// The protobuf wire encoder against the byte sequences of the Protocol Buffers encoding guide
// (https://protobuf.dev/programming-guides/encoding/) and the wire-format rules it states.
import { describe, expect, it } from 'vitest';
import { ProtoMessage, varintLength } from '../src/onnx/protobuf.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('protobuf encoder', () => {
  it('writes the guide\'s examples: varint 150, string "testing", nested message, packed repeated', () => {
    expect(hex(new ProtoMessage().int(1, 150).encode())).toBe('089601');
    expect(hex(new ProtoMessage().string(2, 'testing').encode())).toBe('120774657374696e67');
    expect(hex(new ProtoMessage().message(3, new ProtoMessage().int(1, 150)).encode())).toBe('1a03089601');
    expect(hex(new ProtoMessage().packedInts(4, [3, 270, 86942]).encode())).toBe('2206038e029ea705');
  });

  it('writes negative int64s as ten-byte two\'s complement varints, and the 64-bit extremes', () => {
    expect(hex(new ProtoMessage().int(1, -1).encode())).toBe('08ffffffffffffffffff01');
    expect(hex(new ProtoMessage().int(1, -2n).encode())).toBe('08feffffffffffffffff01');
    expect(hex(new ProtoMessage().int(1, (1n << 63n) - 1n).encode())).toBe('08ffffffffffffffff7f');
    expect(hex(new ProtoMessage().packedInts(1, [0, -1]).encode())).toBe('0a0b00ffffffffffffffffff01');
    expect(() => new ProtoMessage().int(1, 1n << 64n)).toThrow(RangeError);
    expect(() => new ProtoMessage().int(1, 2 ** 60)).toThrow(RangeError); // not a safe integer
  });

  it('writes floats as little-endian fixed32 with wire type 5', () => {
    expect(hex(new ProtoMessage().float(2, 1).encode())).toBe('150000803f');
    expect(hex(new ProtoMessage().float(2, -0.5).encode())).toBe('15000000bf');
  });

  it('takes large field numbers and long payloads (multi-byte tags and lengths)', () => {
    // Field 20, varint: tag 160 = a0 01. Field 16, bytes of length 300: tag 82 01, length ac 02.
    expect(hex(new ProtoMessage().int(20, 1).encode())).toBe('a00101');
    const payload = new Uint8Array(300).fill(7);
    const encoded = new ProtoMessage().bytes(16, payload).encode();
    expect(hex(encoded.subarray(0, 4))).toBe('8201ac02');
    expect(encoded.length).toBe(304);
    expect(encoded.subarray(4).every((b) => b === 7)).toBe(true);
    expect(() => new ProtoMessage().int(0, 1)).toThrow(RangeError);
    expect(() => new ProtoMessage().int(1 << 29, 1)).toThrow(RangeError);
  });

  it('computes sizes that match the written bytes for nested trees, and keeps field order', () => {
    expect([0, 127, 128, 16383, 16384, 2 ** 31, (1n << 64n) - 1n].map(varintLength)).toEqual([1, 1, 2, 2, 3, 5, 10]);
    const leaf = () => new ProtoMessage().int(1, 300).string(2, 'ü').float(3, 2.5).packedInts(4, [1, 1000, -5]);
    const middle = new ProtoMessage().message(1, leaf()).message(1, leaf()).bytes(2, new Uint8Array(200));
    const root = new ProtoMessage().message(7, middle).int(1, 8).message(7, new ProtoMessage());
    const bytes = root.encode();
    expect(bytes.length).toBe(root.byteLength());
    // The first field is the nested message 7 (tag 3a), the empty one last (3a 00).
    expect(bytes[0]).toBe(0x3a);
    expect(hex(bytes.subarray(bytes.length - 4))).toBe('08083a00');
    // An empty repeated field writes nothing.
    expect(new ProtoMessage().packedInts(5, []).encode().length).toBe(0);
  });
});
