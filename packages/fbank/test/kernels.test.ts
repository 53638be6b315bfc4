// The kernel's stages against float64 oracles: the FFTs against a direct DFT, the mel spectrum
// against the dense bank times |DFT|² of the real frame, the fast log against Math.log.
import { seededRandom } from '@wsp/weights';
import { describe, expect, it } from 'vitest';
import { complexFft } from '../src/fft.js';
import { flooredLogWriter } from '../src/log.js';
import { buildMelBank, denseMelBank, resolveFbankOptions } from '../src/index.js';
import type { FbankOptions } from '../src/index.js';
import { melLayout } from '../src/mel-layout.js';
import { melSpectrum } from '../src/spectrum.js';

/** Direct DFT in float64 of interleaved complex x (angles reduced mod n for accuracy). */
function directDft(x: Float64Array): Float64Array {
  const n = x.length / 2;
  const out = new Float64Array(2 * n);
  for (let k = 0; k < n; k++) {
    let re = 0;
    let im = 0;
    for (let t = 0; t < n; t++) {
      const angle = (-2 * Math.PI * ((k * t) % n)) / n;
      re += x[2 * t] * Math.cos(angle) - x[2 * t + 1] * Math.sin(angle);
      im += x[2 * t] * Math.sin(angle) + x[2 * t + 1] * Math.cos(angle);
    }
    out[2 * k] = re;
    out[2 * k + 1] = im;
  }
  return out;
}

function randomValues(length: number, seed: number): Float64Array {
  const rng = seededRandom(seed);
  return Float64Array.from({ length }, () => 2 * rng.uniform() - 1);
}

function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}

describe('complexFft against a direct float64 DFT', () => {
  // Powers of two (radix-4, with a radix-2 first stage for odd log2) and other sizes (Bluestein).
  const sizes = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 3, 5, 6, 12, 100, 200, 201, 250];
  for (const size of sizes) {
    it(`size ${size}`, () => {
      const fft = complexFft(size);
      const x = randomValues(2 * size, size);
      for (let n = 0; n < size; n++) {
        fft.input[fft.inputIndex[n]] = x[2 * n];
        fft.input[fft.inputIndex[n] + 1] = x[2 * n + 1];
      }
      const before = fft.input.slice();
      fft.transform();
      const expected = directDft(x);
      const error = maxAbs(fft.output.map((v, i) => v - expected[i]));
      expect(error / maxAbs(expected)).toBeLessThan(1e-13);
      expect(fft.input).toEqual(before);
      // A second transform of the same input gives the same bits (no state left behind).
      const first = fft.output.slice();
      fft.transform();
      expect(fft.output).toEqual(first);
    });
  }
});

describe('melSpectrum against the dense mel bank times |DFT|² of the frame', () => {
  const cases: Record<string, FbankOptions | 'wespeaker'> = {
    'wespeaker (N = 512, 400 samples)': 'wespeaker',
    'defaults, 23 bins, magnitude': { usePower: false },
    '128 bins (empty triangles)': { numMelBins: 128 },
    'VTLN 0.9, 8 kHz (N = 256, radix-2 first stage)': { vtlnWarp: 0.9, sampleFrequency: 8000 },
    'N = 400 unpadded (Bluestein on 200)': { roundToPowerOfTwo: false, numMelBins: 40 },
    'N = 402 unpadded (Bluestein on 201, odd half)': { roundToPowerOfTwo: false, frameLength: 25.125 },
    'N = 64, 4 bins': { sampleFrequency: 2000, frameLength: 32, numMelBins: 4, lowFreq: 0 },
  };
  for (const [name, options] of Object.entries(cases)) {
    it(name, () => {
      const o = resolveFbankOptions(options);
      const bank = buildMelBank(o);
      const size = o.paddedWindowSize;
      const spectrum = melSpectrum(size, melLayout(bank, o.usePower ? 0.25 : 0.5), o.usePower);
      const frame = randomValues(o.windowSize, size);
      for (let j = 0; j < frame.length; j++) spectrum.input[spectrum.pairIndex[j >> 1] + (j & 1)] = frame[j];
      spectrum.compute();
      const complex = new Float64Array(2 * size);
      for (let j = 0; j < frame.length; j++) complex[2 * j] = frame[j];
      const dft = directDft(complex);
      const dense = denseMelBank(bank);
      for (let b = 0; b < bank.numBins; b++) {
        let expected = 0;
        for (let k = 0; k < bank.numFftBins; k++) {
          const power = dft[2 * k] ** 2 + dft[2 * k + 1] ** 2;
          expected += dense[b * bank.numFftBins + k] * (o.usePower ? power : Math.sqrt(power));
        }
        expect(Math.abs(spectrum.energies[b] - expected), `mel bin ${b}`).toBeLessThanOrEqual(1e-12 * Math.max(expected, 1));
      }
      // Every compute starts from zero energies.
      const once = spectrum.energies.slice();
      spectrum.compute();
      expect(spectrum.energies).toEqual(once);
    });
  }
});

describe('flooredLogWriter against Math.log', () => {
  const FLOOR = 1.1920928955078125e-7;

  /** The distance between f and the next float32 away from zero. */
  const ulp = (f: number) => Math.abs(new Float32Array(new Uint32Array([new Uint32Array(new Float32Array([f]).buffer)[0] + 1]).buffer)[0] - f);

  // The approximation is within r⁴/4 < 1e-9 of ln x (absolute); rounded to float32 it lands on the
  // float32 of Math.log, or next to it.
  it('rounds to the float32 of Math.log, or within 1e-9 of a float32 step of it, from the floor to 1e120', () => {
    const rng = seededRandom(11);
    const values = new Float64Array(4096);
    const write = flooredLogWriter(values, FLOOR);
    const out = new Float32Array(values.length);
    let compared = 0;
    let differing = 0;
    for (let e = -22; e <= 400; e++) {
      // A grid over the mantissa (the 64 interval edges among them) and random mantissas.
      for (let i = 0; i < values.length; i++) values[i] = 2 ** e * (1 + (i < 512 ? i / 512 : rng.uniform()));
      write(out, 0);
      for (let i = 0; i < values.length; i++) {
        const exact = Math.fround(Math.log(values[i]));
        compared++;
        if (out[i] === exact) continue;
        differing++;
        expect(Math.abs(out[i] - exact), `ln ${values[i]}`).toBeLessThanOrEqual(ulp(exact) + 1e-9);
      }
    }
    // Measured: 99 of 1,732,608.
    expect(differing / compared).toBeLessThan(2e-4);
  });

  it('floors exactly: values at or below the floor give Math.log(floor)', () => {
    const values = Float64Array.from([0, FLOOR, FLOOR / 2, 1e-300, 5e-324, -1]);
    const out = new Float32Array(values.length);
    flooredLogWriter(values, FLOOR)(out, 0);
    expect(Array.from(out)).toEqual(Array.from(values, () => Math.fround(Math.log(FLOOR))));
  });

  it('passes values beyond the float64 range to Math.log', () => {
    const values = Float64Array.from([Infinity, Number.MAX_VALUE]);
    const out = new Float32Array(2);
    flooredLogWriter(values, FLOOR)(out, 0);
    expect(out[0]).toBe(Infinity);
    expect(out[1]).toBe(Math.fround(Math.log(Number.MAX_VALUE)));
  });
});
