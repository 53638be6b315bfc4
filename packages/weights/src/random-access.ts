/**
 * Read access to the bytes of a file without holding them all: parsers that only need a header
 * (inspection) read just that. In memory it is a zero-copy `subarray`; for a file on disk see
 * `node-io.ts`.
 */
export interface RandomAccess {
  readonly byteLength: number;
  /** `length` bytes at `offset`; callers check the range against `byteLength` first. */
  read(offset: number, length: number): Uint8Array;
}

export function bytesAccess(bytes: Uint8Array): RandomAccess {
  return { byteLength: bytes.byteLength, read: (offset, length) => bytes.subarray(offset, offset + length) };
}

export function isRandomAccess(value: unknown): value is RandomAccess {
  return (
    typeof value === 'object' &&
    value !== null &&
    !ArrayBuffer.isView(value) &&
    typeof (value as RandomAccess).read === 'function' &&
    typeof (value as RandomAccess).byteLength === 'number'
  );
}

/** Accepts bytes, an ArrayBuffer or a RandomAccess. */
export function toRandomAccess(source: Uint8Array | ArrayBuffer | RandomAccess): RandomAccess {
  if (source instanceof Uint8Array) return bytesAccess(source);
  if (source instanceof ArrayBuffer) return bytesAccess(new Uint8Array(source));
  return source;
}

/** Bytes as a Uint8Array (ArrayBuffer or any typed-array view accepted). */
export function toBytes(source: Uint8Array | ArrayBuffer | ArrayBufferView): Uint8Array {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  return new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
}
