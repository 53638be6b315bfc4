// Builds WAV files chunk by chunk so tests can make layouts no encoder writes (odd chunk order,
// missing pad bytes, lying sizes). The reference values are the integers written here.
export interface RawChunk {
  id: string;
  body: Uint8Array;
  /** Size written in the chunk header (defaults to body length): lets a test lie about it. */
  declaredSize?: number;
  /** Write the RIFF pad byte after an odd-sized body (default true). */
  pad?: boolean;
}

export function chunk(id: string, body: Uint8Array, extra: Partial<RawChunk> = {}): RawChunk {
  return { id, body, ...extra };
}

export function riff(chunks: RawChunk[], { magic = 'RIFF', form = 'WAVE' } = {}): Uint8Array {
  const parts: number[] = [];
  const pushAscii = (s: string) => {
    for (let i = 0; i < 4; i++) parts.push(s.charCodeAt(i));
  };
  const pushU32 = (v: number) => parts.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  pushAscii(magic);
  pushU32(0); // patched below
  pushAscii(form);
  for (const c of chunks) {
    pushAscii(c.id);
    pushU32(c.declaredSize ?? c.body.length);
    parts.push(...c.body);
    if (c.body.length % 2 === 1 && c.pad !== false) parts.push(0);
  }
  const out = Uint8Array.from(parts);
  new DataView(out.buffer).setUint32(4, out.length - 8, true);
  return out;
}

export interface FmtFields {
  tag?: number;
  channels?: number;
  rate?: number;
  bits?: number;
  blockAlign?: number;
  /** WAVE_FORMAT_EXTENSIBLE sub-format code (or a full 16-byte GUID). */
  subFormat?: number | Uint8Array;
  validBits?: number;
}

export function fmt({ tag = 1, channels = 1, rate = 16000, bits = 16, blockAlign, subFormat, validBits }: FmtFields = {}): Uint8Array {
  const extensible = tag === 0xfffe;
  const body = new Uint8Array(extensible ? 40 : 16);
  const v = new DataView(body.buffer);
  const align = blockAlign ?? channels * Math.ceil(bits / 8);
  v.setUint16(0, tag, true);
  v.setUint16(2, channels, true);
  v.setUint32(4, rate, true);
  v.setUint32(8, rate * align, true);
  v.setUint16(12, align, true);
  v.setUint16(14, bits, true);
  if (extensible) {
    v.setUint16(16, 22, true);
    v.setUint16(18, validBits ?? bits, true);
    v.setUint32(20, 0, true);
    if (subFormat instanceof Uint8Array) body.set(subFormat, 24);
    else {
      v.setUint16(24, subFormat ?? 1, true);
      body.set([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 26);
    }
  }
  return body;
}

type Setter = 'setInt16' | 'setFloat32' | 'setFloat64';
function littleEndianBody(values: number[], bytes: number, setter: Setter): Uint8Array {
  const out = new Uint8Array(values.length * bytes);
  const v = new DataView(out.buffer);
  values.forEach((x, i) => v[setter](i * bytes, x, true));
  return out;
}

export const int16Body = (values: number[]) => littleEndianBody(values, 2, 'setInt16');
export const float32Body = (values: number[]) => littleEndianBody(values, 4, 'setFloat32');
export const float64Body = (values: number[]) => littleEndianBody(values, 8, 'setFloat64');

export const ascii = (s: string): Uint8Array => Uint8Array.from(s, (ch) => ch.charCodeAt(0));

/** A small valid 16-bit mono file of the given integer samples. */
export function simpleWav(values: number[], rate = 16000): Uint8Array {
  return riff([chunk('fmt ', fmt({ rate })), chunk('data', int16Body(values))]);
}
