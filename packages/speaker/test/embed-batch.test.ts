// embedBatch groups inputs of equal length into one network call; each result must equal embed of
// that input, in input order, whatever the batch size.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio, loadSpeakerModel } from '../src/index.js';
import type { AudioInput, ProgressEvent, SpeakerModel } from '../src/index.js';
import { recordingPath, speakerGoldenModelDir } from './helpers/speaker-goldens.js';

let model: SpeakerModel;
beforeAll(async () => {
  model = await loadSpeakerModel(await speakerGoldenModelDir('tiny'));
});
afterAll(() => model.dispose());

/** Largest |difference| between two vectors (0 means identical). */
const worst = (a: Float32Array, b: Float32Array) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));

describe('embedBatch', () => {
  it('equals embed per item for mixed lengths and rates, in input order, for any maxBatchSize', async () => {
    const a1 = recordingPath('a1-16000');
    const decoded = await decodeAudio(a1);
    const half = decoded.samples.slice(0, 24000);
    const inputs: AudioInput[] = [
      a1,
      recordingPath('b1-8000'), // 198 frames after resampling
      { samples: half, sampleRate: 16000 }, // 148 frames
      new Uint8Array(readFileSync(recordingPath('a2-44100'))), // 198 frames: batched with b1-8000
      { samples: half.map((v) => v * 0.5), sampleRate: 16000 }, // 148 frames: batched with the other half
      a1, // 447 frames, equal to the first
    ];
    const single: Float32Array[] = [];
    for (const input of inputs) single.push(await model.embed(input));
    for (const maxBatchSize of [1, 2, 16]) {
      const batched = await model.embedBatch(inputs, { maxBatchSize });
      expect(batched).toHaveLength(inputs.length);
      batched.forEach((e, i) => expect(worst(e, single[i]), `item ${i}, maxBatchSize ${maxBatchSize}`).toBeLessThan(1e-6));
    }
    // Scaling the waveform by 0.5 only shifts the log-mel by a constant, which CMN removes.
    expect(worst(single[2], single[4])).toBeLessThan(1e-4);
  });

  it('reports frames, padding and the audio facts per item', async () => {
    const results = await model.embedBatchDetailed([recordingPath('b1-8000'), recordingPath('a1-16000')]);
    expect(results.map((r) => r.frames)).toEqual([198, 447]);
    expect(results.map((r) => r.padded)).toEqual([false, false]);
    expect(results[0].audio.originalSampleRate).toBe(8000);
    expect(results[0].audio.upsampled).toBe(true);
    expect(results[0].audio.warnings.join(' ')).toMatch(/upsampled/);
    expect(results[1].audio.durationSec).toBeCloseTo(4.486, 2);
  });

  it('reports progress: features per item, then embeddings per network call', async () => {
    const events: ProgressEvent[] = [];
    const paths = [recordingPath('b1-8000'), recordingPath('a2-44100'), recordingPath('a1-16000')];
    await model.embedBatch(paths, { maxBatchSize: 1, onProgress: (e) => events.push({ ...e }) });
    expect(events.filter((e) => e.stage === 'features').map((e) => e.completed)).toEqual([1, 2, 3]);
    expect(events.filter((e) => e.stage === 'embeddings').map((e) => e.completed)).toEqual([1, 2, 3]);
    expect(events.every((e) => e.total === 3)).toBe(true);
  });

  it('an empty list gives an empty list; concurrent calls give the same results as sequential ones', async () => {
    expect(await model.embedBatch([])).toEqual([]);
    const paths = [recordingPath('b1-8000'), recordingPath('a1-16000')];
    const sequential = [await model.embed(paths[0]), await model.embed(paths[1])];
    const concurrent = await Promise.all([model.embed(paths[0]), model.embed(paths[1]), model.embedBatch(paths)]);
    expect(worst(concurrent[0], sequential[0])).toBe(0);
    expect(worst(concurrent[1], sequential[1])).toBe(0);
    expect(worst(concurrent[2][1], sequential[1])).toBeLessThan(1e-6);
  });

  it('names the failing input and rejects a bad maxBatchSize', async () => {
    await expect(model.embedBatch([recordingPath('a1-16000'), '/no/such/file.wav'])).rejects.toThrow(/\/no\/such\/file\.wav/);
    await expect(model.embedBatch([recordingPath('a1-16000')], { maxBatchSize: 0 })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });
});
