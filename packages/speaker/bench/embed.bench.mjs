// Embedding pipeline benchmark of @wsp/speaker (run by `pnpm bench`; WSP_BENCH_SMOKE=1 for a short
// run): where the time of one `embed(file)` goes on the full-size ResNet34-LM (generated weights, the
// 'auto' backend): decoding + resampling, fbank + CMN, the network, and the whole call; and what
// batching equal-length inputs saves (embedBatch of 4 against 4 embed calls, interleaved).
// Figures are medians on this machine; compare ratios within one run, not absolute times.
/* global console */
import { join } from 'node:path';
import { markdownTable, measure, measureInterleaved, repoRoot, smoke, writeBenchPart } from '@wsp/benchkit';
import { generateSyntheticModel } from '@wsp/weights';
import { computeFeatures, loadAudio, loadSpeakerModel } from '../dist/index.js';

const model = await loadSpeakerModel(generateSyntheticModel());
const heavy = { warmup: 1, iterations: smoke ? 1 : 5, minTimeMs: 0 };
const light = { warmup: 3, iterations: smoke ? 3 : 20 };
const rows = [];
const files = [
  ['speech-a1.wav, 16 kHz, 4.49 s', join(repoRoot, 'fixtures', 'audio', 'speech-a1.wav')],
  ['speech-a2-44100.wav, 44.1 kHz, 2.00 s', join(repoRoot, 'fixtures', 'speaker', 'embed', 'speech-a2-44100.wav')],
];
for (const [label, file] of files) {
  const audio = await loadAudio(file);
  const features = await computeFeatures({ samples: audio.samples, sampleRate: 16000 });
  const stages = {
    'decode + resample (loadAudio)': await measure(() => loadAudio(file), light),
    'fbank + CMN (computeFeatures of samples)': await measure(() => computeFeatures({ samples: audio.samples, sampleRate: 16000 }), light),
    [`network, ${features.numFrames} frames (embedFeatures)`]: await measure(() => model.embedFeatures(features), heavy),
    'whole embed(file)': await measure(() => model.embed(file), heavy),
  };
  for (const [stage, stats] of Object.entries(stages)) rows.push({ name: `${label}: ${stage}`, unit: 'ms', backend: model.backendName, ...stats });
}

const clip = join(repoRoot, 'fixtures', 'speaker', 'embed', 'speech-b1-8000.wav');
const four = [clip, clip, clip, clip];
const batching = await measureInterleaved(
  {
    'embedBatch of 4 (one network call, batch 4)': () => model.embedBatch(four),
    '4 x embed (batch 1 each)': async () => {
      for (const f of four) await model.embed(f);
    },
  },
  { warmup: 1, rounds: smoke ? 1 : 4 },
);
for (const [name, stats] of Object.entries(batching)) rows.push({ name: `speech-b1-8000.wav x 4, 198 frames: ${name}`, unit: 'ms', backend: model.backendName, ...stats });
model.dispose();

console.log(`backend: ${rows[0].backend}${smoke ? ' (smoke run)' : ''}`);
console.log(markdownTable(rows.map((r) => ({ name: r.name, 'median ms': r.median, 'p10 ms': r.p10, 'p90 ms': r.p90, runs: r.iterations }))));
console.log(`wrote ${writeBenchPart('speaker-embed', rows)}`);
