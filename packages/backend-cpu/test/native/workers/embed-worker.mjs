// worker_threads test: loads the addon in this worker's own env, compiles the synthetic model
// and embeds the same features several times, reporting every result to the parent.
import { parentPort, workerData } from 'node:worker_threads';
import { generateSyntheticModel } from '@wsp/weights';
import { compileNetwork, createNativeCpu } from '../../../dist/native.js';

const { features, batch, frames, runs, dispose = true } = workerData;
const net = compileNetwork(createNativeCpu(), generateSyntheticModel());
const outputs = [];
for (let i = 0; i < runs; i++) outputs.push(await net.run(features, batch, frames));
// dispose: false leaves everything to the env cleanup when the worker exits (tested for leaks).
if (dispose) net.dispose();
parentPort.postMessage(outputs);
