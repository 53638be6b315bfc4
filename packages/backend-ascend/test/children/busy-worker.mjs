// worker_threads child that is terminated while a run is in flight on a libuv thread.
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import ndarray from 'ndarray';
import { generateSyntheticModel, tinyConfig } from '@wsp/weights';
import { createInferenceSession } from '@wsp/resnet-graph';
import { AscendBackend } from '../../dist/index.js';

const backend = new AscendBackend();
const net = createInferenceSession(backend, generateSyntheticModel(tinyConfig(), { seed: 1 }), { pooling: 'mlx' });
const [batch, frames] = [4, 1500]; // about a second of fake-CANN compute
const started = performance.now();
const run = net.run(ndarray(new Float32Array(batch * frames * 80).fill(0.5), [batch, frames, 80]));
parentPort.postMessage('started');
await run;
parentPort.postMessage(`finished after ${Math.round(performance.now() - started)} ms`);
