import { loadSpeakerModel } from '@wsp/speaker';
import type { SpeakerModel } from '@wsp/speaker';
import { seededRandom } from '@wsp/weights';
import type { Args, CommandSpec, Io } from '../args.js';
import { UsageError } from '../exit-codes.js';
import { machineFacts } from '../machine.js';
import { MODEL_OPTIONS, backendChoice, modelOptions, modelSource } from '../model-option.js';
import { fixed, jsonLine, markdownTable, writeUserFile } from '../output.js';
import { createProgress } from '../progress.js';
import { PYTHON_PORT_ACCURACY, PYTHON_PORT_LABEL } from '../python-port.js';
import { randomFeatures } from '../stats.js';

/** Per-sample agreement of an embedding with the reference one (all in float64). */
export function agreement(x: ArrayLike<number>, ref: ArrayLike<number>): { relativeError: number; cosine: number; maxAbsError: number } {
  let diff = 0;
  let refNorm = 0;
  let xNorm = 0;
  let dot = 0;
  let maxAbs = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = x[i] - ref[i];
    diff += d * d;
    refNorm += ref[i] * ref[i];
    xNorm += x[i] * x[i];
    dot += x[i] * ref[i];
    maxAbs = Math.max(maxAbs, Math.abs(d));
  }
  return { relativeError: Math.sqrt(diff / refNorm), cosine: dot / Math.sqrt(xNorm * refNorm), maxAbsError: maxAbs };
}

const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;
/** Percent with 4 decimals as the port prints it; small nonzero values in exponent form, so they keep their digits. */
const percent = (v: number) => (v > 0 && v < 1e-4 ? `${(v * 100).toExponential(2)}%` : `${fixed(v * 100, 4)}%`);
const small = (v: number) => (v > 0 && v < 1e-3 ? v.toExponential(2) : fixed(v, 6));

export const accuracy: CommandSpec = {
  name: 'accuracy',
  summary: "how closely one backend matches another on the same random inputs (the Python port's benchmark_accuracy.py)",
  usage: 'wsp accuracy [--model DIR | --demo] --backend B --reference R [--num-samples 100] [--output accuracy.json]',
  description:
    'Runs the same seeded random features [1, T, 80] through the model on two backends and compares the embeddings:\n' +
    'relative error |x - ref| / |ref| (L2 norms; mean and max), cosine (mean and min), max |x - ref| per sample (mean and\n' +
    'max). With --backend ascend the Python port\'s published NPU-vs-CPU figures are printed beside ours (another machine).',
  positionals: { min: 0, max: 0 },
  options: {
    ...MODEL_OPTIONS,
    reference: { type: 'string', value: 'NAME', description: 'Backend to compare against, e.g. cpu-portable (required)' },
    'num-samples': { type: 'string', value: 'N', description: 'Random inputs [100]' },
    frames: { type: 'string', value: 'N', description: 'Frames per input [200]' },
    seed: { type: 'string', value: 'N', description: 'Seed of the random features [0]' },
    raw: { type: 'boolean', description: 'Compare the raw (not L2-normalised) embeddings' },
    output: { type: 'string', value: 'FILE', description: 'Write the results as JSON (accuracy_result.json shape, see the README)' },
    json: { type: 'boolean', description: 'Print the JSON on stdout instead of the table' },
    'python-port': { type: 'boolean', description: "Print the Python port's published NPU-vs-CPU figures beside ours (automatic with --backend ascend)" },
  },
  examples: ['wsp accuracy --model ./model --backend cpu --reference cpu-portable --num-samples 20', 'wsp accuracy --model ./model --backend ascend --reference cpu --output accuracy.json'],
  async run(args: Args, io: Io) {
    const reference = args.required('reference');
    if (reference.includes(',')) throw new UsageError('--reference takes one backend name (see wsp accuracy --help)');
    const numSamples = args.integer('num-samples', 100);
    const frames = args.integer('frames', 200);
    const seed = args.integer('seed', 0, 0);
    const output = args.string('output');
    const options = modelOptions(args, { normalize: !args.flag('raw'), shortInput: 'error' });
    const { source, demo } = await modelSource(args, io);
    const models: SpeakerModel[] = [];
    const perSample: ReturnType<typeof agreement>[] = [];
    let names: [string, string];
    try {
      models.push(await loadSpeakerModel(source, { ...options, backend: backendChoice(args) }));
      models.push(await loadSpeakerModel(source, { ...options, backend: reference }));
      const [tested, ref] = models;
      names = [tested.backendName, ref.backendName];
      if (names[0] === names[1]) io.err(`wsp: warning: both sides run on '${names[0]}': the errors measure nothing\n`);
      const rng = seededRandom(seed);
      const progress = createProgress(io, `${names[0]} vs ${names[1]}`);
      for (let i = 0; i < numSamples; i++) {
        const features = randomFeatures(rng, 1, frames, tested.config.n_mels);
        const [x] = await tested.embedFeatures(features);
        const [r] = await ref.embedFeatures(features);
        perSample.push(agreement(x, r));
        progress.update(i + 1, numSamples);
      }
      progress.done();
    } finally {
      models.forEach((m) => m.dispose());
    }
    const rel = perSample.map((s) => s.relativeError);
    const cos = perSample.map((s) => s.cosine);
    const abs = perSample.map((s) => s.maxAbsError);
    const result = {
      tool: 'wsp accuracy',
      date: new Date().toISOString(),
      backend: names[0],
      reference: names[1],
      model: source,
      demo,
      num_samples: numSamples,
      num_frames: frames,
      seed,
      normalized: !args.flag('raw'),
      mean_relative_error: mean(rel),
      max_relative_error: Math.max(...rel),
      mean_cosine_similarity: mean(cos),
      min_cosine_similarity: Math.min(...cos),
      mean_max_abs_error: mean(abs),
      max_max_abs_error: Math.max(...abs),
      machine: machineFacts(),
    };
    if (output) await writeUserFile(output, JSON.stringify(result, null, 2) + '\n');
    if (args.flag('json')) {
      jsonLine(io, result);
      return;
    }
    const showPort = names[0] === 'ascend' || args.flag('python-port');
    const p = PYTHON_PORT_ACCURACY;
    const rows: [string, string, string][] = [
      ['Samples', String(numSamples), String(p.numSamples)],
      ['Mean relative error', percent(result.mean_relative_error), `${fixed(p.meanRelativeError * 100, 4)}%`],
      ['Max relative error', percent(result.max_relative_error), `${fixed(p.maxRelativeError * 100, 4)}%`],
      ['Mean cosine similarity', fixed(result.mean_cosine_similarity, 6), fixed(p.meanCosine, 6)],
      ['Min cosine similarity', fixed(result.min_cosine_similarity, 6), fixed(p.minCosine, 6)],
      ['Mean max abs error', small(result.mean_max_abs_error), fixed(p.meanMaxAbsError, 6)],
      ['Max max abs error', small(result.max_max_abs_error), fixed(p.maxMaxAbsError, 6)],
    ];
    io.out(`wsp accuracy: '${names[0]}' against '${names[1]}', ${source}${demo ? ' (demo model)' : ''}, ${numSamples} x ${frames} frames, seed ${seed}\n\n`);
    io.out(
      showPort
        ? markdownTable(['Metric', `ours: ${names[0]} vs ${names[1]}`, PYTHON_PORT_LABEL], rows)
        : markdownTable(['Metric', `${names[0]} vs ${names[1]}`], rows.map(([m, v]) => [m, v])),
    );
    if (output) io.out(`\nwrote ${output}\n`);
  },
};
