/**
 * MP3, FLAC, Ogg Opus and Ogg Vorbis through the WebAssembly decoders of the wasm-audio-decoders
 * family (mpg123, libFLAC, libopus, libvorbis compiled to WASM; MIT; see
 * docs/decisions/spk-01-audio-registry-download.md). They are optional dependencies, imported only when a
 * file of their format arrives, so an install without them still decodes WAV and says which
 * package to add for the rest.
 */
import { AudioDecodeError } from '../errors.js';
import { mixToMono } from './mixdown.js';
import { flacTotalSamples, mpegChannelCount } from './sniff.js';
import type { AudioEncoding, AudioFormat, DecodedAudio } from './types.js';

export type CodecFormat = Exclude<AudioFormat, 'wav'>;

/** What every decoder of the family returns from a whole file. */
interface LibraryResult {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  bitDepth?: number;
  errors: { message: string }[];
}

interface LibraryDecoder {
  ready: Promise<void>;
  free(): void | Promise<void>;
}

interface CodecEntry {
  /** npm package that decodes it. */
  packageName: string;
  encoding: AudioEncoding;
  /**
   * Lossless integer audio: the bit depth is meaningful, and the library's floats (integer /
   * (2^(bits-1) - 1)) are turned back into torchaudio's integer / 2^(bits-1).
   */
  lossless: boolean;
  /** Creates a decoder, waits until it is ready, decodes the whole file and frees the decoder. */
  decode(module: unknown, bytes: Uint8Array): Promise<LibraryResult>;
  /** The file's own channel count when the library reports another one. */
  channels?(bytes: Uint8Array): number | undefined;
  /** The file's own sample count when it states one, to catch frames the library lost. */
  expectedSamples?(bytes: Uint8Array): number | undefined;
}

async function run<D extends LibraryDecoder>(decoder: D, decode: (d: D) => LibraryResult | Promise<LibraryResult>): Promise<LibraryResult> {
  await decoder.ready;
  try {
    return await decode(decoder);
  } finally {
    await decoder.free();
  }
}

type Ctor<T> = new () => T;
interface FileDecoder extends LibraryDecoder {
  decodeFile(bytes: Uint8Array): Promise<LibraryResult>;
}
interface MpegDecoder extends LibraryDecoder {
  decode(bytes: Uint8Array): LibraryResult;
}

export const CODECS: Record<CodecFormat, CodecEntry> = {
  mp3: {
    packageName: 'mpg123-decoder',
    encoding: 'mp3',
    lossless: false,
    decode: (m, bytes) => run(new (m as { MPEGDecoder: Ctor<MpegDecoder> }).MPEGDecoder(), (d) => d.decode(bytes)),
    channels: mpegChannelCount,
  },
  flac: {
    packageName: '@wasm-audio-decoders/flac',
    encoding: 'pcm-int',
    lossless: true,
    // codec-parser 2.5.0 drops a FLAC file's last frame when it ends exactly at the end of the
    // data (seen with an 11-byte final frame); two trailing zero bytes let it find the frame end.
    decode: (m, bytes) => run(new (m as { FLACDecoder: Ctor<FileDecoder> }).FLACDecoder(), (d) => d.decodeFile(withTrailingZeros(bytes, 2))),
    expectedSamples: (bytes) => flacTotalSamples(bytes) || undefined,
  },
  'ogg-opus': {
    packageName: 'ogg-opus-decoder',
    encoding: 'opus',
    lossless: false,
    decode: (m, bytes) => run(new (m as { OggOpusDecoder: Ctor<FileDecoder> }).OggOpusDecoder(), (d) => d.decodeFile(bytes)),
  },
  'ogg-vorbis': {
    packageName: '@wasm-audio-decoders/ogg-vorbis',
    encoding: 'vorbis',
    lossless: false,
    decode: (m, bytes) => run(new (m as { OggVorbisDecoder: Ctor<FileDecoder> }).OggVorbisDecoder(), (d) => d.decodeFile(bytes)),
  },
};

/** Loads a codec package by name; replaceable so tests can simulate a missing package. */
export type ModuleImporter = (packageName: string) => Promise<unknown>;

// Static specifiers so bundlers see the optional packages; `import()` stays lazy in both builds.
const defaultImporter: ModuleImporter = (name) => {
  switch (name) {
    case 'mpg123-decoder':
      return import('mpg123-decoder');
    case '@wasm-audio-decoders/flac':
      return import('@wasm-audio-decoders/flac');
    case 'ogg-opus-decoder':
      return import('ogg-opus-decoder');
    case '@wasm-audio-decoders/ogg-vorbis':
      return import('@wasm-audio-decoders/ogg-vorbis');
    default:
      return Promise.reject(new Error(`no codec package ${name}`));
  }
};

export async function decodeWithCodec(
  format: CodecFormat,
  bytes: Uint8Array,
  file?: string,
  importModule: ModuleImporter = defaultImporter,
): Promise<DecodedAudio> {
  const codec = CODECS[format];
  let module: unknown;
  try {
    module = await importModule(codec.packageName);
  } catch (cause) {
    throw new AudioDecodeError(
      `decoding ${format} needs the optional package ${codec.packageName}, which could not be loaded (${messageOf(cause)}); install it with \`npm install ${codec.packageName}\` or convert the file to WAV`,
      { code: 'DECODER_MISSING', file, cause },
    );
  }
  let result: LibraryResult;
  try {
    result = await codec.decode(module, bytes);
  } catch (cause) {
    throw new AudioDecodeError(`${format} decoder failed: ${messageOf(cause)}`, { code: 'DECODE_FAILED', file, cause });
  }
  const errors = result.errors ?? [];
  if (result.samplesDecoded === 0 && (errors.length > 0 || !(result.sampleRate > 0))) {
    const detail = errors.length > 0 ? `: ${errors[0].message}` : '';
    throw new AudioDecodeError(`no decodable ${format} audio frames${detail}`, { code: 'DECODE_FAILED', file });
  }
  if (codec.lossless && result.bitDepth) rescaleToPowerOfTwo(result.channelData, result.bitDepth);
  const samples = mixToMono(result.channelData, file);
  const warnings = errors.length > 0 ? [`${format} decoder skipped ${errors.length} damaged frame(s); first: ${errors[0].message}`] : [];
  const expected = codec.expectedSamples?.(bytes);
  if (expected !== undefined && expected !== samples.length) {
    warnings.push(`the file states ${expected} samples per channel but ${samples.length} were decoded`);
  }
  return {
    samples,
    sampleRate: result.sampleRate,
    channels: codec.channels?.(bytes) ?? result.channelData.length,
    bitsPerSample: codec.lossless ? result.bitDepth : undefined,
    format,
    encoding: codec.encoding,
    durationSec: samples.length / result.sampleRate,
    warnings,
  };
}

/** x / (2^(b-1) - 1) -> x / 2^(b-1), exactly: float32 holds x / (2^(b-1) - 1) to < 0.5 / 2^(b-1) for b <= 24. */
function rescaleToPowerOfTwo(channelData: Float32Array[], bitDepth: number): void {
  const libraryScale = 2 ** (bitDepth - 1) - 1;
  const fullScale = 2 ** (bitDepth - 1);
  for (const channel of channelData) {
    for (let i = 0; i < channel.length; i++) channel[i] = Math.round(channel[i] * libraryScale) / fullScale;
  }
}

function withTrailingZeros(bytes: Uint8Array, count: number): Uint8Array {
  const out = new Uint8Array(bytes.length + count);
  out.set(bytes);
  return out;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
