/**
 * A real file end to end: a 10 s WAV decoded and resampled by @wsp/speaker, features by
 * @wsp/fbank (wespeaker preset + CMN), then the embedding — on every backend, and with
 * onnxruntime-node as the network behind our front end; PyTorch runs its own whole pipeline
 * (wave read, torchaudio Kaldi fbank + CMN, eager model). Interleaved like the matrix.
 * Then peak RSS for a 60 s file, measured in a fresh child process (rss-child.ts).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureInterleaved } from '@wsp/benchkit';
import type { Contender as TimedContender, Summary, TorchPeer } from '@wsp/benchkit';
import { applyCmn, fbank } from '@wsp/fbank';
import { loadAudio } from '@wsp/speaker';
import type { Contender } from './contenders.js';

export interface AudioRow extends Summary {
  name: string;
  contender: string;
  audioSeconds: number;
  /** Seconds of audio per second of processing. */
  realtime: number;
}

/** decode + resample + fbank + CMN with our packages, then `network` on the features. */
async function ourPipeline(wav: string, network: Contender): Promise<void> {
  const audio = await loadAudio(wav);
  const features = applyCmn(fbank(audio.samples, 'wespeaker'), { inPlace: true });
  await network.time(features.data, 1, features.numFrames);
}

export async function measureAudioFile(
  contenders: readonly Contender[],
  torch: TorchPeer | undefined,
  wav: string,
  seconds: number,
  rounds: number,
  settleMs: number,
): Promise<AudioRow[]> {
  const timed: Record<string, TimedContender> = {};
  const label: Record<string, string> = {};
  for (const c of contenders) {
    if (c.name.startsWith('pytorch')) continue;
    const name = c.kind === 'backend' ? `@wsp/speaker + @wsp/fbank + ${c.name}` : `@wsp/speaker + @wsp/fbank + ${c.name} (peer network)`;
    timed[name] = () => ourPipeline(wav, c);
    label[name] = c.name;
  }
  if (torch) {
    const name = 'PyTorch: wave + torchaudio kaldi.fbank + CMN + eager model (peer)';
    timed[name] = {
      run: async () => ((await torch.request({ mode: 'audio', wav, iterations: 1 })) as { ms: number[] }).ms[0],
      selfTimed: true,
    };
    label[name] = 'pytorch-eager';
  }
  const timing = await measureInterleaved(timed, { warmup: 2, rounds, budgetMs: 8000, minRounds: 3, settleMs });
  return Object.entries(timing).map(([name, s]) => ({ ...s, name, contender: label[name], audioSeconds: seconds, realtime: seconds / (s.median / 1000) }));
}

export interface RssResult {
  pipeline: string;
  backend: string;
  audioSeconds: number;
  peakRssMiB: number;
  baselineRssMiB: number;
  modelRssMiB: number;
  embedMs: number;
}

/** Runs rss-child.js (built next to this module) on a fresh Node process. */
export function measurePeakRss(modelDir: string, wav: string, seconds: number, threads: number): RssResult | { unavailable: string } {
  const child = join(fileURLToPath(new URL('.', import.meta.url)), 'rss-child.js');
  const r = spawnSync(process.execPath, [child, modelDir, wav, String(seconds), String(threads)], { encoding: 'utf8', timeout: 900_000 });
  if (r.status !== 0) return { unavailable: `the child process failed: ${(r.stderr || String(r.error)).trim().split('\n').slice(-3).join(' | ')}` };
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as RssResult;
}
