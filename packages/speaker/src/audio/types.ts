/** Containers/codecs `decodeAudio` understands. */
export type AudioFormat = 'wav' | 'flac' | 'mp3' | 'ogg-opus' | 'ogg-vorbis';

/**
 * How the samples were stored: integer PCM (`pcm-int`, WAV and FLAC), IEEE float (`pcm-float`),
 * G.711 companding (`mulaw`, `alaw`), or a lossy codec (`mp3`, `opus`, `vorbis`).
 */
export type AudioEncoding = 'pcm-int' | 'pcm-float' | 'mulaw' | 'alaw' | 'mp3' | 'opus' | 'vorbis';

/** Decoded audio, mixed down to mono. */
export interface DecodedAudio {
  /**
   * Mono samples (mean of the channels), nominally in [-1, 1]: integer PCM is divided by
   * 2^(bits-1) (8-bit unsigned: (x - 128) / 128), as torchaudio.load does; float input is passed
   * through unchanged (it may exceed 1), but never contains NaN or Infinity.
   */
  samples: Float32Array;
  sampleRate: number;
  /** Channel count of the source (the samples are already mixed down). */
  channels: number;
  /** Bits per stored sample (the container size for WAV); undefined for lossy codecs. */
  bitsPerSample: number | undefined;
  format: AudioFormat;
  encoding: AudioEncoding;
  durationSec: number;
  /** Non-fatal problems met while decoding (e.g. a truncated data chunk); empty when none. */
  warnings: string[];
}
