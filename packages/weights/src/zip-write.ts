import { crc32 } from './crc32.js';
import { WeightsError } from './errors.js';

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
    view.setUint32(offset, 0x04034b50, true);
    view.setUint16(offset + 4, 20, true); // version needed: 2.0
    view.setUint16(offset + 6, 0, true); // flags
    view.setUint16(offset + 8, 0, true); // stored
    view.setUint16(offset + 10, 0, true); // time 00:00
    view.setUint16(offset + 12, 0x21, true); // date 1980-01-01
    view.setUint32(offset + 14, crc, true);
    view.setUint32(offset + 18, entry.data.length, true);
    view.setUint32(offset + 22, entry.data.length, true);
    view.setUint16(offset + 26, name.length, true);
    view.setUint16(offset + 28, extra, true);
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
    view.setUint32(p, 0x02014b50, true);
    view.setUint16(p + 4, 20, true); // made by: 2.0
    view.setUint16(p + 6, 20, true);
    view.setUint16(p + 12, 0, true);
    view.setUint16(p + 14, 0x21, true);
    view.setUint32(p + 16, crc, true);
    view.setUint32(p + 20, entry.data.length, true);
    view.setUint32(p + 24, entry.data.length, true);
    view.setUint16(p + 28, name.length, true);
    view.setUint32(p + 42, offset, true);
    out.set(name, p + 46);
    p += 46 + name.length;
  });
  view.setUint32(p, 0x06054b50, true);
  view.setUint16(p + 8, entries.length, true);
  view.setUint16(p + 10, entries.length, true);
  view.setUint32(p + 12, directorySize, true);
  view.setUint32(p + 16, directoryOffset, true);
  return out;
}
