/**
 * In-house WAV decoder: little-endian RIFF/WAVE with integer PCM (8-bit unsigned, 16/24/32-bit
 * signed, and odd widths such as 20-bit in their byte container), IEEE float 32/64, G.711 mu-law
 * and A-law, and WAVE_FORMAT_EXTENSIBLE wrapping any of these. Any channel count is mixed down to
 * mono (mean). Pure TypeScript, no Node APIs, so it also runs in browsers.
 *
 * Layout policy (see docs/decisions/spk-01-audio-registry-download.md):
 * - chunks may come in any order (`data` before `fmt ` is accepted) and unknown chunks (LIST,
 *   fact, JUNK, bext, ...) are skipped; odd-sized chunks are followed by a pad byte, and a writer
 *   that forgot the pad byte is tolerated when the next chunk id is only readable without it;
 * - a `data` chunk that claims more bytes than the file holds (a truncated recording, or the
 *   0xFFFFFFFF "unknown size" of streaming writers) is decoded as far as whole frames go, with a
 *   warning in `warnings`; the header itself being cut short is an error;
 * - an empty `data` chunk gives zero samples (not an error here; too-short audio is the model's
 *   concern).
 */
import { AudioDecodeError } from '../errors.js';
import { nonFiniteSample } from './mixdown.js';
import type { AudioEncoding, DecodedAudio } from './types.js';

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_ALAW = 0x0006;
const WAVE_FORMAT_MULAW = 0x0007;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** Bytes 2..15 of every KSDATAFORMAT_SUBTYPE_* GUID built from a WAVE format code. */
const EXTENSIBLE_GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

const MAX_CHANNELS = 1024;
const MAX_SAMPLE_RATE = 10_000_000;
const UNKNOWN_SIZE = 0xffffffff;

/** What the decoder supports, for error messages. */
export const SUPPORTED_WAV_ENCODINGS =
  'integer PCM (8-bit unsigned, 9..32-bit signed), IEEE float 32/64, mu-law, A-law, and WAVE_FORMAT_EXTENSIBLE of these';

/** Names of common WAVE format codes we do not decode, so the error can say what the file is. */
const KNOWN_UNSUPPORTED: Record<number, string> = {
  0x0002: 'Microsoft ADPCM',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0050: 'MPEG',
  0x0055: 'MPEG Layer 3',
  0x00ff: 'AAC',
  0x1610: 'HE-AAC',
  0xf1ac: 'FLAC',
};

export interface WavDecodeOptions {
  /** Names the source in error messages. */
  file?: string;
}

interface WavFormat {
  encoding: AudioEncoding;
  channels: number;
  sampleRate: number;
  /** Declared bits per sample (may be less than the container, e.g. 20 in 3 bytes). */
  bitsPerSample: number;
  /** Bytes per sample in the data chunk. */
  containerBytes: number;
}

interface Chunk {
  offset: number;
  size: number;
}

const ascii = (bytes: Uint8Array, at: number): string => String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);

/** True when `bytes` start like a WAV file of any flavour (RIFF/WAVE, RIFX, RF64, BW64). */
export function looksLikeWav(bytes: Uint8Array): boolean {
  if (bytes.length < 12) return false;
  return ['RIFF', 'RIFX', 'RF64', 'BW64'].includes(ascii(bytes, 0)) && ascii(bytes, 8) === 'WAVE';
}

/** Decodes a WAV file held in memory. Throws `AudioDecodeError` naming `file` and the problem. */
export function decodeWav(bytes: Uint8Array, options: WavDecodeOptions = {}): DecodedAudio {
  const { file } = options;
  const fail = (code: string, message: string): never => {
    throw new AudioDecodeError(message, { code, file });
  };
  if (bytes.length === 0) fail('EMPTY_FILE', 'file is empty');
  const magic = bytes.length >= 4 ? ascii(bytes, 0) : '';
  if (magic === 'RIFX') fail('UNSUPPORTED_CONTAINER', 'big-endian RIFX WAV is not supported; convert it to little-endian RIFF (e.g. `sox in.wav -L out.wav`)');
  if (magic === 'RF64' || magic === 'BW64') fail('UNSUPPORTED_CONTAINER', `${magic} (64-bit WAV) is not supported; convert it to a plain RIFF WAV (files under 4 GiB) or FLAC`);
  if (magic !== 'RIFF') {
    if (bytes.length < 4 && 'RIFF'.startsWith(String.fromCharCode(...bytes))) fail('TRUNCATED_HEADER', `file ends after ${bytes.length} bytes, inside the RIFF header`);
    fail('NOT_RIFF', 'not a WAV file (no RIFF header)');
  }
  if (bytes.length < 12) fail('TRUNCATED_HEADER', `file ends after ${bytes.length} bytes, inside the RIFF header`);
  if (ascii(bytes, 8) !== 'WAVE') fail('NOT_WAVE', `RIFF file of type '${printable(ascii(bytes, 8))}', not WAVE`);

  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const warnings: string[] = [];
  const { fmt, data } = findChunks(bytes, view, warnings, fail);
  if (!fmt) fail('MISSING_FMT', "no 'fmt ' chunk (the header describing the samples)");
  if (!data) fail('MISSING_DATA', "no 'data' chunk (the samples)");
  const format = parseFormat(bytes, view, fmt!, warnings, fail);

  const frameBytes = format.containerBytes * format.channels;
  const frames = Math.floor(data!.size / frameBytes);
  const leftover = data!.size - frames * frameBytes;
  if (leftover > 0) warnings.push(`data ends with a partial frame; its last ${leftover} bytes were ignored`);
  const samples = decodeFrames(view, data!.offset, frames, format, file);
  return {
    samples,
    sampleRate: format.sampleRate,
    channels: format.channels,
    bitsPerSample: format.containerBytes * 8,
    format: 'wav',
    encoding: format.encoding,
    durationSec: frames / format.sampleRate,
    warnings,
  };
}

/** Walks the chunk list after the 12-byte RIFF header; remembers the first fmt and data chunks. */
function findChunks(
  bytes: Uint8Array,
  view: DataView,
  warnings: string[],
  fail: (code: string, message: string) => never,
): { fmt?: Chunk; data?: Chunk } {
  let fmt: Chunk | undefined;
  let data: Chunk | undefined;
  let pos = 12;
  while (pos + 8 <= bytes.length) {
    const id = ascii(bytes, pos);
    const size = view.getUint32(pos + 4, true);
    const body = pos + 8;
    const available = bytes.length - body;
    if (id === 'data' && !data) {
      if (size > available) {
        const what = size === UNKNOWN_SIZE ? 'has an unknown size (0xFFFFFFFF)' : `claims ${size} bytes but the file holds ${available}`;
        warnings.push(`data chunk ${what}; decoded the ${available} bytes present (the file may be truncated)`);
        data = { offset: body, size: available };
        break;
      }
      data = { offset: body, size };
    } else if (id === 'fmt ' && !fmt) {
      if (size > available) fail('TRUNCATED_HEADER', `'fmt ' chunk claims ${size} bytes but the file ends after ${available}`);
      fmt = { offset: body, size };
    } else if (size > available) {
      // An unknown chunk running past the end: nothing after it can be read.
      if (!(fmt && data)) warnings.push(`chunk '${printable(id)}' claims ${size} bytes but the file ends after ${available}`);
      break;
    }
    pos = nextChunk(bytes, body, size);
    if (fmt && data && pos >= bytes.length) break;
  }
  return { fmt, data };
}

/** Position of the chunk after one of `size` bytes at `body`, honouring the RIFF pad byte. */
function nextChunk(bytes: Uint8Array, body: number, size: number): number {
  const unpadded = body + size;
  if (size % 2 === 0) return unpadded;
  // Some writers omit the pad byte; prefer the position where a readable chunk id starts.
  const padded = unpadded + 1;
  if (padded + 8 <= bytes.length && !isChunkId(bytes, padded) && isChunkId(bytes, unpadded)) return unpadded;
  return padded;
}

function isChunkId(bytes: Uint8Array, at: number): boolean {
  for (let i = 0; i < 4; i++) if (bytes[at + i] < 0x20 || bytes[at + i] > 0x7e) return false;
  return true;
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?');
}

function parseFormat(
  bytes: Uint8Array,
  view: DataView,
  chunk: Chunk,
  warnings: string[],
  fail: (code: string, message: string) => never,
): WavFormat {
  if (chunk.size < 16) fail('TRUNCATED_HEADER', `'fmt ' chunk has ${chunk.size} bytes, fewer than the 16 every WAV needs`);
  const at = chunk.offset;
  let formatTag = view.getUint16(at, true);
  const channels = view.getUint16(at + 2, true);
  const sampleRate = view.getUint32(at + 4, true);
  const blockAlign = view.getUint16(at + 12, true);
  const bitsPerSample = view.getUint16(at + 14, true);
  if (formatTag === WAVE_FORMAT_EXTENSIBLE) {
    if (chunk.size < 40) fail('TRUNCATED_HEADER', `WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk has ${chunk.size} bytes, fewer than 40`);
    const guid = bytes.subarray(at + 24, at + 40);
    if (EXTENSIBLE_GUID_TAIL.some((b, i) => guid[i + 2] !== b)) {
      fail('UNSUPPORTED_WAV_FORMAT', `WAVE_FORMAT_EXTENSIBLE with sub-format GUID ${formatGuid(guid)}, which is not PCM or IEEE float; supported: ${SUPPORTED_WAV_ENCODINGS}`);
    }
    formatTag = view.getUint16(at + 24, true);
  }
  if (channels < 1 || channels > MAX_CHANNELS) fail('INVALID_FMT', `channel count ${channels} is out of range (1..${MAX_CHANNELS})`);
  if (sampleRate < 1 || sampleRate > MAX_SAMPLE_RATE) fail('INVALID_FMT', `sample rate ${sampleRate} Hz is out of range (1..${MAX_SAMPLE_RATE})`);

  let encoding: AudioEncoding;
  let containerBytes: number;
  if (formatTag === WAVE_FORMAT_PCM) {
    if (bitsPerSample < 8 || bitsPerSample > 32) fail('INVALID_FMT', `${bitsPerSample}-bit integer PCM is out of range (8..32 bits)`);
    encoding = 'pcm-int';
    containerBytes = Math.ceil(bitsPerSample / 8);
  } else if (formatTag === WAVE_FORMAT_IEEE_FLOAT) {
    if (bitsPerSample !== 32 && bitsPerSample !== 64) fail('INVALID_FMT', `${bitsPerSample}-bit IEEE float is not a float size (32 or 64)`);
    encoding = 'pcm-float';
    containerBytes = bitsPerSample / 8;
  } else if (formatTag === WAVE_FORMAT_MULAW || formatTag === WAVE_FORMAT_ALAW) {
    if (bitsPerSample !== 8) fail('INVALID_FMT', `G.711 ${formatTag === WAVE_FORMAT_MULAW ? 'mu-law' : 'A-law'} must have 8 bits per sample, not ${bitsPerSample}`);
    encoding = formatTag === WAVE_FORMAT_MULAW ? 'mulaw' : 'alaw';
    containerBytes = 1;
  } else {
    const name = KNOWN_UNSUPPORTED[formatTag];
    return fail('UNSUPPORTED_WAV_FORMAT', `WAV format code 0x${formatTag.toString(16).padStart(4, '0')}${name ? ` (${name})` : ''} is not supported; supported: ${SUPPORTED_WAV_ENCODINGS}`);
  }
  if (blockAlign !== containerBytes * channels) {
    warnings.push(`fmt block align is ${blockAlign}, expected ${containerBytes * channels} for ${channels} channel(s) of ${containerBytes} byte(s); used the latter`);
  }
  return { encoding, channels, sampleRate, bitsPerSample, containerBytes };
}

function formatGuid(g: Uint8Array): string {
  const hex = (from: number, to: number) => Array.from(g.subarray(from, to), (b) => b.toString(16).padStart(2, '0')).join('');
  const le = (from: number, to: number) => Array.from(g.subarray(from, to)).reverse().map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${le(0, 4)}-${le(4, 6)}-${le(6, 8)}-${hex(8, 10)}-${hex(10, 16)}`;
}

/** Reads one stored sample at `at` as a float in [-1, 1] (floats as stored). */
type SampleReader = (view: DataView, at: number) => number;

function sampleReader(format: WavFormat): SampleReader {
  switch (format.encoding) {
    case 'pcm-float':
      return format.containerBytes === 4 ? (v, at) => v.getFloat32(at, true) : (v, at) => v.getFloat64(at, true);
    case 'mulaw':
      return (v, at) => MULAW_TABLE[v.getUint8(at)];
    case 'alaw':
      return (v, at) => ALAW_TABLE[v.getUint8(at)];
    default:
      break;
  }
  // Integer PCM: left-justified in the container, so dividing by the container's full scale gives
  // the same value for a 20-bit sample in 3 bytes as for a 24-bit one.
  switch (format.containerBytes) {
    case 1:
      return (v, at) => (v.getUint8(at) - 128) / 128;
    case 2:
      return (v, at) => v.getInt16(at, true) / 32768;
    case 3:
      return (v, at) => ((v.getUint8(at) | (v.getUint8(at + 1) << 8) | (v.getInt8(at + 2) << 16)) / 8388608);
    default:
      return (v, at) => v.getInt32(at, true) / 2147483648;
  }
}

function decodeFrames(view: DataView, offset: number, frames: number, format: WavFormat, file?: string): Float32Array {
  const out = new Float32Array(frames);
  const read = sampleReader(format);
  const { channels, containerBytes } = format;
  const frameBytes = channels * containerBytes;
  const checkFinite = format.encoding === 'pcm-float';
  for (let f = 0, at = offset; f < frames; f++, at += frameBytes) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += read(view, at + c * containerBytes);
    if (checkFinite && !Number.isFinite(sum)) throw nonFiniteSample(f, file);
    out[f] = channels === 1 ? sum : sum / channels;
  }
  return out;
}

/** ITU-T G.711 expansion to 16-bit linear (Sun's reference g711.c), divided by 32768 as sox/torchaudio do. */
const MULAW_TABLE = Float32Array.from({ length: 256 }, (_, byte) => {
  const u = ~byte & 0xff;
  const magnitude = ((((u & 0x0f) << 3) + 0x84) << ((u >> 4) & 0x07)) - 0x84;
  return (u & 0x80 ? -magnitude : magnitude) / 32768;
});

const ALAW_TABLE = Float32Array.from({ length: 256 }, (_, byte) => {
  const a = byte ^ 0x55;
  const segment = (a & 0x70) >> 4;
  let magnitude = (a & 0x0f) << 4;
  magnitude += segment === 0 ? 8 : 0x108;
  if (segment > 1) magnitude <<= segment - 1;
  return (a & 0x80 ? magnitude : -magnitude) / 32768;
});
