// Each layer operation on the fake CANN against the float64 oracle of @wsp/resnet-graph, and the
// bookkeeping around it: strided uploads, counts, pooled memory, typed errors.
import ndarray from 'ndarray';
import { beforeEach, describe, expect, it } from 'vitest';
import { BackendError, DisposedError, InputTooShortError, ShapeError } from '@wsp/resnet-graph';
import { refConv2d, refFromHost, refL2Normalize, refLinear, refStatsPool } from '@wsp/resnet-graph/testing';
import { AscendBackend } from '../src/index.js';
import { relativeMaxError } from './helpers/compare.js';
import { randomNd } from './helpers/data.js';
import { fakeReport, useFakeCann } from './helpers/fake-cann.js';
import { suiteBackend } from './helpers/suite.js';

useFakeCann();

// fp32 cube math on the fake sums in float32 in another order than the float64 oracle.
const FP32_TOLERANCE = 2e-6;

describe('layer operations on the fake CANN', () => {
  const suite = suiteBackend();
  let backend: AscendBackend;
  beforeEach(() => {
    backend = suite();
  });

  it('uploads any view and downloads it row-major', async () => {
    const host = randomNd([3, 5], 1);
    const transposed = host.transpose(1, 0); // a strided view [5, 3]
    const t = backend.upload(transposed);
    expect(t.shape).toEqual([5, 3]);
    const back = await backend.download(t);
    expect(back.shape).toEqual([5, 3]);
    for (let i = 0; i < 5; i++) for (let j = 0; j < 3; j++) expect(back.get(i, j)).toBe(host.get(j, i));
    t.dispose();
    expect(t.disposed).toBe(true);
    expect(backend.memory().tensors).toBe(0);
  });

  const convCases = [
    { name: '3x3 stride 1', shape: [2, 3, 9, 11], out: 4, k: 3, stride: 1 as const, padding: 1 as const },
    { name: '3x3 stride 2 (odd sizes give ceil(n/2))', shape: [1, 4, 9, 13], out: 5, k: 3, stride: 2 as const, padding: 1 as const },
    { name: '1x1 stride 2 shortcut', shape: [2, 3, 8, 7], out: 6, k: 1, stride: 2 as const, padding: 0 as const },
  ];
  for (const c of convCases) {
    for (const epilogue of ['none', 'relu', 'residual+relu'] as const) {
      it(`conv2d ${c.name}, epilogue ${epilogue}`, async () => {
        const x = randomNd(c.shape, 10);
        const weight = randomNd([c.out, c.k, c.k, c.shape[1]], 11, 0.3);
        const bias = randomNd([c.out], 12, 0.1);
        const conv = backend.prepareConv2d({ weight, bias, stride: c.stride, padding: c.padding });
        const xd = backend.upload(x);
        const outShape = [c.shape[0], c.out, Math.ceil(c.shape[2] / c.stride), Math.ceil(c.shape[3] / c.stride)];
        const residualHost = randomNd(outShape, 13);
        const residual = epilogue === 'residual+relu' ? backend.upload(residualHost) : undefined;
        const y = backend.conv2d(xd, conv, { relu: epilogue !== 'none', residual });
        expect(y.shape).toEqual(outShape);
        const got = await backend.download(y);
        const want = refConv2d(refFromHost(x), weight, bias, {
          stride: c.stride,
          padding: c.padding,
          relu: epilogue !== 'none',
          residual: residual ? refFromHost(residualHost) : undefined,
        });
        expect(want.shape).toEqual(outShape);
        expect(relativeMaxError(got.data, want.data)).toBeLessThan(FP32_TOLERANCE);
        for (const t of [xd, y, residual]) t?.dispose();
        conv.dispose();
        expect(backend.memory()).toMatchObject({ tensors: 0, preparedWeights: 0 });
      });
    }
  }

  for (const variant of ['pyannote', 'wespeaker', 'mlx'] as const) {
    it(`statsPool ${variant}: channel-major means then stds over time`, async () => {
      // Small variance in some rows so the epsilon inside the root is visible where it should be.
      const x = randomNd([2, 3, 4, 6], 20);
      for (let t = 0; t < 6; t++) x.set(1, 2, 3, t, 0.25 + 1e-4 * t);
      const xd = backend.upload(x);
      const y = backend.statsPool(xd, variant);
      expect(y.shape).toEqual([2, 2 * 3 * 4]);
      const got = await backend.download(y);
      expect(relativeMaxError(got.data, refStatsPool(refFromHost(x), variant).data)).toBeLessThan(FP32_TOLERANCE);
      xd.dispose();
      y.dispose();
    });
  }

  it('statsPool on one time step: InputTooShortError for the unbiased variants, sqrt(1e-10) for mlx', async () => {
    const x = backend.upload(randomNd([1, 2, 2, 1], 21));
    expect(() => backend.statsPool(x, 'pyannote')).toThrowError(InputTooShortError);
    const pooled = backend.statsPool(x, 'mlx');
    const biased = await backend.download(pooled);
    expect(biased.get(0, 4)).toBeCloseTo(1e-5, 9);
    for (const t of [x, pooled]) t.dispose();
  });

  it('linear: x · Wᵀ + b with W [N, K]', async () => {
    const x = randomNd([3, 40], 30);
    const weight = randomNd([7, 40], 31, 0.2);
    const bias = randomNd([7], 32);
    const lin = backend.prepareLinear({ weight, bias });
    const xd = backend.upload(x);
    const y = backend.linear(xd, lin);
    expect(y.shape).toEqual([3, 7]);
    const got = await backend.download(y);
    expect(relativeMaxError(got.data, refLinear(refFromHost(x), weight, bias).data)).toBeLessThan(FP32_TOLERANCE);
    lin.dispose();
    xd.dispose();
    y.dispose();
  });

  it('l2Normalize: unit rows, and an all-zero row stays zero instead of NaN', async () => {
    const x = randomNd([3, 9], 40);
    for (let j = 0; j < 9; j++) x.set(2, j, 0);
    const xd = backend.upload(x);
    const y = backend.l2Normalize(xd);
    const got = await backend.download(y);
    expect(relativeMaxError(got.data, refL2Normalize(refFromHost(x)).data)).toBeLessThan(FP32_TOLERANCE);
    for (let j = 0; j < 9; j++) expect(got.get(2, j)).toBe(0);
    xd.dispose();
    y.dispose();
  });

  it('counts live tensors and weights, and refuses foreign, disposed and mis-shaped arguments with typed errors', async () => {
    const other = new AscendBackend();
    const mine = backend.upload(randomNd([1, 2, 4, 4], 50));
    const theirs = other.upload(randomNd([1, 2, 4, 4], 51));
    const conv = backend.prepareConv2d({ weight: randomNd([3, 3, 3, 2], 52), bias: randomNd([3], 53), stride: 1, padding: 1 });
    expect(backend.memory()).toEqual({ tensors: 1, preparedWeights: 1, bytes: 4 * (32 + 3 * (2 * 9 + 1)) });
    expect(() => backend.conv2d(theirs, conv, { relu: false })).toThrowError(BackendError);
    const wrongChannels = backend.upload(randomNd([1, 5, 4, 4], 54));
    expect(() => backend.conv2d(wrongChannels, conv, { relu: false })).toThrowError(ShapeError);
    const y = backend.conv2d(mine, conv, { relu: false });
    expect(() => backend.conv2d(mine, conv, { relu: false, residual: mine })).toThrowError(/residual must have the output shape/);
    mine.dispose();
    expect(() => backend.conv2d(mine, conv, { relu: false })).toThrowError(DisposedError);
    await expect(backend.download(mine)).rejects.toThrowError(DisposedError);
    conv.dispose();
    expect(() => backend.conv2d(y, conv, { relu: false })).toThrowError(DisposedError);
    expect(() => backend.upload(ndarray(new Float64Array(4), [2, 2]) as never)).toThrowError(/float32/);
    for (const t of [y, wrongChannels]) t.dispose();
    other.dispose();
    expect(() => other.upload(randomNd([1, 2], 1))).toThrowError(DisposedError);
    expect(backend.memory()).toMatchObject({ tensors: 0, preparedWeights: 0 });
  });

  it('reuses pooled device memory instead of allocating per operation', async () => {
    const x = randomNd([1, 2, 6, 6], 60);
    const conv = backend.prepareConv2d({ weight: randomNd([2, 3, 3, 2], 61), bias: randomNd([2], 62), stride: 1, padding: 1 });
    const run = async () => {
      const xd = backend.upload(x);
      const y = backend.conv2d(xd, conv, { relu: true });
      await backend.download(y);
      xd.dispose();
      y.dispose();
    };
    await run();
    const before = fakeReport().counters.mallocs;
    for (let i = 0; i < 5; i++) await run();
    expect(fakeReport().counters.mallocs).toBe(before);
    conv.dispose();
  });

  it('dispose frees every device object the backend made, even with tensors still held', () => {
    const b = new AscendBackend();
    const t = b.upload(ndarray(new Float32Array([1, 2, 3, 4]), [2, 2]));
    const w = b.prepareLinear({ weight: randomNd([2, 3], 70), bias: randomNd([2], 71) });
    const streamsWhileOpen = fakeReport().live.streams;
    b.dispose();
    b.dispose(); // twice is a no-op
    expect(t.disposed && w.disposed).toBe(true);
    expect(fakeReport().live.streams).toBe(streamsWhileOpen - 1);
  });
});
