import { describe, expect, it } from 'vitest';
import {
  WeightsError,
  encodeWeights,
  generateSyntheticModel,
  inspectWeightsBytes,
  loadWeSpeakerWeightsFromBytes,
  openZip,
  parsePickle,
  seededRandom,
  tinyConfig,
} from '../src/index.js';
import { readFixture } from './helpers.js';

/**
 * Mutates valid files (fixed seed) and feeds them to the loaders: each case must either load or
 * throw a WeightsError; any other exception, a hang or a crash fails the test.
 */
const rng = seededRandom(20261125);
const randInt = (n: number) => Math.floor(rng.uniform() * n);

/** A position biased towards the headers and directories, where the structure lives. */
function position(length: number): number {
  const r = rng.uniform();
  if (r < 0.45) return randInt(Math.min(length, 4096));
  if (r < 0.75) return Math.max(0, length - 1 - randInt(Math.min(length, 2048)));
  return randInt(length);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

const EXTREMES = [0, 1, 0xff, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffff0];

function mutate(input: Uint8Array): Uint8Array {
  const bytes = input.slice();
  switch (randInt(6)) {
    case 0: {
      for (let i = 0, n = 1 + randInt(8); i < n; i++) bytes[position(bytes.length)] ^= 1 << randInt(8);
      return bytes;
    }
    case 1:
      return bytes.subarray(0, randInt(bytes.length));
    case 2: {
      const at = Math.min(position(bytes.length), bytes.length - 4);
      new DataView(bytes.buffer).setUint32(at, EXTREMES[randInt(EXTREMES.length)], true);
      return bytes;
    }
    case 3: {
      const at = position(bytes.length);
      const length = 1 + randInt(64);
      return concat(bytes.subarray(0, at), bytes.subarray(at + length));
    }
    case 4: {
      const at = position(bytes.length);
      const insert = Uint8Array.from({ length: 1 + randInt(16) }, () => randInt(256));
      return concat(bytes.subarray(0, at), insert, bytes.subarray(at));
    }
    default: {
      const at = Math.min(position(bytes.length), bytes.length - 8);
      new DataView(bytes.buffer).setBigUint64(at, BigInt(randInt(2 ** 31)) ** 2n, true);
      return bytes;
    }
  }
}

function attempt(run: () => unknown, codes: Map<string, number>): void {
  try {
    run();
    codes.set('(loaded)', (codes.get('(loaded)') ?? 0) + 1);
  } catch (e) {
    if (!WeightsError.isInstance(e)) throw e;
    const code = (e as WeightsError).code;
    codes.set(code, (codes.get(code) ?? 0) + 1);
  }
}

describe('fuzz: mutated valid files give a load or a WeightsError, nothing else', () => {
  const model = generateSyntheticModel(tinyConfig(), { seed: 4 });
  const seeds: [string, Uint8Array][] = [
    ['mlx.safetensors', encodeWeights(model.tensors, { format: 'safetensors' })],
    ['oihw-f16.safetensors', encodeWeights(model.tensors, { format: 'safetensors', layout: 'oihw', dtype: 'F16' })],
    ['ours.bin', encodeWeights(model.tensors, { format: 'pytorch' })],
    ['wespeaker-tiny.pt', readFixture('wespeaker-tiny.pt')],
    ['wespeaker-tiny-proto4.pt', readFixture('wespeaker-tiny-proto4.pt')],
    ['pyannote-tiny.bin', readFixture('pyannote-tiny.bin')],
    ['zip64-deflated-tiny.pt', readFixture('zip64-deflated-tiny.pt')],
  ];

  it('2,800 mutated files through loadWeSpeakerWeights and inspectWeights', () => {
    const codes = new Map<string, number>();
    const t0 = performance.now();
    let slowest = 0;
    for (let i = 0; i < 2800; i++) {
      const [name, seed] = seeds[i % seeds.length];
      const bytes = mutate(seed);
      const verifyCrc = i % 2 === 0; // without the CRC, damaged pickles and storages reach their parsers
      const start = performance.now();
      attempt(() => loadWeSpeakerWeightsFromBytes(bytes, { file: name, verifyCrc }), codes);
      attempt(() => inspectWeightsBytes(bytes, { file: name }), codes);
      slowest = Math.max(slowest, performance.now() - start);
    }
    const summary = Object.fromEntries([...codes].sort((a, b) => b[1] - a[1]));
    console.log(`fuzz: ${(performance.now() - t0).toFixed(0)} ms, slowest case ${slowest.toFixed(1)} ms`, summary);
    expect(slowest).toBeLessThan(1000);
    expect(codes.size).toBeGreaterThan(12); // the mutations reach many different checks
    expect(codes.get('(loaded)') ?? 0).toBeLessThan(5600 * 0.8);
  });

  it('2,000 mutated data.pkl pickles (torch-written, protocols 2 and 4) through parsePickle', () => {
    const pickles = ['wespeaker-tiny.pt', 'wespeaker-tiny-proto4.pt', 'pyannote-tiny.bin'].map((f) => {
      const archive = openZip(readFixture(f));
      return archive.read(archive.entries.find((e) => e.name.endsWith('/data.pkl'))!);
    });
    const codes = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      const bytes = mutate(pickles[i % pickles.length]);
      attempt(() => parsePickle(bytes, { persistentLoad: (pid) => pid }), codes);
    }
    expect(codes.get('PICKLE_INVALID')).toBeGreaterThan(100);
  });
});
