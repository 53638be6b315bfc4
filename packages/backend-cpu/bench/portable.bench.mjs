// Latency of the portable (pure TypeScript) backend on the full-size synthetic ResNet34-LM model,
// batch 1 × 200 frames (2 s of audio): compiled and op by op, Winograd on and off (interleaved,
// so the ratios are fair on a shared machine), plus one convolution per stage shape.
// GFLOP/s = the model's 9.056 GFLOP (direct-convolution count, model-spec §7) / latency; the
// Winograd path performs fewer multiplies than that count.
// Run with `pnpm bench` (builds first); WSP_BENCH_SMOKE=1 for a short run.
import { benchModel, markdownTable, measure, measureInterleaved, smoke, writeBenchPart } from '@wsp/benchkit';
import { buildGraph, createInferenceSession, graphCost } from '@wsp/resnet-graph';
import { randomTensor, syntheticFeatures } from '@wsp/resnet-graph/testing';
import { RESNET34_LM_CONFIG, generateSyntheticModel, seededRandom, tinyConfig } from '@wsp/weights';
import { PortableCpuBackend } from '../dist/portable.js';

const FRAMES = 200;
// The published shapes; WSP_BENCH_MODEL=tiny (apps/bench's smoke test) takes the test config.
const config = benchModel === 'tiny' ? tinyConfig() : RESNET34_LM_CONFIG;
const model = generateSyntheticModel(config, { seed: 1 });
const features = syntheticFeatures(1, FRAMES, 80, 1);
const flops = graphCost(buildGraph(config), 1, FRAMES).totalFlops;

const winograd = new PortableCpuBackend();
const im2col = new PortableCpuBackend({ winograd: false });
const sessions = {
  'compiled, winograd': createInferenceSession(winograd, model, { execution: 'compiled' }),
  'op-by-op, winograd': createInferenceSession(winograd, model, { execution: 'op-by-op' }),
  'compiled, im2col only': createInferenceSession(im2col, model, { execution: 'compiled' }),
};
const e2e = await measureInterleaved(
  Object.fromEntries(Object.entries(sessions).map(([name, s]) => [name, () => s.run(features)])),
  { warmup: 2, rounds: 10 },
);

const results = [];
const rows = [];
const record = (name, s, work) => {
  const gflops = work / (s.median / 1e3) / 1e9;
  results.push({ name, unit: 'ms', median: s.median, p10: s.p10, p90: s.p90, iterations: s.iterations, gflopPerSecond: gflops });
  rows.push({ case: name, 'median ms': s.median, 'p10 ms': s.p10, 'p90 ms': s.p90, 'GFLOP/s': gflops });
};
for (const [mode, s] of Object.entries(e2e)) record(`${benchModel === 'tiny' ? 'tiny model' : 'ResNet34-LM'} b1 × ${FRAMES} frames, ${mode}`, s, flops);

// One stride-1 3x3 convolution per stage shape, Winograd and im2col: where the time goes.
const rng = seededRandom(3);
for (const [label, c, f, t] of [['layer1 32->32 @80x200', 32, 80, 200], ['layer2 64->64 @40x100', 64, 40, 100], ['layer3 128->128 @20x50', 128, 20, 50], ['layer4 256->256 @10x25', 256, 10, 25]]) {
  const host = randomTensor(rng, [1, c, f, t]);
  const weights = { weight: randomTensor(rng, [c, 3, 3, c], 0.05), bias: randomTensor(rng, [c]), stride: 1, padding: 1 };
  const contenders = {};
  for (const [name, backend] of [['winograd', winograd], ['im2col', im2col]]) {
    const x = backend.upload(host);
    const w = backend.prepareConv2d(weights);
    contenders[name] = () => backend.conv2d(x, w, { relu: true }).dispose();
  }
  const timing = await measureInterleaved(contenders, { warmup: 3, rounds: 15 });
  for (const [name, s] of Object.entries(timing)) record(`conv3x3 ${label}, ${name}`, s, 2 * c * c * 9 * f * t);
}
// The stride-2 3x3 convolution (im2col in both).
{
  const x = winograd.upload(randomTensor(rng, [1, 64, 40, 100]));
  const w = winograd.prepareConv2d({ weight: randomTensor(rng, [128, 3, 3, 64], 0.05), bias: randomTensor(rng, [128]), stride: 2, padding: 1 });
  record('conv3x3 s2 layer3.0.conv1 64->128 @40x100', await measure(() => winograd.conv2d(x, w, { relu: true }).dispose(), { warmup: 3, iterations: 15, minTimeMs: 300 }), 2 * 128 * 64 * 9 * 20 * 50);
}
for (const s of Object.values(sessions)) s.dispose();
winograd.dispose();
im2col.dispose();

const file = writeBenchPart('backend-cpu-portable', results, {
  flopsPerEmbedding: flops,
  frames: FRAMES,
  model: benchModel === 'tiny' ? 'synthetic tiny test config (seed 1)' : 'synthetic ResNet34-LM (seed 1)',
  note: 'GFLOP/s = direct-convolution FLOPs / latency; single JS thread',
});
console.log(markdownTable(rows));
console.log(`${smoke ? '(smoke run) ' : ''}wrote ${file}`);
