/**
 * Everything that computes an embedding from features in this run: every backend the registry can
 * start here (ours), onnxruntime-node on our ONNX export and PyTorch eager / JIT-frozen (peers).
 * Each contender embeds `[B, T, n_mels]` features; the ones that cannot start are listed with the
 * reason instead.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ndarray from 'ndarray';
import { startOrtPeer, startTorchPeer } from '@wsp/benchkit';
import type { TorchPeer } from '@wsp/benchkit';
import { createInferenceSession, exportOnnx, listBackends, resolveBackend } from '@wsp/resnet-graph';
import type { Backend, EmbeddingModel, InferenceSession } from '@wsp/resnet-graph';
// Importing a backend package registers its backends; ascend reports why it cannot start without CANN.
import '@wsp/backend-ascend';
import '@wsp/backend-cpu';

export type ContenderKind = 'backend' | 'peer';

export interface Contender {
  name: string;
  kind: ContenderKind;
  description: string;
  /** Runs once on the features and resolves to its time in ms when it times itself (a peer process). */
  time(features: Float32Array, batch: number, frames: number): Promise<number | void>;
  /** Embeddings `[batch, dim]` (L2-normalised here, whatever the contender returns). */
  embed(features: Float32Array, batch: number, frames: number): Promise<Float32Array>;
  /** True when `time` measures itself (its promise resolves to ms). */
  selfTimed: boolean;
}

export interface ContenderSet {
  contenders: Contender[];
  unavailable: { name: string; reason: string }[];
  versions: Record<string, string>;
  /** The PyTorch peer process when it started (also used for the audio pipeline and SGEMM). */
  torch?: TorchPeer;
  close(): Promise<void>;
}

function l2Rows(values: ArrayLike<number>, dim: number): Float32Array {
  const out = Float32Array.from(values);
  for (let r = 0; r < out.length / dim; r++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += out[r * dim + j] ** 2;
    const n = Math.sqrt(s) || 1;
    for (let j = 0; j < dim; j++) out[r * dim + j] /= n;
  }
  return out;
}

function backendContender(name: string, description: string, session: InferenceSession, nMels: number): Contender {
  const view = (x: Float32Array, b: number, t: number) => ndarray(x, [b, t, nMels]);
  return {
    name,
    kind: 'backend',
    description,
    selfTimed: false,
    async time(x, b, t) {
      await session.run(view(x, b, t));
    },
    async embed(x, b, t) {
      return Float32Array.from((await session.run(view(x, b, t))).data as Float32Array);
    },
  };
}

function torchContender(torch: TorchPeer, mode: 'eager' | 'frozen', dir: string, dim: number): Contender {
  const label = mode === 'eager' ? 'eager' : 'JIT-frozen (torch.jit.freeze of a trace)';
  return {
    name: `pytorch-${mode}`,
    kind: 'peer',
    description: `PyTorch ${torch.version} ${label}, ${torch.threads} threads (Debian python3-torch)`,
    selfTimed: true,
    async time(_x, batch, frames) {
      // The peer times its own run on seeded features of this shape (the pipe is not counted).
      const reply = (await torch.request({ mode, batch, frames, iterations: 1 })) as { ms: number[] };
      return reply.ms[0];
    },
    async embed(x, batch, frames) {
      const file = join(dir, `features-${batch}x${frames}.f32`);
      writeFileSync(file, new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
      const reply = (await torch.request({ mode: 'embed', features: file, batch, frames })) as { embedding: number[][] };
      return l2Rows(reply.embedding.flat(), dim);
    },
  };
}

/**
 * Starts every contender for `model` (pooling pyannote, L2-normalised). `workDir` holds the
 * model directory the Python peer reads and scratch files.
 */
export async function startContenders(model: EmbeddingModel, modelDir: string, workDir: string, threads: number): Promise<ContenderSet> {
  const contenders: Contender[] = [];
  const unavailable: { name: string; reason: string }[] = [];
  const versions: Record<string, string> = {};
  const cleanups: (() => unknown)[] = [];
  const { n_mels: nMels, embedding_dim: dim } = model.config;

  for (const info of await listBackends()) {
    if (!info.available) {
      unavailable.push({ name: info.name, reason: info.reason ?? 'unavailable' });
      continue;
    }
    let backend: Backend | undefined;
    try {
      backend = (await resolveBackend(info.name, { threads })).backend;
      const session = createInferenceSession(backend, model, { pooling: 'pyannote', normalize: true });
      const b = backend;
      cleanups.push(() => {
        session.dispose();
        b.dispose();
      });
      const description = `${info.description ?? info.name}; ${session.execution}, precision ${backend.capabilities.precision}`;
      contenders.push(backendContender(info.name, description, session, nMels));
    } catch (e) {
      backend?.dispose();
      unavailable.push({ name: info.name, reason: String((e as Error).message ?? e) });
    }
  }

  const ort = await startOrtPeer(exportOnnx(model, { pooling: 'pyannote', normalize: true }), { threads, nMels });
  if ('unavailable' in ort) {
    unavailable.push({ name: 'onnxruntime-node', reason: ort.unavailable });
  } else {
    versions['onnxruntime-node'] = ort.version;
    cleanups.push(() => ort.release());
    contenders.push({
      name: 'onnxruntime-node',
      kind: 'peer',
      description: `onnxruntime-node ${ort.version}, CPU provider, ${threads} intra-op threads, on our ONNX export (opset 13)`,
      selfTimed: false,
      time: async (x, b, t) => {
        await ort.run(x, b, t);
      },
      embed: async (x, b, t) => Float32Array.from(await ort.run(x, b, t)),
    });
  }

  const started = await startTorchPeer(modelDir, { threads });
  const torch = 'unavailable' in started ? undefined : started;
  if ('unavailable' in started) {
    unavailable.push({ name: 'pytorch', reason: started.unavailable });
  } else {
    versions.torch = started.version;
    versions.torchaudio = started.torchaudio;
    cleanups.push(() => started.close());
    contenders.push(torchContender(started, 'eager', workDir, dim), torchContender(started, 'frozen', workDir, dim));
  }

  return {
    contenders,
    unavailable,
    versions,
    ...(torch ? { torch } : {}),
    async close() {
      for (const c of cleanups.reverse()) await c();
    },
  };
}
