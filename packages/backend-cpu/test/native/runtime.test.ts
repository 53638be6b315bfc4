// Runtime behaviour of the addon: argument checks at the boundary, dispose, worker_threads,
// memory over many create/dispose cycles, async work off the event loop, which binary loaded.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { generateSyntheticModel, tinyConfig } from '@wsp/weights';
import { describe, expect, it } from 'vitest';
import { readGoldenNpy } from '@wsp/testkit';
import { compileNetwork, createNativeCpu, explainLoadError, loadNativeAddon, nativeAvailability } from '../../src/native/index.js';
import { packageRoot } from '../../src/native/load.js';
import { backendFor, isas, randomFloats } from './helpers.js';

describe('loading', () => {
  it('loads the prebuilt binary from prebuilds/ (PREBUILDS_ONLY=1 in the test script)', () => {
    const r = loadNativeAddon();
    if (!r.ok) throw new Error(r.reason);
    expect(nativeAvailability()).toMatchObject({ available: true });
    if (process.env.PREBUILDS_ONLY) expect(r.path).toBe(join(packageRoot(), 'prebuilds', `${process.platform}-${process.arch}`, '@wsp+backend-cpu.node'));
    expect(r.addon.availableIsas()).toContain('generic');
    expect(r.addon.availableIsas()[0]).toBe(r.addon.defaultIsa);
  });

  it('ships an x64 and an arm64 prebuild with the right ELF machine', () => {
    const machine = (arch: string) => {
      const bytes = readFileSync(join(packageRoot(), 'prebuilds', `linux-${arch}`, '@wsp+backend-cpu.node'));
      expect(bytes.subarray(0, 4).toString('latin1')).toBe('\x7fELF');
      return bytes.readUInt16LE(18); // e_machine
    };
    expect(machine('x64')).toBe(62); // EM_X86_64
    expect(machine('arm64')).toBe(183); // EM_AARCH64
  });

  it('explains load failures with the fix', () => {
    expect(explainLoadError(new Error('No native build was found for platform=darwin arch=x64'))).toMatch(/linux-x64 and linux-arm64.*npm rebuild.*cpu-portable/);
    expect(explainLoadError(new Error("/lib/libstdc++.so.6: version `GLIBCXX_3.4.30' not found"))).toMatch(/older than the one the prebuilt binary needs/);
    expect(explainLoadError(Object.assign(new Error('Cannot load native addon because loading addons is disabled'), { code: 'ERR_DLOPEN_DISABLED' }))).toMatch(/--no-addons/);
    expect(explainLoadError(new Error('x.node: invalid ELF header'))).toMatch(/does not match this platform/);
  });
});

describe('argument checks at the boundary', () => {
  const be = backendFor(isas[0]);
  const w = be.prepareConv2d(randomFloats(16 * 9 * 16, 1), [16, 3, 3, 16], new Float32Array(16), 1, 1);
  const x = be.upload(randomFloats(16 * 5 * 6, 2), [1, 16, 5, 6]);

  it('throws TypeError for wrong types and RangeError for wrong sizes, never aborts', () => {
    const anyBe = be as unknown as Record<string, (...a: unknown[]) => unknown>;
    expect(() => anyBe.prepareConv2d(new Float64Array(16 * 9 * 16), [16, 3, 3, 16], new Float32Array(16), 1, 1)).toThrow(TypeError);
    expect(() => anyBe.prepareConv2d(new Float32Array(5), [16, 3, 3, 16], new Float32Array(16), 1, 1)).toThrow(RangeError);
    expect(() => anyBe.prepareConv2d(new Float32Array(16 * 4 * 16), [16, 2, 2, 16], new Float32Array(16), 1, 1)).toThrow(RangeError);
    expect(() => anyBe.prepareConv2d(new Float32Array(16 * 9 * 16), [16, 3, 3, 16], new Float32Array(16), 3, 1)).toThrow(RangeError);
    expect(() => anyBe.prepareConv2d(new Float32Array(16 * 9 * 16), [16, 3, 3, 16], new Float32Array(16), 1.5, 1)).toThrow(TypeError);
    expect(() => anyBe.upload(new Float32Array(10), [1, 2, 3, 4])).toThrow(RangeError);
    expect(() => anyBe.upload(new Float32Array(10), [1, -2, 5, 1])).toThrow(RangeError);
    expect(() => anyBe.upload(new Float32Array(10), 'shape')).toThrow(TypeError);
    expect(() => anyBe.upload(new Float32Array(1), [2 ** 20, 2 ** 20, 2 ** 20, 1])).toThrow(RangeError);
    expect(() => anyBe.conv2d(x, w, 'yes')).toThrow(TypeError);
    expect(() => anyBe.conv2d({}, w, true)).toThrow(TypeError);
    expect(() => anyBe.conv2d(w, w, true)).toThrow(TypeError);
    const wrongChannels = be.upload(randomFloats(8 * 30, 3), [1, 8, 5, 6]);
    expect(() => be.conv2d(wrongChannels, w, true)).toThrow(/expects 16 input channels/);
    const wrongResidual = be.upload(randomFloats(16 * 4 * 6, 3), [1, 16, 4, 6]);
    expect(() => be.conv2d(x, w, true, wrongResidual)).toThrow(/residual shape/);
    expect(() => anyBe.statsPool(x, 'mean')).toThrow(RangeError);
    expect(() => anyBe.compile([{ op: 'conv', input: 1, weights: w, relu: true }], 80)).toThrow(RangeError);
    expect(() => anyBe.compile([{ op: 'softmax', input: 0 }], 80)).toThrow(RangeError);
    expect(() => anyBe.compile([{ op: 'conv', input: 0, weights: w, relu: true }], 80)).toThrow(/input channels/);
    expect(() => createNativeCpu({ threads: 0 })).toThrow(RangeError);
    expect(() => createNativeCpu({ isa: 'sse9' as never })).toThrow(/not supported/);
  });

  it('refuses tensors of another backend and disposed objects; dispose twice is a no-op', () => {
    const other = backendFor(isas[0]);
    const foreign = other.upload(randomFloats(16 * 30, 4), [1, 16, 5, 6]);
    expect(() => be.conv2d(foreign, w, true)).toThrow(/another backend/);
    const t = be.upload(randomFloats(16 * 30, 5), [1, 16, 5, 6]);
    t.dispose();
    t.dispose();
    expect(t.disposed).toBe(true);
    expect(() => be.download(t)).toThrow(/disposed/);
    expect(() => be.conv2d(t, w, false)).toThrow(/disposed/);
  });

  it('plan.run rejects bad features asynchronously-safe: wrong type, size, batch', async () => {
    const net = compileNetwork(backendFor(isas[0]), generateSyntheticModel(tinyConfig()));
    expect(() => net.runSync(new Float32Array(10), 1, 20)).toThrow(RangeError);
    await expect(net.run(new Float64Array(20 * 80) as unknown as Float32Array, 1, 20)).rejects.toThrow(TypeError);
    await expect(net.run(new Float32Array(20 * 80), 0, 20)).rejects.toThrow(RangeError);
    net.dispose();
    await expect(net.run(new Float32Array(20 * 80), 1, 20)).rejects.toThrow(/disposed/);
  });
});

describe('concurrency and lifetime', () => {
  const model = generateSyntheticModel();
  const feats = readGoldenNpy('backend-cpu', 'features_a.npy');
  const [batch, frames] = feats.shape;

  it('two worker_threads embedding at once give the main thread\'s (golden-checked) results', async () => {
    const net = compileNetwork(createNativeCpu(), model);
    const expected = net.runSync(feats.data as Float32Array, batch, frames);
    net.dispose();
    const spawn = () =>
      new Promise<Float32Array[]>((resolve, reject) => {
        const worker = new Worker(new URL('./workers/embed-worker.mjs', import.meta.url), {
          workerData: { features: feats.data, batch, frames, runs: 3 },
        });
        worker.once('message', resolve);
        worker.once('error', reject);
      });
    const [a, b] = await Promise.all([spawn(), spawn()]);
    for (const out of [...a, ...b]) expect(Array.from(out)).toEqual(Array.from(expected));
  });

  it('memory is released at worker exit even without dispose() (env cleanup)', async () => {
    const runWorker = () =>
      new Promise<void>((resolve, reject) => {
        const worker = new Worker(new URL('./workers/embed-worker.mjs', import.meta.url), {
          workerData: { features: feats.data, batch, frames, runs: 1, dispose: false },
        });
        worker.once('error', reject);
        worker.once('exit', () => resolve());
      });
    await runWorker();
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 6; i++) await runWorker();
    // Each worker leaves ~110 MB of prepared weights plus its plan behind; six leaked would be ~700 MB.
    expect(process.memoryUsage().rss - before).toBeLessThan(150 * 2 ** 20);
  });

  it('runs off the event loop: timers fire while a 16 x 200 inference is in flight', async () => {
    const net = compileNetwork(createNativeCpu(), model);
    const big = new Float32Array(16 * 200 * 80).map((_, i) => Math.sin(i));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const started = performance.now();
    await net.run(big, 16, 200);
    const elapsed = performance.now() - started;
    clearInterval(timer);
    expect(elapsed).toBeGreaterThan(20);
    expect(ticks).toBeGreaterThan(2);
    net.dispose();
  });

  it('memory stays flat over 1000 inferences with repeated create/dispose', async () => {
    const features = new Float32Array(64 * 80).map((_, i) => Math.cos(i * 0.37));
    const rssAfter: number[] = [];
    for (let cycle = 0; cycle < 25; cycle++) {
      const be = createNativeCpu();
      const net = compileNetwork(be, model);
      for (let i = 0; i < 40; i++) await net.run(features, 1, 64);
      net.dispose();
      expect(be.memory()).toEqual({ tensors: 0, preparedWeights: 0, bytes: 0 });
      rssAfter.push(process.memoryUsage().rss);
    }
    // Prepared weights alone are ~110 MB (Winograd-transformed), so one leaked cycle would show.
    const growth = rssAfter[rssAfter.length - 1] - rssAfter[4];
    expect(growth).toBeLessThan(40 * 2 ** 20);
  });
});
