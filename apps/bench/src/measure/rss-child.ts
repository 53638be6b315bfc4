/**
 * Child process of the peak-RSS measurement: a fresh Node process that loads the model directory
 * with `loadSpeakerModel` of @wsp/speaker on the best available backend ('auto'), embeds one WAV
 * file (decode, fbank + CMN, network) and prints one JSON line with its resident-set figures:
 *
 *   node rss-child.js <model dir> <wav> <seconds> <threads>
 *
 * peak = process.resourceUsage().maxRSS (the kernel's high-water mark of this process).
 */
import { loadSpeakerModel } from '@wsp/speaker';

const mib = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

async function main(): Promise<void> {
  const [modelDir, wav, seconds, threads] = process.argv.slice(2);
  const baseline = process.memoryUsage().rss;
  const speaker = await loadSpeakerModel(modelDir, { backend: 'auto', threads: Number(threads) });
  const loaded = process.memoryUsage().rss;
  const t0 = performance.now();
  await speaker.embed(wav);
  const embedMs = performance.now() - t0;
  const result = {
    pipeline: `@wsp/speaker loadSpeakerModel + embed(file), backend ${speaker.backendName} ('auto')`,
    backend: speaker.backendName,
    audioSeconds: Number(seconds),
    peakRssMiB: mib(process.resourceUsage().maxRSS * 1024),
    baselineRssMiB: mib(baseline),
    modelRssMiB: mib(loaded),
    embedMs,
  };
  speaker.dispose();
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
