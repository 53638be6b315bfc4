// worker_threads: each environment has its own sessions (the addon keeps its state per
// environment), results agree with the main thread's, and an environment torn down without
// dispose() — or while a run is in flight on a libuv thread — leaves nothing on the device.
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { generateSyntheticModel, tinyConfig } from '@wsp/weights';
import { createInferenceSession } from '@wsp/resnet-graph';
import { AscendBackend } from '../src/index.js';
import { useFakeCann } from './helpers/fake-cann.js';
import { expectNothingLeft } from './helpers/suite.js';
import { readGolden } from './helpers/goldens.js';

useFakeCann();

const input = readGolden('tiny-input');
const golden = readGolden('tiny-pyannote-normalized');

function startWorker(file: string, workerData?: unknown): Worker {
  return new Worker(new URL(`./children/${file}`, import.meta.url), { workerData });
}

function runWorker(dispose: boolean): Promise<Float32Array> {
  return new Promise((resolve, reject) => {
    const w = startWorker('network-worker.mjs', { input: Array.from(input.data), shape: input.shape, runs: 2, dispose });
    let result: Float32Array | undefined;
    w.on('message', (m: { data: number[] }) => (result = Float32Array.from(m.data)));
    w.on('error', reject);
    w.on('exit', (code) => (code === 0 && result ? resolve(result) : reject(new Error(`worker exited with ${code}`))));
  });
}

function expectGolden(data: Float32Array): void {
  expect(data.length).toBe(golden.data.length);
  for (let i = 0; i < data.length; i++) expect(Math.abs(data[i] - golden.data[i])).toBeLessThan(1e-4);
}

describe('worker_threads', () => {
  it('several workers and the main thread run networks at the same time', async () => {
    const backend = new AscendBackend();
    const net = createInferenceSession(backend, generateSyntheticModel(tinyConfig(), { seed: 1 }), { pooling: 'pyannote' });
    const [a, b, c, main] = await Promise.all([runWorker(true), runWorker(true), runWorker(false), net.run(input)]);
    for (const r of [a, b, c, main.data]) expectGolden(r);
    net.dispose();
    backend.dispose();
    // Worker c exited without dispose(): its environment's teardown closed its session.
    expectNothingLeft();
  });

  it('a worker terminated while its run is in flight releases everything', async () => {
    const w = startWorker('busy-worker.mjs');
    await new Promise<void>((resolve, reject) => {
      w.on('message', (m) => m === 'started' && resolve());
      w.on('error', reject);
    });
    await w.terminate();
    expectNothingLeft();
  });
});
