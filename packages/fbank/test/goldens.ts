// Reads the torchaudio goldens written by tools/reference/fbank_goldens.py (fixtures/fbank).
import { readGoldenJson, readGoldenNpy } from '@wsp/testkit';
import type { FbankOptions, MelBankParameters } from '../src/index.js';

export interface GoldenCase {
  name: string;
  input: string;
  options: FbankOptions;
  cmn: boolean;
  file: string;
  shape: [number, number];
}

export interface GoldenMelBank {
  name: string;
  shape: [number, number];
  index: string;
  weights: string;
  weights64: string;
  centers: string;
  params: MelBankParameters;
}

interface Manifest {
  torchaudio: string;
  inputs: Record<string, { file: string; kind: 'int16' | 'float32'; length: number }>;
  cases: GoldenCase[];
  melbanks: GoldenMelBank[];
  torchaudioDefaults: Record<string, number | boolean | string>;
  windows: Record<string, string>;
  dither: { input: string; samples: number; options: FbankOptions; meanAbsChange: number };
}

export const manifest = readGoldenJson<Manifest>('fbank', 'manifest.json');

/** An input waveform exactly as torchaudio received it (int16 speech divided by 32768). */
export function goldenInput(name: string): Float32Array {
  const entry = manifest.inputs[name];
  const npy = readGoldenNpy('fbank', entry.file);
  if (entry.kind === 'int16') return Float32Array.from(npy.data as Int16Array, (v) => v / 32768);
  return npy.data as Float32Array;
}

export function goldenFeatures(c: GoldenCase): Float32Array {
  return readGoldenNpy('fbank', c.file).data as Float32Array;
}

export function goldenCase(name: string): GoldenCase {
  const c = manifest.cases.find((x) => x.name === name);
  if (!c) throw new Error(`no golden case ${name}`);
  return c;
}

/**
 * The dense [numMelBins, numFftBins] bank torchaudio built (stored sparsely): as torchaudio returns it
 * (float32) and from the same code run with float64 as torch's default dtype.
 */
export function goldenMelBank(bank: GoldenMelBank): { dense: Float64Array; dense64: Float64Array; centers: Float32Array } {
  const index = readGoldenNpy('fbank', bank.index).data as Int32Array;
  const toDense = (weights: ArrayLike<number>) => {
    const dense = new Float64Array(bank.shape[0] * bank.shape[1]);
    for (let i = 0; i < weights.length; i++) dense[index[2 * i] * bank.shape[1] + index[2 * i + 1]] = weights[i];
    return dense;
  };
  return {
    dense: toDense(readGoldenNpy('fbank', bank.weights).data as Float32Array),
    dense64: toDense(readGoldenNpy('fbank', bank.weights64).data as Float64Array),
    centers: readGoldenNpy('fbank', bank.centers).data as Float32Array,
  };
}
