// worker_threads test: loads the addon in this worker's own env, compiles the synthetic model
// and embeds the same features several times, reporting every result to the parent.
import { parentPort, workerData } from 'node:worker_threads';
import { generateSyntheticModel } from '@wsp/weights';
import { compileNetwork, createNativeCpu } from '../../../dist/native.js';

const { features, batch, frames, runs } = workerData;
const net = compileNetwork(createNativeCpu(), generateSyntheticModel());
const outputs = [];
for (let i = 0; i < runs; i++) outputs.push(await net.run(features, batch, frames));
net.dispose();
parentPort.postMessage(outputs);
