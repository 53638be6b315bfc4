// Input below the pooling minimum (9 frames = 1680 samples = 0.105 s): a typed error by default,
// cyclic repetition with shortInput: 'pad' (checked against PyTorch on numpy.resize-padded audio).
import { cosine, maxAbsDiff } from '@wsp/testkit';
import { InputTooShortError } from '@wsp/resnet-graph';
import ndarray from 'ndarray';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AudioError, loadAudio, loadSpeakerModel } from '../src/index.js';
import type { SpeakerModel } from '../src/index.js';
import { rejectionOf } from './helpers/rejection.js';
import { goldens, recordingPath, speakerGoldenModelDir } from './helpers/speaker-goldens.js';

let model: SpeakerModel;
let speech: Float32Array;
beforeAll(async () => {
  model = await loadSpeakerModel(await speakerGoldenModelDir('tiny'));
  speech = (await loadAudio(recordingPath('a1-16000'))).samples;
});
afterAll(() => model.dispose());

describe('short input', () => {
  it('knows its minimum: 9 frames, 1680 samples', () => {
    expect(model.minimumFrames).toBe(9);
    expect(model.minimumSamples).toBe(1680);
  });

  it('throws InputTooShortError by default, naming the length, the minimum and the padding option', async () => {
    const e = await rejectionOf(model.embed({ samples: speech.slice(0, 1679), sampleRate: 16000 }, { file: 'clip.wav' }), InputTooShortError);
    expect(e.code).toBe('INPUT_TOO_SHORT');
    expect(e.frames).toBe(8);
    expect(e.minimumFrames).toBe(9);
    expect(e.message).toMatch(/^clip\.wav: audio of 0\.105 s \(1679 samples at 16 kHz\) has 8 frames but pooling 'pyannote' needs at least 9 \(1680 samples = 0\.105 s at 16 kHz\); pass shortInput: 'pad'/);
    // Exactly the minimum is fine.
    expect((await model.embed({ samples: speech.slice(0, 1680), sampleRate: 16000 })).length).toBe(16);
  });

  for (const g of goldens.padded) {
    it(`pads by repetition like numpy.resize: ${g.id}`, async () => {
      const excerpt = speech.slice(g.start, g.start + g.length);
      const [result] = await model.embedBatchDetailed([{ samples: excerpt, sampleRate: 16000 }], { shortInput: 'pad' });
      expect(result.padded).toBe(true);
      expect(result.frames).toBe(9);
      expect(cosine(result.embedding, g.normalized)).toBeGreaterThanOrEqual(0.9999);
      expect(maxAbsDiff(result.embedding, g.normalized)).toBeLessThan(1e-4);
    });
  }

  it('the policy can be set on the model and overridden per call', async () => {
    const padding = await loadSpeakerModel(await speakerGoldenModelDir('tiny'), { shortInput: 'pad' });
    const clip = { samples: speech.slice(8000, 8800), sampleRate: 16000 };
    const padded = await padding.embed(clip);
    expect(maxAbsDiff(padded, goldens.padded[0].normalized)).toBeLessThan(1e-4);
    await expect(padding.embed(clip, { shortInput: 'error' })).rejects.toBeInstanceOf(InputTooShortError);
    padding.dispose();
  });

  it('zero-length audio is an error even with padding', async () => {
    for (const shortInput of ['error', 'pad'] as const) {
      const e = await rejectionOf(model.embed({ samples: new Float32Array(0), sampleRate: 16000 }, { shortInput }), AudioError);
      expect(e.code).toBe('EMPTY_AUDIO');
    }
  });

  it('NaN samples are refused before anything runs', async () => {
    const samples = speech.slice(0, 4000);
    samples[1234] = Number.NaN;
    const e = await rejectionOf(model.embed({ samples, sampleRate: 16000 }), AudioError);
    expect(e.code).toBe('NON_FINITE_SAMPLE');
    await expect(model.embed(samples, { sampleRate: 16000 })).rejects.toMatchObject({ code: 'NON_FINITE_SAMPLE' });
  });

  it('short features: an error, or frames repeated cyclically with pad', async () => {
    const feats = new Float32Array(4 * 80).map((_, i) => Math.sin(i * 0.37));
    await expect(model.embedFeatures({ data: feats, shape: [4, 80] })).rejects.toBeInstanceOf(InputTooShortError);
    const [padded] = await model.embedFeatures({ data: feats, shape: [4, 80] }, { shortInput: 'pad' });
    const tiled = new Float32Array(9 * 80);
    for (let t = 0; t < 9; t++) tiled.set(feats.subarray((t % 4) * 80, (t % 4) * 80 + 80), t * 80);
    const [direct] = await model.embedFeatures(ndarray(tiled, [9, 80]));
    expect(Array.from(padded)).toEqual(Array.from(direct));
  });

  it("mlx pooling needs only one frame (400 samples)", async () => {
    const mlx = await loadSpeakerModel(await speakerGoldenModelDir('tiny'), { pooling: 'mlx' });
    expect(mlx.minimumFrames).toBe(1);
    expect(mlx.minimumSamples).toBe(400);
    expect((await mlx.embed({ samples: speech.slice(0, 400), sampleRate: 16000 })).length).toBe(16);
    await expect(mlx.embed({ samples: speech.slice(0, 399), sampleRate: 16000 })).rejects.toBeInstanceOf(InputTooShortError);
    mlx.dispose();
  });
});
