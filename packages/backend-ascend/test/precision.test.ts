// Precision and determinism options reach CANN (cubeMathType per operator, the context option),
// and the device report for `wsp doctor`.
import { afterAll, describe, expect, it } from 'vitest';
import type { AscendPrecision } from '../src/index.js';
import { AscendBackend, describeAscend } from '../src/index.js';
import { randomNd } from './helpers/data.js';
import { NOTHING_LIVE, fakeReport, injectFaults, liveObjects, useFakeCann } from './helpers/fake-cann.js';
import { expectNothingLeft } from './helpers/suite.js';
import { refConv2d, refFromHost, refLinear } from '@wsp/resnet-graph/testing';
import { relativeMaxError } from './helpers/compare.js';

useFakeCann();

const CUBE: Record<AscendPrecision, number> = { fp32: 0, hf32: 3, fp16: 2 };

async function convAndLinear(precision: AscendPrecision) {
  const backend = new AscendBackend({ precision });
  const x = randomNd([1, 8, 6, 6], 1);
  const w = randomNd([4, 3, 3, 8], 2, 0.3);
  const b = randomNd([4], 3);
  const lw = randomNd([5, 64], 4, 0.2);
  const lb = randomNd([5], 5);
  const lx = randomNd([2, 64], 6);
  const before = fakeReport().cubeMathTypes;
  const conv = await backend.download(
    backend.conv2d(backend.upload(x), backend.prepareConv2d({ weight: w, bias: b, stride: 1, padding: 1 }), { relu: false }),
  );
  const lin = await backend.download(backend.linear(backend.upload(lx), backend.prepareLinear({ weight: lw, bias: lb })));
  const after = fakeReport().cubeMathTypes;
  const reported = backend.capabilities.precision;
  backend.dispose();
  return {
    reported,
    convError: relativeMaxError(conv.data, refConv2d(refFromHost(x), w, b, { stride: 1, padding: 1, relu: false }).data),
    linearError: relativeMaxError(lin.data, refLinear(refFromHost(lx), lw, lb).data),
    convCube: after.aclnnConvolution.map((n, i) => n - (before.aclnnConvolution?.[i] ?? 0)),
    matmulCube: after.aclnnAddmm.map((n, i) => n - (before.aclnnAddmm?.[i] ?? 0)),
  };
}

describe('precision modes', () => {
  afterAll(expectNothingLeft);

  for (const precision of ['fp32', 'hf32', 'fp16'] as const) {
    it(`'${precision}' passes cubeMathType ${CUBE[precision]} to Convolution and Addmm`, async () => {
      const r = await convAndLinear(precision);
      expect(r.reported).toBe(precision);
      const expected = [0, 0, 0, 0, 0];
      expected[CUBE[precision]] = 1;
      expect(r.convCube).toEqual(expected);
      expect(r.matmulCube).toEqual(expected);
      if (precision === 'fp32') {
        expect(r.convError).toBeLessThan(2e-6);
        expect(r.linearError).toBeLessThan(2e-6);
      } else {
        // Rounded operands: visibly less exact than fp32, still close (10 mantissa bits).
        expect(r.convError).toBeGreaterThan(1e-5);
        expect(r.convError).toBeLessThan(5e-3);
        expect(r.linearError).toBeLessThan(5e-3);
      }
    });
  }

  it('deterministic mode sets ACL_OPT_DETERMINISTIC on the context', () => {
    const plain = new AscendBackend();
    expect(fakeReport().deterministicContexts).toBe(0);
    const deterministic = new AscendBackend({ deterministic: true });
    expect(fakeReport().deterministicContexts).toBe(1);
    deterministic.dispose();
    plain.dispose();
  });

  it('rejects an unknown precision with a typed error', () => {
    expect(() => new AscendBackend({ precision: 'bf16' as AscendPrecision })).toThrowError(/precision must be/);
    expect(liveObjects()).toEqual(NOTHING_LIVE); // refused before opening the device
  });
});

describe('describeAscend (for wsp doctor)', () => {
  it('reports CANN, the devices and the precision', () => {
    const r = describeAscend();
    expect(r).toMatchObject({
      available: true,
      cannVersion: '8.5.1.fake',
      aclVersion: '1.12.0',
      deviceCount: 1,
      devices: [{ id: 0, socName: 'Ascend910B3', memoryTotal: 64 * 2 ** 30 }],
      precision: { requested: 'fp32', effective: null },
      graphCapture: true,
      deterministicMode: true,
    });
    expect(r.libraries.map((p) => p.split('/').pop())).toEqual(['libascendcl.so', 'libnnopbase.so', 'libopapi.so']);
  });

  it('probes the precision the device really runs', () => {
    expect(describeAscend({ probePrecision: true }).precision).toEqual({ requested: 'fp32', effective: 'fp32', warnings: [] });
    injectFaults('cube-fp32-unsupported');
    try {
      const probed = describeAscend({ probePrecision: true }).precision;
      expect(probed.effective).toBe('hf32');
      expect(probed.warnings).toEqual([expect.stringMatching(/aclnnConvolution rejected cubeMathType 0/)]);
    } finally {
      injectFaults('');
    }
    expectNothingLeft();
  });
});
