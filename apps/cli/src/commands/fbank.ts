import { computeFeatures } from '@wsp/speaker';
import { encodeNpy } from '@wsp/weights';
import type { Args, CommandSpec, Io } from '../args.js';
import { jsonLine, warn, writeUserFile } from '../output.js';

export const fbank: CommandSpec = {
  name: 'fbank',
  summary: "the model's input features of an audio file, as .npy",
  usage: 'wsp fbank <audio> --out feats.npy [--no-cmn]',
  description:
    'Decodes, mixes down and resamples to 16 kHz, then computes the WeSpeaker fbank preset (80 log-mel bins, 25 ms Hamming\n' +
    'frames every 10 ms, samples x 32768, as torchaudio.compliance.kaldi.fbank) and subtracts the mean of each bin (CMN).\n' +
    'Writes float32 [T, 80]; `wsp embed --fbank` reads it back.',
  positionals: { min: 1, max: 1 },
  options: {
    out: { type: 'string', value: 'FILE', description: 'Where to write the .npy (required)' },
    'no-cmn': { type: 'boolean', description: 'Skip the mean normalisation' },
    json: { type: 'boolean', description: 'A JSON summary on stdout' },
  },
  examples: ['wsp fbank speech.wav --out feats.npy', 'wsp fbank speech.mp3 --out raw.npy --no-cmn'],
  async run(args: Args, io: Io) {
    const out = args.required('out');
    const [input] = args.positionals;
    const cmn = !args.flag('no-cmn');
    const f = await computeFeatures(input, { cmn });
    warn(io, f.audio.warnings, input);
    await writeUserFile(out, encodeNpy(f.data, [f.numFrames, f.numBins]));
    if (args.flag('json')) jsonLine(io, { input, output: out, frames: f.numFrames, bins: f.numBins, cmn, durationSec: f.audio.durationSec });
    else io.out(`wrote ${out}: float32 [${f.numFrames}, ${f.numBins}]${cmn ? ', CMN applied' : ', no CMN'} (${input}, ${f.audio.durationSec.toFixed(2)} s)\n`);
  },
};
