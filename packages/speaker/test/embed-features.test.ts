// computeFeatures (what `wsp fbank` writes) and embedFeatures (precomputed features, used as
// given): together they equal embed().
import { ShapeError } from '@wsp/resnet-graph';
import { decodeNpy, encodeNpy } from '@wsp/weights';
import ndarray from 'ndarray';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AudioError, computeFeatures, loadSpeakerModel } from '../src/index.js';
import type { SpeakerModel } from '../src/index.js';
import { rejectionOf } from './helpers/rejection.js';
import { goldens, recordingPath, speakerGoldenModelDir } from './helpers/speaker-goldens.js';

let model: SpeakerModel;
beforeAll(async () => {
  model = await loadSpeakerModel(await speakerGoldenModelDir('tiny'));
});
afterAll(() => model.dispose());

describe('computeFeatures', () => {
  it('wespeaker fbank of the 16 kHz audio with CMN: [T, 80], zero mean per bin', async () => {
    const f = await computeFeatures(recordingPath('b1-8000'));
    expect([f.numFrames, f.numBins]).toEqual([198, 80]);
    expect(f.audio.originalSampleRate).toBe(8000);
    for (let m = 0; m < 80; m++) {
      let s = 0;
      for (let t = 0; t < f.numFrames; t++) s += f.data[t * 80 + m];
      expect(Math.abs(s / f.numFrames)).toBeLessThan(1e-4);
    }
    const raw = await computeFeatures(recordingPath('b1-8000'), { cmn: false });
    // Without CMN: the log-mel energies of int16-scaled speech, far from zero mean.
    expect(raw.data.reduce((a, b) => a + b, 0) / raw.data.length).toBeGreaterThan(1);
  });

  it('too little audio for one frame is an AudioError naming the input', async () => {
    const e = await rejectionOf(computeFeatures({ samples: new Float32Array(300), sampleRate: 16000 }, { file: 'tiny.wav' }), AudioError);
    expect(e.code).toBe('INPUT_TOO_SHORT');
    expect(e.message).toMatch(/^tiny\.wav: /);
  });
});

describe('embedFeatures', () => {
  it('the features of computeFeatures give the embed() result, as fbank result, .npy round trip or ndarray', async () => {
    const c = goldens.cases.find((c) => c.id === 'tiny-a2-44100-pyannote')!;
    const path = recordingPath(c.recording);
    const expected = await model.embed(path);
    const f = await computeFeatures(path);
    const npy = decodeNpy(encodeNpy(f.data, [f.numFrames, f.numBins]));
    const results = [
      ...(await model.embedFeatures(f)),
      ...(await model.embedFeatures({ data: npy.data as Float32Array, shape: npy.shape })),
      ...(await model.embedFeatures(ndarray(f.data, [f.numFrames, f.numBins]))),
    ];
    for (const r of results) expect(Array.from(r)).toEqual(Array.from(expected));
  });

  it('[B, T, 80] gives one embedding per item, each equal to the item alone', async () => {
    const a = await computeFeatures(recordingPath('b1-8000'));
    const b = await computeFeatures(recordingPath('a2-44100'));
    expect(a.numFrames).toBe(b.numFrames);
    const stacked = new Float32Array(a.data.length * 2);
    stacked.set(a.data);
    stacked.set(b.data, a.data.length);
    const [ea, eb] = await model.embedFeatures({ data: stacked, shape: [2, a.numFrames, 80] });
    const [alone] = await model.embedFeatures(b);
    expect(Math.max(...Array.from(eb, (v, i) => Math.abs(v - alone[i])))).toBeLessThan(1e-6);
    expect(ea).not.toEqual(eb);
  });

  it('refuses the wrong dtype, rank, bin count, size and non-finite values', async () => {
    await expect(model.embedFeatures({ data: new Float64Array(800) as unknown as Float32Array, shape: [10, 80] })).rejects.toMatchObject({ code: 'DTYPE_MISMATCH' });
    await expect(model.embedFeatures({ data: new Float32Array(800), shape: [800] })).rejects.toBeInstanceOf(ShapeError);
    await expect(model.embedFeatures({ data: new Float32Array(10 * 64), shape: [10, 64] })).rejects.toThrow(/80/);
    await expect(model.embedFeatures({ data: new Float32Array(799), shape: [10, 80] })).rejects.toThrow(/799/);
    const nan = new Float32Array(20 * 80);
    nan[85] = Number.NaN;
    await expect(model.embedFeatures({ data: nan, shape: [20, 80] })).rejects.toMatchObject({ code: 'NON_FINITE_INPUT' });
  });
});
