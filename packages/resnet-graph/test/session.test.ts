import ndarray from 'ndarray';
import { describe, expect, it } from 'vitest';
import { generateSyntheticModel, tinyConfig } from '@wsp/weights';
import {
  BackendError,
  DisposedError,
  ShapeError,
  WspError,
  createInferenceSession,
} from '../src/index.js';
import type { Backend, CompiledGraph, DeviceTensor, HostTensor, PreparedWeights, ResNetGraph } from '../src/index.js';
import { ReferenceBackend, refEmbed, syntheticFeatures } from '../src/testing/index.js';

const model = generateSyntheticModel(tinyConfig(), { seed: 5 });

/** Float32 download of a float64 reference: agreement to float32 rounding. */
function expectNear(actual: ArrayLike<number>, expected: ArrayLike<number>, relative = 1e-6): void {
  expect(actual.length).toBe(expected.length);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(relative * scale);
}

/** Counts live device tensors at every op so the executor's freeing can be checked. */
class CountingBackend extends ReferenceBackend {
  peakTensors = 0;
  uploads: number[][] = [];
  private note<T>(t: T): T {
    this.peakTensors = Math.max(this.peakTensors, this.memory().tensors);
    return t;
  }
  override upload(host: HostTensor): DeviceTensor {
    this.uploads.push([...host.shape]);
    return this.note(super.upload(host));
  }
  override conv2d(...a: Parameters<ReferenceBackend['conv2d']>) {
    return this.note(super.conv2d(...a));
  }
}

describe('createInferenceSession on the reference backend', () => {
  it('runs op by op and matches the oracle for every pooling, normalised or not', async () => {
    const features = syntheticFeatures(3, 29, 80, 9);
    for (const pooling of ['pyannote', 'wespeaker', 'mlx'] as const) {
      for (const normalize of [true, false]) {
        const backend = new ReferenceBackend();
        const session = createInferenceSession(backend, model, { pooling, normalize });
        expect(session.execution).toBe('op-by-op');
        const y = await session.run(features);
        expect(y.shape).toEqual([3, 16]);
        expectNear(y.data, refEmbed(model, features, { pooling, normalize }).embedding.data);
        session.dispose();
        expect(backend.memory()).toEqual({ tensors: 0, preparedWeights: 0, bytes: 0 });
      }
    }
  });

  it('accepts strided feature views (e.g. a transposed [B, 80, T] buffer)', async () => {
    const contiguous = syntheticFeatures(2, 15, 80, 2);
    const binsMajor = new Float32Array(contiguous.size);
    for (let b = 0; b < 2; b++) for (let t = 0; t < 15; t++) for (let m = 0; m < 80; m++) binsMajor[(b * 80 + m) * 15 + t] = contiguous.get(b, t, m);
    const view = ndarray(binsMajor, [2, 80, 15]).transpose(0, 2, 1);
    const session = createInferenceSession(new ReferenceBackend(), model);
    expect((await session.run(view)).data).toEqual((await session.run(contiguous)).data);
  });

  it('runWithActivations returns the stage activations of the oracle', async () => {
    const features = syntheticFeatures(2, 21, 80, 3);
    const session = createInferenceSession(new ReferenceBackend(), model, { pooling: 'wespeaker' });
    const names = session.graph.stages.map((s) => s.value);
    const { embedding, activations } = await session.runWithActivations(features, names);
    const ref = refEmbed(model, features, { pooling: 'wespeaker' });
    for (const stage of session.graph.stages) {
      const got = activations.get(stage.value)!;
      expect(got.shape, stage.name).toEqual(ref.stages.get(stage.name)!.shape);
      expectNear(got.data, ref.stages.get(stage.name)!.data);
    }
    expectNear(embedding.data, ref.embedding.data);
    await expect(session.runWithActivations(features, ['nope'])).rejects.toThrowError(/unknown graph values: nope/);
  });

  it('frees each intermediate after its last use', async () => {
    const backend = new CountingBackend();
    const session = createInferenceSession(backend, model);
    await session.run(syntheticFeatures(1, 40));
    // Inside a block at most: block input, conv1 output, shortcut, and the new output.
    expect(backend.peakTensors).toBeLessThanOrEqual(4);
    expect(backend.memory().tensors).toBe(0);
  });

  it('splits batches larger than capabilities.maxBatch', async () => {
    const backend = new CountingBackend();
    Object.defineProperty(backend, 'capabilities', { value: { ...backend.capabilities, maxBatch: 2 } });
    const features = syntheticFeatures(5, 12, 80, 4);
    const y = await createInferenceSession(backend, model).run(features);
    expect(backend.uploads.map((s) => s[0])).toEqual([2, 2, 1]);
    expect(y.shape).toEqual([5, 16]);
    expectNear(y.data, refEmbed(model, features).embedding.data);
  });

  it('uses compile() when offered, unless op-by-op is asked for', async () => {
    const calls: string[] = [];
    class Compiling extends ReferenceBackend {
      override readonly capabilities = { ...new ReferenceBackend().capabilities, wholeGraph: true };
      compile(graph: ResNetGraph, weights: PreparedWeights): CompiledGraph {
        calls.push(`compile ${graph.nodes.length} nodes, ${weights.conv2d.size} convs`);
        let disposed = false;
        return {
          run: async (features: HostTensor) => {
            calls.push(`run ${features.shape.join('x')}`);
            return refEmbedHost(features);
          },
          get disposed() {
            return disposed;
          },
          dispose: () => {
            disposed = true;
            calls.push('dispose');
          },
          [Symbol.dispose]() {
            this.dispose();
          },
        };
      }
    }
    const refEmbedHost = (f: HostTensor) => {
      const e = refEmbed(model, f).embedding;
      return ndarray(Float32Array.from(e.data), e.shape);
    };
    const backend = new Compiling();
    const session = createInferenceSession(backend, model);
    expect(session.execution).toBe('compiled');
    await session.run(syntheticFeatures(2, 10));
    session.dispose();
    session.dispose();
    expect(calls).toEqual(['compile 15 nodes, 12 convs', 'run 2x10x80', 'dispose']);
    expect(createInferenceSession(backend, model, { execution: 'op-by-op' }).execution).toBe('op-by-op');
    expect(() => createInferenceSession(new ReferenceBackend(), model, { execution: 'compiled' })).toThrowError(/no compile\(\)/);
  });
});

describe('session errors', () => {
  it('rejects a backend of another SPI version or without the pooling variant', () => {
    const old = new ReferenceBackend();
    Object.defineProperty(old, 'capabilities', { value: { ...old.capabilities, specVersion: 'wsp-backend/0' } });
    expect(() => createInferenceSession(old, model)).toThrowError(/implements wsp-backend\/0/);
    const pyannoteOnly = new ReferenceBackend();
    Object.defineProperty(pyannoteOnly, 'capabilities', { value: { ...pyannoteOnly.capabilities, poolingVariants: ['pyannote'] } });
    try {
      createInferenceSession(pyannoteOnly, model, { pooling: 'mlx' });
      expect.unreachable();
    } catch (e) {
      expect(BackendError.isInstance(e)).toBe(true);
      expect((e as BackendError).code).toBe('UNSUPPORTED_POOLING');
    }
  });

  it('names a missing or misshapen model tensor', () => {
    const missing = { config: model.config, tensors: new Map(model.tensors) };
    missing.tensors.delete('layer3.0.shortcut.bias');
    expect(() => createInferenceSession(new ReferenceBackend(), missing)).toThrowError(/'layer3.0.shortcut.bias' is missing/);
    const wrong = { config: model.config, tensors: new Map(model.tensors) };
    wrong.tensors.set('embedding.weight', model.tensors.get('layer1.0.conv1.weight')!);
    expect(() => createInferenceSession(new ReferenceBackend(), wrong)).toThrowError(ShapeError);
  });

  it('wraps a plain backend failure in BackendError and leaks nothing', async () => {
    class Failing extends ReferenceBackend {
      override statsPool(): DeviceTensor {
        throw new RangeError('device lost');
      }
    }
    const backend = new Failing('flaky');
    const session = createInferenceSession(backend, model);
    const prepared = backend.memory();
    const error = await session.run(syntheticFeatures(1, 16)).catch((e: unknown) => e);
    expect(BackendError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe("backend 'flaky': statsPool 'pool' failed: device lost");
    expect((error as Error).cause).toBeInstanceOf(RangeError);
    expect(backend.memory()).toEqual(prepared);
  });

  it('disposes what it prepared when preparing fails half way', () => {
    class FailsLate extends ReferenceBackend {
      override prepareLinear(): never {
        throw new Error('out of device memory');
      }
    }
    const backend = new FailsLate();
    expect(() => createInferenceSession(backend, model)).toThrowError(/preparing the weights failed: out of device memory/);
    expect(backend.memory().preparedWeights).toBe(0);
  });

  it('throws DisposedError after dispose and typed errors for bad features', async () => {
    const session = createInferenceSession(new ReferenceBackend(), model);
    await expect(session.run(syntheticFeatures(1, 5))).rejects.toThrowError(/5 frames but pooling 'pyannote' needs at least 9/);
    const inf = syntheticFeatures(1, 12);
    inf.data[7] = Infinity;
    await expect(session.run(inf)).rejects.toSatisfy((e: unknown) => WspError.isInstance(e) && (e as WspError).code === 'NON_FINITE_INPUT');
    session.dispose();
    await expect(session.run(syntheticFeatures(1, 12))).rejects.toSatisfy((e: unknown) => DisposedError.isInstance(e));
  });

  it('uses the backend as given: a Backend object from anywhere works', async () => {
    const backend: Backend = new ReferenceBackend('third-party');
    const y = await createInferenceSession(backend, model).run(syntheticFeatures(1, 9));
    expect(y.shape).toEqual([1, 16]);
  });
});
