import { crc32 } from './crc32.js';
import { ZIP_SIGNATURE } from './zip-format.js';
import { WeightsError } from './errors.js';
import { inflateExactly } from './inflate.js';
import type { RandomAccess } from './random-access.js';
import { toRandomAccess } from './random-access.js';

/**
 * A zip reader for `torch.save` archives (and any plain zip): stored and deflated entries, zip64,
 * every size and offset checked against the file before use. It reads the central directory and
 * local headers at open time and entry data on demand.
 */
export interface ZipEntry {
  name: string;
  /** 0 = stored, 8 = deflated. */
  method: 0 | 8;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
  /** Absolute offset of the entry's (compressed) data. */
  dataOffset: number;
}

export interface ZipLimits {
  /** Largest entry we agree to inflate or read (default 2 GiB - 1). */
  maxEntryBytes?: number;
  /** Largest sum of the declared uncompressed sizes (default 16 GiB). */
  maxTotalBytes?: number;
  /** Most entries in the central directory (default 100,000). */
  maxEntries?: number;
}

/** DEFLATE cannot expand more than ~1032:1; a larger declared ratio is a lie. */
const MAX_DEFLATE_RATIO = 1032;

const DEFAULT_LIMITS: Required<ZipLimits> = { maxEntryBytes: 2 ** 31 - 1, maxTotalBytes: 16 * 2 ** 30, maxEntries: 100_000 };

class Reader {
  constructor(
    private readonly access: RandomAccess,
    private readonly file: string | undefined,
  ) {}

  fail(code: string, message: string): never {
    throw new WeightsError(message, { code, file: this.file });
  }

  /** `length` bytes at `offset`, or ZIP_INVALID naming `what` when they are not all in the file. */
  bytes(offset: number, length: number, what: string): DataView {
    if (!Number.isSafeInteger(offset) || offset < 0 || length < 0 || offset + length > this.access.byteLength) {
      this.fail('ZIP_INVALID', `${what} at byte ${offset} (+${length}) lies outside the file (${this.access.byteLength} bytes)`);
    }
    const b = this.access.read(offset, length);
    return new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
}

const u64 = (view: DataView, at: number): number => Number(view.getBigUint64(at, true));

export class ZipArchive {
  readonly entries: readonly ZipEntry[];
  readonly file: string | undefined;
  readonly byteLength: number;
  private readonly access: RandomAccess;
  private readonly byName: Map<string, ZipEntry>;

  constructor(source: Uint8Array | ArrayBuffer | RandomAccess, options: { file?: string; limits?: ZipLimits } = {}) {
    this.access = toRandomAccess(source);
    this.file = options.file;
    this.byteLength = this.access.byteLength;
    const limits = { ...DEFAULT_LIMITS, ...options.limits };
    const r = new Reader(this.access, this.file);
    const directory = readEndOfCentralDirectory(r, this.access.byteLength);
    if (directory.count > limits.maxEntries) r.fail('ZIP_INVALID', `zip declares ${directory.count} entries (limit ${limits.maxEntries})`);
    const entries = readCentralDirectory(r, directory);
    this.byName = new Map();
    let total = 0;
    for (const e of entries) {
      if (this.byName.has(e.name)) r.fail('ZIP_DUPLICATE_ENTRY', `zip entry "${e.name}" appears twice`);
      this.byName.set(e.name, e);
      checkDeclaredSize(r, e, limits);
      total += e.uncompressedSize;
      if (total > limits.maxTotalBytes) r.fail('ZIP_BOMB', `zip entries declare more than ${limits.maxTotalBytes} bytes in total`);
    }
    for (const e of entries) e.dataOffset = readLocalHeader(r, e, directory.offset);
    checkNoOverlap(r, entries);
    this.entries = entries;
  }

  get(name: string): ZipEntry | undefined {
    return this.byName.get(name);
  }

  /**
   * The entry's uncompressed bytes, checked against the declared size and (unless
   * `verifyCrc: false`) the CRC-32. Stored entries held in memory are zero-copy views.
   */
  read(entry: ZipEntry, options: { verifyCrc?: boolean } = {}): Uint8Array {
    const compressed = this.access.read(entry.dataOffset, entry.compressedSize);
    const what = `zip entry "${entry.name}"`;
    const data = entry.method === 0 ? compressed : inflateExactly(compressed, entry.uncompressedSize, what, this.file);
    if (options.verifyCrc !== false && crc32(data) !== entry.crc32) {
      throw new WeightsError(`${what} fails its CRC-32 check (corrupt file)`, { code: 'ZIP_CRC_MISMATCH', file: this.file });
    }
    return data;
  }
}

export function openZip(source: Uint8Array | ArrayBuffer | RandomAccess, options: { file?: string; limits?: ZipLimits } = {}): ZipArchive {
  return new ZipArchive(source, options);
}

interface Directory {
  count: number;
  size: number;
  offset: number;
  /** Where the end records start: the central directory must end before. */
  end: number;
}

function readEndOfCentralDirectory(r: Reader, size: number): Directory {
  if (size < 22) r.fail('ZIP_INVALID', `not a zip archive (${size} bytes, too short for the end record)`);
  const searchStart = Math.max(0, size - 22 - 0xffff);
  const tail = r.bytes(searchStart, size - searchStart, 'zip end record');
  let at = -1;
  for (let i = tail.byteLength - 22; i >= 0; i--) {
    if (tail.getUint32(i, true) === ZIP_SIGNATURE.end && i + 22 + tail.getUint16(i + 20, true) <= tail.byteLength) {
      at = i;
      break;
    }
  }
  if (at < 0) r.fail('ZIP_INVALID', 'no zip end-of-central-directory record (not a zip archive, or truncated)');
  const endOffset = searchStart + at;
  if (tail.getUint16(at + 4, true) !== 0 || tail.getUint16(at + 6, true) !== 0) {
    r.fail('ZIP_UNSUPPORTED', 'multi-disk zip archives are not supported');
  }
  let count = tail.getUint16(at + 10, true);
  let cdSize = tail.getUint32(at + 12, true);
  let cdOffset = tail.getUint32(at + 16, true);
  let end = endOffset;
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    if (endOffset < 20) r.fail('ZIP_INVALID', 'zip64 end locator missing');
    const locator = r.bytes(endOffset - 20, 20, 'zip64 end locator');
    if (locator.getUint32(0, true) !== ZIP_SIGNATURE.end64Locator) r.fail('ZIP_INVALID', 'zip64 end locator missing or corrupt');
    const recordOffset = u64(locator, 8);
    if (recordOffset > endOffset - 20 - 56) r.fail('ZIP_INVALID', `zip64 end record offset ${recordOffset} is outside the file`);
    const record = r.bytes(recordOffset, 56, 'zip64 end record');
    if (record.getUint32(0, true) !== ZIP_SIGNATURE.end64) r.fail('ZIP_INVALID', 'zip64 end record signature is wrong');
    count = u64(record, 32);
    cdSize = u64(record, 40);
    cdOffset = u64(record, 48);
    end = recordOffset;
  }
  if (cdOffset + cdSize > end) {
    r.fail('ZIP_INVALID', `central directory (offset ${cdOffset}, ${cdSize} bytes) runs past its end record at ${end} (corrupt or truncated)`);
  }
  if (count * 46 > cdSize) r.fail('ZIP_INVALID', `central directory of ${cdSize} bytes cannot hold ${count} entries`);
  return { count, size: cdSize, offset: cdOffset, end };
}

function readCentralDirectory(r: Reader, dir: Directory): ZipEntry[] {
  const cd = r.bytes(dir.offset, dir.size, 'central directory');
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < dir.count; i++) {
    if (p + 46 > cd.byteLength || cd.getUint32(p, true) !== ZIP_SIGNATURE.centralHeader) {
      r.fail('ZIP_INVALID', `central directory entry ${i} is corrupt (bad signature or truncated)`);
    }
    const flags = cd.getUint16(p + 8, true);
    const method = cd.getUint16(p + 10, true);
    const nameLength = cd.getUint16(p + 28, true);
    const extraLength = cd.getUint16(p + 30, true);
    const commentLength = cd.getUint16(p + 32, true);
    const next = p + 46 + nameLength + extraLength + commentLength;
    if (next > cd.byteLength) r.fail('ZIP_INVALID', `central directory entry ${i} runs past the directory`);
    let name: string;
    try {
      name = decoder.decode(new Uint8Array(cd.buffer, cd.byteOffset + p + 46, nameLength));
    } catch {
      return r.fail('ZIP_INVALID', `central directory entry ${i} has a name that is not UTF-8`);
    }
    if (flags & 0x1) r.fail('ZIP_UNSUPPORTED', `zip entry "${name}" is encrypted`);
    if (method !== 0 && method !== 8) r.fail('ZIP_UNSUPPORTED', `zip entry "${name}" uses compression method ${method} (only stored and deflated are supported)`);
    const entry: ZipEntry = {
      name,
      method,
      crc32: cd.getUint32(p + 16, true),
      compressedSize: cd.getUint32(p + 20, true),
      uncompressedSize: cd.getUint32(p + 24, true),
      localHeaderOffset: cd.getUint32(p + 42, true),
      dataOffset: -1,
    };
    applyZip64Extra(r, entry, new DataView(cd.buffer, cd.byteOffset + p + 46 + nameLength, extraLength));
    entries.push(entry);
    p = next;
  }
  if (p !== cd.byteLength) r.fail('ZIP_INVALID', `central directory has ${cd.byteLength - p} bytes after its ${dir.count} entries`);
  return entries;
}

/** Sizes and offsets of 0xffffffff are in the zip64 extra field (id 1), in this order. */
function applyZip64Extra(r: Reader, entry: ZipEntry, extra: DataView): void {
  const fields = (['uncompressedSize', 'compressedSize', 'localHeaderOffset'] as const).filter((f) => entry[f] === 0xffffffff);
  if (fields.length === 0) return;
  for (let q = 0; q + 4 <= extra.byteLength; ) {
    const id = extra.getUint16(q, true);
    const length = extra.getUint16(q + 2, true);
    if (q + 4 + length > extra.byteLength) break;
    if (id === 1) {
      if (length < fields.length * 8) r.fail('ZIP_INVALID', `zip entry "${entry.name}" has a short zip64 extra field`);
      fields.forEach((f, k) => (entry[f] = u64(extra, q + 4 + 8 * k)));
      return;
    }
    q += 4 + length;
  }
  r.fail('ZIP_INVALID', `zip entry "${entry.name}" needs a zip64 extra field but has none`);
}

function checkDeclaredSize(r: Reader, e: ZipEntry, limits: Required<ZipLimits>): void {
  if (e.method === 0 && e.compressedSize !== e.uncompressedSize) {
    r.fail('ZIP_INVALID', `stored zip entry "${e.name}" declares ${e.compressedSize} bytes stored but ${e.uncompressedSize} uncompressed`);
  }
  if (e.uncompressedSize > limits.maxEntryBytes) {
    r.fail('ZIP_BOMB', `zip entry "${e.name}" declares ${e.uncompressedSize} bytes (limit ${limits.maxEntryBytes})`);
  }
  if (e.method === 8 && e.uncompressedSize > e.compressedSize * MAX_DEFLATE_RATIO + 64) {
    r.fail('ZIP_BOMB', `zip entry "${e.name}" declares ${e.uncompressedSize} bytes from ${e.compressedSize} compressed: more than DEFLATE can expand (zip bomb?)`);
  }
}

/** Checks the local header and returns the absolute data offset. */
function readLocalHeader(r: Reader, e: ZipEntry, directoryOffset: number): number {
  const what = `local header of zip entry "${e.name}"`;
  const header = r.bytes(e.localHeaderOffset, 30, what);
  if (header.getUint32(0, true) !== ZIP_SIGNATURE.localHeader) r.fail('ZIP_INVALID', `${what} has a bad signature (corrupt offsets)`);
  const nameLength = header.getUint16(26, true);
  const extraLength = header.getUint16(28, true);
  const name = r.bytes(e.localHeaderOffset + 30, nameLength, what);
  const localName = new TextDecoder().decode(new Uint8Array(name.buffer, name.byteOffset, nameLength));
  if (localName !== e.name) r.fail('ZIP_INVALID', `${what} names "${localName}" (the directories disagree)`);
  const dataOffset = e.localHeaderOffset + 30 + nameLength + extraLength;
  if (dataOffset + e.compressedSize > directoryOffset) {
    r.fail('ZIP_INVALID', `data of zip entry "${e.name}" (${e.compressedSize} bytes at ${dataOffset}) runs into the central directory`);
  }
  return dataOffset;
}

/** Entries sharing bytes are the classic overlapping-entry zip bomb; PyTorch never writes them. */
function checkNoOverlap(r: Reader, entries: ZipEntry[]): void {
  const sorted = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    if (prev.dataOffset + prev.compressedSize > sorted[i].localHeaderOffset) {
      r.fail('ZIP_OVERLAP', `zip entries "${prev.name}" and "${sorted[i].name}" overlap`);
    }
  }
}
