/**
 * How this run is configured, from the environment (the same variables every package bench reads):
 * WSP_BENCH_SMOKE=1 (few iterations), WSP_BENCH_MODEL=tiny|full (default full: the published
 * ResNet34-LM shapes; tiny is for the smoke test), WSP_BENCH_THREADS (default: the cores),
 * WSP_BENCH_RESULTS_DIR (default bench/results).
 */
import { cpus } from 'node:os';
import { benchModel, partsDir, resultsDir, smoke } from '@wsp/benchkit';

export type ModelSize = 'full' | 'tiny';

export interface BenchSettings {
  smoke: boolean;
  modelSize: ModelSize;
  threads: number;
  resultsDir: string;
  partsDir: string;
}

export function benchSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  const modelSize: ModelSize = benchModel;
  const threads = env.WSP_BENCH_THREADS ? Number(env.WSP_BENCH_THREADS) : cpus().length;
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`WSP_BENCH_THREADS must be a positive integer, got '${env.WSP_BENCH_THREADS}'`);
  return { smoke, modelSize, threads, resultsDir, partsDir };
}
