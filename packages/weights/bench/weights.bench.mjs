// Benchmark of @wsp/weights (pnpm bench): loading the full-size MLX model (26 MB safetensors) from
// disk into ready float32 tensors (goal <= 30 ms median), converting it to the PyTorch file
// (goal <= 200 ms), and for context the plain file read and loading our PyTorch file.
// Uses the built package (dist) and the shared bench kit; writes bench/results/parts/weights.json.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { markdownTable, measure, smoke, writeBenchPart } from '@wsp/benchkit';
import { convertWeights, generateSyntheticModel, loadWeSpeakerWeights, writeModelDirectory } from '../dist/index.js';

const dir = mkdtempSync(join(tmpdir(), 'wsp-weights-bench-'));
try {
  const modelDir = join(dir, 'model');
  await writeModelDirectory(modelDir, generateSyntheticModel());
  const safetensorsPath = join(modelDir, 'model.safetensors');
  const ptPath = join(dir, 'pytorch_model.bin');
  await convertWeights({ input: modelDir, output: ptPath });
  const megabytes = statSync(safetensorsPath).size / 1e6;
  const ptMegabytes = statSync(ptPath).size / 1e6;

  const cases = [
    { name: 'read the 26 MB file (fs.readFile, floor)', mb: megabytes, fn: () => readFile(safetensorsPath) },
    { name: 'load MLX model dir -> canonical float32 tensors', mb: megabytes, goalMs: 30, fn: () => loadWeSpeakerWeights(modelDir) },
    { name: 'convert MLX dir -> pytorch_model.bin (load, OIHW, write)', mb: megabytes, goalMs: 200, fn: () => convertWeights({ input: modelDir, output: join(dir, 'out.bin') }) },
    { name: 'load our pytorch_model.bin -> canonical tensors (CRC checked)', mb: ptMegabytes, fn: () => loadWeSpeakerWeights(ptPath) },
  ];

  const results = [];
  for (const c of cases) {
    const s = await measure(c.fn, { warmup: 3, iterations: 30, minTimeMs: 1000 });
    results.push({
      name: c.name,
      unit: 'ms',
      median: s.median,
      p10: s.p10,
      p90: s.p90,
      iterations: s.iterations,
      megabytes: Number(c.mb.toFixed(2)),
      mbPerSecond: Math.round(c.mb / (s.median / 1000)),
      ...(c.goalMs ? { goalMs: c.goalMs, meetsGoal: s.median <= c.goalMs } : {}),
    });
  }
  const file = writeBenchPart('weights', results, {
    model: 'generateSyntheticModel() default config: 74 tensors, 6,630,080 parameters',
    note: 'files are re-read each iteration from the page cache (written just before)',
  });
  console.log(markdownTable(results.map((r) => ({ case: r.name, 'median ms': r.median, 'p10 ms': r.p10, 'p90 ms': r.p90, 'MB/s': r.mbPerSecond, goal: r.goalMs ? `<= ${r.goalMs} ms: ${r.meetsGoal ? 'met' : 'MISSED'}` : '' }))));
  console.log(`${smoke ? '(smoke run) ' : ''}wrote ${file}`);
  JSON.parse(readFileSync(file, 'utf8'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
