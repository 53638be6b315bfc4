// pnpm --filter @wsp/fbank bench: 10 s of 16 kHz audio through the wespeaker preset + CMN, batch and
// streaming in 10 ms chunks, side by side with torchaudio's kaldi.fbank + CMN when /usr/bin/python3
// has it. Reports frames/s, real-time factor and the ratio to torchaudio; writes the bench part.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { markdownTable, measure, measureInterleaved, smoke, writeBenchPart } from '@wsp/benchkit';
import FFT from 'fft.js';
import { OnlineFbank, applyCmn, fbank } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const SAMPLE_RATE = 16000;
const SECONDS = 10;
const CHUNK = 160; // 10 ms

/** Deterministic speech-like test signal: a gliding harmonic voice with syllable-rate AM, plus noise. */
function testSignal(n) {
  const x = new Float32Array(n);
  let seed = 12345;
  const noise = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296 - 0.5) * 0.02;
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / SAMPLE_RATE;
    phase += (2 * Math.PI * (120 + 30 * Math.sin(2 * Math.PI * 0.7 * t))) / SAMPLE_RATE;
    let v = 0;
    for (let h = 1; h <= 12; h++) v += Math.sin(h * phase) / h;
    x[i] = 0.2 * v * (0.55 + 0.45 * Math.sin(2 * Math.PI * 4 * t)) + noise();
  }
  return x;
}

const samples = testSignal(SAMPLE_RATE * SECONDS);

const batch = () => applyCmn(fbank(samples, 'wespeaker'), { inPlace: true });
const streaming = () => {
  const online = new OnlineFbank('wespeaker');
  for (let i = 0; i < samples.length; i += CHUNK) online.acceptWaveform(samples.subarray(i, i + CHUNK));
  online.inputFinished();
  return applyCmn(online.pop(), { inPlace: true });
};

const ours = batch();
const streamed = streaming();
if (!ours.data.every((v, i) => v === streamed.data[i])) throw new Error('streaming output differs from batch');

function runTorchaudio(dir) {
  const python = '/usr/bin/python3';
  const probe = spawnSync(python, ['-c', 'import torchaudio'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return { skipped: `${python} has no torchaudio (apt-get install python3-torchaudio)` };
  const samplesFile = join(dir, 'samples.f32');
  const featuresFile = join(dir, 'features.f32');
  writeFileSync(samplesFile, new Uint8Array(samples.buffer));
  const iterations = smoke ? 3 : 200;
  const r = spawnSync(python, [join(here, 'torchaudio_fbank.py'), samplesFile, featuresFile, String(iterations), smoke ? '1' : '20'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`torchaudio helper failed:\n${r.stderr}`);
  const result = JSON.parse(r.stdout);
  const theirs = new Float32Array(readFileSync(featuresFile).buffer.slice(0));
  let maxDiff = 0;
  for (let i = 0; i < theirs.length; i++) maxDiff = Math.max(maxDiff, Math.abs(theirs[i] - ours.data[i]));
  return { ...result, maxAbsDiffVsOurs: theirs.length === ours.data.length ? maxDiff : NaN };
}

/**
 * Why the kernel uses fft.js's complex transform at half size: time 1000 frames of 512 real samples
 * with fft.js's realTransform(512) against transform(256) on the same buffer (the split to the real
 * spectrum, which the kernel fuses with its power loop, is not included).
 */
async function fftChoice() {
  const frame = new Float64Array(512);
  for (let i = 0; i < 400; i++) frame[i] = samples[i] * 32768;
  const real = new FFT(512);
  const half = new FFT(256);
  const out = new Float64Array(1024);
  const frames = 1000;
  const realTime = await measure(() => { for (let i = 0; i < frames; i++) real.realTransform(out, frame); });
  const halfTime = await measure(() => { for (let i = 0; i < frames; i++) half.transform(out, frame); });
  return { realTransformUs: (realTime.median * 1000) / frames, halfComplexUs: (halfTime.median * 1000) / frames };
}

const dir = mkdtempSync(join(tmpdir(), 'wsp-fbank-bench-'));
try {
  const torchBefore = runTorchaudio(dir);
  const timing = await measureInterleaved({ batch, streaming }, { warmup: 30, rounds: 300 });
  const torchAfter = torchBefore.skipped ? torchBefore : runTorchaudio(dir);
  const torchMedian = torchBefore.skipped ? undefined : (torchBefore.median + torchAfter.median) / 2;

  const frames = ours.numFrames;
  const row = (name, median, p10, p90) => ({
    contender: name,
    'median ms': median,
    'p10 ms': p10,
    'p90 ms': p90,
    'frames/s': Math.round(frames / (median / 1000)),
    RTF: (median / 1000 / SECONDS).toExponential(2),
    'vs torchaudio': torchMedian ? `${(torchMedian / median).toFixed(2)}x` : 'n/a',
  });
  const rows = [
    row('@wsp/fbank batch + CMN', timing.batch.median, timing.batch.p10, timing.batch.p90),
    row('@wsp/fbank streaming 10 ms + CMN', timing.streaming.median, timing.streaming.p10, timing.streaming.p90),
  ];
  if (torchMedian) rows.push(row(`torchaudio ${torchBefore.torchaudio} kaldi.fbank + CMN (1 thread)`, torchMedian, torchBefore.p10, torchBefore.p90));

  console.log(`fbank: ${SECONDS} s of ${SAMPLE_RATE} Hz audio, wespeaker preset + CMN, ${frames} frames${smoke ? ' (smoke run)' : ''}`);
  console.log(markdownTable(rows));
  console.log(`streaming / batch: ${(timing.streaming.median / timing.batch.median).toFixed(3)} (goal <= 1.2); batch goal <= 2 ms median`);
  const fft = await fftChoice();
  console.log(`fft.js per 512-point real frame: realTransform(512) ${fft.realTransformUs.toFixed(2)} µs, transform(256) ${fft.halfComplexUs.toFixed(2)} µs (+ split)`);
  if (torchMedian) console.log(`torchaudio medians before/after: ${torchBefore.median.toFixed(3)} / ${torchAfter.median.toFixed(3)} ms; max |ours − torchaudio| = ${torchBefore.maxAbsDiffVsOurs.toExponential(2)}`);
  else console.log(`torchaudio: skipped (${torchBefore.skipped})`);

  const file = writeBenchPart(
    'fbank',
    [
      { name: 'fbank batch + CMN, 10 s @ 16 kHz', unit: 'ms', ...timing.batch, framesPerSecond: frames / (timing.batch.median / 1000), rtf: timing.batch.median / 1000 / SECONDS },
      { name: 'fbank streaming 10 ms chunks + CMN, 10 s @ 16 kHz', unit: 'ms', ...timing.streaming, framesPerSecond: frames / (timing.streaming.median / 1000), rtf: timing.streaming.median / 1000 / SECONDS },
      ...(torchMedian
        ? [{ name: 'torchaudio kaldi.fbank + CMN, 10 s @ 16 kHz (1 thread)', unit: 'ms', median: torchMedian, before: torchBefore, after: torchAfter, framesPerSecond: frames / (torchMedian / 1000), rtf: torchMedian / 1000 / SECONDS }]
        : []),
    ],
    { frames, audioSeconds: SECONDS, fftPerFrameMicroseconds: fft, streamingOverBatch: timing.streaming.median / timing.batch.median, speedupVsTorchaudio: torchMedian ? torchMedian / timing.batch.median : null, torchaudio: torchBefore.skipped ?? null },
  );
  console.log(`wrote ${file}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
