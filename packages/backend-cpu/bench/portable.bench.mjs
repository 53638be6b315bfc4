// Latency of the portable (pure TypeScript) backend on the full-size synthetic ResNet34-LM model,
// batch 1 × 200 frames (2 s of audio), compiled and op by op, plus single convolutions per stage.
// Run with `pnpm bench` (builds first); WSP_BENCH_SMOKE=1 for a short run.
import { markdownTable, measure, measureInterleaved, smoke, writeBenchPart } from '@wsp/benchkit';
import { buildGraph, createInferenceSession, graphCost } from '@wsp/resnet-graph';
import { randomTensor, syntheticFeatures } from '@wsp/resnet-graph/testing';
import { RESNET34_LM_CONFIG, generateSyntheticModel, seededRandom } from '@wsp/weights';
import { PortableCpuBackend } from '../dist/portable.js';

const FRAMES = 200;
const model = generateSyntheticModel(RESNET34_LM_CONFIG, { seed: 1 });
const features = syntheticFeatures(1, FRAMES, 80, 1);
const flops = graphCost(buildGraph(RESNET34_LM_CONFIG), 1, FRAMES).totalFlops;

const backend = new PortableCpuBackend();
const compiled = createInferenceSession(backend, model, { execution: 'compiled' });
const opByOp = createInferenceSession(backend, model, { execution: 'op-by-op' });
const rounds = { warmup: 2, rounds: 10 };
const e2e = await measureInterleaved({ compiled: () => compiled.run(features), 'op-by-op': () => opByOp.run(features) }, rounds);

const results = [];
const rows = [];
for (const [mode, s] of Object.entries(e2e)) {
  const gflops = flops / (s.median / 1e3) / 1e9;
  results.push({ name: `resnet34 b1 t${FRAMES} ${mode}`, unit: 'ms', median: s.median, p10: s.p10, p90: s.p90, iterations: s.iterations, gflopPerSecond: gflops });
  rows.push({ case: `ResNet34-LM, batch 1 × ${FRAMES} frames, ${mode}`, 'median ms': s.median, 'p10 ms': s.p10, 'p90 ms': s.p90, 'GFLOP/s': gflops });
}

// One convolution per stage shape: where the time goes.
const rng = seededRandom(3);
for (const [label, c, f, t] of [['layer1 3x3 32->32 @80x200', 32, 80, 200], ['layer2 3x3 64->64 @40x100', 64, 40, 100], ['layer3 3x3 128->128 @20x50', 128, 20, 50], ['layer4 3x3 256->256 @10x25', 256, 10, 25]]) {
  const x = backend.upload(randomTensor(rng, [1, c, f, t]));
  const w = backend.prepareConv2d({ weight: randomTensor(rng, [c, 3, 3, c], 0.05), bias: randomTensor(rng, [c]), stride: 1, padding: 1 });
  const s = await measure(() => backend.conv2d(x, w, { relu: true }).dispose(), { warmup: 3, iterations: 20, minTimeMs: 300 });
  const gflops = (2 * c * c * 9 * f * t) / (s.median / 1e3) / 1e9;
  results.push({ name: `conv ${label}`, unit: 'ms', median: s.median, p10: s.p10, p90: s.p90, iterations: s.iterations, gflopPerSecond: gflops });
  rows.push({ case: `conv ${label}`, 'median ms': s.median, 'p10 ms': s.p10, 'p90 ms': s.p90, 'GFLOP/s': gflops });
  x.dispose();
  w.dispose();
}
compiled.dispose();
opByOp.dispose();
backend.dispose();

const file = writeBenchPart('backend-cpu-portable', results, { flopsPerEmbedding: flops, frames: FRAMES, model: 'synthetic ResNet34-LM (seed 1)' });
console.log(markdownTable(rows));
console.log(`${smoke ? '(smoke run) ' : ''}wrote ${file}`);
