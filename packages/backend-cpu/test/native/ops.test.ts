// Each op of the addon's own API, on every kernel set this CPU runs, against the float64 oracle of
// @wsp/resnet-graph/testing (the conformance suite covers the SPI wrapper on top of these).
import ndarray from 'ndarray';
import { describe, expect, it } from 'vitest';
import { refConv2d, refFromHost, refL2Normalize, refLinear, refStatsPool } from '@wsp/resnet-graph/testing';
import type { PoolingVariant } from '@wsp/resnet-graph';
import { backendFor, isas, randomFloats } from './helpers.js';

const host = (data: Float32Array, shape: number[]) => ndarray(data, shape);

/** Largest |got − ref| divided by the largest |ref| (NaN anywhere gives NaN, failing the bound). */
function maxRelativeError(got: ArrayLike<number>, ref: ArrayLike<number>): number {
  expect(got.length).toBe(ref.length);
  let scale = 0;
  let err = 0;
  for (let i = 0; i < ref.length; i++) {
    scale = Math.max(scale, Math.abs(ref[i]));
    const d = Math.abs(got[i] - ref[i]);
    if (!(d <= err)) err = d;
  }
  return err / (scale || 1);
}

interface ConvCase {
  name: string;
  batch: number;
  cin: number;
  cout: number;
  h: number;
  w: number;
  k: 1 | 3;
  stride: 1 | 2;
  padding: 0 | 1;
  residual: boolean;
  relu: boolean;
  winograd?: 0 | 2 | 4;
  algorithm: string;
}

const cases: ConvCase[] = [
  { name: 'Winograd F(4x4), odd sizes, partial tiles, residual', batch: 2, cin: 16, cout: 32, h: 13, w: 17, k: 3, stride: 1, padding: 1, residual: true, relu: true, algorithm: 'winograd-f4x4' },
  { name: 'Winograd F(4x4), 128 channels (fused tile blocks)', batch: 1, cin: 128, cout: 128, h: 10, w: 13, k: 3, stride: 1, padding: 1, residual: true, relu: true, algorithm: 'winograd-f4x4' },
  { name: 'Winograd F(4x4), 256 channels (three-step schedule)', batch: 1, cin: 256, cout: 256, h: 5, w: 9, k: 3, stride: 1, padding: 1, residual: true, relu: true, algorithm: 'winograd-f4x4' },
  { name: 'Winograd F(2x2)', batch: 1, cin: 32, cout: 16, h: 9, w: 11, k: 3, stride: 1, padding: 1, residual: false, relu: true, winograd: 2, algorithm: 'winograd-f2x2' },
  { name: 'direct 3x3 stride 1 (winograd off), channel counts not multiples of 16', batch: 1, cin: 20, cout: 24, h: 7, w: 9, k: 3, stride: 1, padding: 1, residual: true, relu: true, winograd: 0, algorithm: 'direct' },
  { name: '3x3 stride 2 on odd lengths, batch 3', batch: 3, cin: 16, cout: 32, h: 13, w: 17, k: 3, stride: 2, padding: 1, residual: false, relu: true, algorithm: 'direct' },
  { name: '1x1 stride-2 shortcut on odd lengths', batch: 2, cin: 32, cout: 64, h: 11, w: 15, k: 1, stride: 2, padding: 0, residual: false, relu: false, algorithm: 'direct' },
  { name: 'stem: 1 input channel', batch: 2, cin: 1, cout: 32, h: 12, w: 21, k: 3, stride: 1, padding: 1, residual: false, relu: true, algorithm: 'direct' },
];

describe.each(isas)('native ops on %s', (isa) => {
  it.each(cases)('conv2d: $name', (c) => {
    const be = backendFor(isa, { winograd: c.winograd ?? 4 });
    const seed = c.cin * 1000 + c.cout * 10 + c.k;
    const x = randomFloats(c.batch * c.cin * c.h * c.w, seed);
    const wShape: [number, number, number, number] = [c.cout, c.k, c.k, c.cin];
    const weight = randomFloats(c.cout * c.k * c.k * c.cin, seed + 1, Math.sqrt(2 / (c.k * c.k * c.cin)));
    const bias = randomFloats(c.cout, seed + 2, 0.1);
    const w = be.prepareConv2d(weight, wShape, bias, c.stride, c.padding);
    expect(w.algorithm).toBe(c.algorithm);
    const xt = be.upload(x, [c.batch, c.cin, c.h, c.w]);
    const ho = Math.floor((c.h + 2 * c.padding - c.k) / c.stride) + 1;
    const wo = Math.floor((c.w + 2 * c.padding - c.k) / c.stride) + 1;
    const res = c.residual ? randomFloats(c.batch * c.cout * ho * wo, seed + 3) : undefined;
    const rt = res ? be.upload(res, [c.batch, c.cout, ho, wo]) : null;
    const y = be.conv2d(xt, w, c.relu, rt);
    expect(y.shape).toEqual([c.batch, c.cout, ho, wo]);
    const ref = refConv2d(refFromHost(host(x, [c.batch, c.cin, c.h, c.w])), host(weight, wShape), host(bias, [c.cout]), {
      stride: c.stride,
      padding: c.padding,
      relu: c.relu,
      ...(res ? { residual: refFromHost(host(res, [c.batch, c.cout, ho, wo])) } : {}),
    });
    // fp32 sums of up to 9·128 terms: ~1e-6 relative; Winograd F(4x4)'s transforms amplify rounding.
    const tolerance = c.algorithm === 'winograd-f4x4' ? 2e-5 : 5e-6;
    expect(maxRelativeError(be.download(y), ref.data)).toBeLessThanOrEqual(tolerance);
    for (const t of [xt, rt, y, w]) t?.dispose();
    expect(be.memory()).toEqual({ tensors: 0, preparedWeights: 0, bytes: 0 });
  });

  it.each(['pyannote', 'wespeaker', 'mlx'] as PoolingVariant[])('statsPool %s: channel-major means then stds, odd T', (variant) => {
    const be = backendFor(isa);
    const shape = [3, 20, 3, 7];
    const x = randomFloats(3 * 20 * 3 * 7, 77);
    const y = be.statsPool(be.upload(x, shape), variant);
    expect(y.shape).toEqual([3, 120]);
    const ref = refStatsPool(refFromHost(host(x, shape)), variant);
    expect(maxRelativeError(be.download(y), ref.data)).toBeLessThanOrEqual(1e-6);
  });

  it('statsPool refuses one time step for the unbiased variants, accepts it for mlx', () => {
    const be = backendFor(isa);
    const x = be.upload(randomFloats(2 * 4 * 3, 5), [2, 4, 3, 1]);
    expect(() => be.statsPool(x, 'pyannote')).toThrow(RangeError);
    expect(() => be.statsPool(x, 'wespeaker')).toThrow(/too short/);
    const y = be.download(be.statsPool(x, 'mlx'));
    expect(Array.from(y.subarray(12, 24)).every((v) => Math.abs(v - 1e-5) < 1e-9)).toBe(true); // sqrt(0 + 1e-10)
  });

  it('linear and l2Normalize, batch 3, sizes not multiples of the panel', () => {
    const be = backendFor(isa);
    const [B, K, N] = [3, 643, 40];
    const x = randomFloats(B * K, 11);
    const w = randomFloats(N * K, 12, 0.05);
    const b = randomFloats(N, 13, 0.1);
    const lin = be.prepareLinear(w, N, K, b);
    const y = be.linear(be.upload(x, [B, K]), lin);
    const ref = refLinear(refFromHost(host(x, [B, K])), host(w, [N, K]), host(b, [N]));
    expect(maxRelativeError(be.download(y), ref.data)).toBeLessThanOrEqual(5e-6);
    const z = be.download(be.l2Normalize(y));
    expect(maxRelativeError(z, refL2Normalize(ref).data)).toBeLessThanOrEqual(5e-6);
  });
});
