// Benchmark of the native CPU path (pnpm bench): latency per batch x frames, per-layer GFLOP/s
// against a measured FMA peak, and PyTorch (Debian python3-torch, 2 threads, eager and
// torch.jit.freeze'd) on the same synthetic weights, interleaved round by round in this run so the
// ratios are fair on a shared machine. Writes bench/results/parts/backend-cpu-native.json.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchModel, markdownTable, smoke, startOrtPeer, startTorchPeer, summarize, writeBenchPart } from '@wsp/benchkit';
import { buildGraph, exportOnnx, graphCost } from '@wsp/resnet-graph';
import { generateSyntheticModel, tinyConfig, writeModelDirectory } from '@wsp/weights';
import { compileNetwork, createNativeCpu, loadNativeAddon } from '../dist/native.js';

const SHAPES = [[1, 100], [1, 200], [1, 400], [4, 200], [8, 200], [16, 200]];
const THREADS = Number(process.env.WSP_BENCH_THREADS ?? 2);

const loaded = loadNativeAddon();
if (!loaded.ok) throw new Error(loaded.reason);
const addon = loaded.addon;
// The published shapes; WSP_BENCH_MODEL=tiny (apps/bench's smoke test) takes the test config.
const model = generateSyntheticModel(benchModel === 'tiny' ? tinyConfig() : undefined);
const DIM = model.config.embedding_dim;
const backend = createNativeCpu({ threads: THREADS });
const net = compileNetwork(backend, model);
const features = (b, t) => new Float32Array(b * t * 80).map((_, i) => 3 * Math.sin(i * 0.7311));

const modelDir = mkdtempSync(join(tmpdir(), 'wsp-bench-model-'));
await writeModelDirectory(modelDir, model);

// ---- peers: onnxruntime-node on our ONNX export of the same weights, PyTorch (tools/benchkit) ----
const ortPeer = await startOrtPeer(exportOnnx(model), { threads: THREADS });
const ort = 'unavailable' in ortPeer ? null : ortPeer;
const ortReason = ort ? null : ortPeer.unavailable;
if (!ort) console.warn(`onnxruntime-node peer unavailable: ${ortReason}`);

const torchPeer = await startTorchPeer(modelDir, { threads: THREADS });
const torch =
  'unavailable' in torchPeer
    ? null
    : {
        info: { torch: torchPeer.version, threads: torchPeer.threads },
        time: async (mode, batch, frames, iterations) => (await torchPeer.request({ mode, batch, frames, iterations })).ms,
        close: () => torchPeer.close(),
      };
const torchReason = torch ? null : torchPeer.unavailable;
if (!torch) console.warn(`PyTorch peer unavailable: ${torchReason}`);

// ---- FMA peak ---------------------------------------------------------------------------------
const peak1 = addon.measureFmaPeak(backend.isa, 1, smoke ? 0.05 : 0.5);
const peakAll = addon.measureFmaPeak(backend.isa, THREADS, smoke ? 0.05 : 0.5);

// ---- latency, interleaved with the peers ------------------------------------------------------
// onnxruntime's (and PyTorch's) pool threads spin for a while after each run; without a pause the
// next contender would share the cores with those spinning threads.
const settle = () => new Promise((resolve) => setTimeout(resolve, smoke ? 0 : 50));
const latency = [];
for (const [batch, frames] of SHAPES) {
  const x = features(batch, frames);
  const heavy = batch * frames >= 1600;
  const rounds = smoke ? 1 : heavy ? 4 : 8;
  const chunk = smoke ? 1 : heavy ? 2 : 5;
  const samples = { native: [], ort: [], eager: [], frozen: [] };
  for (let i = 0; i < (smoke ? 1 : 3); i++) await net.run(x, batch, frames);
  if (ort) for (let i = 0; i < (smoke ? 1 : 2); i++) await ort.run(x, batch, frames);
  if (torch) {
    await torch.time('eager', batch, frames, 1);
    await torch.time('frozen', batch, frames, 2);
  }
  for (let r = 0; r < rounds; r++) {
    await settle();
    for (let i = 0; i < chunk; i++) {
      const t0 = performance.now();
      await net.run(x, batch, frames);
      samples.native.push(performance.now() - t0);
    }
    if (ort) {
      await settle();
      for (let i = 0; i < chunk; i++) {
        const t0 = performance.now();
        await ort.run(x, batch, frames);
        samples.ort.push(performance.now() - t0);
      }
    }
    if (torch) {
      samples.eager.push(...(await torch.time('eager', batch, frames, chunk)));
      samples.frozen.push(...(await torch.time('frozen', batch, frames, chunk)));
    }
  }
  for (const [who, ms] of Object.entries(samples)) {
    if (ms.length === 0) continue;
    const s = summarize(ms);
    latency.push({ name: `${who} ${batch}x${frames}`, unit: 'ms', contender: who, batch, frames, ...s, samplesPerSecond: (1000 * batch) / s.median });
  }
}
await torch?.close();

// The peers must compute the same function: cosine of our (L2-normalised) embedding and ORT's.
if (ort) {
  const x = features(2, 200);
  const mine = await net.run(x, 2, 200);
  const theirs = await ort.run(x, 2, 200);
  const cos = [0, 1].map((b) => {
    let ab = 0, bb = 0;
    for (let i = 0; i < DIM; i++) {
      ab += mine[b * DIM + i] * theirs[b * DIM + i];
      bb += theirs[b * DIM + i] ** 2;
    }
    return ab / Math.sqrt(bb);
  });
  var agreement = Math.min(...cos);
}

// ---- bf16 mode (AVX512_BF16), reported separately: same shapes, interleaved with fp32 ------------
const bf16 = [];
let bf16Reason = null;
try {
  const bnet = compileNetwork(createNativeCpu({ threads: THREADS, precision: 'bf16' }), model);
  for (const [batch, frames] of [[1, 200], [16, 200]]) {
    const x = features(batch, frames);
    const ms = { fp32: [], bf16: [] };
    await bnet.run(x, batch, frames);
    for (let r = 0; r < (smoke ? 1 : batch > 1 ? 4 : 15); r++) {
      for (const [who, n] of [['fp32', net], ['bf16', bnet]]) {
        const t0 = performance.now();
        await n.run(x, batch, frames);
        ms[who].push(performance.now() - t0);
      }
    }
    const [a, b] = [summarize(ms.fp32), summarize(ms.bf16)];
    const emb32 = await net.run(x, batch, frames);
    const emb16 = await bnet.run(x, batch, frames);
    let cos = 1;
    for (let i = 0; i < batch; i++) {
      let ab = 0;
      for (let j = 0; j < DIM; j++) ab += emb32[i * DIM + j] * emb16[i * DIM + j];
      cos = Math.min(cos, ab);
    }
    bf16.push({ name: `bf16 ${batch}x${frames}`, unit: 'ms', batch, frames, fp32Median: a.median, bf16Median: b.median, speedup: a.median / b.median, minCosineToFp32: cos });
  }
  bnet.dispose();
} catch (e) {
  bf16Reason = String(e.message ?? e);
}

// ---- per-layer GFLOP/s at 1 x 200 -------------------------------------------------------------
const x200 = features(1, 200);
const profileRuns = smoke ? 2 : 30;
const seconds = new Float64Array(net.opNames.length);
for (let i = 0; i < profileRuns; i++) net.runProfiled(x200, 1, 200).opSeconds.forEach((s, j) => (seconds[j] += s / profileRuns));
const flops = new Map(graphCost(buildGraph(model.config), 1, 200).nodes.map((c) => [c.node.name, c.flops]));
const groups = new Map();
net.opNames.forEach((name, j) => {
  const group = name.startsWith('layer') ? `${name.split('.')[0]} ${name.endsWith('shortcut') ? 'shortcut' : net.algorithms.get(name)}` : name;
  const g = groups.get(group) ?? { layer: group, ops: 0, ms: 0, gflop: 0 };
  g.ops++;
  g.ms += seconds[j] * 1e3;
  g.gflop += (flops.get(name) ?? 0) / 1e9;
  groups.set(group, g);
});
const perLayer = [...groups.values()].map((g) => ({
  ...g,
  gflopPerSecond: g.gflop > 0 ? g.gflop / (g.ms / 1e3) : 0,
  shareOfPeak: g.gflop > 0 ? g.gflop / (g.ms / 1e3) / peakAll : 0,
}));
const totalMs = perLayer.reduce((a, g) => a + g.ms, 0);
const totalGflop = perLayer.reduce((a, g) => a + g.gflop, 0);

// ---- report -----------------------------------------------------------------------------------
const stat = (key) => (who, b, t) => latency.find((r) => r.contender === who && r.batch === b && r.frames === t)?.[key];
const med = stat('median');
// p10: on a shared machine the fastest tenth is the least disturbed by other load.
const p10 = stat('p10');
const ratios = SHAPES.map(([b, t]) => ({
  shape: `${b}x${t}`,
  nativeMs: med('native', b, t),
  ortMs: med('ort', b, t) ?? null,
  nativeOverOrt: med('ort', b, t) ? med('native', b, t) / med('ort', b, t) : null,
  nativeOverOrtP10: p10('ort', b, t) ? p10('native', b, t) / p10('ort', b, t) : null,
  torchEagerMs: med('eager', b, t) ?? null,
  torchFrozenMs: med('frozen', b, t) ?? null,
  nativeOverFrozen: med('frozen', b, t) ? med('native', b, t) / med('frozen', b, t) : null,
  nativeSamplesPerS: (1000 * b) / med('native', b, t),
  ortSamplesPerS: med('ort', b, t) ? (1000 * b) / med('ort', b, t) : null,
  frozenSamplesPerS: med('frozen', b, t) ? (1000 * b) / med('frozen', b, t) : null,
}));
const linearity = p10('native', 1, 400) / p10('native', 1, 200);
const summary = {
  isa: backend.isa,
  threads: THREADS,
  fmaPeakGflopPerSecond: { oneThread: peak1, allThreads: peakAll },
  whole1x200: { ms: totalMs, directEquivalentGflop: totalGflop, effectiveGflopPerSecond: totalGflop / (totalMs / 1e3), shareOfPeak: totalGflop / (totalMs / 1e3) / peakAll },
  linearity1x400over1x200: linearity,
  torch: torch ? torch.info : { unavailable: torchReason },
  onnxruntime: ort ? { package: `onnxruntime-node ${ort.version}`, intraOpNumThreads: THREADS, model: 'exportOnnx of @wsp/resnet-graph (opset 13)' } : { unavailable: ortReason },
  cosineWithOrt2x200: ort ? agreement : null,
  bf16: bf16.length ? bf16 : { unavailable: bf16Reason },
};
const file = writeBenchPart('backend-cpu-native', [...latency, ...perLayer.map((g) => ({ name: `layer ${g.layer}`, unit: 'GFLOP/s', ...g }))], { summary, ratios });

console.log(`\n## @wsp/backend-cpu native (${backend.isa}, ${THREADS} threads)\n`);
console.log(`FMA peak measured: ${peak1.toFixed(1)} GFLOP/s on 1 thread, ${peakAll.toFixed(1)} on ${THREADS}.`);
console.log(`1x400 / 1x200 (p10) = ${linearity.toFixed(2)} (linear in frames means about 2).`);
console.log(`load average at the end: ${loadavg().map((v) => v.toFixed(2)).join(' ')} (other work on the cores makes every figure noisier)`);
if (ort) console.log(`cosine(native, onnxruntime) on 2x200: ${agreement.toFixed(7)}\n`);
console.log(markdownTable(latency.map((r) => ({ contender: r.contender, shape: `${r.batch}x${r.frames}`, mean: r.mean, std: r.std, p50: r.p50, p99: r.p99, 'samples/s': r.samplesPerSecond }))));
console.log('\n' + markdownTable(ratios));
if (bf16.length) console.log('\nbf16 mode (Winograd products in bf16), interleaved with fp32:\n\n' + markdownTable(bf16.map(({ name, unit, ...r }) => r)));
else console.log(`\nbf16 mode unavailable: ${bf16Reason}`);
console.log(`\nPer layer at 1x200 (GFLOP counted as direct convolution; Winograd does fewer multiplications, so its "effective" rate can exceed the peak):\n`);
console.log(markdownTable(perLayer.map((g) => ({ layer: g.layer, ops: g.ops, ms: g.ms, GFLOP: g.gflop, 'GFLOP/s': g.gflopPerSecond, 'of peak': g.shareOfPeak }))));
console.log(`\nwrote ${file}`);
net.dispose();
await ort?.release();
rmSync(modelDir, { recursive: true, force: true });
