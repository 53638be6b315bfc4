/**
 * The measure step of `pnpm bench` (after every package bench): the compute limits, the
 * end-to-end matrix with every backend and peer interleaved, the agreement check, and the audio
 * file pipeline. Each writes a part like the package benches do, so the report is assembled from
 * parts only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeBenchPart } from '@wsp/benchkit';
import { createBenchModel } from '../model.js';
import type { BenchSettings } from '../settings.js';
import { startContenders } from './contenders.js';
import { measureAgreement, measureLatency } from './latency.js';
import { nativeFmaPeak, torchSgemm } from './peak.js';
import { measureAudioFile, measurePeakRss } from './audio.js';
import { profileOrt } from './ort-profile.js';
import { writeSpeechWav } from '../speech-file.js';

const log = (text: string) => process.stderr.write(`[wsp-bench] ${text}\n`);

export async function runMeasurements(settings: BenchSettings): Promise<string[]> {
  const written: string[] = [];
  const work = mkdtempSync(join(tmpdir(), 'wsp-bench-'));
  const bench = await createBenchModel(settings.modelSize);
  const set = await startContenders(bench.model, bench.dir, work, settings.threads);
  try {
    log(`contenders: ${set.contenders.map((c) => c.name).join(', ')}; unavailable: ${set.unavailable.map((u) => u.name).join(', ') || 'none'}`);

    log('compute limits');
    const fmaPeak = nativeFmaPeak(settings.threads, settings.smoke ? 0.05 : 0.5);
    const sgemm = await torchSgemm(set.torch, settings.smoke ? 256 : 2048, settings.smoke ? 2 : 7);
    written.push(writeBenchPart('bench-limits', [], { fmaPeak, sgemm }));

    log('end-to-end matrix');
    // Each turn: 10 ms pause, one untimed call, the timed call (see measureInterleaved); smoke runs skip both.
    const turns = settings.smoke ? { settleMs: 0, turnWarmup: 0 } : { settleMs: 10, turnWarmup: 1 };
    const rows = await measureLatency(set.contenders, bench.model, { rounds: 25, budgetMs: 6000, ...turns });
    const agreement = await measureAgreement(set.contenders, bench.model);
    written.push(
      writeBenchPart(
        'bench-latency',
        rows.map((r) => ({ name: `${r.contender} ${r.batch}x${r.frames}`, unit: 'ms', ...r })),
        {
          model: bench.description,
          threads: settings.threads,
          turns,
          contenders: set.contenders.map(({ name, kind, description }) => ({ name, kind, description })),
          unavailable: set.unavailable,
          agreement,
          versions: set.versions,
        },
      ),
    );
    log('onnxruntime-node per layer (its profiler)');
    const ortLayers = await profileOrt(bench.model, settings.threads, settings.smoke ? 3 : 25);
    written.push(
      'unavailable' in ortLayers
        ? writeBenchPart('bench-ort-layers', [], { unavailable: ortLayers.unavailable })
        : writeBenchPart('bench-ort-layers', ortLayers.map((r) => ({ name: r.node, unit: 'ms', ...r })), { batch: 1, frames: 200, threads: settings.threads }),
    );

    log('audio file end to end');
    const wav10 = writeSpeechWav(join(work, 'speech-10s.wav'), 10);
    const audioRows = await measureAudioFile(set.contenders, bench.model, settings.threads, set.torch, wav10, 10, settings.smoke ? 3 : 20, turns);
    log('peak RSS of a 60 s file (child process)');
    const wav60 = writeSpeechWav(join(work, 'speech-60s.wav'), 60);
    const rss = measurePeakRss(bench.dir, wav60, 60, settings.threads);
    written.push(
      writeBenchPart('bench-audio', audioRows.map((r) => ({ unit: 'ms', ...r })), {
        description: `Speech from fixtures/audio, looped into a 16 kHz mono 16-bit WAV; ${bench.description}.`,
        rss,
      }),
    );
  } finally {
    await set.close();
    bench.dispose();
    rmSync(work, { recursive: true, force: true });
  }
  return written;
}
