import { afterAll, beforeAll, expect } from 'vitest';
import type { AscendBackendOptions } from '../../src/index.js';
import { AscendBackend } from '../../src/index.js';
import { NOTHING_LIVE, fakeReport, liveObjects } from './fake-cann.js';

/** Nothing left on the fake device, and no rule of CANN broken along the way. */
export function expectNothingLeft(): void {
  expect(liveObjects()).toEqual(NOTHING_LIVE);
  expect(fakeReport().counters.violations).toBe(0);
}

/** A backend opened before the suite's tests and disposed after them, then checked for leaks. */
export function suiteBackend(options: AscendBackendOptions = {}): () => AscendBackend {
  let backend: AscendBackend | undefined;
  beforeAll(() => {
    backend = new AscendBackend(options);
  });
  afterAll(() => {
    backend?.dispose();
    expectNothingLeft();
  });
  return () => {
    if (!backend) throw new Error('the suite backend is opened in beforeAll');
    return backend;
  };
}
