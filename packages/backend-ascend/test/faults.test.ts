// Every fault the fake CANN can inject ends in a typed JavaScript error, the backend keeps working
// afterwards, and nothing is left on the device once it is disposed.
import { afterEach, describe, expect, it } from 'vitest';
import { architecture, generateSyntheticModel, tinyConfig } from '@wsp/weights';
import { BackendError, BackendUnavailableError, createInferenceSession } from '@wsp/resnet-graph';
import {
  AscendBackend,
  AscendOperatorError,
  AscendOutOfMemoryError,
  AscendRuntimeError,
  AscendUnavailableError,
} from '../src/index.js';
import { compileModel } from './helpers/compile.js';
import { randomNd } from './helpers/data.js';
import { fakeReport, injectFaults, useFakeCann } from './helpers/fake-cann.js';
import { expectNothingLeft } from './helpers/suite.js';
import { readGolden } from './helpers/goldens.js';

useFakeCann();

const model = generateSyntheticModel(tinyConfig(), { seed: 1 });
const input = readGolden('tiny-input');

const opened: AscendBackend[] = [];
function open(options: ConstructorParameters<typeof AscendBackend>[0] = {}): AscendBackend {
  const b = new AscendBackend(options);
  opened.push(b);
  return b;
}

afterEach(() => {
  injectFaults('');
  for (const b of opened.splice(0)) b.dispose();
  expectNothingLeft();
});

function convFixture(backend: AscendBackend) {
  const conv = backend.prepareConv2d({ weight: randomNd([4, 3, 3, 2], 1), bias: randomNd([4], 2), stride: 1, padding: 1 });
  const x = backend.upload(randomNd([1, 2, 6, 6], 3));
  return { conv, x };
}

describe('injected faults give typed errors and leak nothing', () => {
  it('device memory exhausted during an upload: AscendOutOfMemoryError, then recovery', () => {
    const backend = open();
    injectFaults('malloc@*');
    let error: unknown;
    try {
      backend.upload(randomNd([4, 4], 1));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AscendOutOfMemoryError);
    expect(BackendError.isInstance(error)).toBe(true); // the shared class every backend's failures use
    expect(error).toMatchObject({ code: 'ASCEND_OUT_OF_MEMORY', status: 207001, backend: 'ascend' });
    expect((error as AscendOutOfMemoryError).cannMessage).toMatch(/out of device memory/);
    injectFaults('');
    expect(backend.upload(randomNd([4, 4], 1)).shape).toEqual([4, 4]);
  });

  it('page-locked staging memory exhausted: AscendOutOfMemoryError', () => {
    const backend = open();
    injectFaults('malloc-host@1');
    expect(() => backend.upload(randomNd([2, 4], 1))).toThrowError(AscendOutOfMemoryError);
  });

  it('the workspace cannot be allocated between the two phases: the unlaunched executor is freed', () => {
    const backend = open();
    const { conv, x } = convFixture(backend);
    // conv2d allocates its output (1st) and then the convolution workspace (2nd).
    injectFaults('malloc@2');
    expect(() => backend.conv2d(x, conv, { relu: true })).toThrowError(AscendOutOfMemoryError);
    expect(fakeReport().live.executors).toBe(0);
    expect(backend.memory().tensors).toBe(1);
  });

  it('memory exhausted while a compiled network plans a new shape: the run rejects, the next one works', async () => {
    const backend = open();
    const net = compileModel(backend, model, { pooling: 'pyannote' });
    injectFaults('malloc@*');
    await expect(net.compiled.run(input)).rejects.toBeInstanceOf(AscendOutOfMemoryError);
    injectFaults('');
    const ok = await net.compiled.run(input);
    const want = readGolden('tiny-pyannote-normalized');
    for (let i = 0; i < want.data.length; i++) expect(Math.abs(ok.data[i] - want.data[i])).toBeLessThan(1e-4);
    net.dispose();
  });

  it('phase 1 of an operator fails: AscendOperatorError with the status and CANN message', () => {
    const backend = open();
    const { conv, x } = convFixture(backend);
    injectFaults('prepare:aclnnConvolution@1=561103');
    let error: AscendOperatorError | undefined;
    try {
      backend.conv2d(x, conv, { relu: false });
    } catch (e) {
      error = e as AscendOperatorError;
    }
    expect(error).toBeInstanceOf(AscendOperatorError);
    expect(error).toMatchObject({ code: 'ASCEND_OPERATOR_FAILED', status: 561103, api: 'aclnnConvolution (phase 1)' });
    expect(error?.cannMessage).toMatch(/injected/);
    expect(error?.message).toMatch(/aclnnConvolution \(phase 1\) failed with status 561103/);
    expect(fakeReport().live.executors).toBe(0);
    // The fault hit once; the same call works now.
    expect(backend.conv2d(x, conv, { relu: false }).shape).toEqual([1, 4, 6, 6]);
  });

  it('phase 2 (the launch) fails: AscendOperatorError, executor consumed', () => {
    const backend = open();
    const lin = backend.prepareLinear({ weight: randomNd([3, 5], 1), bias: randomNd([3], 2) });
    const x = backend.upload(randomNd([2, 5], 3));
    injectFaults('launch:aclnnAddmm@1=361001');
    expect(() => backend.linear(x, lin)).toThrowError(/aclnnAddmm \(phase 2\) failed with status 361001/);
    expect(fakeReport().live.executors).toBe(0);
  });

  it('a kernel faults on the device: the error surfaces at the next synchronisation as AscendRuntimeError', async () => {
    const backend = open();
    const x = backend.upload(randomNd([1, 2, 3, 5], 1));
    injectFaults('kernel:aclnnVarMean@1=507011');
    const pooled = backend.statsPool(x, 'wespeaker'); // queued: nothing has run yet
    const failure = backend.download(pooled);
    await expect(failure).rejects.toBeInstanceOf(AscendRuntimeError);
    await expect(failure).rejects.toMatchObject({ status: 507011 });
    await expect(failure).rejects.toThrowError(/AI Core exception while running aclnnVarMean/);
    const again = await backend.download(backend.statsPool(x, 'wespeaker'));
    expect(again.data.every(Number.isFinite)).toBe(true);
  });

  it('a kernel fault inside a compiled network rejects that run only', async () => {
    const backend = open();
    const net = compileModel(backend, model, { pooling: 'mlx' });
    const good = await net.compiled.run(input);
    injectFaults('kernel:aclnnConvolution@3=507011');
    await expect(net.compiled.run(input)).rejects.toThrowError(AscendRuntimeError);
    injectFaults('');
    expect(Array.from((await net.compiled.run(input)).data)).toEqual(Array.from(good.data));
    net.dispose();
  });

  it('the device cannot be opened: AscendUnavailableError with the driver text, nothing held', () => {
    injectFaults('set-device=507033');
    let error: AscendUnavailableError | undefined;
    try {
      open();
    } catch (e) {
      error = e as AscendUnavailableError;
    }
    expect(error).toBeInstanceOf(AscendUnavailableError);
    expect(BackendUnavailableError.isInstance(error)).toBe(true);
    expect(error?.reasons).toEqual([{ name: 'ascend', reason: expect.stringMatching(/cannot open Ascend device/) }]);
    expect(error?.message).toMatch(/cannot open Ascend device/);
    expect(error?.cannMessage).toMatch(/open device 0 failed/);
    expect(fakeReport().live.deviceRefs).toBe(0);
  });

  it('a device id that does not exist: AscendUnavailableError naming the count', () => {
    expect(() => open({ device: 3 })).toThrowError(/device 3 does not exist \(1 device\(s\) found\)/);
  });

  it('true fp32 rejected by the convolution: one warning, HF32 from then on, results still close', async () => {
    const warnings: string[] = [];
    const exact = await createInferenceSession(open(), model).run(input);
    const backend = open({ onWarning: (w) => warnings.push(w) });
    injectFaults('cube-fp32-unsupported');
    const before = fakeReport().cubeMathTypes.aclnnConvolution;
    const fallback = createInferenceSession(backend, model);
    expect(backend.capabilities.precision).toBe('fp32');
    const got = await fallback.run(input);
    await fallback.run(input);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/aclnnConvolution rejected cubeMathType 0 .*using HF32/);
    expect(backend.capabilities.precision).toBe('hf32');
    const after = fakeReport().cubeMathTypes.aclnnConvolution;
    // One rejected attempt with 0, then every convolution of both runs with 3.
    expect(after[0] - before[0]).toBe(1);
    const blocks = architecture(tinyConfig()).stages.flat();
    const convsPerRun = 1 + 2 * blocks.length + blocks.filter((b) => b.hasShortcut).length;
    expect(after[3] - before[3]).toBe(2 * convsPerRun);
    let maxDiff = 0;
    for (let i = 0; i < got.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got.data[i] - exact.data[i]));
    expect(maxDiff).toBeGreaterThan(0); // HF32 really rounded the operands
    expect(maxDiff).toBeLessThan(5e-3);
  });

  it('graph capture unavailable: a warning, and eager launches with the same results', async () => {
    const warnings: string[] = [];
    const backend = open({ onWarning: (w) => warnings.push(w), graphCapture: true });
    injectFaults('no-capture');
    const net = compileModel(backend, model, { pooling: 'wespeaker' });
    const first = await net.compiled.run(input);
    const second = await net.compiled.run(input);
    const third = await net.compiled.run(input);
    expect(warnings).toEqual([expect.stringMatching(/ACL graph capture failed for batch 3 x 37 frames/)]);
    expect(net.compiled.shapes()[0]).toMatchObject({ captured: false, captureFailed: true, runs: 3 });
    expect(Array.from(second.data)).toEqual(Array.from(first.data));
    expect(Array.from(third.data)).toEqual(Array.from(first.data));
    net.dispose();
  });
});
