/**
 * `describeBackendConformance`: the suite every backend runs, in a few lines, with whatever test
 * runner it uses. The runner's `describe` and `it` are passed in (vitest, jest, mocha and node:test
 * all have them), so this package needs no test framework; failures are thrown errors that say
 * what differed (see docs/decisions/rg-01-conformance-suite.md).
 */
import type { Backend } from '../../spi.js';
import { check } from '../compare.js';
import type { ConformanceCase } from './context.js';
import { contextFor, expectSameMemory, startBackend } from './context.js';
import { lifecycleCases } from './lifecycle.js';
import { modelCases } from './model.js';
import { opCases } from './ops.js';

type TestBody = () => Promise<void>;

/** The part of a test runner the suite uses. `it(name, fn, timeoutMs)`; `it.skip` shows exclusions. */
export interface TestApi {
  describe(name: string, body: () => void): void;
  it: ((name: string, body: TestBody, timeoutMs?: number) => void) & {
    skip?: (name: string, body: TestBody, timeoutMs?: number) => void;
  };
}

export interface ConformanceOptions {
  /** Label of the describe block, e.g. `cpu-portable`. */
  name: string;
  /** A fresh backend for each test; the suite disposes it afterwards. */
  create: () => Backend | Promise<Backend>;
  /** Test name -> why this backend cannot pass it. Each name must exist and each reason be non-empty. */
  exclude?: Readonly<Record<string, string>>;
  /** Per-test timeout handed to `it` (default 120 s). */
  timeoutMs?: number;
  /** Include the end-to-end test on the full-size ResNet34-LM model (default true). */
  fullModel?: boolean;
  /** Seed of the random inputs (default 1). */
  seed?: number;
}

function allCases(fullModel: boolean): ConformanceCase[] {
  return [...opCases, ...modelCases(fullModel), ...lifecycleCases];
}

/** The names of every test in the suite (the keys `exclude` accepts). */
export function conformanceTestNames(options: { fullModel?: boolean } = {}): string[] {
  return allCases(options.fullModel ?? true).map((c) => c.name);
}

/**
 * Registers the suite with the given runner:
 *
 * ```ts
 * import { describe, it } from 'vitest';
 * import { describeBackendConformance } from '@wsp/resnet-graph/testing';
 * describeBackendConformance({ describe, it }, { name: 'mine', create: () => new MyBackend() });
 * ```
 */
export function describeBackendConformance(api: TestApi, options: ConformanceOptions): void {
  const cases = allCases(options.fullModel ?? true);
  const names = new Set(cases.map((c) => c.name));
  const exclude = options.exclude ?? {};
  for (const [name, reason] of Object.entries(exclude)) {
    if (!names.has(name)) {
      throw new Error(`describeBackendConformance: exclude names an unknown test "${name}"; known tests:\n  ${[...names].join('\n  ')}`);
    }
    if (typeof reason !== 'string' || reason.trim().length === 0) {
      throw new Error(`describeBackendConformance: excluding "${name}" needs a written reason`);
    }
  }
  const seed = options.seed ?? 1;
  const timeout = options.timeoutMs ?? 120_000;

  api.describe(`wsp-backend/1 conformance: ${options.name}`, () => {
    for (const c of cases) {
      const reason = exclude[c.name];
      if (reason !== undefined) {
        api.it.skip?.(`${c.name} [excluded: ${reason}]`, async () => {}, timeout);
        continue;
      }
      api.it(
        c.name,
        async () => {
          const extra: Backend[] = [];
          const backend = await startBackend(options.create, c.name);
          const ctx = contextFor(backend, seed, c.name, async () => {
            const other = await startBackend(options.create, c.name);
            extra.push(other);
            return other;
          });
          try {
            const baseline = backend.memory();
            check(baseline.tensors === 0 && baseline.preparedWeights === 0, `${c.name}: create() must return an empty backend`);
            await c.run(ctx);
            // Every test must leave the backend as it found it (unless it disposed it on purpose).
            if (!backend.disposed) expectSameMemory(`${c.name}: at the end of the test`, baseline, backend.memory());
          } finally {
            backend.dispose();
            for (const other of extra) other.dispose();
          }
        },
        timeout,
      );
    }
  });
}
