/** Every op against the float64 oracle on random shapes, each with the per-op leak check. */
import { float32Tensor } from '@wsp/weights';
import { POOLING_VARIANT_NAMES, minimumPooledFrames } from '../../pooling.js';
import { featuresToInputView } from '../../host.js';
import { convOutputLength } from '../../shapes.js';
import { PRECISIONS } from '../../spi.js';
import type { HostTensor, PoolingVariant } from '../../spi.js';
import { check, expectClose } from '../compare.js';
import { refConv2d, refFromHost, refL2Normalize, refLinear, refStatsPool } from '../oracle.js';
import { randomTensor } from '../random.js';
import type { ConformanceCase, ConformanceContext } from './context.js';
import { expectHostTensor, runOp } from './context.js';

interface ConvCase {
  title: string;
  batch: number;
  inChannels: number;
  outChannels: number;
  freq: number;
  time: number;
  kernel: 1 | 3;
  stride: 1 | 2;
  relu: boolean;
  residual: boolean;
  /** Upload the input as a transposed view of NHWC memory instead of contiguous NCHW. */
  stridedInput?: boolean;
}

const CONV_CASES: ConvCase[] = [
  { title: '3x3 stride 1, odd sizes, ReLU', batch: 1, inChannels: 3, outChannels: 5, freq: 7, time: 9, kernel: 3, stride: 1, relu: true, residual: false },
  { title: '3x3 stride 2 on odd F and T, batch 2', batch: 2, inChannels: 4, outChannels: 6, freq: 9, time: 11, kernel: 3, stride: 2, relu: true, residual: false },
  { title: '3x3 stride 1 with residual and ReLU, batch 3', batch: 3, inChannels: 5, outChannels: 5, freq: 6, time: 13, kernel: 3, stride: 1, relu: true, residual: true },
  { title: '3x3 with residual, no ReLU, strided input view', batch: 1, inChannels: 6, outChannels: 7, freq: 5, time: 8, kernel: 3, stride: 1, relu: false, residual: true, stridedInput: true },
  { title: '3x3 stride 2 with residual, batch 4', batch: 4, inChannels: 4, outChannels: 8, freq: 5, time: 7, kernel: 3, stride: 2, relu: true, residual: true },
  { title: '1x1 stride 2 (shortcut) on odd sizes', batch: 2, inChannels: 5, outChannels: 9, freq: 7, time: 15, kernel: 1, stride: 2, relu: false, residual: false },
  { title: '1x1 stride 1', batch: 1, inChannels: 8, outChannels: 4, freq: 3, time: 5, kernel: 1, stride: 1, relu: false, residual: false },
  { title: 'stem: 1 input channel, 80 bins', batch: 2, inChannels: 1, outChannels: 8, freq: 80, time: 21, kernel: 3, stride: 1, relu: true, residual: false },
  { title: 'channel counts off the multiples of 4', batch: 1, inChannels: 37, outChannels: 19, freq: 6, time: 11, kernel: 3, stride: 1, relu: true, residual: false },
  { title: '3x3 stride 1, 9 -> 10 channels, odd F and T, residual, batch 2', batch: 2, inChannels: 9, outChannels: 10, freq: 7, time: 5, kernel: 3, stride: 1, relu: true, residual: true },
  { title: '3x3 stride 1, 16 channels on a 2x3 input, batch 3', batch: 3, inChannels: 16, outChannels: 8, freq: 2, time: 3, kernel: 3, stride: 1, relu: false, residual: false },
  { title: 'one-pixel input, stride 1, 8 channels', batch: 1, inChannels: 8, outChannels: 4, freq: 1, time: 1, kernel: 3, stride: 1, relu: false, residual: true },
  { title: 'one-pixel input, stride 2', batch: 2, inChannels: 3, outChannels: 4, freq: 1, time: 1, kernel: 3, stride: 2, relu: false, residual: false },
  { title: 'long reduction (256 input channels)', batch: 1, inChannels: 256, outChannels: 12, freq: 3, time: 5, kernel: 3, stride: 1, relu: false, residual: false },
];

/** A `[B, C, F, T]` view over memory laid out `[B, F, T, C]`. */
function transposedView(t: HostTensor): HostTensor {
  const [b, c, f, time] = t.shape;
  const view = float32Tensor([b, f, time, c]).transpose(0, 3, 1, 2);
  for (let n = 0; n < b; n++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < f; y++) for (let x = 0; x < time; x++) view.set(n, ch, y, x, t.get(n, ch, y, x));
  return view;
}

function convCase(c: ConvCase): ConformanceCase {
  return {
    name: `conv2d: ${c.title}`,
    async run(ctx: ConformanceContext) {
      const { backend, rng, tolerances } = ctx;
      const fo = convOutputLength(c.freq, c.kernel, c.stride, c.kernel === 3 ? 1 : 0);
      const to = convOutputLength(c.time, c.kernel, c.stride, c.kernel === 3 ? 1 : 0);
      const x = randomTensor(rng, [c.batch, c.inChannels, c.freq, c.time]);
      const weight = randomTensor(rng, [c.outChannels, c.kernel, c.kernel, c.inChannels], 1 / Math.sqrt(c.kernel * c.kernel * c.inChannels));
      const bias = randomTensor(rng, [c.outChannels], 0.3);
      const residual = c.residual ? randomTensor(rng, [c.batch, c.outChannels, fo, to]) : undefined;
      const padding = c.kernel === 3 ? 1 : 0;
      const expected = refConv2d(refFromHost(x), weight, bias, {
        stride: c.stride,
        padding,
        relu: c.relu,
        residual: residual && refFromHost(residual),
      });

      const dx = backend.upload(c.stridedInput ? transposedView(x) : x);
      const dw = backend.prepareConv2d({ weight, bias, stride: c.stride, padding });
      const dr = residual && backend.upload(residual);
      try {
        const y = await runOp(ctx, this.name, () => backend.conv2d(dx, dw, dr ? { relu: c.relu, residual: dr } : { relu: c.relu }));
        expectHostTensor(this.name, y, [c.batch, c.outChannels, fo, to]);
        expectClose(this.name, y.data, expected.data, tolerances.op);
      } finally {
        dx.dispose();
        dw.dispose();
        dr?.dispose();
      }
    },
  };
}

async function checkStatsPool(ctx: ConformanceContext, label: string, x: HostTensor, variant: PoolingVariant): Promise<void> {
  const { backend, tolerances } = ctx;
  const [b, c, f] = x.shape;
  const expected = refStatsPool(refFromHost(x), variant);
  const dx = backend.upload(x);
  try {
    const y = await runOp(ctx, label, () => backend.statsPool(dx, variant));
    expectHostTensor(label, y, [b, 2 * c * f]);
    const rows = c * f;
    for (let n = 0; n < b; n++) {
      // Means and standard deviations have different scales: judge each half on its own.
      expectClose(`${label}, item ${n} means`, y.data, expected.data, tolerances.op, 2 * n * rows, 2 * n * rows + rows);
      expectClose(`${label}, item ${n} stds`, y.data, expected.data, tolerances.op, 2 * n * rows + rows, 2 * (n + 1) * rows);
    }
  } finally {
    dx.dispose();
  }
}

function poolingCases(variant: PoolingVariant): ConformanceCase[] {
  return [
    {
      name: `statsPool ${variant}: batch 2, odd sizes, c·F+f order`,
      async run(ctx) {
        if (!ctx.backend.capabilities.poolingVariants.includes(variant)) return expectUnsupported(ctx, variant);
        // Each (c, f) row gets its own offset so a wrong flatten order cannot pass.
        const x = randomTensor(ctx.rng, [2, 5, 3, 7]);
        for (let i = 0; i < x.size; i++) x.data[i] += Math.floor(i / 7) % 15;
        await checkStatsPool(ctx, this.name, x, variant);
      },
    },
    {
      name: `statsPool ${variant}: the fewest time steps allowed`,
      async run(ctx) {
        if (!ctx.backend.capabilities.poolingVariants.includes(variant)) return expectUnsupported(ctx, variant);
        await checkStatsPool(ctx, this.name, randomTensor(ctx.rng, [3, 4, 2, minimumPooledFrames(variant)]), variant);
      },
    },
    {
      name: `statsPool ${variant}: large mean, small spread (no one-pass cancellation)`,
      async run(ctx) {
        if (!ctx.backend.capabilities.poolingVariants.includes(variant)) return expectUnsupported(ctx, variant);
        await checkStatsPool(ctx, this.name, randomTensor(ctx.rng, [1, 3, 4, 50], 1, 100), variant);
      },
    },
  ];
}

/** A variant the backend does not declare must be refused, not computed wrongly. */
async function expectUnsupported(ctx: ConformanceContext, variant: PoolingVariant): Promise<void> {
  const dx = ctx.backend.upload(randomTensor(ctx.rng, [1, 2, 2, 4]));
  try {
    let threw = false;
    try {
      ctx.backend.statsPool(dx, variant).dispose();
    } catch {
      threw = true;
    }
    check(threw, `statsPool: '${variant}' is not in capabilities.poolingVariants, so it must throw`);
  } finally {
    dx.dispose();
  }
}

const LINEAR_CASES = [
  { title: 'batch 3, odd sizes', batch: 3, inFeatures: 77, outFeatures: 13 },
  { title: 'embedding-sized (5120 -> 256), batch 2', batch: 2, inFeatures: 5120, outFeatures: 256 },
];

const linearCases: ConformanceCase[] = LINEAR_CASES.map((c) => ({
  name: `linear: ${c.title}`,
  async run(ctx) {
    const { backend, rng, tolerances } = ctx;
    const x = randomTensor(rng, [c.batch, c.inFeatures]);
    const weight = randomTensor(rng, [c.outFeatures, c.inFeatures], 1 / Math.sqrt(c.inFeatures));
    const bias = randomTensor(rng, [c.outFeatures], 0.1);
    const expected = refLinear(refFromHost(x), weight, bias);
    const dx = backend.upload(x);
    const dw = backend.prepareLinear({ weight, bias });
    try {
      const y = await runOp(ctx, this.name, () => backend.linear(dx, dw));
      expectHostTensor(this.name, y, [c.batch, c.outFeatures]);
      expectClose(this.name, y.data, expected.data, tolerances.op);
    } finally {
      dx.dispose();
      dw.dispose();
    }
  },
}));

const l2Case: ConformanceCase = {
  name: 'l2Normalize: batch 3, rows of very different norms',
  async run(ctx) {
    const { backend, rng, tolerances } = ctx;
    const x = randomTensor(rng, [3, 17]);
    for (let j = 0; j < 17; j++) {
      x.data[17 + j] *= 1e3;
      x.data[34 + j] *= 1e-3;
    }
    const expected = refL2Normalize(refFromHost(x));
    const dx = backend.upload(x);
    try {
      const y = await runOp(ctx, this.name, () => backend.l2Normalize(dx));
      expectHostTensor(this.name, y, [3, 17]);
      expectClose(this.name, y.data, expected.data, tolerances.op);
    } finally {
      dx.dispose();
    }
  },
};

const capabilitiesCase: ConformanceCase = {
  name: 'declares wsp-backend/1 capabilities',
  async run({ backend }) {
    const c = backend.capabilities;
    check(typeof backend.name === 'string' && backend.name.length > 0, 'name must be a non-empty string');
    check(c.specVersion === 'wsp-backend/1', `capabilities.specVersion is ${JSON.stringify(c.specVersion)}`);
    check(PRECISIONS.includes(c.precision), `capabilities.precision ${JSON.stringify(c.precision)} is not one of ${PRECISIONS.join(', ')}`);
    check(typeof c.asyncExecution === 'boolean', 'capabilities.asyncExecution must be a boolean');
    check(c.wholeGraph === (typeof backend.compile === 'function'), 'capabilities.wholeGraph must be true exactly when compile() exists');
    check(
      Array.isArray(c.poolingVariants) && c.poolingVariants.length > 0 && c.poolingVariants.every((v) => POOLING_VARIANT_NAMES.includes(v)),
      `capabilities.poolingVariants must list some of ${POOLING_VARIANT_NAMES.join(', ')}`,
    );
    check(c.maxBatch === undefined || (Number.isInteger(c.maxBatch) && c.maxBatch > 0), 'capabilities.maxBatch must be a positive integer');
    check(backend.disposed === false, 'a new backend must not report disposed');
    const m = backend.memory();
    check([m.tensors, m.preparedWeights, m.bytes].every((v) => Number.isInteger(v) && v >= 0), 'memory() must report non-negative integers');
    check(m.tensors === 0 && m.preparedWeights === 0, 'a new backend holds no tensors or prepared weights');
  },
};

const roundTripCase: ConformanceCase = {
  name: 'upload/download round-trips rank-4 and rank-2 tensors, strided views included',
  async run(ctx) {
    const { backend, rng } = ctx;
    const exact = backend.capabilities.precision === 'fp32';
    const base = randomTensor(rng, [2, 3, 5, 7]);
    const views: [string, HostTensor][] = [
      ['contiguous [2,3,5,7]', base],
      ['transposed memory', transposedView(base)],
      ['offset and reversed time', base.lo(1, 1, 0, 0).step(1, 1, 1, -1)],
      ['rank 2 column slice', randomTensor(rng, [4, 9]).hi(4, 6)],
      // What sessions upload: features [B, T, M] seen as [B, 1, M, T], stride 0 on the channel axis.
      ['features view with a zero stride', featuresToInputView(randomTensor(rng, [2, 7, 5]))],
    ];
    for (const [label, view] of views) {
      const t = backend.upload(view);
      try {
        check(t.backend === backend.name, `${label}: tensor.backend is '${t.backend}', expected '${backend.name}'`);
        check(t.dtype === 'float32' && !t.disposed, `${label}: a new tensor is float32 and not disposed`);
        check(t.shape.length === view.shape.length && t.shape.every((d, i) => d === view.shape[i]), `${label}: shape [${t.shape}]`);
        const back = await backend.download(t);
        expectHostTensor(label, back, view.shape);
        const expected = refFromHost(view).data;
        if (exact) check(back.data.every((v, i) => v === expected[i]), `${label}: an fp32 backend must round-trip exactly`);
        else expectClose(label, back.data, expected, ctx.tolerances.op);
      } finally {
        t.dispose();
      }
    }
  },
};

export const opCases: ConformanceCase[] = [
  capabilitiesCase,
  roundTripCase,
  ...CONV_CASES.map(convCase),
  ...POOLING_VARIANT_NAMES.flatMap(poolingCases),
  ...linearCases,
  l2Case,
];
