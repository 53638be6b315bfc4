// pnpm --filter @wsp/fbank bench: 10 s of 16 kHz audio through the wespeaker preset + CMN, batch and
// streaming in 10 ms chunks, side by side with torchaudio's kaldi.fbank + CMN when /usr/bin/python3
// has it. The machine is shared, so ours and torchaudio's are timed in alternating rounds (a
// Python helper that stays up and times on request) and the ratio is the median of per-round
// ratios. Reports frames/s, real-time factor, the ratios and the load average before and after
// (other jobs slow torchaudio more than us, so ratios from a loaded machine flatter us); writes
// bench/results/parts/fbank.json.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { markdownTable, measureInterleaved, smoke, summarize, writeBenchPart } from '@wsp/benchkit';
import { OnlineFbank, applyCmn, fbank } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const PYTHON = '/usr/bin/python3';
const SAMPLE_RATE = 16000;
const SECONDS = 10;
const CHUNK = 160; // 10 ms
const ROUNDS = smoke ? 2 : 15;
const PER_ROUND = smoke ? 3 : 25;

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

/** Starts the torchaudio helper; resolves to { info, time(n), close() } or { skipped }. */
async function startTorchaudio(dir) {
  const probe = spawnSync(PYTHON, ['-c', 'import torchaudio'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return { skipped: `${PYTHON} has no torchaudio (apt-get install python3-torchaudio)` };
  const samplesFile = join(dir, 'samples.f32');
  const featuresFile = join(dir, 'features.f32');
  writeFileSync(samplesFile, new Uint8Array(samples.buffer));
  const child = spawn(PYTHON, [join(here, 'torchaudio_fbank.py'), samplesFile, featuresFile, smoke ? '1' : '20'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error('torchaudio helper exited early');
    return JSON.parse(value);
  };
  const info = await next();
  const theirs = new Float32Array(readFileSync(featuresFile).buffer.slice(0));
  let maxDiff = theirs.length === ours.data.length ? 0 : NaN;
  for (let i = 0; i < theirs.length; i++) maxDiff = Math.max(maxDiff, Math.abs(theirs[i] - ours.data[i]));
  return {
    info: { ...info, maxAbsDiffVsOurs: maxDiff },
    time: async (n) => {
      child.stdin.write(`${n}\n`);
      return next();
    },
    close: () => child.stdin.end(),
  };
}

const median = (xs) => summarize(xs).median;
/** The goal as a ratio: at most 2 ms where torchaudio takes 3.7 ms on a quiet machine. */
const GOAL_OVER_TORCHAUDIO = 2 / 3.7;
/** Above this 1-minute load average other jobs slow torchaudio far more than us: the ratio flatters us. */
const QUIET_LOAD = 1;
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const loadBefore = load();
const quietBefore = loadavg()[0] <= QUIET_LOAD;
const verdict = (batchOverTorch) => {
  if (smoke) return '';
  if (!quietBefore || loadavg()[0] > QUIET_LOAD) return `: not judged (load average above ${QUIET_LOAD}; rerun on a quiet machine)`;
  return batchOverTorch <= GOAL_OVER_TORCHAUDIO ? ': met' : ': not met';
};
const dir = mkdtempSync(join(tmpdir(), 'wsp-fbank-bench-'));
try {
  const torch = await startTorchaudio(dir);
  await measureInterleaved({ batch, streaming }, { warmup: 30, rounds: 1 });
  const perRound = { batch: [], streaming: [], torchaudio: [] };
  for (let r = 0; r < ROUNDS; r++) {
    const timing = await measureInterleaved({ batch, streaming }, { warmup: 2, rounds: PER_ROUND });
    perRound.batch.push(timing.batch.median);
    perRound.streaming.push(timing.streaming.median);
    if (!torch.skipped) perRound.torchaudio.push((await torch.time(PER_ROUND)).median);
  }
  if (!torch.skipped) torch.close();
  const loadAfter = load();

  const frames = ours.numFrames;
  const batchMs = median(perRound.batch);
  const streamingMs = median(perRound.streaming);
  const torchMs = torch.skipped ? undefined : median(perRound.torchaudio);
  const ratio = (mine) => (torch.skipped ? undefined : median(perRound.torchaudio.map((t, i) => t / mine[i])));
  const row = (name, ms, speedup) => ({
    contender: name,
    'median ms': ms,
    'frames/s': Math.round(frames / (ms / 1000)),
    RTF: (ms / 1000 / SECONDS).toExponential(2),
    'torchaudio time / this': speedup === undefined ? 'n/a' : `${speedup.toFixed(2)}x`,
  });
  const rows = [row('@wsp/fbank batch + CMN', batchMs, ratio(perRound.batch)), row('@wsp/fbank streaming 10 ms + CMN', streamingMs, ratio(perRound.streaming))];
  if (torchMs) rows.push(row(`torchaudio ${torch.info.torchaudio} kaldi.fbank + CMN (1 thread)`, torchMs, 1));

  console.log(`fbank: ${SECONDS} s of ${SAMPLE_RATE} Hz audio, wespeaker preset + CMN, ${frames} frames; ${ROUNDS} rounds of ${PER_ROUND} runs each${smoke ? ' (smoke run)' : ''}`);
  console.log(markdownTable(rows));
  console.log(`streaming / batch: ${median(perRound.streaming.map((s, i) => s / perRound.batch[i])).toFixed(3)} (goal <= 1.2); batch goal: <= 2 ms median`);
  if (torchMs) {
    const batchOverTorch = 1 / ratio(perRound.batch);
    console.log(`batch time / torchaudio time: ${batchOverTorch.toFixed(2)} (goal <= ${GOAL_OVER_TORCHAUDIO.toFixed(2)}, i.e. 2 ms where torchaudio takes 3.7 ms)${verdict(batchOverTorch)}`);
    console.log(`torchaudio per-round medians: ${perRound.torchaudio.map((t) => t.toFixed(2)).join(' ')} ms; max |ours − torchaudio| = ${torch.info.maxAbsDiffVsOurs.toExponential(2)}`);
  } else console.log(`torchaudio: skipped (${torch.skipped})`);
  console.log(`load average (1, 5, 15 min) before: ${loadBefore}, after: ${loadAfter}`);

  const entry = (name, ms, rounds, extra = {}) => ({ name, unit: 'ms', median: ms, rounds, framesPerSecond: frames / (ms / 1000), rtf: ms / 1000 / SECONDS, ...extra });
  const file = writeBenchPart(
    'fbank',
    [
      entry('fbank batch + CMN, 10 s @ 16 kHz', batchMs, perRound.batch, { torchaudioOverThis: ratio(perRound.batch) ?? null }),
      entry('fbank streaming 10 ms chunks + CMN, 10 s @ 16 kHz', streamingMs, perRound.streaming, { torchaudioOverThis: ratio(perRound.streaming) ?? null }),
      ...(torchMs ? [entry('torchaudio kaldi.fbank + CMN, 10 s @ 16 kHz (1 thread)', torchMs, perRound.torchaudio, { versions: torch.info })] : []),
    ],
    { frames, audioSeconds: SECONDS, streamingOverBatch: streamingMs / batchMs, torchaudio: torch.skipped ?? 'side by side', loadAverage: { before: loadBefore, after: loadAfter } },
  );
  console.log(`wrote ${file}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
