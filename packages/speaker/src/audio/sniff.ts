/**
 * Recognises audio containers from their first bytes (never from the file name). Supported ones
 * map to an `AudioFormat`; well-known unsupported ones get a name so the error can say what the
 * file is.
 */
import { looksLikeWav } from './wav.js';
import type { AudioFormat } from './types.js';

export type SniffResult = { supported: true; format: AudioFormat } | { supported: false; description: string };

const startsWith = (bytes: Uint8Array, text: string, at = 0): boolean => {
  if (bytes.length < at + text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[at + i] !== text.charCodeAt(i)) return false;
  return true;
};

/** MPEG-1/2/2.5 audio frame header (layer I/II/III), not AAC's ADTS (layer bits 00). */
function isMpegAudioFrame(bytes: Uint8Array, at: number): boolean {
  if (bytes.length < at + 4) return false;
  const [b0, b1, b2] = [bytes[at], bytes[at + 1], bytes[at + 2]];
  return b0 === 0xff && (b1 & 0xe0) === 0xe0 && ((b1 >> 3) & 3) !== 1 && ((b1 >> 1) & 3) !== 0 && b2 >> 4 !== 15 && ((b2 >> 2) & 3) !== 3;
}

/** Length of an ID3v2 tag at the start (header + body + optional footer), or 0. */
function id3Length(bytes: Uint8Array): number {
  if (!startsWith(bytes, 'ID3') || bytes.length < 10) return 0;
  const size = ((bytes[6] & 0x7f) << 21) | ((bytes[7] & 0x7f) << 14) | ((bytes[8] & 0x7f) << 7) | (bytes[9] & 0x7f);
  return 10 + size + (bytes[5] & 0x10 ? 10 : 0);
}

/**
 * Channel count from the first MPEG audio frame header (after any ID3v2 tag), or undefined.
 * Needed because mpg123-decoder always returns two channels, also for mono files.
 */
export function mpegChannelCount(bytes: Uint8Array): number | undefined {
  const at = id3Length(bytes);
  const limit = Math.min(bytes.length - 4, at + 64 * 1024);
  for (let i = at; i <= limit; i++) {
    if (isMpegAudioFrame(bytes, i)) return bytes[i + 3] >> 6 === 3 ? 1 : 2;
  }
  return undefined;
}

/** Total samples per channel from a FLAC STREAMINFO block (0 when the encoder did not know), or undefined. */
export function flacTotalSamples(bytes: Uint8Array): number | undefined {
  // "fLaC", then a 4-byte metadata block header; STREAMINFO (type 0) must be the first block.
  if (!startsWith(bytes, 'fLaC') || bytes.length < 8 + 18 || (bytes[4] & 0x7f) !== 0) return undefined;
  const at = 8 + 13; // 36-bit total-samples field starts in the low nibble of STREAMINFO byte 13
  return (bytes[at] & 0x0f) * 2 ** 32 + ((bytes[at + 1] << 24) >>> 0) + (bytes[at + 2] << 16) + (bytes[at + 3] << 8) + bytes[at + 4];
}

function sniffOgg(bytes: Uint8Array): SniffResult {
  // First page: 27-byte header, then the segment table; the first packet follows it.
  const segments = bytes.length > 26 ? bytes[26] : 0;
  const packet = 27 + segments;
  if (startsWith(bytes, 'OpusHead', packet)) return { supported: true, format: 'ogg-opus' };
  if (startsWith(bytes, '\x01vorbis', packet)) return { supported: true, format: 'ogg-vorbis' };
  if (startsWith(bytes, '\x7fFLAC', packet)) return { supported: false, description: 'Ogg FLAC' };
  if (startsWith(bytes, 'Speex   ', packet)) return { supported: false, description: 'Ogg Speex' };
  if (startsWith(bytes, '\x80theora', packet)) return { supported: false, description: 'Ogg Theora video' };
  return { supported: false, description: 'an Ogg stream of an unknown codec' };
}

export function sniffAudio(bytes: Uint8Array): SniffResult | undefined {
  if (looksLikeWav(bytes) || startsWith(bytes, 'RIFF')) return { supported: true, format: 'wav' };
  if (startsWith(bytes, 'fLaC')) return { supported: true, format: 'flac' };
  if (startsWith(bytes, 'OggS')) return sniffOgg(bytes);
  const tag = id3Length(bytes);
  if (tag > 0) {
    // An ID3v2 tag can precede MP3 (usually), FLAC or AAC: look at what follows it.
    const rest = bytes.subarray(tag);
    if (rest.length === 0 || isMpegAudioFrame(rest, 0)) return { supported: true, format: 'mp3' };
    return sniffAudio(rest) ?? { supported: true, format: 'mp3' };
  }
  if (isMpegAudioFrame(bytes, 0)) return { supported: true, format: 'mp3' };
  if (bytes.length >= 2 && bytes[0] === 0xff && (bytes[1] & 0xf6) === 0xf0) return { supported: false, description: 'AAC (ADTS)' };
  if (startsWith(bytes, 'FORM') && (startsWith(bytes, 'AIFF', 8) || startsWith(bytes, 'AIFC', 8))) return { supported: false, description: 'AIFF' };
  if (startsWith(bytes, 'ftyp', 4)) return { supported: false, description: 'MP4/M4A (AAC or ALAC)' };
  if (startsWith(bytes, '\x1a\x45\xdf\xa3')) return { supported: false, description: 'WebM/Matroska' };
  if (startsWith(bytes, 'caff')) return { supported: false, description: 'Core Audio (CAF)' };
  if (startsWith(bytes, '.snd')) return { supported: false, description: 'Sun/NeXT AU' };
  if (startsWith(bytes, 'wvpk')) return { supported: false, description: 'WavPack' };
  if (startsWith(bytes, '#!AMR')) return { supported: false, description: 'AMR' };
  if (startsWith(bytes, 'MThd')) return { supported: false, description: 'MIDI (not recorded audio)' };
  if (startsWith(bytes, '\x93NUMPY')) return { supported: false, description: 'a NumPy .npy array (features? use the fbank input path)' };
  return undefined;
}
