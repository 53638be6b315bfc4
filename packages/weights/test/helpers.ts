// Shared by this package's tests. (@wsp/testkit depends on @wsp/weights, so the tests here cannot
// use it; only its dependency-free python helper is imported, by path.)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect } from 'vitest';
import type { NdArray } from '../src/index.js';
import { WeightsError } from '../src/index.js';

export { REFERENCE_PYTHON, pythonHas, runPython } from '../../../tools/testkit/src/python.js';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const fixturesDir = join(repoRoot, 'fixtures', 'weights');
export const fixturePath = (name: string): string => join(fixturesDir, name);
export const readFixture = (name: string): Uint8Array => new Uint8Array(readFileSync(fixturePath(name)));

export interface Manifest {
  config: { layers: number[]; channels: number[]; n_mels: number; embedding_dim: number };
  cases: { file: string; expected: string; naming: 'mlx' | 'wespeaker'; description: string }[];
}
export const manifest = (): Manifest => JSON.parse(readFileSync(fixturePath('manifest.json'), 'utf8')) as Manifest;

/** Bit-for-bit equality of two float32 arrays, reporting the first difference. */
export function expectSameBits(actual: Float32Array, expected: Float32Array, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== e[i]) expect.fail(`${what}[${i}]: ${actual[i]} (0x${a[i].toString(16)}) != ${expected[i]} (0x${e[i].toString(16)})`);
  }
}

/** Same names in the same order, same shapes, same bits. */
export function expectSameTensors(actual: ReadonlyMap<string, NdArray<Float32Array>>, expected: ReadonlyMap<string, NdArray<Float32Array>>): void {
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [name, e] of expected) {
    const a = actual.get(name)!;
    expect(a.shape, name).toEqual(e.shape);
    expectSameBits(a.data.subarray(a.offset, a.offset + a.size), e.data.subarray(e.offset, e.offset + e.size), name);
  }
}

/** The WeightsError thrown by `fn` (sync or async); fails when it throws anything else or nothing. */
export async function weightsErrorOf(fn: () => unknown): Promise<WeightsError> {
  try {
    await fn();
  } catch (e) {
    if (!WeightsError.isInstance(e)) throw e;
    return e as WeightsError;
  }
  return expect.fail('expected a WeightsError, but nothing was thrown');
}

/** A fresh directory for this test file, removed after its tests. */
export function temporaryDirectory(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `wsp-weights-${label}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
