/**
 * Seeded Gaussian noise for dither. A small counter-based generator (SplitMix-style mixing of a
 * 32-bit counter in two lanes) feeds the Marsaglia polar method, so a seed gives the same sequence
 * on every platform and in batch and streaming alike.
 */
export interface GaussianSource {
  /** Next standard normal sample. */
  next(): number;
}

function mix32(x: number): number {
  let z = x >>> 0;
  z = Math.imul(z ^ (z >>> 15), 0x2c1b3c6d) >>> 0;
  z = Math.imul(z ^ (z >>> 12), 0x297a2d39) >>> 0;
  return (z ^ (z >>> 15)) >>> 0;
}

export function gaussianSource(seed: number): GaussianSource {
  let counter = mix32(seed ^ 0x6a09e667);
  const upper = mix32(Math.floor(seed / 4294967296) ^ 0xbb67ae85);
  // Uniform in (-1, 1) with 53 random bits from two mixed 32-bit words.
  const uniform = (): number => {
    counter = (counter + 0x9e3779b9) >>> 0;
    const hi = mix32(counter ^ upper) >>> 5;
    const lo = mix32(counter + 0x85ebca6b) >>> 6;
    return ((hi * 67108864 + lo) / 9007199254740992) * 2 - 1;
  };
  let spare = 0;
  let hasSpare = false;
  return {
    next(): number {
      if (hasSpare) {
        hasSpare = false;
        return spare;
      }
      let u: number;
      let v: number;
      let s: number;
      do {
        u = uniform();
        v = uniform();
        s = u * u + v * v;
      } while (s >= 1 || s === 0);
      const f = Math.sqrt((-2 * Math.log(s)) / s);
      spare = v * f;
      hasSpare = true;
      return u * f;
    },
  };
}
