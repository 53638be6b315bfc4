/**
 * `decodeAudio`: file path or bytes in, mono samples out, whatever the container. The format is
 * recognised from the bytes (not the file name): WAV is decoded in-house, MP3/FLAC/Ogg Opus/Ogg
 * Vorbis by the optional WebAssembly decoders (codecs.ts); anything else is a typed error that
 * lists what is supported.
 */
import { readFile } from 'node:fs/promises';
import { AudioDecodeError } from '../errors.js';
import { decodeWithCodec } from './codecs.js';
import type { ModuleImporter } from './codecs.js';
import { sniffAudio } from './sniff.js';
import type { DecodedAudio } from './types.js';
import { decodeWav } from './wav.js';

export const SUPPORTED_AUDIO_FORMATS = 'WAV (PCM, float, mu-law, A-law, extensible), FLAC, MP3, Ogg Opus, Ogg Vorbis';

export interface DecodeAudioOptions {
  /** Names the source in errors (defaults to the path when `source` is one). */
  file?: string;
  /** @internal Loads codec packages; tests replace it to simulate a missing one. */
  importModule?: ModuleImporter;
}

/** Audio input: a file path, or the file's bytes. */
export type AudioSource = string | Uint8Array | ArrayBuffer;

export async function decodeAudio(source: AudioSource, options: DecodeAudioOptions = {}): Promise<DecodedAudio> {
  const file = options.file ?? (typeof source === 'string' ? source : undefined);
  const bytes = typeof source === 'string' ? await readAudioFile(source, file) : toBytes(source, file);
  if (bytes.length === 0) throw new AudioDecodeError('file is empty', { code: 'EMPTY_FILE', file });
  const sniffed = sniffAudio(bytes);
  if (!sniffed || !sniffed.supported) {
    const what = sniffed ? `looks like ${sniffed.description}` : `unrecognised content (first bytes: ${hexPreview(bytes)})`;
    throw new AudioDecodeError(`unsupported audio format: ${what}; supported: ${SUPPORTED_AUDIO_FORMATS}`, {
      code: 'UNSUPPORTED_FORMAT',
      file,
    });
  }
  if (sniffed.format === 'wav') return decodeWav(bytes, { file });
  return decodeWithCodec(sniffed.format, bytes, file, options.importModule);
}

async function readAudioFile(path: string, file?: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'ERR_FS_FILE_TOO_LARGE' ? 'larger than 2 GiB' : (cause as Error).message;
    throw new AudioDecodeError(`cannot read audio file: ${reason}`, {
      code: code === 'ERR_FS_FILE_TOO_LARGE' ? 'FILE_TOO_LARGE' : 'FILE_READ_FAILED',
      file,
      cause,
    });
  }
}

function toBytes(source: Uint8Array | ArrayBuffer, file?: string): Uint8Array {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (ArrayBuffer.isView(source)) {
    throw new AudioDecodeError(`got a ${describe(source)} of samples: pass file bytes, or use loadAudio({ samples, sampleRate }) for samples (the rate is never guessed)`, {
      code: 'INVALID_SOURCE',
      file,
    });
  }
  throw new AudioDecodeError(`audio source must be a file path, Uint8Array or ArrayBuffer, got ${describe(source)}`, {
    code: 'INVALID_SOURCE',
    file,
  });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}

function hexPreview(bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
}
