// embedLong: windows over a long recording with CMN per window (WeSpeaker's diarization recipe),
// against the PyTorch goldens, and each window against embed() of the same stretch of audio.
import { cosine, maxAbsDiff } from '@wsp/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAudio, loadSpeakerModel, SpeakerModelError } from '../src/index.js';
import type { ProgressEvent, SpeakerModel } from '../src/index.js';
import { goldens, recordingPath, speakerGoldenModelDir } from './helpers/speaker-goldens.js';

let model: SpeakerModel;
beforeAll(async () => {
  model = await loadSpeakerModel(await speakerGoldenModelDir('tiny'));
});
afterAll(() => model.dispose());

describe('embedLong', () => {
  for (const g of goldens.long) {
    it(`${g.id}: windows and their mean equal the PyTorch reference`, async () => {
      const result = await model.embedLong(recordingPath(g.recording), { windowSec: g.windowFrames / 100, hopSec: g.hopFrames / 100 });
      expect(result.windows.map((w) => [w.startFrame, w.frames])).toEqual(g.windows.map((w) => [w.startFrame, w.frames]));
      result.windows.forEach((w, i) => {
        expect(cosine(w.embedding, g.windows[i].normalized)).toBeGreaterThanOrEqual(0.9999);
        expect(maxAbsDiff(w.embedding, g.windows[i].normalized)).toBeLessThan(1e-4);
      });
      expect(cosine(result.embedding, g.mean)).toBeGreaterThanOrEqual(0.9999);
      expect(maxAbsDiff(result.embedding, g.mean)).toBeLessThan(1e-4);
    });
  }

  it('defaults to 1.5 s windows every 0.75 s; each window equals embed() of its samples', async () => {
    const path = recordingPath('a1-16000');
    const result = await model.embedLong(path);
    // 447 frames: starts 0, 75, 150, 225, then one aligned to the end (297).
    expect(result.windows.map((w) => w.startFrame)).toEqual([0, 75, 150, 225, 297]);
    expect(result.windows.every((w) => w.frames === 150)).toBe(true);
    const audio = await loadAudio(path);
    for (const w of result.windows) {
      const start = Math.round(w.startSec * 16000);
      const end = Math.round(w.endSec * 16000);
      expect(end - start).toBe(400 + 149 * 160);
      const direct = await model.embed({ samples: audio.samples.slice(start, end), sampleRate: 16000 });
      expect(maxAbsDiff(w.embedding, direct)).toBeLessThan(1e-5);
    }
    expect(result.audio.durationSec).toBeCloseTo(audio.durationSec, 6);
  });

  it('a recording shorter than one window is one window of all its frames', async () => {
    const audio = await loadAudio(recordingPath('a1-16000'));
    const excerpt = { samples: audio.samples.slice(0, 8000), sampleRate: 16000 };
    const result = await model.embedLong(excerpt);
    expect(result.windows.map((w) => [w.startFrame, w.frames])).toEqual([[0, 48]]);
    expect(maxAbsDiff(result.windows[0].embedding, await model.embed(excerpt))).toBeLessThan(1e-6);
    expect(maxAbsDiff(result.embedding, result.windows[0].embedding)).toBeLessThan(1e-6);
  });

  it('reports progress and refuses windows below the pooling minimum', async () => {
    const events: ProgressEvent[] = [];
    await model.embedLong(recordingPath('a1-16000'), { maxBatchSize: 2, onProgress: (e) => events.push({ ...e }) });
    expect(events.filter((e) => e.stage === 'embeddings').map((e) => e.completed)).toEqual([2, 4, 5]);
    await expect(model.embedLong(recordingPath('a1-16000'), { windowSec: 0.05 })).rejects.toBeInstanceOf(SpeakerModelError);
    await expect(model.embedLong(recordingPath('a1-16000'), { hopSec: 0 })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });
});
