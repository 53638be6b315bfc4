// wsp bench / wsp accuracy: the Python port's benchmark_perf.py and benchmark_accuracy.py tables and
// JSON files; the statistics against NumPy.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listBackends } from '@wsp/resnet-graph';
import '@wsp/speaker';
import { pythonHas, REFERENCE_PYTHON } from '@wsp/testkit';
import { seededRandom } from '@wsp/weights';
import { beforeAll, describe, expect, it } from 'vitest';
import { agreement } from '../src/commands/accuracy.js';
import { percentile, timingStats } from '../src/stats.js';
import { jsonLines, tinyModelDir, work, wsp } from './helpers/wsp.js';

// Which backends this machine has (importing @wsp/speaker registers the CPU ones, as the CLI does).
const nativeCpu = (await listBackends()).find((b) => b.name === 'cpu');
if (!nativeCpu?.available) console.warn(`native cpu accuracy test not run: ${nativeCpu?.reason ?? 'the cpu backend is not registered'}`);

let model: string;
beforeAll(async () => {
  model = await tinyModelDir();
});

describe('wsp bench', () => {
  it('times every batch x frames pair and writes the perf JSON', async () => {
    const output = join(work, 'perf.json');
    const r = await wsp(['bench', '--model', model, '--backend', 'cpu-portable', '--batch', '1,2', '--frames', '20,40', '--warmup', '1', '--iterations', '4', '--output', output]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\| Batch \| Frames \| Mean\(ms\) \| Std\(ms\) \| P50\(ms\) \| P99\(ms\) \| Throughput\(samples\/s\) \|$/m);
    expect(r.stdout).not.toMatch(/Python port/);
    const perf = JSON.parse(readFileSync(output, 'utf8'));
    expect(perf).toMatchObject({ tool: 'wsp bench', device: 'cpu-portable', backend: 'cpu-portable', warmup: 1, iterations: 4, pooling: 'pyannote' });
    expect(perf.results.map((x: { batch_size: number; num_frames: number }) => [x.batch_size, x.num_frames])).toEqual([
      [1, 20],
      [1, 40],
      [2, 20],
      [2, 40],
    ]);
    for (const x of perf.results) {
      expect(Object.keys(x)).toEqual(['batch_size', 'num_frames', 'mean_ms', 'std_ms', 'p50_ms', 'p99_ms', 'min_ms', 'max_ms', 'throughput']);
      expect(x.min_ms).toBeGreaterThan(0);
      expect(x.min_ms).toBeLessThanOrEqual(x.p50_ms);
      expect(x.p50_ms).toBeLessThanOrEqual(x.p99_ms);
      expect(x.p99_ms).toBeLessThanOrEqual(x.max_ms);
      expect(x.throughput).toBeCloseTo((x.batch_size * 1000) / x.mean_ms, 6);
      expect(r.stdout).toContain(`| ${x.batch_size} | ${x.num_frames} | ${x.mean_ms.toFixed(3)} |`);
    }
  });

  it('--configs gives exact pairs; --python-port prints the published NPU table beside ours, labelled', async () => {
    const r = await wsp(['bench', '--model', model, '--configs', '1x200,16x200', '--warmup', '0', '--iterations', '1', '--python-port', '--json']);
    const [perf] = jsonLines(r.stdout);
    expect((perf.results as { batch_size: number }[]).map((x) => x.batch_size)).toEqual([1, 16]);
    const text = await wsp(['bench', '--model', model, '--configs', '1x20', '--warmup', '0', '--iterations', '1', '--python-port']);
    expect(text.stdout).toMatch(/Python port, Ascend NPU \(published figures from another machine, not measured here\)/);
    expect(text.stdout).toMatch(/^\| 16 \| 200 \| 5\.808 \| 0\.029 \| - \| 5\.906 \| 2754\.71 \|$/m);
  });
});

describe('wsp accuracy', () => {
  it('compares two backends on the same random inputs and writes the accuracy JSON', async () => {
    const output = join(work, 'accuracy.json');
    const r = await wsp(['accuracy', '--model', model, '--backend', 'cpu-portable', '--reference', 'cpu-portable', '--num-samples', '3', '--frames', '50', '--output', output, '--python-port']);
    expect(r.code).toBe(0);
    const acc = JSON.parse(readFileSync(output, 'utf8'));
    expect(Object.keys(acc)).toEqual([
      'tool', 'date', 'backend', 'reference', 'model', 'demo', 'num_samples', 'num_frames', 'seed', 'normalized',
      'mean_relative_error', 'max_relative_error', 'mean_cosine_similarity', 'min_cosine_similarity', 'mean_max_abs_error', 'max_max_abs_error', 'machine',
    ]);
    // The same backend on both sides computes the same numbers: the metrics must say exactly that.
    expect(acc).toMatchObject({ num_samples: 3, num_frames: 50, mean_relative_error: 0, max_max_abs_error: 0 });
    expect(acc.min_cosine_similarity).toBeCloseTo(1, 12);
    expect(r.stderr).toMatch(/both sides run on 'cpu-portable'/);
    expect(r.stdout).toMatch(/^\| Mean relative error \| 0\.0000% \| 0\.0799% \|$/m);
    expect(r.stdout).toMatch(/Python port, Ascend NPU \(published figures from another machine/);
  });

  it.runIf(nativeCpu?.available)('the native cpu backend against cpu-portable: different code, the same embeddings to float32 rounding', async () => {
    const r = await wsp(['accuracy', '--model', model, '--backend', 'cpu', '--reference', 'cpu-portable', '--num-samples', '5', '--frames', '60', '--json']);
    expect(r.code).toBe(0);
    const [acc] = jsonLines(r.stdout);
    expect(acc).toMatchObject({ backend: 'cpu', reference: 'cpu-portable', num_samples: 5 });
    expect(acc.max_relative_error as number).toBeLessThan(1e-4);
    expect(acc.min_cosine_similarity as number).toBeGreaterThan(0.9999);
  });

  it('the metrics: relative error of L2 norms, cosine, max |diff|', () => {
    const ref = [3, 4, 0];
    const x = [3, 4.5, 0.5];
    const m = agreement(x, ref);
    expect(m.relativeError).toBeCloseTo(Math.sqrt(0.5) / 5, 12);
    expect(m.cosine).toBeCloseTo((9 + 18) / (5 * Math.sqrt(9 + 20.25 + 0.25)), 12);
    expect(m.maxAbsError).toBe(0.5);
  });
});

describe('timing statistics', () => {
  const numpy = pythonHas('numpy');
  if (!numpy.ok) console.warn(`NumPy check not run: ${numpy.reason}`);

  it('linear percentiles: the midpoint of the two middle values', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([1, 2, 3, 4], 99)).toBeCloseTo(3.97, 12);
  });

  it.runIf(numpy.ok)('mean, population std and linear percentiles equal NumPy', () => {
    const rng = seededRandom(5);
    const samples = Array.from({ length: 57 }, () => 3 + rng.uniform() * 2);
    const ours = timingStats(samples);
    const script = 'import json,sys,numpy as np; a=np.array(json.load(sys.stdin)); print(json.dumps([a.mean(), a.std(), np.percentile(a,50), np.percentile(a,99)]))';
    const r = spawnSync(REFERENCE_PYTHON, ['-c', script], { input: JSON.stringify(samples), encoding: 'utf8' });
    const [mean, std, p50, p99] = JSON.parse(r.stdout) as number[];
    expect(ours.mean).toBeCloseTo(mean, 12);
    expect(ours.std).toBeCloseTo(std, 12);
    expect(ours.p50).toBeCloseTo(p50, 12);
    expect(ours.p99).toBeCloseTo(p99, 12);
  });
});
