import type { Args, CommandSpec, Io } from '../args.js';
import { EMBEDDING_OPTIONS, MODEL_OPTIONS, openModel } from '../model-option.js';
import { fixed, jsonLine, warn } from '../output.js';
import { createProgress } from '../progress.js';
import { REGISTRY_OPTION, checkRegistryFits, openRegistry } from '../registry-file.js';

export const identify: CommandSpec = {
  name: 'identify',
  summary: 'who is speaking: the best matches of each recording in a registry file',
  usage: 'wsp identify --registry FILE <audio...> [--top-k 1] [--threshold t] [--model DIR | --demo] [--json]',
  description:
    'Scores are cosines in [-1, 1] between the recording and each voiceprint. With --threshold only matches at or above it\n' +
    'are listed (none: an empty list, exit 0); without it the best --top-k are ranked.\n' +
    'JSON: one line per recording, {"input", "matches": [{"name", "score"}]}.',
  positionals: { min: 1, max: Infinity },
  options: {
    ...REGISTRY_OPTION,
    'top-k': { type: 'string', value: 'K', description: 'How many matches per recording [1]' },
    threshold: { type: 'string', value: 'T', description: 'Smallest cosine that counts as a match' },
    ...MODEL_OPTIONS,
    ...EMBEDDING_OPTIONS,
    json: { type: 'boolean', description: 'JSON lines on stdout' },
  },
  examples: ['wsp identify --registry speakers.json unknown.wav --top-k 3 --model ./model', 'wsp identify --registry speakers.json calls/*.wav --threshold 0.3 --json'],
  async run(args: Args, io: Io) {
    const file = args.required('registry');
    const topK = args.integer('top-k', 1);
    const threshold = args.number('threshold', { min: -1, max: 1 });
    const registry = await openRegistry(file, false);
    const { model } = await openModel(args, io);
    try {
      checkRegistryFits(registry, file, model.embeddingDim);
      const progress = createProgress(io, 'identifying');
      const results = await model.embedBatchDetailed(args.positionals, { onProgress: (e) => progress.update(e.completed, e.total, e.stage) });
      progress.done();
      results.forEach((r, i) => {
        const input = args.positionals[i];
        warn(io, r.audio.warnings, input);
        const matches = registry.identify(r.embedding, { topK, threshold });
        if (args.flag('json')) jsonLine(io, { input, matches });
        else io.out(`${input}: ${matches.length ? matches.map((m) => `${m.name} ${fixed(m.score, 4)}`).join(', ') : `no match${threshold === undefined ? '' : ` at or above ${threshold}`}`}\n`);
      });
    } finally {
      model.dispose();
    }
  },
};
