// worker_threads child: its own backend and compiled tiny network in its own environment.
import { parentPort, workerData } from 'node:worker_threads';
import ndarray from 'ndarray';
import { generateSyntheticModel, tinyConfig } from '@wsp/weights';
import { createInferenceSession } from '@wsp/resnet-graph';
import { AscendBackend } from '../../dist/index.js';

const { input, shape, runs, dispose } = workerData;
const backend = new AscendBackend();
const net = createInferenceSession(backend, generateSyntheticModel(tinyConfig(), { seed: 1 }), { pooling: 'pyannote' });
let out;
for (let i = 0; i < runs; i++) out = await net.run(ndarray(new Float32Array(input), shape));
if (dispose) {
  net.dispose();
  backend.dispose();
}
// Without dispose, the environment's teardown must release the device objects.
parentPort.postMessage({ data: Array.from(out.data) });
