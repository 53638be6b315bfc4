// Measurement helpers shared by the packages' `bench` scripts, so every figure in the report is
// taken the same way: warm-up, enough iterations, medians with spread, peers interleaved with ours
// in the same run. Each package bench writes one "part" file; apps/bench assembles the report.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Where reports go: `bench/results`, or WSP_BENCH_RESULTS_DIR (the smoke test uses a temporary one). */
export const resultsDir = process.env.WSP_BENCH_RESULTS_DIR || join(repoRoot, 'bench', 'results');
export const partsDir = join(resultsDir, 'parts');

/** True when the run should be short (the smoke mode used by tests): WSP_BENCH_SMOKE=1. */
export const smoke = process.env.WSP_BENCH_SMOKE === '1';

/**
 * Which model a bench builds where the figure does not need the published shapes: 'full' (the
 * ResNet34-LM shapes, default) or 'tiny' (WSP_BENCH_MODEL=tiny: the test config, used with smoke
 * mode by apps/bench's smoke test so the whole pipeline runs in about a minute).
 */
export const benchModel = process.env.WSP_BENCH_MODEL === 'tiny' ? 'tiny' : 'full';

/** When this bench process started and the load average then (the part records it next to the end's). */
const started = { date: new Date().toISOString(), loadAverage: loadavg() };

/** Summary statistics of a list of durations in milliseconds. */
export function summarize(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  const variance = samples.length > 1 ? samples.reduce((a, b) => a + (b - mean) ** 2, 0) / (samples.length - 1) : 0;
  return {
    iterations: samples.length,
    mean,
    std: Math.sqrt(variance),
    min: sorted[0],
    p10: at(0.1),
    p50: at(0.5),
    median: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: sorted[sorted.length - 1],
  };
}

/**
 * Times `fn` (sync or async): `warmup` untimed calls, then at least `iterations` timed calls and
 * at least `minTimeMs` of timed work. Smoke mode caps it at 2 warm-ups and 3 iterations.
 */
export async function measure(fn, { warmup = 5, iterations = 30, minTimeMs = 500 } = {}) {
  if (smoke) ({ warmup, iterations, minTimeMs } = { warmup: Math.min(warmup, 2), iterations: 3, minTimeMs: 0 });
  for (let i = 0; i < warmup; i++) await fn();
  const samples = [];
  const start = performance.now();
  while (samples.length < iterations || performance.now() - start < minTimeMs) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
    if (samples.length >= iterations * 20) break;
  }
  return summarize(samples);
}

/**
 * Times several contenders in alternating rounds (ours, peer, ours, peer, ...) so drift and other
 * load on a shared machine hit them alike. `contenders` maps a name to a function, or to
 * `{ run, selfTimed: true }` when `run` measures itself and resolves to its duration in ms (a peer
 * in another process, timed there so the pipe is not counted). Returns a map of name to summary.
 * Ratios between entries of one call are fair; across calls they are not.
 *
 * `budgetMs` (optional) retires a contender from later rounds once its timed work exceeds the
 * budget and it has `minRounds` samples, so a slow contender does not hold the fast ones to a few
 * rounds (its summary then has fewer iterations).
 *
 * `settleMs` and `turnWarmup` (optional) make each turn start from the same state: a pause, untimed
 * (thread pools of onnxruntime or PyTorch's OpenMP keep spinning for a while after a run and would
 * share the cores with the next contender), then `turnWarmup` untimed calls of this contender
 * before its timed one (after an idle pause its own threads and the cores are cold: on the 2-core
 * VM of this project a 21 ms run took 27-35 ms right after 50-100 ms of idling). Contenders whose
 * warm-up calls took longer than `turnWarmupMaxMs` skip the per-turn warm-up: they are not
 * measurably affected and it would double their cost.
 */
export async function measureInterleaved(
  contenders,
  { warmup = 5, rounds = 30, budgetMs = Infinity, minRounds = 3, settleMs = 0, turnWarmup = 0, turnWarmupMaxMs = 1000 } = {},
) {
  if (smoke) ({ warmup, rounds, minRounds } = { warmup: Math.min(warmup, 2), rounds: 3, minRounds: Math.min(minRounds, 3) });
  const names = Object.keys(contenders);
  const runners = Object.fromEntries(
    names.map((n) => {
      const c = contenders[n];
      if (typeof c === 'function') return [n, async () => { const t0 = performance.now(); await c(); return performance.now() - t0; }];
      return [n, c.selfTimed ? async () => Number(await c.run()) : async () => { const t0 = performance.now(); await c.run(); return performance.now() - t0; }];
    }),
  );
  const warmupMs = Object.fromEntries(names.map((n) => [n, 0]));
  for (const name of names) for (let i = 0; i < warmup; i++) warmupMs[name] = await runners[name]();
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  const spent = Object.fromEntries(names.map((n) => [n, 0]));
  for (let r = 0; r < rounds; r++) {
    const active = names.filter((n) => samples[n].length < minRounds || spent[n] < budgetMs);
    if (active.length === 0) break;
    for (const name of r % 2 === 0 ? active : [...active].reverse()) {
      if (settleMs > 0) await new Promise((resolve) => setTimeout(resolve, settleMs));
      if (warmupMs[name] <= turnWarmupMaxMs) for (let i = 0; i < turnWarmup; i++) await runners[name]();
      const ms = await runners[name]();
      samples[name].push(ms);
      spent[name] += ms;
    }
  }
  return Object.fromEntries(names.map((n) => [n, summarize(samples[n])]));
}

/** Machine facts recorded next to every figure. */
export function machineFacts() {
  const list = cpus();
  return {
    cpuModel: list[0]?.model ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    loadAverage: loadavg(),
  };
}

/**
 * Writes `bench/results/parts/<name>.json`: `{ name, date, smoke, started, machine, results }`, where
 * `results` is the package's own list of entries (each with a `name`, `unit` and the numbers).
 */
export function writeBenchPart(name, results, extra = {}) {
  mkdirSync(partsDir, { recursive: true });
  const file = join(partsDir, `${name}.json`);
  const part = { name, date: new Date().toISOString(), smoke, started, machine: machineFacts(), ...extra, results };
  writeFileSync(file, JSON.stringify(part, null, 2) + '\n');
  return file;
}

/** A Markdown table from rows of plain objects (columns from the first row). */
export function markdownTable(rows) {
  if (rows.length === 0) return '';
  const cols = Object.keys(rows[0]);
  const cell = (v) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 3 : 1)) : String(v ?? ''));
  return [
    `| ${cols.join(' | ')} |`,
    `|${cols.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${cols.map((c) => cell(r[c])).join(' | ')} |`),
  ].join('\n');
}

export { REFERENCE_PYTHON, startOrtPeer, startTorchPeer } from './peers.mjs';
