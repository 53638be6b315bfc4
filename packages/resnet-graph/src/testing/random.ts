/** Deterministic test inputs (the same on every machine): random tensors and synthetic features. */
import { float32Tensor, seededRandom } from '@wsp/weights';
import type { SeededRandom } from '@wsp/weights';
import type { HostTensor } from '../spi.js';

/** A contiguous float32 tensor of N(mean, std²) values. */
export function randomTensor(rng: SeededRandom, shape: readonly number[], std = 1, mean = 0): HostTensor {
  const t = float32Tensor(shape);
  for (let i = 0; i < t.size; i++) t.data[i] = mean + std * rng.normal();
  return t;
}

/**
 * Stand-in for CMN'd log-mel features `[batch, frames, nMels]`: a smooth spectral envelope per
 * item plus noise, then the per-bin mean over frames subtracted (as CMN does), so values are a
 * few units around zero like real features. Goldens are written from exactly these inputs.
 */
export function syntheticFeatures(batch: number, frames: number, nMels = 80, seed = 1): HostTensor {
  const rng = seededRandom(seed);
  const t = float32Tensor([batch, frames, nMels]);
  const f = Math.fround;
  for (let b = 0; b < batch; b++) {
    const tilt = rng.normal();
    const wobble = rng.normal();
    const base = b * frames * nMels;
    for (let i = 0; i < frames; i++) {
      const loudness = 2 * rng.normal();
      for (let m = 0; m < nMels; m++) {
        const envelope = tilt * (1 - (2 * m) / nMels) + wobble * Math.sin((m * i) / (7 * nMels) + m / 9);
        t.data[base + i * nMels + m] = f(loudness + envelope + 1.5 * rng.normal());
      }
    }
    for (let m = 0; m < nMels; m++) {
      let mean = 0;
      for (let i = 0; i < frames; i++) mean += t.data[base + i * nMels + m];
      mean /= frames;
      for (let i = 0; i < frames; i++) t.data[base + i * nMels + m] = f(t.data[base + i * nMels + m] - mean);
    }
  }
  return t;
}
