// The fake CANN runs queued kernels only when the stream is synchronised. This proves that such a
// fake catches a missing synchronisation: with the addon's test mutation that skips the sync before
// reading results back, the results are wrong; without it they are right.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateSyntheticModel, tinyConfig } from '@wsp/weights';
import { refConv2d, refFromHost } from '@wsp/resnet-graph/testing';
import type { AscendBackend } from '../src/index.js';
import { relativeMaxError } from './helpers/compare.js';
import { compileModel } from './helpers/compile.js';
import { randomNd } from './helpers/data.js';
import { fakeReport, setMutation, useFakeCann } from './helpers/fake-cann.js';
import { suiteBackend } from './helpers/suite.js';
import { readGolden } from './helpers/goldens.js';

useFakeCann();

describe('a missing stream synchronisation shows as wrong results on the fake CANN', () => {
  const suite = suiteBackend();
  let backend: AscendBackend;
  beforeEach(() => {
    backend = suite();
  });
  afterEach(() => setMutation('skip-sync-before-read', false));

  it('download after conv2d', async () => {
    const x = randomNd([1, 2, 5, 5], 1);
    const weight = randomNd([3, 3, 3, 2], 2);
    const bias = randomNd([3], 3);
    const want = refConv2d(refFromHost(x), weight, bias, { stride: 1, padding: 1, relu: false });
    const conv = backend.prepareConv2d({ weight, bias, stride: 1, padding: 1 });
    const xd = backend.upload(x);

    setMutation('skip-sync-before-read', true);
    const unsynced = await backend.download(backend.conv2d(xd, conv, { relu: false }));
    expect(fakeReport().live.pendingTasks).toBeGreaterThan(0); // the kernel never ran
    expect(relativeMaxError(unsynced.data, want.data)).not.toBeLessThan(1e-3); // NaN or stale: wrong either way

    setMutation('skip-sync-before-read', false);
    const synced = await backend.download(backend.conv2d(xd, conv, { relu: false }));
    expect(relativeMaxError(synced.data, want.data)).toBeLessThan(2e-6);
    expect(fakeReport().live.pendingTasks).toBe(0);
  });

  it('compiled network run', async () => {
    const model = generateSyntheticModel(tinyConfig(), { seed: 1 });
    const input = readGolden('tiny-input');
    const want = readGolden('tiny-pyannote-normalized');
    const net = compileModel(backend, model, { pooling: 'pyannote' });

    setMutation('skip-sync-before-read', true);
    const unsynced = await net.compiled.run(input);
    expect(relativeMaxError(unsynced.data, want.data)).not.toBeLessThan(1e-3);

    setMutation('skip-sync-before-read', false);
    const synced = await net.compiled.run(input);
    expect(relativeMaxError(synced.data, want.data)).toBeLessThan(1e-4);
    net.dispose();
  });
});
