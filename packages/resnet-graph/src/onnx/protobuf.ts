/**
 * A small Protocol Buffers wire-format encoder: exactly what the ONNX export needs (varint and
 * int64 scalars, fixed32 floats, strings, bytes, packed int64s, nested messages), no schema
 * compiler and no dependency. Field numbers live with the ONNX messages (onnx-proto.ts).
 *
 * A message is a list of fields; nested messages are kept as objects and their sizes computed
 * once, so `encode()` writes the whole tree into one buffer (the weights, tens of MB, are copied
 * exactly once).
 */

/** Wire types of the encoding (protobuf "Encoding" guide). */
const VARINT = 0;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

const textEncoder = new TextEncoder();

type Field =
  | { kind: 'varint'; tag: number; value: bigint }
  | { kind: 'fixed32'; tag: number; value: number }
  | { kind: 'bytes'; tag: number; value: Uint8Array }
  | { kind: 'packed'; tag: number; values: readonly bigint[]; length: number }
  | { kind: 'message'; tag: number; value: ProtoMessage };

const tagOf = (field: number, wireType: number) => {
  if (!Number.isInteger(field) || field < 1 || field > 0x1fffffff) throw new RangeError(`invalid protobuf field number ${field}`);
  return field * 8 + wireType;
};

/** Two's complement 64-bit value of an integer (negative int64s are ten-byte varints). */
function toUint64(value: number | bigint): bigint {
  const big = typeof value === 'bigint' ? value : BigInt(value);
  if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new RangeError(`not a safe integer: ${value}`);
  if (big < -(1n << 63n) || big >= 1n << 64n) throw new RangeError(`out of the 64-bit range: ${big}`);
  return BigInt.asUintN(64, big);
}

/** Bytes a varint of `value` (an unsigned 64-bit integer) takes. */
export function varintLength(value: bigint | number): number {
  let v = typeof value === 'bigint' ? value : BigInt(value);
  let n = 1;
  while (v >= 0x80n) {
    v >>= 7n;
    n++;
  }
  return n;
}

function writeVarint(out: Uint8Array, offset: number, value: bigint | number): number {
  // Small values (every tag and length here) take the fast number path.
  if (typeof value === 'number' && value < 2 ** 31) {
    let v = value;
    while (v >= 0x80) {
      out[offset++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    out[offset++] = v;
    return offset;
  }
  let v = BigInt(value);
  while (v >= 0x80n) {
    out[offset++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  out[offset++] = Number(v);
  return offset;
}

/** One protobuf message under construction. Field order is kept as added. */
export class ProtoMessage {
  private readonly fields: Field[] = [];
  private cachedLength = -1;

  private add(field: Field): this {
    this.fields.push(field);
    this.cachedLength = -1;
    return this;
  }

  /** An int32/int64/enum/bool field (negative values take ten bytes, as in protobuf). */
  int(field: number, value: number | bigint): this {
    return this.add({ kind: 'varint', tag: tagOf(field, VARINT), value: toUint64(value) });
  }

  /** A `float` field (fixed32, little-endian IEEE 754 single). */
  float(field: number, value: number): this {
    return this.add({ kind: 'fixed32', tag: tagOf(field, FIXED32), value });
  }

  /** A `string` field (UTF-8). */
  string(field: number, value: string): this {
    return this.bytes(field, textEncoder.encode(value));
  }

  /** A `bytes` field (the array is referenced, not copied, until `encode()`). */
  bytes(field: number, value: Uint8Array): this {
    return this.add({ kind: 'bytes', tag: tagOf(field, LENGTH_DELIMITED), value });
  }

  /** A packed `repeated int64` field (nothing is written for an empty list, as protobuf does). */
  packedInts(field: number, values: readonly (number | bigint)[]): this {
    if (values.length === 0) return this;
    const words = values.map(toUint64);
    const length = words.reduce((n, v) => n + varintLength(v), 0);
    return this.add({ kind: 'packed', tag: tagOf(field, LENGTH_DELIMITED), values: words, length });
  }

  /** A nested message field. */
  message(field: number, value: ProtoMessage): this {
    return this.add({ kind: 'message', tag: tagOf(field, LENGTH_DELIMITED), value });
  }

  /** Encoded size in bytes. */
  byteLength(): number {
    if (this.cachedLength >= 0) return this.cachedLength;
    let n = 0;
    for (const f of this.fields) {
      n += varintLength(f.tag);
      switch (f.kind) {
        case 'varint':
          n += varintLength(f.value);
          break;
        case 'fixed32':
          n += 4;
          break;
        case 'bytes':
          n += varintLength(f.value.length) + f.value.length;
          break;
        case 'packed':
          n += varintLength(f.length) + f.length;
          break;
        case 'message': {
          const inner = f.value.byteLength();
          n += varintLength(inner) + inner;
          break;
        }
      }
    }
    this.cachedLength = n;
    return n;
  }

  /** The wire bytes of this message. */
  encode(): Uint8Array {
    const out = new Uint8Array(this.byteLength());
    const end = this.writeTo(out, new DataView(out.buffer), 0);
    if (end !== out.length) throw new Error(`protobuf encoder wrote ${end} bytes, computed ${out.length}`);
    return out;
  }

  private writeTo(out: Uint8Array, view: DataView, offset: number): number {
    for (const f of this.fields) {
      offset = writeVarint(out, offset, f.tag);
      switch (f.kind) {
        case 'varint':
          offset = writeVarint(out, offset, f.value < 2n ** 31n ? Number(f.value) : f.value);
          break;
        case 'fixed32':
          view.setFloat32(offset, f.value, true);
          offset += 4;
          break;
        case 'bytes':
          offset = writeVarint(out, offset, f.value.length);
          out.set(f.value, offset);
          offset += f.value.length;
          break;
        case 'packed':
          offset = writeVarint(out, offset, f.length);
          for (const v of f.values) offset = writeVarint(out, offset, v < 2n ** 31n ? Number(v) : v);
          break;
        case 'message':
          offset = writeVarint(out, offset, f.value.byteLength());
          offset = f.value.writeTo(out, view, offset);
          break;
      }
    }
    return offset;
  }
}
