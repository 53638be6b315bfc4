// Audio front-end benchmark of @wsp/speaker (run by `pnpm bench`; WSP_BENCH_SMOKE=1 for a short run):
// - resampling 30 s of audio to 16 kHz, ours against torchaudio.functional.resample (Debian's
//   python3-torchaudio, timed inside one Python process started right after ours, 1 thread);
// - decoding: the in-house WAV decoder and the WebAssembly FLAC/MP3/Opus decoders on the fixtures.
// Figures are medians of repeated runs on this machine; compare ratios, not absolute times.
/* global console */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { markdownTable, measure, repoRoot, smoke, writeBenchPart } from '@wsp/benchkit';
import { seededRandom } from '@wsp/weights';
import { decodeAudio, resample } from '../dist/index.js';

const seconds = smoke ? 2 : 30;
const rates = [8000, 22050, 44100, 48000];
const rnd = seededRandom(5);
const signals = Object.fromEntries(rates.map((r) => [r, Float32Array.from({ length: r * seconds }, () => rnd.normal() * 0.1)]));

const rows = [];
for (const rate of rates) {
  const input = signals[rate];
  const stats = await measure(() => resample(input, rate, 16000), { warmup: 3, iterations: 10 });
  rows.push({ name: `resample ${rate} -> 16000 (ours)`, unit: 'ms', audioSec: seconds, ...stats, realtime: seconds / (stats.median / 1000) });
}

const python = `
import sys, time, json, torch, torchaudio
torch.set_num_threads(1)
seconds, rates, iters = int(sys.argv[1]), [int(r) for r in sys.argv[2].split(',')], int(sys.argv[3])
g = torch.Generator().manual_seed(5)
out = {}
for r in rates:
    x = torch.randn(r * seconds, generator=g) * 0.1
    for _ in range(2): torchaudio.functional.resample(x, r, 16000)
    t = []
    for _ in range(iters):
        t0 = time.perf_counter(); torchaudio.functional.resample(x, r, 16000); t.append((time.perf_counter() - t0) * 1000)
    t.sort(); out[r] = t[len(t) // 2]
print(json.dumps(out))
`;
const py = spawnSync('/usr/bin/python3', ['-c', python, String(seconds), rates.join(','), smoke ? '3' : '10'], { encoding: 'utf8', timeout: 600_000 });
if (py.status === 0) {
  const medians = JSON.parse(py.stdout);
  for (const rate of rates) {
    const ours = rows.find((r) => r.name === `resample ${rate} -> 16000 (ours)`);
    rows.push({ name: `resample ${rate} -> 16000 (torchaudio, 1 thread)`, unit: 'ms', audioSec: seconds, median: medians[rate], realtime: seconds / (medians[rate] / 1000), oursSpeedup: medians[rate] / ours.median });
  }
} else {
  console.log(`torchaudio peer not run: ${(py.stderr || py.error?.message || '').trim().split('\n').at(-1)}`);
}

const fixtures = join(repoRoot, 'fixtures', 'speaker');
for (const [label, file] of [
  ['decode WAV 16-bit 2.9 s', join(fixtures, 'source', 'speech-48000.wav')],
  ['decode FLAC 2.9 s', join(fixtures, 'codecs', 'speech-22050.flac')],
  ['decode MP3 2.9 s', join(fixtures, 'codecs', 'speech-22050.mp3')],
  ['decode Ogg Opus 2.9 s', join(fixtures, 'codecs', 'speech-48000.opus')],
]) {
  const bytes = readFileSync(file);
  const stats = await measure(() => decodeAudio(bytes), { warmup: 3, iterations: 15 });
  rows.push({ name: label, unit: 'ms', audioSec: 2.93, ...stats, realtime: 2.93 / (stats.median / 1000) });
}

console.log(markdownTable(rows.map((r) => ({ name: r.name, 'median ms': r.median, 'x realtime': r.realtime, 'torchaudio/ours': r.oursSpeedup ?? '' }))));
console.log(`wrote ${writeBenchPart('speaker-audio', rows)}`);
