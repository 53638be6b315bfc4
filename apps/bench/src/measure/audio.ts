/**
 * A real file end to end through the product API: `loadSpeakerModel(...).embed(file)` of
 * @wsp/speaker (decode, resample, @wsp/fbank wespeaker preset + CMN, network) on every backend;
 * onnxruntime-node as the network behind the same front end (`computeFeatures`); PyTorch with its
 * own whole pipeline (wave read, torchaudio Kaldi fbank + CMN, eager model). Interleaved like the
 * matrix. Then peak RSS for a 60 s file, measured in a fresh child process (rss-child.ts).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureInterleaved } from '@wsp/benchkit';
import type { Contender as TimedContender, Summary, TorchPeer } from '@wsp/benchkit';
import type { EmbeddingModel } from '@wsp/resnet-graph';
import { computeFeatures, loadSpeakerModel } from '@wsp/speaker';
import type { SpeakerModel } from '@wsp/speaker';
import type { Contender } from './contenders.js';

export interface AudioRow extends Summary {
  name: string;
  contender: string;
  audioSeconds: number;
  /** Seconds of audio per second of processing. */
  realtime: number;
}

export async function measureAudioFile(
  contenders: readonly Contender[],
  model: EmbeddingModel,
  threads: number,
  torch: TorchPeer | undefined,
  wav: string,
  seconds: number,
  rounds: number,
  turns: { settleMs: number; turnWarmup: number },
): Promise<AudioRow[]> {
  const timed: Record<string, TimedContender> = {};
  const label: Record<string, string> = {};
  const speakers: SpeakerModel[] = [];
  try {
    for (const c of contenders) {
      if (c.kind === 'backend') {
        const speaker = await loadSpeakerModel(model, { backend: c.name, threads });
        speakers.push(speaker);
        const name = `@wsp/speaker embed(file), backend ${c.name}`;
        timed[name] = () => speaker.embed(wav);
        label[name] = c.name;
      } else if (!c.name.startsWith('pytorch')) {
        const name = `@wsp/speaker computeFeatures(file) + ${c.name} (peer network)`;
        timed[name] = async () => {
          const features = await computeFeatures(wav);
          await c.time(features.data, 1, features.numFrames);
        };
        label[name] = c.name;
      }
    }
    if (torch) {
      const name = 'PyTorch: wave + torchaudio kaldi.fbank + CMN + eager model (peer)';
      timed[name] = {
        run: async () => ((await torch.request({ mode: 'audio', wav, iterations: 1 })) as { ms: number[] }).ms[0],
        selfTimed: true,
      };
      label[name] = 'pytorch-eager';
    }
    const timing = await measureInterleaved(timed, { warmup: 2, rounds, budgetMs: 8000, minRounds: 3, ...turns });
    return Object.entries(timing).map(([name, s]) => ({ ...s, name, contender: label[name], audioSeconds: seconds, realtime: seconds / (s.median / 1000) }));
  } finally {
    for (const speaker of speakers) speaker.dispose();
  }
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
