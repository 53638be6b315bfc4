import { crc32 } from './crc32.js';
import { WeightsError } from './errors.js';
import { ZIP_SIGNATURE } from './zip-format.js';

export interface ZipInputEntry {
  name: string;
  data: Uint8Array;
}

/** "FB": the extra-field id PyTorch's writer uses to pad local headers so data is aligned. */
const PADDING_FIELD_ID = 0x4246;

/**
 * Writes a zip of stored (uncompressed) entries whose data start on `alignment`-byte boundaries,
 * like PyTorch's own writer, so readers can map tensors without copying. Timestamps are fixed
 * (1980-01-01), so equal inputs give equal bytes. Archives beyond 4 GiB (zip64) are refused.
 */
export function encodeZip(entries: readonly ZipInputEntry[], alignment = 64): Uint8Array {
  const encoder = new TextEncoder();
  const names = entries.map((e) => encoder.encode(e.name));
  const layout: { offset: number; extra: number; crc: number }[] = [];
  let position = 0;
  entries.forEach((entry, i) => {
    const headerEnd = position + 30 + names[i].length;
    let extra = (alignment - (headerEnd % alignment)) % alignment;
    if (extra > 0 && extra < 4) extra += alignment; // an extra field needs at least its 4-byte header
    layout.push({ offset: position, extra, crc: crc32(entry.data) });
    position = headerEnd + extra + entry.data.length;
  });
  const directoryOffset = position;
  const directorySize = names.reduce((n, name) => n + 46 + name.length, 0);
  const total = directoryOffset + directorySize + 22;
  if (total > 0xffffffff || entries.length > 0xffff) {
    throw new WeightsError('archive larger than 4 GiB or 65,535 entries (zip64 is not written)', { code: 'WRITE_TOO_LARGE' });
  }
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  entries.forEach((entry, i) => {
    const { offset, extra, crc } = layout[i];
    const name = names[i];
    view.setUint32(offset, ZIP_SIGNATURE.localHeader, true);
    writeEntryFields(view, offset + 4, crc, entry.data.length, name.length, extra);
    out.set(name, offset + 30);
    if (extra > 0) {
      const at = offset + 30 + name.length;
      view.setUint16(at, PADDING_FIELD_ID, true);
      view.setUint16(at + 2, extra - 4, true);
      out.fill(0x5a /* Z */, at + 4, at + extra);
    }
    out.set(entry.data, offset + 30 + name.length + extra);
  });
  let p = directoryOffset;
  entries.forEach((entry, i) => {
    const { offset, crc } = layout[i];
    const name = names[i];
    view.setUint32(p, ZIP_SIGNATURE.centralHeader, true);
    view.setUint16(p + 4, 20, true); // made by: version 2.0
    writeEntryFields(view, p + 6, crc, entry.data.length, name.length, 0);
    view.setUint32(p + 42, offset, true);
    out.set(name, p + 46);
    p += 46 + name.length;
  });
  view.setUint32(p, ZIP_SIGNATURE.end, true);
  view.setUint16(p + 8, entries.length, true);
  view.setUint16(p + 10, entries.length, true);
  view.setUint32(p + 12, directorySize, true);
  view.setUint32(p + 16, directoryOffset, true);
  return out;
}

/**
 * The fields local and central headers share, in the same order (from "version needed" to the
 * extra-field length): a stored entry, no flags, a fixed 1980-01-01 00:00 timestamp.
 */
function writeEntryFields(view: DataView, at: number, crc: number, size: number, nameLength: number, extraLength: number): void {
  view.setUint16(at, 20, true); // version needed: 2.0
  view.setUint16(at + 2, 0, true); // flags
  view.setUint16(at + 4, 0, true); // method: stored
  view.setUint16(at + 6, 0, true); // time 00:00
  view.setUint16(at + 8, 0x21, true); // date 1980-01-01
  view.setUint32(at + 10, crc, true);
  view.setUint32(at + 14, size, true); // compressed
  view.setUint32(at + 18, size, true); // uncompressed
  view.setUint16(at + 22, nameLength, true);
  view.setUint16(at + 24, extraLength, true);
}
