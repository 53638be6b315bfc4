// The peers the benchmarks compare against, started the same way by every bench that needs them:
// onnxruntime-node on an ONNX model (the caller exports it with @wsp/resnet-graph's exportOnnx)
// and PyTorch through torch_peer.py (Debian's python3-torch). Each start function resolves to a
// peer object, or to `{ unavailable: reason }` so the report can say why a peer is missing
// instead of inventing numbers.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const REFERENCE_PYTHON = '/usr/bin/python3';
const here = dirname(fileURLToPath(import.meta.url));
const lastLines = (text, n = 3) => String(text).trim().split('\n').slice(-n).join(' | ');

/**
 * onnxruntime-node (a devDependency of the benches only) on `onnx` (bytes or a path), CPU
 * execution provider, `threads` intra-op threads. `run(features, batch, frames)` resolves to the
 * output values (float32 `[batch, dim]`).
 */
export async function startOrtPeer(onnx, { threads, inputName = 'feats', outputName = 'embedding', nMels = 80 } = {}) {
  let ort;
  try {
    ort = (await import('onnxruntime-node')).default;
  } catch (e) {
    return { unavailable: `onnxruntime-node cannot be loaded: ${e.message}` };
  }
  try {
    const session = await ort.InferenceSession.create(onnx, {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionProviders: ['cpu'],
    });
    return {
      name: 'onnxruntime-node',
      version: ort.env.versions?.node ?? 'unknown',
      threads,
      async run(features, batch, frames) {
        const out = await session.run({ [inputName]: new ort.Tensor('float32', features, [batch, frames, nMels]) });
        return out[outputName].data;
      },
      release: () => session.release(),
    };
  } catch (e) {
    return { unavailable: `onnxruntime-node could not load the model: ${e.message}` };
  }
}

/**
 * The PyTorch peer (torch_peer.py) on a model directory (config.json + model.safetensors).
 * `request(obj)` sends one request and resolves to its reply; see torch_peer.py for the modes.
 */
export async function startTorchPeer(modelDir, { threads, pooling = 'pyannote', python = REFERENCE_PYTHON } = {}) {
  const child = spawn(python, [join(here, 'torch_peer.py'), modelDir, String(threads), pooling], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const spawnError = new Promise((resolve) => child.on('error', (e) => resolve({ unavailable: `${python} cannot be started: ${e.message}` })));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const r = await lines.next();
    if (r.done) throw new Error(`PyTorch peer exited: ${lastLines(stderr)}`);
    const reply = JSON.parse(r.value);
    if (reply.error) throw new Error(`PyTorch peer: ${reply.error}`);
    return reply;
  };
  const hello = await Promise.race([next().catch((e) => ({ unavailable: e.message })), spawnError]);
  if (hello.unavailable) {
    child.kill();
    return { unavailable: hello.unavailable.includes('No module named') ? `${python} has no PyTorch/torchaudio (apt-get install python3-torch python3-torchaudio): ${hello.unavailable}` : hello.unavailable };
  }
  let queue = Promise.resolve();
  return {
    name: 'pytorch',
    version: hello.torch,
    torchaudio: hello.torchaudio,
    threads: hello.threads,
    /** One request at a time, in order. */
    request(obj) {
      const reply = queue.then(() => {
        child.stdin.write(JSON.stringify(obj) + '\n');
        return next();
      });
      queue = reply.catch(() => undefined);
      return reply;
    },
    close() {
      child.stdin.end();
      return new Promise((resolve) => (child.exitCode !== null ? resolve() : child.on('exit', () => resolve())));
    },
  };
}
