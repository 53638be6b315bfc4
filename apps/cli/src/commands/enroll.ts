import type { Args, CommandSpec, Io } from '../args.js';
import { EMBEDDING_OPTIONS, MODEL_OPTIONS, openModel } from '../model-option.js';
import { jsonLine, warn } from '../output.js';
import { createProgress } from '../progress.js';
import { REGISTRY_OPTION, checkRegistryFits, openRegistry } from '../registry-file.js';

export const enroll: CommandSpec = {
  name: 'enroll',
  summary: "add a speaker's recordings to a registry file (created when missing)",
  usage: 'wsp enroll --registry FILE --name NAME <audio...> [--model DIR | --demo]',
  description:
    "The speaker's voiceprint is the mean of the L2-normalised embeddings of all their recordings; enrolling more later\n" +
    'updates it as if all had been enrolled at once. The file is replaced atomically (a crash leaves the old one).\n' +
    'Use the same model for enrol and identify.',
  positionals: { min: 1, max: Infinity },
  options: {
    ...REGISTRY_OPTION,
    name: { type: 'string', value: 'NAME', description: 'Speaker name (required)' },
    ...MODEL_OPTIONS,
    ...EMBEDDING_OPTIONS,
    json: { type: 'boolean', description: 'A JSON summary on stdout' },
  },
  examples: ['wsp enroll --registry speakers.json --name alice alice1.wav alice2.wav --model ./model'],
  async run(args: Args, io: Io) {
    const file = args.required('registry');
    const name = args.required('name');
    const registry = await openRegistry(file, true);
    const { model } = await openModel(args, io);
    let embeddings: Float32Array[];
    try {
      checkRegistryFits(registry, file, model.embeddingDim);
      const progress = createProgress(io, 'enrolling');
      const results = await model.embedBatchDetailed(args.positionals, { onProgress: (e) => progress.update(e.completed, e.total, e.stage) });
      progress.done();
      results.forEach((r, i) => warn(io, r.audio.warnings, args.positionals[i]));
      embeddings = results.map((r) => r.embedding);
    } finally {
      model.dispose();
    }
    const summary = registry.enroll(name, embeddings);
    await registry.save(file);
    if (args.flag('json')) jsonLine(io, { registry: file, name, added: embeddings.length, count: summary.count, speakers: registry.size });
    else io.out(`enrolled ${embeddings.length} recording${embeddings.length === 1 ? '' : 's'} for '${name}' (${summary.count} in total) in ${file}, ${registry.size} speaker${registry.size === 1 ? '' : 's'}\n`);
  },
};
