// Child process for the loader tests: reports what the package sees with this process's
// environment, as JSON on stdout. With "run", also runs the tiny network on the golden input.
import { readFileSync } from 'node:fs';
import process from 'node:process';
import ndarray from 'ndarray';
import { decodeNpy, generateSyntheticModel, tinyConfig } from '@wsp/weights';
import { createInferenceSession, listBackends } from '@wsp/resnet-graph';
import { AscendBackend, describeAscend, isAvailable } from '../../dist/index.js';

const out = { availability: isAvailable(), report: describeAscend() };
out.registry = (await listBackends()).find((b) => b.name === 'ascend');
try {
  const backend = new AscendBackend();
  if (process.argv[2] === 'run') {
    const npy = decodeNpy(new Uint8Array(readFileSync(process.argv[3])));
    const net = createInferenceSession(backend, generateSyntheticModel(tinyConfig(), { seed: 1 }), { pooling: 'pyannote' });
    out.embeddings = Array.from((await net.run(ndarray(npy.data, npy.shape))).data);
    net.dispose();
  }
  backend.dispose();
  out.construct = 'ok';
} catch (e) {
  out.construct = { name: e.name, code: e.code, message: e.message };
}
process.stdout.write(`${JSON.stringify(out)}\n`);
