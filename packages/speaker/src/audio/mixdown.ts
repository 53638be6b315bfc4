import { AudioDecodeError } from '../errors.js';

/**
 * Mean of planar channels into one mono signal (float64 sum per sample). Every channel must have
 * the length of the first; a non-finite sample is an error, never passed on.
 */
export function mixToMono(channelData: readonly Float32Array[], file?: string): Float32Array {
  if (channelData.length === 0) return new Float32Array(0);
  const length = channelData[0].length;
  for (const channel of channelData) {
    if (channel.length !== length) {
      throw new AudioDecodeError(`channels have different lengths (${channel.length} vs ${length})`, {
        code: 'DECODE_FAILED',
        file,
      });
    }
  }
  const out = new Float32Array(length);
  const count = channelData.length;
  for (let i = 0; i < length; i++) {
    let sum = 0;
    for (let c = 0; c < count; c++) sum += channelData[c][i];
    if (!Number.isFinite(sum)) throw nonFiniteSample(i, file);
    out[i] = sum / count;
  }
  return out;
}

export function nonFiniteSample(frame: number, file?: string): AudioDecodeError {
  return new AudioDecodeError(`sample at frame ${frame} is NaN or infinite`, { code: 'NON_FINITE_SAMPLE', file });
}
