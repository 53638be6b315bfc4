import { seededRandom } from '@wsp/weights';
import type { Args, CommandSpec, Io } from '../args.js';
import { UsageError } from '../exit-codes.js';
import { machineFacts } from '../machine.js';
import { MODEL_OPTIONS, openModel } from '../model-option.js';
import { fixed, jsonLine, markdownTable, writeUserFile } from '../output.js';
import { createProgress } from '../progress.js';
import { PYTHON_PORT_LABEL, PYTHON_PORT_PERF } from '../python-port.js';
import { randomFeatures, timingStats } from '../stats.js';

export interface PerfRow {
  batch_size: number;
  num_frames: number;
  mean_ms: number;
  std_ms: number;
  p50_ms: number;
  p99_ms: number;
  min_ms: number;
  max_ms: number;
  /** Samples (utterances) per second: batch_size / mean. */
  throughput: number;
}

function configurations(args: Args): [number, number][] {
  const given = args.string('configs');
  if (given !== undefined) {
    const pairs = given.split(',').map((s) => /^([1-9]\d*)x([1-9]\d*)$/.exec(s.trim()));
    if (pairs.some((p) => !p)) throw new UsageError(`--configs must look like 1x200,4x200 (batch x frames), got '${given}' (see wsp bench --help)`);
    return pairs.map((p) => [Number(p![1]), Number(p![2])]);
  }
  const batches = args.integerList('batch', [1, 4, 8, 16]);
  const frames = args.integerList('frames', [100, 200, 400]);
  return batches.flatMap((b) => frames.map((t) => [b, t] as [number, number]));
}

const HEADER = ['Batch', 'Frames', 'Mean(ms)', 'Std(ms)', 'P50(ms)', 'P99(ms)', 'Throughput(samples/s)'];

export const bench: CommandSpec = {
  name: 'bench',
  summary: "network latency and throughput per batch x frames (the Python port's benchmark_perf.py)",
  usage: 'wsp bench [--model DIR | --demo] [--backend B] [--batch 1,4,8,16] [--frames 100,200,400] [--warmup 5] [--iterations 50] [--output perf.json]',
  description:
    'For every batch size x frame count: random standard-normal features [B, T, 80] (seeded), `warmup` untimed runs, then\n' +
    '`iterations` timed runs of the network (features in, embeddings downloaded). Reports mean, std (population), p50 and\n' +
    'p99 (linear interpolation, as numpy) in ms, and throughput = B / mean in samples/s. Features are not part of the time.\n' +
    'With --backend ascend the Python port\'s published NPU table is printed beside ours (another machine).',
  positionals: { min: 0, max: 0 },
  options: {
    ...MODEL_OPTIONS,
    batch: { type: 'string', value: 'LIST', description: 'Batch sizes [1,4,8,16]' },
    frames: { type: 'string', value: 'LIST', description: 'Frame counts (100 frames = 1 s) [100,200,400]' },
    configs: { type: 'string', value: 'LIST', description: 'Exact batch x frames pairs instead of the cross product, e.g. 1x100,1x200,16x200' },
    warmup: { type: 'string', value: 'N', description: 'Untimed runs per configuration [5]' },
    iterations: { type: 'string', value: 'N', description: 'Timed runs per configuration [50]' },
    seed: { type: 'string', value: 'N', description: 'Seed of the random features [0]' },
    output: { type: 'string', value: 'FILE', description: 'Write the results as JSON (perf_result_npu.json shape, see the README)' },
    json: { type: 'boolean', description: 'Print the JSON on stdout instead of the table' },
    'python-port': { type: 'boolean', description: "Print the Python port's published NPU table beside ours (automatic with --backend ascend)" },
  },
  examples: ['wsp bench --model ./model --backend cpu --batch 1,16 --frames 200 --output perf.json', 'wsp bench --demo --configs 1x200 --warmup 1 --iterations 5'],
  async run(args: Args, io: Io) {
    const configs = configurations(args);
    const warmup = args.integer('warmup', 5, 0);
    const iterations = args.integer('iterations', 50);
    const seed = args.integer('seed', 0, 0);
    const output = args.string('output');
    const { model, source, demo } = await openModel(args, io);
    const rows: PerfRow[] = [];
    try {
      const rng = seededRandom(seed);
      for (const [batch, frames] of configs) {
        const features = randomFeatures(rng, batch, frames, model.config.n_mels);
        const progress = createProgress(io, `batch ${batch} x ${frames} frames`);
        for (let i = 0; i < warmup; i++) {
          await model.embedFeatures(features);
          progress.update(i + 1, warmup + iterations, 'warm-up');
        }
        const times: number[] = [];
        for (let i = 0; i < iterations; i++) {
          const t0 = performance.now();
          await model.embedFeatures(features);
          times.push(performance.now() - t0);
          progress.update(warmup + i + 1, warmup + iterations);
        }
        progress.done();
        const s = timingStats(times);
        rows.push({ batch_size: batch, num_frames: frames, mean_ms: s.mean, std_ms: s.std, p50_ms: s.p50, p99_ms: s.p99, min_ms: s.min, max_ms: s.max, throughput: (batch * 1000) / s.mean });
      }
    } finally {
      model.dispose();
    }
    const result = {
      tool: 'wsp bench',
      date: new Date().toISOString(),
      device: model.backendName,
      backend: model.backendName,
      model: source,
      demo,
      config: model.config,
      pooling: model.pooling,
      warmup,
      iterations,
      seed,
      machine: machineFacts(),
      results: rows,
    };
    if (output) await writeUserFile(output, JSON.stringify(result, null, 2) + '\n');
    if (args.flag('json')) {
      jsonLine(io, result);
      return;
    }
    io.out(`wsp bench: backend '${model.backendName}', ${source}${demo ? ' (demo model)' : ''}, warmup ${warmup}, iterations ${iterations}\n\n`);
    io.out(markdownTable(HEADER, rows.map((r) => [String(r.batch_size), String(r.num_frames), fixed(r.mean_ms, 3), fixed(r.std_ms, 3), fixed(r.p50_ms, 3), fixed(r.p99_ms, 3), fixed(r.throughput, 2)])));
    if (model.backendName === 'ascend' || args.flag('python-port')) {
      io.out(`\n${PYTHON_PORT_LABEL}, warmup 5, iterations 50:\n\n`);
      io.out(markdownTable(HEADER, PYTHON_PORT_PERF.map((r) => [String(r.batch), String(r.frames), fixed(r.meanMs, 3), fixed(r.stdMs, 3), '-', fixed(r.p99Ms, 3), fixed(r.throughput, 2)])));
    }
    if (output) io.out(`\nwrote ${output}\n`);
  },
};
