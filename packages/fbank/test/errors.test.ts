// Bad input and bad options raise FbankError with a stable code and a clear message; finite input
// never gives NaN.
import { WeightsError, WspError } from '@wsp/weights';
import { describe, expect, it } from 'vitest';
import { FbankError, OnlineFbank, applyCmn, fbank } from '../src/index.js';
import type { FbankErrorCode, FbankOptions } from '../src/index.js';
import { goldenInput } from './goldens.js';

function caught(fn: () => unknown): FbankError {
  try {
    fn();
  } catch (e) {
    expect(FbankError.isInstance(e), `not an FbankError: ${String(e)}`).toBe(true);
    return e as FbankError;
  }
  throw new Error('expected an FbankError, nothing was thrown');
}

function expectError(fn: () => unknown, code: FbankErrorCode, message: RegExp): void {
  const e = caught(fn);
  expect(e.code).toBe(code);
  expect(e.message).toMatch(message);
}

const speech = goldenInput('speech-a1');

describe('FbankError and the @wsp error marker protocol', () => {
  const e = caught(() => fbank(new Float32Array(0)));

  it('is an Error named FbankError with a code', () => {
    expect(e).toBeInstanceOf(Error);
    expect(e).toBeInstanceOf(FbankError);
    expect(e.name).toBe('FbankError');
    expect(e.code).toBe('EMPTY_INPUT');
    expect(e.file).toBeUndefined();
  });

  it("carries ['FbankError', 'WspError'] under Symbol.for('@wsp/error')", () => {
    expect((e as unknown as Record<symbol, unknown>)[Symbol.for('@wsp/error')]).toEqual(['FbankError', 'WspError']);
  });

  it('is recognised by WspError.isInstance of @wsp/weights, and not as a WeightsError', () => {
    expect(WspError.isInstance(e)).toBe(true);
    expect(WeightsError.isInstance(e)).toBe(false);
  });

  it('FbankError.isInstance recognises errors from another copy of the package, and nothing else', () => {
    const fromOtherCopy = Object.defineProperty(new Error('x'), Symbol.for('@wsp/error'), { value: ['FbankError', 'WspError'] });
    expect(FbankError.isInstance(fromOtherCopy)).toBe(true);
    expect(FbankError.isInstance(new WeightsError('w', { code: 'X' }))).toBe(false);
    expect(FbankError.isInstance(new Error('plain'))).toBe(false);
    expect(FbankError.isInstance(null)).toBe(false);
    expect(FbankError.isInstance('FbankError')).toBe(false);
  });
});

describe('bad input', () => {
  it('empty input', () => expectError(() => fbank(new Float32Array(0), 'wespeaker'), 'EMPTY_INPUT', /samples is empty/));

  it('fewer samples than one frame with snipEdges true', () => {
    expectError(() => fbank(speech.subarray(0, 399), 'wespeaker'), 'INPUT_TOO_SHORT', /399 samples .*25 ms frame at 16000 Hz needs at least 400 \(snipEdges true\)/);
  });

  it('no frame at all with snipEdges false (fewer than half a shift)', () => {
    expectError(() => fbank(speech.subarray(0, 79), { snipEdges: false }), 'INPUT_TOO_SHORT', /needs at least 80/);
    expect(fbank(speech.subarray(0, 80), { snipEdges: false }).numFrames).toBe(1);
  });

  for (const [label, value] of [['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity]] as const) {
    it(`${label} samples, in fbank and in OnlineFbank (which then keeps its state)`, () => {
      const bad = speech.slice(0, 4000);
      bad[1234] = value;
      expectError(() => fbank(bad, 'wespeaker'), 'NON_FINITE_INPUT', new RegExp(`samples\\[1234\\] is ${label}`));
      const tail = speech.slice(0, 1000);
      tail[999] = value; // after the last frame: ignored by torchaudio, still refused here
      expectError(() => fbank(tail, 'wespeaker'), 'NON_FINITE_INPUT', /samples\[999\]/);
      const online = new OnlineFbank('wespeaker');
      online.acceptWaveform(bad.subarray(0, 1000));
      expectError(() => online.acceptWaveform(bad.subarray(1000)), 'NON_FINITE_INPUT', /chunk\[234\]/);
      expect(online.numSamplesAccepted).toBe(1000);
      online.acceptWaveform(speech.subarray(1000, 4000));
      expect(online.pop().data).toEqual(fbank(speech.subarray(0, 4000), 'wespeaker').data);
    });
  }

  it('float64 samples beyond the float32 range', () => {
    expectError(() => fbank(new Float64Array(800).fill(1e300)), 'INVALID_INPUT', /beyond the float32 range/);
  });

  it('samples that are not a float array', () => {
    expectError(() => fbank([0, 1, 2] as unknown as Float32Array), 'INVALID_INPUT', /must be a Float32Array .*got an Array/);
    expectError(() => fbank(new Int16Array(800) as unknown as Float32Array), 'INVALID_INPUT', /got Int16Array/);
    expectError(() => new OnlineFbank().acceptWaveform(null as unknown as Float32Array), 'INVALID_INPUT', /chunk must be/);
  });
});

describe('invalid options', () => {
  const cases: [string, FbankOptions | string, FbankErrorCode, RegExp][] = [
    ['zero shift', { frameShift: 0 }, 'INVALID_OPTION', /frameShift must be > 0/],
    ['shift below one sample', { frameShift: 0.05 }, 'INVALID_OPTION', /is 0 samples; the shift must be at least one sample/],
    ['frame below two samples', { frameLength: 0.1 }, 'INVALID_OPTION', /a frame needs at least 2/],
    ['high <= low frequency', { lowFreq: 4000, highFreq: 3000 }, 'INVALID_OPTION', /highFreq \(3000 Hz\) must be above lowFreq \(4000 Hz\)/],
    ['high below Nyquist offset', { highFreq: -8000 }, 'INVALID_OPTION', /gives 0 Hz/],
    ['high above Nyquist', { highFreq: 9000 }, 'INVALID_OPTION', /must be in \(0, 8000\]/],
    ['low at Nyquist', { lowFreq: 8000 }, 'INVALID_OPTION', /lowFreq 8000 Hz must be in \[0, 8000\)/],
    ['more bins than FFT bins', { numMelBins: 257 }, 'INVALID_OPTION', /numMelBins 257 is more than the 256 FFT bins of a 512-point FFT/],
    ['too few bins', { numMelBins: 3 }, 'INVALID_OPTION', /numMelBins must be an integer > 3/],
    ['fractional bins', { numMelBins: 40.5 }, 'INVALID_OPTION', /numMelBins must be an integer/],
    ['unknown window', { windowType: 'hann' as never }, 'UNKNOWN_WINDOW', /unknown windowType "hann"; use one of hamming, hanning, povey, rectangular, blackman/],
    ['unknown option (typo)', { numBins: 80 } as FbankOptions, 'UNKNOWN_OPTION', /unknown fbank option "numBins" \(did you mean numMelBins\?\)/],
    ['unknown preset', 'kaldi', 'INVALID_OPTION', /unknown preset "kaldi"; presets: wespeaker/],
    ['odd FFT size without rounding', { frameLength: 25.0625, roundToPowerOfTwo: false }, 'INVALID_OPTION', /odd frame of 401 samples/],
    ['pre-emphasis above 1', { preemphasisCoefficient: 1.5 }, 'INVALID_OPTION', /preemphasisCoefficient must be in \[0, 1\]/],
    ['negative dither', { dither: -1 }, 'INVALID_OPTION', /dither must be >= 0/],
    ['fractional dither seed', { ditherSeed: 0.5 }, 'INVALID_OPTION', /ditherSeed must be an integer/],
    ['zero sample rate', { sampleFrequency: 0 }, 'INVALID_OPTION', /sampleFrequency must be > 0/],
    ['NaN value', { lowFreq: NaN }, 'INVALID_OPTION', /lowFreq must be a finite number, got NaN/],
    ['string for a boolean', { snipEdges: 'false' as never }, 'INVALID_OPTION', /snipEdges must be a boolean, got "false"/],
    ['negative energy floor', { energyFloor: -1 }, 'INVALID_OPTION', /energyFloor must be >= 0/],
    ['zero input scale', { inputScale: 0 }, 'INVALID_OPTION', /inputScale must be non-zero/],
    ['VTLN cut-offs outside the band', { vtlnWarp: 0.9, vtlnLow: 10 }, 'INVALID_OPTION', /lowFreq < vtlnLow < vtlnHigh < highFreq/],
    ['options that are not an object', 42 as never, 'INVALID_OPTION', /options must be an object or a preset name/],
  ];
  for (const [label, options, code, message] of cases) {
    it(label, () => {
      expectError(() => fbank(speech, options as FbankOptions), code, message);
      expectError(() => new OnlineFbank(options as FbankOptions), code, message);
    });
  }

  it('whole-input options are refused by OnlineFbank', () => {
    expectError(() => new OnlineFbank({ subtractMean: true }), 'INVALID_OPTION', /subtractMean needs the whole input/);
    expectError(() => new OnlineFbank({ minDuration: 1 }), 'INVALID_OPTION', /minDuration applies to whole inputs/);
  });
});

describe('OnlineFbank state errors and applyCmn input errors', () => {
  it('acceptWaveform after inputFinished', () => {
    const online = new OnlineFbank('wespeaker');
    online.inputFinished();
    expectError(() => online.acceptWaveform(speech), 'INVALID_STATE', /after inputFinished/);
  });
  it('pop with a bad count, getFrame with a bad index', () => {
    const online = new OnlineFbank('wespeaker');
    online.acceptWaveform(speech.subarray(0, 1000));
    expectError(() => online.pop(-1), 'INVALID_INPUT', /non-negative integer/);
    expectError(() => online.pop(5), 'FRAME_OUT_OF_RANGE', /only 4 frames are available \(indices 0 \.\. 3\)/);
    expectError(() => online.getFrame(1.5), 'FRAME_OUT_OF_RANGE', /must be an integer/);
    expectError(() => online.getFrame(0, new Float32Array(10)), 'INVALID_INPUT', /at least 80 values/);
  });
  it('applyCmn of something that is not a result', () => {
    expectError(() => applyCmn({ data: new Float32Array(10), numFrames: 3, numBins: 4 }), 'INVALID_RESULT', /10 values but numFrames × numBins = 3 × 4 = 12/);
    expectError(() => applyCmn(null as never), 'INVALID_RESULT', /expects \{ data: Float32Array/);
  });
});

describe('finite input never yields NaN or infinity', () => {
  const n = 4000;
  const inputs: Record<string, Float32Array> = {
    'full scale +1': new Float32Array(n).fill(1),
    'alternating ±1': Float32Array.from({ length: n }, (_, i) => (i % 2 ? 1 : -1)),
    'largest float32': new Float32Array(n).fill(3.4028234663852886e38),
    'alternating largest float32': Float32Array.from({ length: n }, (_, i) => (i % 2 ? 3.4028234663852886e38 : -3.4028234663852886e38)),
    'subnormals': new Float32Array(n).fill(1e-45),
    'zeros': new Float32Array(n),
    'one spike': Float32Array.from({ length: n }, (_, i) => (i === 2000 ? 1 : 0)),
  };
  const configs: Record<string, FbankOptions | 'wespeaker'> = {
    wespeaker: 'wespeaker',
    'povey, energy, floor 0': { useEnergy: true, energyFloor: 0, rawEnergy: false },
    'rectangular, magnitude, linear': { windowType: 'rectangular', usePower: false, useLogFbank: false },
    'blackman, no DC removal, subtractMean, dither': { windowType: 'blackman', removeDcOffset: false, subtractMean: true, dither: 1 },
    'snipEdges false, VTLN': { snipEdges: false, vtlnWarp: 1.1, vtlnHigh: -1000, useEnergy: true },
  };
  for (const [inputName, samples] of Object.entries(inputs)) {
    for (const [configName, options] of Object.entries(configs)) {
      it(`${inputName} × ${configName}`, () => {
        const result = fbank(samples, options);
        expect(result.numFrames).toBeGreaterThan(0);
        const linear = typeof options === 'object' && options.useLogFbank === false;
        // Linear energies of near-float32-max input exceed the float32 range: Infinity, as in torchaudio.
        const ok = linear ? (v: number) => !Number.isNaN(v) : Number.isFinite;
        expect(result.data.every(ok)).toBe(true);
        if (!linear) expect(applyCmn(result).data.every(Number.isFinite)).toBe(true);
      });
    }
  }
});
