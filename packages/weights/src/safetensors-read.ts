import type { NdArray } from 'ndarray';
import type { DType } from './dtype.js';
import { HOST_IS_LITTLE_ENDIAN, ITEM_SIZE, decodeFloat32, float32View, isDType, isFloatDType, shapeByteLength } from './dtype.js';
import { WeightsError } from './errors.js';
import type { RandomAccess } from './random-access.js';
import { toRandomAccess } from './random-access.js';
import type { SourceTensor } from './tensor.js';
import { float32Tensor } from './tensor.js';

/** The reference implementation's limit on the JSON header (100 MB); anything larger is hostile. */
export const MAX_SAFETENSORS_HEADER_BYTES = 100_000_000;

export interface SafetensorsTensorInfo {
  name: string;
  dtype: DType;
  shape: number[];
  /** Byte range relative to the start of the data section, as in the header. */
  dataOffsets: [number, number];
}

export interface SafetensorsHeader {
  /** Length of the JSON header (the first 8 bytes of the file). */
  headerByteLength: number;
  /** Absolute offset of the data section: 8 + headerByteLength. */
  dataStart: number;
  /** Size of the whole file. */
  byteLength: number;
  /** The `__metadata__` map (empty when absent). */
  metadata: Record<string, string>;
  /** Tensors in header order. */
  tensors: SafetensorsTensorInfo[];
}

/** Raw tensor data in its own element type (F16/BF16 as their 16-bit patterns, I64 as BigInt64Array). */
export interface NativeTensor {
  dtype: DType;
  shape: number[];
  data: Float64Array | Float32Array | Uint16Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array;
}

type Fail = (code: string, message: string) => never;

/**
 * Parses and validates the header of a safetensors file, reading only the first 8 + N bytes.
 * Checks: length bounds, UTF-8 + JSON, duplicate names, known dtypes, shapes, offsets inside the
 * data section, `prod(shape) * itemsize == span`, no overlaps, no gaps or trailing bytes (the
 * format requires the data section to be fully indexed). Every failure is a `WeightsError` with a
 * `SAFETENSORS_*` code naming `file`.
 */
export function parseSafetensorsHeader(source: Uint8Array | ArrayBuffer | RandomAccess, file?: string): SafetensorsHeader {
  const access = toRandomAccess(source);
  const fail: Fail = (code, message) => {
    throw new WeightsError(message, { code, file });
  };
  const size = access.byteLength;
  if (size < 8) fail('SAFETENSORS_TRUNCATED', `safetensors file too short (${size} bytes; the header length alone takes 8)`);
  const prefix = access.read(0, 8);
  const lengthField = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (lengthField > BigInt(MAX_SAFETENSORS_HEADER_BYTES)) {
    fail('SAFETENSORS_HEADER_TOO_LARGE', `safetensors header length ${lengthField} exceeds the ${MAX_SAFETENSORS_HEADER_BYTES}-byte limit`);
  }
  const headerByteLength = Number(lengthField);
  if (8 + headerByteLength > size) {
    fail('SAFETENSORS_TRUNCATED', `safetensors header length ${headerByteLength} runs past the end of the file (${size} bytes)`);
  }
  const headerBytes = access.read(8, headerByteLength);
  if (headerByteLength < 2 || headerBytes[0] !== 0x7b /* { */) {
    fail('SAFETENSORS_HEADER_INVALID', 'safetensors header is not a JSON object (it must start with "{")');
  }
  let text = '';
  let parsed: unknown;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
    parsed = JSON.parse(text);
  } catch (e) {
    fail('SAFETENSORS_HEADER_INVALID', `safetensors header is not valid UTF-8 JSON: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    fail('SAFETENSORS_HEADER_INVALID', 'safetensors header is not a JSON object');
  }
  const entries = parsed as Record<string, unknown>;
  const duplicates = duplicateTopLevelKeys(text, Object.keys(entries).length);
  if (duplicates.length > 0) fail('SAFETENSORS_DUPLICATE_NAME', `safetensors header names a tensor twice: ${duplicates.join(', ')}`);

  const dataStart = 8 + headerByteLength;
  const dataLength = size - dataStart;
  const metadata = parseMetadata(entries.__metadata__, fail);
  const tensors: SafetensorsTensorInfo[] = [];
  for (const [name, value] of Object.entries(entries)) {
    if (name === '__metadata__') continue;
    tensors.push(parseEntry(name, value, dataLength, fail, file));
  }
  checkCoverage(tensors, dataLength, fail);
  return { headerByteLength, dataStart, byteLength: size, metadata, tensors };
}

function parseMetadata(value: unknown, fail: Fail): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('SAFETENSORS_METADATA_INVALID', '"__metadata__" must be an object of strings');
  }
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') fail('SAFETENSORS_METADATA_INVALID', `"__metadata__.${k}" must be a string, not ${JSON.stringify(v)}`);
    metadata[k] = v as string;
  }
  return metadata;
}

function parseEntry(name: string, value: unknown, dataLength: number, fail: Fail, file?: string): SafetensorsTensorInfo {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('SAFETENSORS_HEADER_INVALID', `tensor "${name}": header entry is not an object`);
  }
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (!isDType(dtype)) {
    return fail('SAFETENSORS_DTYPE_UNKNOWN', `tensor "${name}": unknown dtype ${JSON.stringify(dtype)} (known: ${Object.keys(ITEM_SIZE).join(', ')})`);
  }
  if (!Array.isArray(shape)) return fail('SAFETENSORS_SHAPE_INVALID', `tensor "${name}": "shape" is not an array`);
  const byteLength = shapeByteLength(shape, ITEM_SIZE[dtype], `tensor "${name}"`, 'SAFETENSORS_SHAPE_INVALID', file);
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
    offsets[0] > offsets[1]
  ) {
    return fail('SAFETENSORS_OFFSETS_INVALID', `tensor "${name}": "data_offsets" must be [begin, end] with 0 <= begin <= end, not ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (end > dataLength) {
    fail('SAFETENSORS_OFFSETS_INVALID', `tensor "${name}": data_offsets [${begin}, ${end}] run past the end of the data section (${dataLength} bytes)`);
  }
  if (end - begin !== byteLength) {
    fail('SAFETENSORS_SIZE_MISMATCH', `tensor "${name}": ${dtype} [${shape.join(', ')}] needs ${byteLength} bytes but data_offsets span ${end - begin}`);
  }
  return { name, dtype, shape: shape as number[], dataOffsets: [begin, end] };
}

/** The data section must be covered exactly: no overlaps, no gaps, no trailing bytes. */
function checkCoverage(tensors: SafetensorsTensorInfo[], dataLength: number, fail: Fail): void {
  const spans = tensors.filter((t) => t.dataOffsets[1] > t.dataOffsets[0]).sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0]);
  let position = 0;
  let previous = '';
  for (const t of spans) {
    const [begin, end] = t.dataOffsets;
    if (begin < position) fail('SAFETENSORS_OVERLAP', `tensors "${previous}" and "${t.name}" overlap (byte ${begin} < ${position})`);
    if (begin > position) fail('SAFETENSORS_OFFSETS_INVALID', `bytes ${position}..${begin} of the data section belong to no tensor (a gap before "${t.name}")`);
    position = end;
    previous = t.name;
  }
  if (position !== dataLength) {
    fail('SAFETENSORS_OFFSETS_INVALID', `the data section has ${dataLength - position} trailing bytes that belong to no tensor`);
  }
}

/**
 * Names that occur more than once among the keys of the top-level JSON object (JSON.parse keeps
 * only the last one silently). `text` is known to be valid JSON, so a light scan suffices.
 */
function duplicateTopLevelKeys(text: string, uniqueCount: number): string[] {
  const keys: string[] = [];
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      while (j < text.length && text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c /* \ */ ? 2 : 1;
      if (depth === 1 && expectKey) keys.push(JSON.parse(text.slice(i, j + 1)) as string);
      expectKey = false;
      i = j;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      depth++;
      expectKey = depth === 1;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    } else if (c === 0x2c /* , */ && depth === 1) {
      expectKey = true;
    }
  }
  if (keys.length === uniqueCount) return [];
  const seen = new Set<string>();
  return [...new Set(keys.filter((k) => seen.has(k) || !seen.add(k)))];
}

/** An opened safetensors file: the validated header, tensor data on demand. */
export class SafetensorsFile {
  readonly header: SafetensorsHeader;
  readonly file: string | undefined;
  private readonly access: RandomAccess;
  private readonly byName: Map<string, SafetensorsTensorInfo>;

  constructor(source: Uint8Array | ArrayBuffer | RandomAccess, file?: string) {
    this.access = toRandomAccess(source);
    this.file = file;
    this.header = parseSafetensorsHeader(this.access, file);
    this.byName = new Map(this.header.tensors.map((t) => [t.name, t]));
  }

  get metadata(): Record<string, string> {
    return this.header.metadata;
  }

  get tensors(): readonly SafetensorsTensorInfo[] {
    return this.header.tensors;
  }

  info(name: string): SafetensorsTensorInfo {
    const info = this.byName.get(name);
    if (!info) throw new WeightsError(`no tensor "${name}" in this safetensors file`, { code: 'TENSOR_NOT_FOUND', file: this.file });
    return info;
  }

  /** The tensor's bytes (a view of the input when it was given as bytes). */
  bytes(name: string): Uint8Array {
    const { dataOffsets } = this.info(name);
    return this.access.read(this.header.dataStart + dataOffsets[0], dataOffsets[1] - dataOffsets[0]);
  }

  /**
   * The tensor as contiguous float32: F32 is a zero-copy view when 4-byte aligned, F16/BF16 exact,
   * F64 rounded to nearest, integers converted.
   */
  float32(name: string): NdArray<Float32Array> {
    const info = this.info(name);
    const bytes = this.bytes(name);
    const count = bytes.byteLength / ITEM_SIZE[info.dtype];
    if (info.dtype === 'F32') return float32Tensor(info.shape, float32View(bytes, count));
    if (isFloatDType(info.dtype)) return float32Tensor(info.shape, decodeFloat32(bytes, info.dtype, count));
    const native = this.native(name).data;
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = Number(native[i]);
    return float32Tensor(info.shape, out);
  }

  /** The tensor in its own element type (zero-copy where aligned on a little-endian host). */
  native(name: string): NativeTensor {
    const info = this.info(name);
    const raw = this.bytes(name);
    const itemSize = ITEM_SIZE[info.dtype];
    const aligned = HOST_IS_LITTLE_ENDIAN && raw.byteOffset % itemSize === 0;
    const bytes = aligned ? raw : raw.slice();
    const count = bytes.byteLength / itemSize;
    const { buffer, byteOffset } = bytes;
    const data = {
      F64: () => new Float64Array(buffer, byteOffset, count),
      F32: () => new Float32Array(buffer, byteOffset, count),
      F16: () => new Uint16Array(buffer, byteOffset, count),
      BF16: () => new Uint16Array(buffer, byteOffset, count),
      I64: () => new BigInt64Array(buffer, byteOffset, count),
      I32: () => new Int32Array(buffer, byteOffset, count),
      I16: () => new Int16Array(buffer, byteOffset, count),
      I8: () => new Int8Array(buffer, byteOffset, count),
      U8: () => new Uint8Array(buffer, byteOffset, count),
      BOOL: () => new Uint8Array(buffer, byteOffset, count),
    }[info.dtype]();
    return { dtype: info.dtype, shape: [...info.shape], data };
  }

  /** The tensors as `SourceTensor`s for the loaders (values read on demand). */
  sourceTensors(): SourceTensor[] {
    return this.header.tensors.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, float32: () => this.float32(t.name) }));
  }
}

/** Opens a safetensors file held in memory (or behind a RandomAccess): validates the header only. */
export function openSafetensors(source: Uint8Array | ArrayBuffer | RandomAccess, options: { file?: string } = {}): SafetensorsFile {
  return new SafetensorsFile(source, options.file);
}

/**
 * Reads every tensor of a safetensors file as contiguous float32 (F16/BF16/F64/integers
 * converted; F32 zero-copy where aligned). For the native element types use `openSafetensors`.
 */
export function readSafetensors(
  source: Uint8Array | ArrayBuffer,
  options: { file?: string } = {},
): { metadata: Record<string, string>; tensors: Map<string, NdArray<Float32Array>> } {
  const st = openSafetensors(source, options);
  return { metadata: st.metadata, tensors: new Map(st.tensors.map((t) => [t.name, st.float32(t.name)])) };
}
