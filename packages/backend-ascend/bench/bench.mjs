// Benchmark of @wsp/backend-ascend (run by `pnpm bench`).
//
// With a real CANN and an Ascend device: the full ResNet34-LM (synthetic weights) for the batch x
// frames shapes of the Python/torch_npu port, eager and with ACL graph replay, next to the port's
// published table. Without one (this project's CI machine): the same code on the fake CANN, which
// computes on the CPU, so only the *host-side* cost of launching operators is meaningful there; the
// report says so.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ndarray from 'ndarray';
import { RESNET34_LM_CONFIG, generateSyntheticModel, seededRandom, tinyConfig } from '@wsp/weights';
import { markdownTable, measure, measureInterleaved, smoke, writeBenchPart } from '@wsp/benchkit';
import { createInferenceSession } from '@wsp/resnet-graph';
import { AscendBackend, describeAscend, isAvailable } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const fakeToolkit = join(here, '..', 'test', 'fake-cann', 'build', process.arch === 'arm64' ? 'aarch64' : 'x86_64', 'toolkit');

// The Python port on an Ascend 910B-class NPU (torch_npu, CANN 8.5.1; warmup 5, iterations 50).
const PUBLISHED_NPU = [
  { batch: 1, frames: 100, meanMs: 3.939, p99Ms: 4.359, samplesPerSecond: 253.86 },
  { batch: 1, frames: 200, meanMs: 3.888, p99Ms: 4.011, samplesPerSecond: 257.23 },
  { batch: 1, frames: 400, meanMs: 3.848, p99Ms: 3.948, samplesPerSecond: 259.86 },
  { batch: 4, frames: 200, meanMs: 3.882, p99Ms: 4.386, samplesPerSecond: 1030.35 },
  { batch: 8, frames: 200, meanMs: 4.084, p99Ms: 4.163, samplesPerSecond: 1958.98 },
  { batch: 16, frames: 200, meanMs: 5.808, p99Ms: 5.906, samplesPerSecond: 2754.71 },
];

function features(batch, frames, seed) {
  const rng = seededRandom(seed);
  return ndarray(Float32Array.from({ length: batch * frames * 80 }, () => rng.normal()), [batch, frames, 80]);
}

const availability = isAvailable();
if (!availability.available && !process.env.ASCEND_HOME_PATH && existsSync(fakeToolkit)) {
  // No CANN here: run again against the fake toolkit (libraries are chosen once per process).
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {
    stdio: 'inherit',
    env: { ...process.env, ASCEND_HOME_PATH: fakeToolkit, ASCEND_OPP_PATH: join(fakeToolkit, 'opp') },
  });
  process.exit(r.status ?? 1);
}
if (!availability.available) {
  console.log(`@wsp/backend-ascend bench: not run. ${availability.reason}`);
  console.log('(Build the fake CANN with `make -C packages/backend-ascend/test/fake-cann` to bench the host side.)');
  writeBenchPart('backend-ascend', [], { skipped: availability.reason });
  process.exit(0);
}

const device = describeAscend();
const fake = device.cannVersion?.endsWith('.fake') ?? false;
// One backend per mode: graph capture is a backend option.
const backends = { eager: new AscendBackend(), graph: new AscendBackend({ graphCapture: true }) };
const precision = backends.eager.capabilities.precision;
const results = [];

if (!fake) {
  // Real NPU: the port's shapes, full model.
  const model = generateSyntheticModel(RESNET34_LM_CONFIG, { seed: 1 });
  const shapes = smoke ? PUBLISHED_NPU.slice(0, 1) : PUBLISHED_NPU;
  for (const [mode, backend] of Object.entries(backends)) {
    const session = createInferenceSession(backend, model, { pooling: 'pyannote', execution: 'compiled' });
    for (const s of shapes) {
      const x = features(s.batch, s.frames, 7);
      const stats = await measure(() => session.run(x), { warmup: 5, iterations: 50, minTimeMs: 0 });
      results.push({
        name: `npu ${mode} ${s.batch}x${s.frames}`,
        unit: 'ms',
        batch: s.batch,
        frames: s.frames,
        mode,
        ...stats,
        samplesPerSecond: (1000 * s.batch) / stats.mean,
        publishedMeanMs: s.meanMs,
        publishedSamplesPerSecond: s.samplesPerSecond,
      });
    }
    session.dispose();
  }
  console.log(`Ascend NPU: ${device.devices[0]?.socName}, CANN ${device.cannVersion ?? 'unknown'}, precision ${precision}`);
  console.log(
    markdownTable(
      results.map((r) => ({
        mode: r.mode === 'graph' ? 'graph replay' : 'eager',
        'batch x frames': `${r.batch}x${r.frames}`,
        'mean ms': r.mean,
        'p99 ms': r.p99,
        'samples/s': r.samplesPerSecond,
        'Python port mean ms': r.publishedMeanMs,
        'Python port samples/s': r.publishedSamplesPerSecond,
      })),
    ),
  );
} else {
  // Fake CANN (kernels run on this CPU): compare the host-side launch cost of eager execution and
  // graph replay on a network small enough that the fake's arithmetic does not dominate.
  const model = generateSyntheticModel(tinyConfig(), { seed: 1 });
  const eager = createInferenceSession(backends.eager, model, { execution: 'compiled' });
  const graph = createInferenceSession(backends.graph, model, { execution: 'compiled' });
  for (const [batch, frames] of [
    [1, 16],
    [4, 16],
  ]) {
    const x = features(batch, frames, 3);
    const r = await measureInterleaved({ eager: () => eager.run(x), graph: () => graph.run(x) }, { warmup: 5, rounds: 200 });
    for (const mode of ['eager', 'graph']) {
      results.push({ name: `fake-cann ${mode} tiny ${batch}x${frames}`, unit: 'ms', batch, frames, mode, ...r[mode] });
    }
  }
  const full = createInferenceSession(backends.eager, generateSyntheticModel(RESNET34_LM_CONFIG, { seed: 1 }), { execution: 'compiled' });
  const x = features(1, 100, 5);
  const stats = await measure(() => full.run(x), { warmup: 1, iterations: 3, minTimeMs: 0 });
  results.push({ name: 'fake-cann eager full 1x100 (CPU arithmetic of the fake)', unit: 'ms', batch: 1, frames: 100, mode: 'eager', ...stats });
  for (const s of [eager, graph, full]) s.dispose();
  console.log('Fake CANN (no NPU on this machine): times are the CPU fake, not an NPU.');
  console.log(markdownTable(results.map((r) => ({ run: r.name, 'median ms': r.median, 'p90 ms': r.p90 }))));
}

for (const b of Object.values(backends)) b.dispose();
writeBenchPart('backend-ascend', results, {
  device: { fake, socName: device.devices[0]?.socName ?? null, cannVersion: device.cannVersion, precision },
  note: fake
    ? 'Fake CANN: kernels are CPU loops; only the eager vs graph-replay difference (host launch cost) is meaningful.'
    : 'Real Ascend NPU; publishedMeanMs is the Python/torch_npu port on a 910B-class NPU with CANN 8.5.1.',
  publishedNpu: PUBLISHED_NPU,
});
