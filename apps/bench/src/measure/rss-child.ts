/**
 * Child process of the peak-RSS measurement: a fresh Node process that loads the model directory,
 * starts the best available backend ('auto'), embeds one WAV file end to end (decode, fbank + CMN,
 * network) and prints one JSON line with its resident-set figures:
 *
 *   node rss-child.js <model dir> <wav> <seconds> <threads>
 *
 * peak = process.resourceUsage().maxRSS (the kernel's high-water mark of this process).
 */
import ndarray from 'ndarray';
import { applyCmn, fbank } from '@wsp/fbank';
import { createInferenceSession, resolveBackend } from '@wsp/resnet-graph';
import { loadAudio } from '@wsp/speaker';
import { loadWeSpeakerWeights } from '@wsp/weights';
import '@wsp/backend-ascend';
import '@wsp/backend-cpu';

const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

async function main(): Promise<void> {
  const [modelDir, wav, seconds, threads] = process.argv.slice(2);
  const baseline = process.memoryUsage().rss;
  const model = await loadWeSpeakerWeights(modelDir);
  const { backend, name } = await resolveBackend('auto', { threads: Number(threads) });
  const session = createInferenceSession(backend, model);
  const loaded = process.memoryUsage().rss;
  const t0 = performance.now();
  const audio = await loadAudio(wav);
  const features = applyCmn(fbank(audio.samples, 'wespeaker'), { inPlace: true });
  await session.run(ndarray(features.data, [1, features.numFrames, features.numBins]));
  const embedMs = performance.now() - t0;
  const result = {
    pipeline: `@wsp/speaker loadAudio + @wsp/fbank + ${name} ('auto')`,
    backend: name,
    audioSeconds: Number(seconds),
    peakRssMiB: mib(process.resourceUsage().maxRSS * 1024),
    baselineRssMiB: mib(baseline),
    modelRssMiB: mib(loaded),
    embedMs,
  };
  session.dispose();
  backend.dispose();
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
