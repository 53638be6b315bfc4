import { cosineToScore } from '@wsp/speaker';
import type { Args, CommandSpec, Io } from '../args.js';
import { EMBEDDING_OPTIONS, MODEL_OPTIONS, openModel } from '../model-option.js';
import { fixed, jsonLine, warn } from '../output.js';
import { createProgress } from '../progress.js';

export const compare: CommandSpec = {
  name: 'compare',
  summary: 'are two recordings the same speaker? (cosine score and verdict)',
  usage: 'wsp compare <a> <b> [--model DIR | --demo] [--threshold t] [--json]',
  description:
    'The score is the cosine of the two embeddings, in [-1, 1]; WeSpeaker prints (cos + 1) / 2 instead, shown too.\n' +
    'A verdict needs --threshold (a cosine): the right value depends on the model and the recordings, so calibrate it on\n' +
    'your own same/different speaker pairs. Without it the command reports the score only.\n' +
    'JSON: {"a", "b", "score", "wespeakerScore", "threshold", "accepted", "framesA", "framesB", "backend", "model", "demo"}.',
  positionals: { min: 2, max: 2 },
  options: {
    ...MODEL_OPTIONS,
    ...EMBEDDING_OPTIONS,
    threshold: { type: 'string', value: 'T', description: 'Cosine in [-1, 1] at or above which the verdict is "same speaker"' },
    json: { type: 'boolean', description: 'One JSON object on stdout' },
  },
  examples: ['wsp compare alice1.wav alice2.wav --model ./model --threshold 0.3', 'wsp compare a.wav b.wav --demo --json'],
  async run(args: Args, io: Io) {
    const threshold = args.number('threshold', { min: -1, max: 1 });
    const [a, b] = args.positionals;
    const { model, source, demo } = await openModel(args, io);
    try {
      const progress = createProgress(io, 'comparing');
      const [ra, rb] = await model.embedBatchDetailed([a, b], { onProgress: (e) => progress.update(e.completed, e.total, e.stage) });
      progress.done();
      warn(io, ra.audio.warnings, a);
      warn(io, rb.audio.warnings, b);
      const score = model.similarity(ra.embedding, rb.embedding);
      const accepted = threshold === undefined ? null : score >= threshold;
      if (args.flag('json')) {
        jsonLine(io, {
          a,
          b,
          score,
          wespeakerScore: cosineToScore(score),
          threshold: threshold ?? null,
          accepted,
          framesA: ra.frames,
          framesB: rb.frames,
          backend: model.backendName,
          model: source,
          demo,
        });
        return;
      }
      const describe = (path: string, r: typeof ra) => `${path} (${fixed(r.audio.durationSec, 2)} s, ${r.frames} frames)`;
      io.out(`a: ${describe(a, ra)}\nb: ${describe(b, rb)}\n`);
      io.out(`score: ${fixed(score, 4)} (cosine; WeSpeaker's (cos+1)/2 = ${fixed(cosineToScore(score), 4)})\n`);
      if (accepted === null) io.out('verdict: none (pass --threshold T, a cosine calibrated on your recordings, to decide)\n');
      else io.out(`verdict: ${accepted ? 'same speaker' : 'different speakers'} (threshold ${threshold})\n`);
      if (demo) io.out('note: demo model with generated weights: this score says nothing about the speakers\n');
    } finally {
      model.dispose();
    }
  },
};
