// Defaults, the wespeaker preset, the derived sizes and inputScale.
import { describe, expect, it } from 'vitest';
import { FBANK_DEFAULTS, WESPEAKER_PRESET, applyCmn, fbank, resolveFbankOptions } from '../src/index.js';
import { goldenInput, manifest } from './goldens.js';

describe('options', () => {
  it("has every torchaudio kaldi.fbank option (but channel) with torchaudio's default, in camelCase", () => {
    const theirs = manifest.torchaudioDefaults;
    expect(Object.keys(theirs).length).toBe(24);
    for (const [name, value] of Object.entries(theirs)) expect(FBANK_DEFAULTS, name).toHaveProperty(name, value);
    const extras = Object.keys(FBANK_DEFAULTS).filter((k) => !(k in theirs));
    expect(extras.sort()).toEqual(['ditherSeed', 'inputScale']);
    expect([FBANK_DEFAULTS.ditherSeed, FBANK_DEFAULTS.inputScale]).toEqual([0, 1]);
  });

  it('the wespeaker preset is model-spec §3.2: ×32768, 16 kHz, 25/10 ms, hamming, 80 bins, dither 0, snip edges, no energy', () => {
    const o = resolveFbankOptions('wespeaker');
    expect(o).toMatchObject({
      inputScale: 32768,
      sampleFrequency: 16000,
      frameLength: 25,
      frameShift: 10,
      windowType: 'hamming',
      numMelBins: 80,
      dither: 0,
      snipEdges: true,
      roundToPowerOfTwo: true,
      useEnergy: false,
      lowFreq: 20,
      highFreq: 0,
      preemphasisCoefficient: 0.97,
      removeDcOffset: true,
      usePower: true,
      useLogFbank: true,
    });
    expect([o.windowSize, o.windowShift, o.paddedWindowSize, o.numBins]).toEqual([400, 160, 512, 80]);
    expect(resolveFbankOptions(WESPEAKER_PRESET)).toEqual(o);
  });

  it('derives sizes as torchaudio does (truncating, power-of-two padding or not)', () => {
    expect(resolveFbankOptions({ sampleFrequency: 8000 })).toMatchObject({ windowSize: 200, windowShift: 80, paddedWindowSize: 256 });
    expect(resolveFbankOptions({ roundToPowerOfTwo: false })).toMatchObject({ windowSize: 400, paddedWindowSize: 400 });
    expect(resolveFbankOptions({ frameShift: 12.5 })).toMatchObject({ windowShift: 200 });
    expect(resolveFbankOptions({ sampleFrequency: 22050 })).toMatchObject({ windowSize: 551, windowShift: 220, paddedWindowSize: 1024 });
    expect(resolveFbankOptions({ useEnergy: true, numMelBins: 40 }).numBins).toBe(41);
  });

  it('undefined values mean the default; the result is frozen', () => {
    const o = resolveFbankOptions({ numMelBins: undefined, windowType: undefined });
    expect(o.numMelBins).toBe(23);
    expect(o.windowType).toBe('povey');
    expect(Object.isFrozen(o)).toBe(true);
    expect(Object.isFrozen(WESPEAKER_PRESET)).toBe(true);
  });

  it("'wespeaker' and WESPEAKER_PRESET give the same bits; inputScale equals scaling the samples first", () => {
    const speech = goldenInput('speech-a1');
    const byName = fbank(speech, 'wespeaker');
    expect(fbank(speech, WESPEAKER_PRESET).data).toEqual(byName.data);
    const prescaled = Float64Array.from(speech, (v) => v * 32768);
    expect(fbank(prescaled, { ...WESPEAKER_PRESET, inputScale: 1 }).data).toEqual(byName.data);
  });

  it('minDuration: shorter inputs give zero frames, as in torchaudio', () => {
    const speech = goldenInput('speech-a1');
    const r = fbank(speech.subarray(0, 15999), { minDuration: 1 });
    expect([r.numFrames, r.numBins, r.data.length]).toEqual([0, 23, 0]);
    expect(fbank(speech.subarray(0, 16000), { minDuration: 1 }).numFrames).toBe(98);
  });
});

describe('applyCmn', () => {
  const raw = fbank(goldenInput('speech-a1'), 'wespeaker');

  it('subtracts the per-bin mean over frames: every column then averages to ~0', () => {
    const cmn = applyCmn(raw);
    for (let b = 0; b < 80; b++) {
      let sum = 0;
      for (let m = 0; m < cmn.numFrames; m++) sum += cmn.data[m * 80 + b];
      expect(Math.abs(sum / cmn.numFrames)).toBeLessThan(1e-5);
    }
    expect(cmn.data[5 * 80 + 7] - cmn.data[9 * 80 + 7]).toBeCloseTo(raw.data[5 * 80 + 7] - raw.data[9 * 80 + 7], 5);
  });

  it('returns a new result by default and leaves the input alone; inPlace overwrites it', () => {
    const copy = raw.data.slice();
    const out = applyCmn(raw);
    expect(out.data).not.toBe(raw.data);
    expect(raw.data).toEqual(copy);
    const target = { ...raw, data: raw.data.slice() };
    expect(applyCmn(target, { inPlace: true })).toBe(target);
    expect(target.data).toEqual(out.data);
  });

  it('equals the subtractMean option (which also centres the energy column)', () => {
    const speech = goldenInput('speech-b1');
    const options = { useEnergy: true, numMelBins: 40 };
    expect(fbank(speech, { ...options, subtractMean: true }).data).toEqual(applyCmn(fbank(speech, options)).data);
  });

  it('of one frame gives zeros (model-spec §2: M = 1 makes every feature 0)', () => {
    const one = applyCmn(fbank(goldenInput('speech-400'), 'wespeaker'));
    expect(one.numFrames).toBe(1);
    expect(one.data.every((v) => v === 0)).toBe(true);
  });
});
