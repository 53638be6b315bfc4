/**
 * The model of the commands that run the network: `--model DIR` (a model folder or weights file),
 * `--demo` (generated weights, meaningless for speakers), else `$WSP_MODEL`, else the folder
 * `wsp download` fills. Plus the options that shape the model (backend, threads, pooling, ...).
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { DEMO_MODEL_NOTICE, defaultModelCacheDir, ensureDemoModel, loadSpeakerModel } from '@wsp/speaker';
import type { LoadSpeakerModelOptions, SpeakerModel } from '@wsp/speaker';
import type { Args, Io, OptionSpec } from './args.js';
import { UsageError } from './exit-codes.js';

export const MODEL_OPTIONS: Record<string, OptionSpec> = {
  model: { type: 'string', value: 'DIR', description: 'Model folder (config.json + model.safetensors) or weights file [default: $WSP_MODEL, then the wsp download folder]' },
  demo: { type: 'boolean', description: 'Use a generated model (random weights: runs the pipeline, says nothing about speakers)' },
  backend: { type: 'string', value: 'NAME', description: "Backend: auto (fastest available), cpu, cpu-portable, ascend, or a comma-separated list to try in order [auto]" },
  threads: { type: 'string', value: 'N', description: 'Threads for CPU backends' },
};

export const EMBEDDING_OPTIONS: Record<string, OptionSpec> = {
  pooling: { type: 'string', value: 'VARIANT', description: 'Statistics pooling: pyannote (the published weights), wespeaker or mlx [pyannote]' },
  'short-input': { type: 'string', value: 'POLICY', description: 'Audio shorter than 0.105 s: error, or pad (repeat it) [error]' },
};

export interface ResolvedModel {
  model: SpeakerModel;
  /** The folder or file loaded. */
  source: string;
  demo: boolean;
}

const exists = (p: string) =>
  access(p).then(
    () => true,
    () => false,
  );

/** Where the model comes from, without loading it. */
export async function modelSource(args: Args, io: Io): Promise<{ source: string; demo: boolean }> {
  const given = args.string('model');
  if (args.flag('demo')) {
    if (given) throw new UsageError(`--demo and --model exclude each other (see wsp ${args.command} --help)`);
    io.err(`wsp: ${DEMO_MODEL_NOTICE}\n`);
    return { source: await ensureDemoModel(), demo: true };
  }
  if (given) return { source: given, demo: false };
  if (process.env.WSP_MODEL) return { source: process.env.WSP_MODEL, demo: false };
  const cached = defaultModelCacheDir();
  if ((await exists(join(cached, 'config.json'))) && (await exists(join(cached, 'model.safetensors')))) return { source: cached, demo: false };
  throw new UsageError(
    `no model: pass --model DIR (a folder with config.json + model.safetensors), run 'wsp download' to fetch ` +
      `aufklarer/WeSpeaker-ResNet34-LM-MLX into ${cached}, or add --demo to try the pipeline on generated weights (meaningless for speakers)`,
  );
}

export function backendChoice(args: Args): string | string[] {
  const b = args.string('backend') ?? 'auto';
  if (b.trim() === '') throw new UsageError(`--backend needs a name (see wsp ${args.command} --help)`);
  return b.includes(',') ? b.split(',').map((s) => s.trim()) : b;
}

export function modelOptions(args: Args, extra: LoadSpeakerModelOptions = {}): LoadSpeakerModelOptions {
  return {
    backend: backendChoice(args),
    threads: args.number('threads', { min: 1, integer: true }),
    pooling: args.choice('pooling', ['pyannote', 'wespeaker', 'mlx'] as const, 'pyannote'),
    shortInput: args.choice('short-input', ['error', 'pad'] as const, 'error'),
    ...extra,
  };
}

/** Loads the model the command line names; says on stderr which backend runs it (with --verbose, why). */
export async function openModel(args: Args, io: Io, extra: LoadSpeakerModelOptions = {}): Promise<ResolvedModel> {
  const options = modelOptions(args, extra);
  const { source, demo } = await modelSource(args, io);
  const model = await loadSpeakerModel(source, options);
  if (io.verbose) {
    io.err(`wsp: model ${source} on backend '${model.backendName}'\n`);
    for (const s of model.skippedBackends) io.err(`wsp:   skipped '${s.name}': ${s.reason}\n`);
  }
  return { model, source, demo };
}
