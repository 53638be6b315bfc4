/** What every conformance test gets, and the checks they share (leaks, errors, downloads). */
import { seededRandom } from '@wsp/weights';
import type { SeededRandom } from '@wsp/weights';
import type { Backend, DeviceTensor, HostTensor, MemoryStats } from '../../spi.js';
import { check } from '../compare.js';
import { tolerancesFor } from '../tolerances.js';
import type { Tolerances } from '../tolerances.js';

export interface ConformanceContext {
  backend: Backend;
  /** Starts another instance (for the foreign-tensor check); the harness disposes it. */
  createAnother(): Promise<Backend>;
  tolerances: Tolerances;
  rng: SeededRandom;
  seed: number;
}

export interface ConformanceCase {
  name: string;
  run(ctx: ConformanceContext): Promise<void>;
}

const memoryText = (m: MemoryStats) => `{ tensors: ${m.tensors}, preparedWeights: ${m.preparedWeights}, bytes: ${m.bytes} }`;

export function expectSameMemory(label: string, before: MemoryStats, after: MemoryStats): void {
  check(
    before.tensors === after.tensors && before.preparedWeights === after.preparedWeights && before.bytes === after.bytes,
    `${label}: device memory changed from ${memoryText(before)} to ${memoryText(after)} (a leak, or a free too many)`,
  );
}

/**
 * Runs one op and checks the tfjs-style leak rule: exactly one new device tensor (the output), no
 * new prepared weights; after downloading and disposing the output, memory is as before.
 */
export async function runOp(ctx: ConformanceContext, label: string, op: () => DeviceTensor): Promise<HostTensor> {
  const before = ctx.backend.memory();
  const out = op();
  const during = ctx.backend.memory();
  check(
    during.tensors === before.tensors + 1 && during.preparedWeights === before.preparedWeights,
    `${label}: expected exactly one new device tensor (the output); memory went from ${memoryText(before)} to ${memoryText(during)}`,
  );
  const host = await ctx.backend.download(out);
  out.dispose();
  expectSameMemory(`${label} (after disposing the output)`, before, ctx.backend.memory());
  return host;
}

/** A download must be a contiguous row-major float32 ndarray of the logical shape. */
export function expectHostTensor(label: string, t: HostTensor, shape: readonly number[]): void {
  check(Object.prototype.toString.call(t.data) === '[object Float32Array]', `${label}: download must hold a Float32Array`);
  check(t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]), `${label}: shape [${t.shape}] , expected [${shape}]`);
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    check(shape[d] === 1 || t.stride[d] === expected, `${label}: download must be contiguous row-major, strides [${t.stride}]`);
    expected *= shape[d];
  }
  check(t.offset === 0 && t.data.length === expected, `${label}: download must start at offset 0 and hold exactly ${expected} values`);
}

export type ErrorClass = { isInstance(value: unknown): boolean; errorName: string };

/** `fn` (sync, or returning a promise) must throw an instance of `type`, with a message matching `pattern`. */
export async function expectError(label: string, fn: () => unknown, type: ErrorClass, pattern?: RegExp): Promise<void> {
  let error: unknown;
  try {
    await fn();
  } catch (e) {
    error = e;
  }
  check(error !== undefined, `${label}: expected ${type.errorName}, nothing was thrown`);
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  check(type.isInstance(error), `${label}: expected ${type.errorName}, got ${message}`);
  if (pattern) check(pattern.test((error as Error).message), `${label}: message "${(error as Error).message}" does not match ${pattern}`);
}

export function newContextRng(seed: number, name: string): SeededRandom {
  let h = seed >>> 0;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return seededRandom(h);
}

export async function startBackend(create: () => Backend | Promise<Backend>, label: string): Promise<Backend> {
  const backend = await create();
  check(typeof backend === 'object' && backend !== null, `${label}: create() returned ${String(backend)}`);
  return backend;
}

export function contextFor(backend: Backend, seed: number, name: string, createAnother: () => Promise<Backend>): ConformanceContext {
  return {
    backend,
    createAnother,
    tolerances: tolerancesFor(backend.capabilities.precision),
    rng: newContextRng(seed, name),
    seed,
  };
}

