import { WeightsError } from './errors.js';

/** Element types of .npy files we read and write (little-endian only). */
export type NpyDtype = '<f4' | '<f8' | '<i2' | '<i4' | '<i8' | '|u1';

export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  /** Row-major data; `<i8` is returned as a BigInt64Array. */
  data: Float32Array | Float64Array | Int16Array | Int32Array | BigInt64Array | Uint8Array;
}

const ITEM_SIZE: Record<NpyDtype, number> = { '<f4': 4, '<f8': 8, '<i2': 2, '<i4': 4, '<i8': 8, '|u1': 1 };
const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const MAX_HEADER = 1 << 16;

const fail = (message: string, file?: string): never => {
  throw new WeightsError(message, { code: 'NPY_INVALID', file });
};

/**
 * Reads a NumPy .npy file (format versions 1-3, C order, little-endian). `file` only names the
 * source in errors. Throws `WeightsError` (code `NPY_INVALID`) on anything else.
 */
export function decodeNpy(bytes: Uint8Array, file?: string): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) fail('not a .npy file (bad magic)', file);
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) fail('truncated .npy header', file);
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    return fail(`unsupported .npy format version ${major}`, file);
  }
  if (headerLength > MAX_HEADER || headerStart + headerLength > bytes.length) fail('truncated or oversized .npy header', file);
  const header = new TextDecoder().decode(bytes.subarray(headerStart, headerStart + headerLength));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) fail(`malformed .npy header: ${header.trim()}`, file);
  if (fortran === 'True') fail('Fortran-ordered .npy arrays are not supported; save with C order', file);
  const dtype = descr === '<u1' ? '|u1' : descr;
  if (!(dtype! in ITEM_SIZE)) fail(`unsupported .npy dtype "${descr}" (expected one of ${Object.keys(ITEM_SIZE).join(', ')})`, file);
  const shape = shapeText!
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : fail(`malformed .npy shape (${shapeText})`, file)));
  const count = shape.reduce((a, b) => a * b, 1);
  const itemSize = ITEM_SIZE[dtype as NpyDtype];
  const dataStart = headerStart + headerLength;
  if (!Number.isSafeInteger(count * itemSize) || bytes.length - dataStart !== count * itemSize) {
    fail(`.npy data has ${bytes.length - dataStart} bytes but shape (${shape.join(', ')}) needs ${count * itemSize}`, file);
  }
  // Copy into a fresh, aligned buffer: the header length does not guarantee alignment. (Node's
  // Buffer#slice returns a view, so call Uint8Array's slice, which copies, for Buffers too.)
  const raw = Uint8Array.prototype.slice.call(bytes, dataStart, dataStart + count * itemSize).buffer;
  const data = {
    '<f4': () => new Float32Array(raw),
    '<f8': () => new Float64Array(raw),
    '<i2': () => new Int16Array(raw),
    '<i4': () => new Int32Array(raw),
    '<i8': () => new BigInt64Array(raw),
    '|u1': () => new Uint8Array(raw),
  }[dtype as NpyDtype]();
  return { dtype: dtype as NpyDtype, shape, data };
}

/** Writes a C-ordered, little-endian .npy (format 1.0) for float32/float64/int16/int32 data. */
export function encodeNpy(data: Float32Array | Float64Array | Int16Array | Int32Array, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new WeightsError(`shape (${shape.join(', ')}) has ${count} elements but the data has ${data.length}`, {
      code: 'NPY_INVALID',
    });
  }
  const descr =
    data instanceof Float32Array ? '<f4' : data instanceof Float64Array ? '<f8' : data instanceof Int16Array ? '<i2' : '<i4';
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const unpadded = 10 + header.length + 1;
  header += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}
