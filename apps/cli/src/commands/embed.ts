import { readFile } from 'node:fs/promises';
import { decodeNpy } from '@wsp/weights';
import type { Args, CommandSpec, Io } from '../args.js';
import { InputError } from '../exit-codes.js';
import { EMBEDDING_OPTIONS, MODEL_OPTIONS, openModel } from '../model-option.js';
import { embeddingNumbers, jsonLine, warn } from '../output.js';
import { createProgress } from '../progress.js';

/** Inputs decoded and embedded together before their results are printed. */
const CHUNK = 256;

interface Row {
  input: string;
  index: number;
  frames: number;
  embedding: Float32Array;
}

function print(io: Io, row: Row, json: boolean): void {
  if (json) {
    jsonLine(io, { input: row.input, index: row.index, frames: row.frames, embedding: embeddingNumbers(row.embedding) });
    return;
  }
  const head = Array.from(row.embedding.subarray(0, 6), (v) => v.toFixed(4)).join(' ');
  io.out(`${row.input}${row.index ? `[${row.index}]` : ''}: ${row.embedding.length}-d embedding from ${row.frames} frames: ${head} ... (--json for all values)\n`);
}

async function readFeatures(path: string) {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new InputError(`${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const npy = decodeNpy(bytes, path);
  if (npy.dtype !== '<f4') throw new InputError(`${path}: features must be float32 (.npy dtype <f4), got ${npy.dtype}`);
  if (npy.shape.length !== 2 && npy.shape.length !== 3) {
    throw new InputError(`${path}: features must be [T, 80] or [B, T, 80], got [${npy.shape.join(', ')}]`);
  }
  return { data: npy.data as Float32Array, shape: npy.shape };
}

export const embed: CommandSpec = {
  name: 'embed',
  summary: 'speaker embeddings of audio files (or of precomputed fbank features)',
  usage: 'wsp embed <inputs...> [--model DIR | --demo] [--backend auto|cpu|ascend] [--fbank] [--raw] [--pooling pyannote|wespeaker|mlx] [--json]',
  description:
    'Inputs are audio files (WAV, FLAC, MP3, Ogg Opus/Vorbis; any rate, mixed down to mono and resampled to 16 kHz),\n' +
    'or with --fbank .npy float32 features [T, 80] or [B, T, 80] used as given (no further CMN).\n' +
    'With --json: one line per embedding, {"input", "index", "frames", "embedding"}; index is the item of a [B, T, 80] input (0 otherwise).',
  positionals: { min: 1, max: Infinity },
  options: {
    ...MODEL_OPTIONS,
    ...EMBEDDING_OPTIONS,
    fbank: { type: 'boolean', description: 'Inputs are .npy fbank features (CMN already applied), not audio' },
    raw: { type: 'boolean', description: 'The raw output of the linear layer (not L2-normalised)' },
    json: { type: 'boolean', description: 'JSON lines on stdout' },
    'batch-size': { type: 'string', value: 'N', description: 'Most inputs of equal length per network call [16]' },
  },
  examples: [
    'wsp embed speech.wav --model ./WeSpeaker-ResNet34-LM-MLX --json > emb.jsonl',
    'wsp embed calls/*.flac --backend cpu --progress --json',
    'wsp embed feats.npy --fbank --model ./model --json',
  ],
  async run(args: Args, io: Io) {
    const json = args.flag('json');
    const maxBatchSize = args.integer('batch-size', 16);
    const { model } = await openModel(args, io, { normalize: !args.flag('raw') });
    try {
      if (args.flag('fbank')) {
        const progress = createProgress(io, 'embedding');
        for (const [i, path] of args.positionals.entries()) {
          const features = await readFeatures(path);
          const embeddings = await model.embedFeatures(features, { file: path });
          const frames = features.shape[features.shape.length - 2];
          embeddings.forEach((embedding, index) => print(io, { input: path, index, frames, embedding }, json));
          progress.update(i + 1, args.positionals.length, path);
        }
        progress.done();
        return;
      }
      // Chunks of inputs: results are printed as each chunk finishes and memory stays bounded for
      // long file lists; inputs of equal length within a chunk share network calls.
      const inputs = args.positionals;
      const progress = createProgress(io, 'embedding');
      for (let offset = 0; offset < inputs.length; offset += CHUNK) {
        const chunk = inputs.slice(offset, offset + CHUNK);
        const results = await model.embedBatchDetailed(chunk, {
          maxBatchSize,
          onProgress: (e) => progress.update(offset + e.completed, inputs.length, e.stage),
        });
        progress.done(); // end the bar's line before printing (both may share a terminal)
        results.forEach((r, i) => {
          warn(io, r.audio.warnings, chunk[i]);
          if (r.padded) warn(io, [`shorter than ${model.minimumSamples / 16000} s: repeated up to it (--short-input pad)`], chunk[i]);
          print(io, { input: chunk[i], index: 0, frames: r.frames, embedding: r.embedding }, json);
        });
      }
    } finally {
      model.dispose();
    }
  },
};
