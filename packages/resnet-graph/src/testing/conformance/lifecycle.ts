/** Dispose semantics and typed errors for bad input. */
import ndarray from 'ndarray';
import { generateSyntheticModel, tinyConfig } from '@wsp/weights';
import { DisposedError, InputTooShortError, ShapeError, WspError } from '../../errors.js';
import { createInferenceSession } from '../../session.js';
import type { Backend } from '../../spi.js';
import { check } from '../compare.js';
import { randomTensor, syntheticFeatures } from '../random.js';
import type { ConformanceCase, ConformanceContext, ErrorClass } from './context.js';
import { expectError, expectSameMemory } from './context.js';

function smallConv(ctx: ConformanceContext) {
  const { backend, rng } = ctx;
  return backend.prepareConv2d({ weight: randomTensor(rng, [4, 3, 3, 2]), bias: randomTensor(rng, [4]), stride: 1, padding: 1 });
}

function smallLinear(ctx: ConformanceContext) {
  const { backend, rng } = ctx;
  return backend.prepareLinear({ weight: randomTensor(rng, [3, 6]), bias: randomTensor(rng, [3]) });
}

const disposeTensors: ConformanceCase = {
  name: 'dispose: tensors (twice is a no-op, Symbol.dispose, use after dispose throws DisposedError)',
  async run(ctx) {
    const { backend, rng } = ctx;
    const baseline = backend.memory();
    const x = backend.upload(randomTensor(rng, [1, 2, 3, 4]));
    const v = backend.upload(randomTensor(rng, [2, 6]));
    const w = smallConv(ctx);
    const lin = smallLinear(ctx);
    const live = backend.upload(randomTensor(rng, [1, 2, 3, 4]));
    x.dispose();
    x.dispose();
    check(x.disposed, 'tensor.disposed is true after dispose()');
    v[Symbol.dispose]();
    check(v.disposed, '[Symbol.dispose]() disposes a tensor');
    await expectError('download of a disposed tensor', () => backend.download(x), DisposedError);
    await expectError('conv2d on a disposed input', () => backend.conv2d(x, w, { relu: true }), DisposedError);
    const residualShape = randomTensor(rng, [1, 4, 3, 4]);
    const r = backend.upload(residualShape);
    r.dispose();
    await expectError('conv2d with a disposed residual', () => backend.conv2d(live, w, { relu: true, residual: r }), DisposedError);
    await expectError('statsPool on a disposed input', () => backend.statsPool(x, 'mlx'), DisposedError);
    await expectError('linear on a disposed input', () => backend.linear(v, lin), DisposedError);
    await expectError('l2Normalize on a disposed input', () => backend.l2Normalize(v), DisposedError);
    live.dispose();
    w.dispose();
    lin.dispose();
    expectSameMemory('after disposing everything', baseline, backend.memory());
  },
};

const disposeWeights: ConformanceCase = {
  name: 'dispose: prepared weights (twice is a no-op, use after dispose throws DisposedError)',
  async run(ctx) {
    const { backend, rng } = ctx;
    const baseline = backend.memory();
    const w = smallConv(ctx);
    const lin = smallLinear(ctx);
    check(backend.memory().preparedWeights === baseline.preparedWeights + 2, 'memory().preparedWeights counts prepared weights');
    check(w.backend === backend.name && lin.backend === backend.name, 'prepared weights name their backend');
    check(w.inChannels === 2 && w.outChannels === 4 && w.kernel === 3 && w.stride === 1 && w.padding === 1, 'PreparedConv2d describes its weights');
    check(lin.inFeatures === 6 && lin.outFeatures === 3, 'PreparedLinear describes its weights');
    w.dispose();
    w.dispose();
    lin[Symbol.dispose]();
    check(w.disposed && lin.disposed, 'prepared weights report disposed');
    const x = backend.upload(randomTensor(rng, [1, 2, 3, 4]));
    const v = backend.upload(randomTensor(rng, [1, 6]));
    await expectError('conv2d with disposed weights', () => backend.conv2d(x, w, { relu: false }), DisposedError);
    await expectError('linear with disposed weights', () => backend.linear(v, lin), DisposedError);
    x.dispose();
    v.dispose();
    expectSameMemory('after disposing everything', baseline, backend.memory());
  },
};

const disposeBackend: ConformanceCase = {
  name: 'dispose: the backend frees what it owns and refuses further calls',
  async run(ctx) {
    const { backend, rng } = ctx;
    const x = backend.upload(randomTensor(rng, [1, 2, 3, 4]));
    const w = smallConv(ctx);
    backend.dispose();
    backend.dispose();
    check(backend.disposed, 'backend.disposed is true after dispose()');
    check(x.disposed && w.disposed, 'disposing the backend disposes its tensors and prepared weights');
    x.dispose(); // still a no-op
    await expectError('upload after backend.dispose()', () => backend.upload(randomTensor(rng, [1, 2])), DisposedError);
    await expectError('prepareConv2d after backend.dispose()', () => smallConv(ctx), DisposedError);
    await expectError('prepareLinear after backend.dispose()', () => smallLinear(ctx), DisposedError);
    await expectError('conv2d after backend.dispose()', () => backend.conv2d(x, w, { relu: false }), DisposedError);
    let stats;
    try {
      stats = backend.memory();
    } catch (e) {
      check(DisposedError.isInstance(e), `memory() after dispose may only throw DisposedError, got ${String(e)}`);
    }
    if (stats) check(stats.tensors === 0 && stats.preparedWeights === 0, 'memory() after dispose reports nothing live');
  },
};

const disposeSession: ConformanceCase = {
  name: 'dispose: sessions (twice is a no-op, run after dispose throws DisposedError)',
  async run(ctx) {
    const { backend } = ctx;
    const baseline = backend.memory();
    const session = createInferenceSession(backend, generateSyntheticModel(tinyConfig(), { seed: 3 }));
    check(backend.memory().preparedWeights > baseline.preparedWeights, 'a session prepares its weights on the backend');
    session.dispose();
    session[Symbol.dispose]();
    check(session.disposed, 'session.disposed is true after dispose()');
    expectSameMemory('after session.dispose()', baseline, backend.memory());
    await expectError('run after session.dispose()', () => session.run(syntheticFeatures(1, 20)), DisposedError);
    check(!backend.disposed, 'disposing a session leaves the backend usable');
  },
};

/** Each bad call throws the right class and leaves no device object behind. */
async function expectRefused(backend: Backend, label: string, fn: () => unknown, type: ErrorClass, pattern?: RegExp) {
  const before = backend.memory();
  await expectError(label, fn, type, pattern);
  expectSameMemory(`${label} (a refused call allocates nothing)`, before, backend.memory());
}

const uploadErrors: ConformanceCase = {
  name: 'errors: upload and prepare reject wrong dtypes and shapes with ShapeError',
  async run(ctx) {
    const { backend, rng } = ctx;
    const f64 = ndarray(new Float64Array(24), [1, 2, 3, 4]);
    await expectRefused(backend, 'upload of float64 data', () => backend.upload(f64 as never), ShapeError, /float32/);
    await expectRefused(backend, 'upload of a plain array', () => backend.upload(ndarray([1, 2, 3, 4], [2, 2]) as never), ShapeError);
    await expectRefused(backend, 'upload of rank 3', () => backend.upload(randomTensor(rng, [2, 3, 4])), ShapeError, /rank/);
    await expectRefused(backend, 'upload of a non-tensor', () => backend.upload({} as never), ShapeError);
    const bias4 = randomTensor(rng, [4]);
    await expectRefused(backend, 'conv weight of rank 3', () => backend.prepareConv2d({ weight: randomTensor(rng, [4, 3, 3]), bias: bias4, stride: 1, padding: 1 }), ShapeError);
    await expectRefused(backend, '2x2 conv kernel', () => backend.prepareConv2d({ weight: randomTensor(rng, [4, 2, 2, 3]), bias: bias4, stride: 1, padding: 1 }), ShapeError);
    await expectRefused(backend, 'conv bias of the wrong length', () => backend.prepareConv2d({ weight: randomTensor(rng, [4, 3, 3, 3]), bias: randomTensor(rng, [5]), stride: 1, padding: 1 }), ShapeError);
    await expectRefused(backend, '3x3 conv without padding', () => backend.prepareConv2d({ weight: randomTensor(rng, [4, 3, 3, 3]), bias: bias4, stride: 1, padding: 0 }), ShapeError);
    await expectRefused(backend, 'stride 3', () => backend.prepareConv2d({ weight: randomTensor(rng, [4, 1, 1, 3]), bias: bias4, stride: 3 as never, padding: 0 }), ShapeError);
    await expectRefused(backend, 'float64 conv weight', () => backend.prepareConv2d({ weight: ndarray(new Float64Array(36), [4, 1, 1, 9]) as never, bias: bias4, stride: 1, padding: 0 }), ShapeError, /float32/);
    await expectRefused(backend, 'linear bias of the wrong length', () => backend.prepareLinear({ weight: randomTensor(rng, [3, 6]), bias: randomTensor(rng, [6]) }), ShapeError);
  },
};

const opErrors: ConformanceCase = {
  name: 'errors: ops reject mismatched shapes with ShapeError and too-short pooling with InputTooShortError',
  async run(ctx) {
    const { backend, rng } = ctx;
    const w = smallConv(ctx); // 2 -> 4 channels
    const lin = smallLinear(ctx); // 6 -> 3
    const x3 = backend.upload(randomTensor(rng, [1, 3, 5, 5]));
    const x2 = backend.upload(randomTensor(rng, [1, 2, 5, 5]));
    const badResidual = backend.upload(randomTensor(rng, [1, 4, 5, 4]));
    const v5 = backend.upload(randomTensor(rng, [2, 5]));
    const oneStep = backend.upload(randomTensor(rng, [1, 2, 3, 1]));
    try {
      await expectRefused(backend, 'conv2d with the wrong input channels', () => backend.conv2d(x3, w, { relu: true }), ShapeError, /channels/);
      await expectRefused(backend, 'conv2d on a rank-2 tensor', () => backend.conv2d(v5, w, { relu: true }), ShapeError);
      await expectRefused(backend, 'conv2d with a residual of the wrong shape', () => backend.conv2d(x2, w, { relu: true, residual: badResidual }), ShapeError, /residual/);
      await expectRefused(backend, 'statsPool on a rank-2 tensor', () => backend.statsPool(v5, 'mlx'), ShapeError);
      await expectRefused(backend, 'linear with the wrong input features', () => backend.linear(v5, lin), ShapeError, /features/);
      await expectRefused(backend, 'linear on a rank-4 tensor', () => backend.linear(x2, lin), ShapeError);
      await expectRefused(backend, 'l2Normalize on a rank-4 tensor', () => backend.l2Normalize(x2), ShapeError);
      for (const variant of (['pyannote', 'wespeaker'] as const).filter((v) => backend.capabilities.poolingVariants.includes(v))) {
        await expectRefused(backend, `statsPool ${variant} over one time step`, () => backend.statsPool(oneStep, variant), InputTooShortError, /at least 2/);
      }
    } finally {
      for (const t of [w, lin, x3, x2, badResidual, v5, oneStep]) t.dispose();
    }
  },
};

const foreignErrors: ConformanceCase = {
  name: 'errors: tensors and weights of another backend instance are refused',
  async run(ctx) {
    const { backend, rng } = ctx;
    const other = await ctx.createAnother();
    const foreignX = other.upload(randomTensor(rng, [1, 2, 3, 4]));
    const foreignW = other.prepareConv2d({ weight: randomTensor(rng, [4, 3, 3, 2]), bias: randomTensor(rng, [4]), stride: 1, padding: 1 });
    const x = backend.upload(randomTensor(rng, [1, 2, 3, 4]));
    const w = smallConv(ctx);
    try {
      await expectRefused(backend, 'conv2d on a foreign tensor', () => backend.conv2d(foreignX, w, { relu: false }), WspError);
      await expectRefused(backend, 'conv2d with foreign weights', () => backend.conv2d(x, foreignW, { relu: false }), WspError);
      await expectRefused(backend, 'download of a foreign tensor', () => backend.download(foreignX), WspError);
    } finally {
      x.dispose();
      w.dispose();
      other.dispose();
    }
  },
};

const sessionErrors: ConformanceCase = {
  name: 'errors: sessions reject too-short and malformed features',
  async run(ctx) {
    const { backend } = ctx;
    const session = createInferenceSession(backend, generateSyntheticModel(tinyConfig(), { seed: 4 }));
    try {
      const before = backend.memory();
      check(session.minimumFrames === 9, `pyannote pooling over 4 stages needs 9 frames, session says ${session.minimumFrames}`);
      await expectError('8 frames', () => session.run(syntheticFeatures(1, 8)), InputTooShortError, /at least 9/);
      await expectError('features with 64 bins', () => session.run(syntheticFeatures(1, 20, 64)), ShapeError, /80/);
      await expectError('features of rank 2', () => session.run(randomTensor(ctx.rng, [20, 80])), ShapeError);
      await expectError('float64 features', () => session.run(ndarray(new Float64Array(20 * 80), [1, 20, 80]) as never), ShapeError, /float32/);
      const nan = syntheticFeatures(1, 20);
      nan.data[100] = NaN;
      await expectError('NaN features', () => session.run(nan), WspError, /finite/);
      expectSameMemory('refused runs allocate nothing', before, backend.memory());
    } finally {
      session.dispose();
    }
  },
};

export const lifecycleCases: ConformanceCase[] = [
  disposeTensors,
  disposeWeights,
  disposeBackend,
  disposeSession,
  uploadErrors,
  opErrors,
  foreignErrors,
  sessionErrors,
];
