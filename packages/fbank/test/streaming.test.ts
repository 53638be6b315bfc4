// OnlineFbank against the batch fbank: bit-identical frames for any chunking, absolute indices
// after pop, bounded memory on long streams.
import { seededRandom } from '@wsp/weights';
import { describe, expect, it } from 'vitest';
import { FbankError, OnlineFbank, WESPEAKER_PRESET, fbank, numFrames, numFramesReady } from '../src/index.js';
import type { FbankOptions } from '../src/index.js';
import { goldenInput } from './goldens.js';

/** Index of the first value whose bits differ (NaN-safe, −0 ≠ +0), or −1. */
function firstBitDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}

type Chunker = (total: number) => number[];
const fixed = (size: number): Chunker => (total) => Array.from({ length: Math.ceil(total / size) }, (_, i) => Math.min(size, total - i * size));
const random =
  (seed: number, maxSize: number): Chunker =>
  (total) => {
    const rng = seededRandom(seed);
    const sizes: number[] = [];
    for (let done = 0; done < total; ) {
      // Zero-length chunks included on purpose.
      const size = Math.min(total - done, Math.floor(rng.uniform() * (maxSize + 1)));
      sizes.push(size);
      done += size;
    }
    return sizes;
  };

const CHUNKINGS: Record<string, Chunker> = {
  'one sample at a time': fixed(1),
  '10 ms (160 samples)': fixed(160),
  '7 samples': fixed(7),
  'random up to 50 (seed 1)': random(1, 50),
  'random up to 3000 (seed 2)': random(2, 3000),
  'whole input in one chunk': (total) => [total],
};

const CONFIGS: Record<string, FbankOptions> = {
  'wespeaker, snipEdges true': WESPEAKER_PRESET,
  'wespeaker, snipEdges false': { ...WESPEAKER_PRESET, snipEdges: false },
  'povey + energy + dither (seeded), snipEdges false': { useEnergy: true, dither: 1, ditherSeed: 7, snipEdges: false, inputScale: 32768 },
  'blackman, htk energy, magnitude, snipEdges true': { windowType: 'blackman', useEnergy: true, htkCompat: true, usePower: false, numMelBins: 40 },
};

/** Feeds `samples` in the given chunks; checks readiness after each chunk; returns every frame. */
function stream(samples: Float32Array, options: FbankOptions, sizes: number[]): Float32Array {
  const online = new OnlineFbank(options);
  const o = online.options;
  let offset = 0;
  for (const size of sizes) {
    online.acceptWaveform(samples.subarray(offset, offset + size));
    offset += size;
    expect(online.numFramesReady).toBe(numFramesReady(offset, false, o));
  }
  online.inputFinished();
  expect(online.numFramesReady).toBe(numFrames(samples.length, o));
  const out = new Float32Array(online.numFramesReady * online.numBins);
  for (let m = 0; m < online.numFramesReady; m++) online.getFrame(m, out.subarray(m * online.numBins));
  return out;
}

describe('OnlineFbank equals fbank bit for bit', () => {
  const speech = goldenInput('speech-a1').subarray(0, 6007);
  for (const [configName, options] of Object.entries(CONFIGS)) {
    const batch = fbank(speech, options).data;
    for (const [chunkName, chunker] of Object.entries(CHUNKINGS)) {
      it(`${configName}; chunks: ${chunkName}`, () => {
        expect(firstBitDifference(stream(speech, options, chunker(speech.length)), batch)).toBe(-1);
      });
    }
  }

  it('inputs shorter than a frame with snipEdges false (repeated reflection) come out at inputFinished', () => {
    const short = goldenInput('short-100');
    const options = { ...WESPEAKER_PRESET, snipEdges: false };
    const online = new OnlineFbank(options);
    for (let i = 0; i < short.length; i += 9) online.acceptWaveform(short.subarray(i, i + 9));
    expect(online.numFramesReady).toBe(0);
    online.inputFinished();
    expect(online.numFramesReady).toBe(1);
    expect(firstBitDifference(online.getFrame(0), fbank(short, options).data)).toBe(-1);
  });

  it('accepts Float64Array chunks like fbank accepts a Float64Array', () => {
    const speech64 = Float64Array.from(speech, (v) => v * 0.7);
    const online = new OnlineFbank('wespeaker');
    for (let i = 0; i < speech64.length; i += 333) online.acceptWaveform(speech64.subarray(i, i + 333));
    online.inputFinished();
    expect(firstBitDifference(online.pop().data, fbank(speech64, 'wespeaker').data)).toBe(-1);
  });
});

describe('OnlineFbank pop and memory', () => {
  const speech = goldenInput('speech-a1');
  const batch = fbank(speech, 'wespeaker');

  it('keeps absolute indices after pop and refuses popped or unready frames', () => {
    const online = new OnlineFbank('wespeaker');
    online.acceptWaveform(speech.subarray(0, 4000)); // 1 + (4000 − 400) div 160 = 23 frames
    expect(online.numFramesReady).toBe(23);
    const popped = online.pop(5);
    expect(popped.numFrames).toBe(5);
    expect(firstBitDifference(popped.data, batch.data.subarray(0, 5 * 80))).toBe(-1);
    expect(online.numFramesPopped).toBe(5);
    expect(firstBitDifference(online.getFrame(5), batch.data.subarray(5 * 80, 6 * 80))).toBe(-1);
    expect(() => online.getFrame(4)).toThrow(/frame 4 was popped already \(the first available frame is 5\)/);
    expect(() => online.getFrame(23)).toThrow(/frame 23 is not ready \(23 frames ready\)/);
    expect(() => online.pop(19)).toThrow(FbankError);
    online.acceptWaveform(speech.subarray(4000));
    online.inputFinished();
    const rest = online.pop();
    expect(rest.numFrames).toBe(batch.numFrames - 5);
    expect(firstBitDifference(rest.data, batch.data.subarray(5 * 80))).toBe(-1);
    expect(online.numFramesReady).toBe(batch.numFrames);
    expect(online.pop().numFrames).toBe(0);
  });

  it('popping one frame at a time while others wait gives the batch rows in order', () => {
    const online = new OnlineFbank('wespeaker');
    const rows: Float32Array[] = [];
    for (let i = 0; i < speech.length; i += 1000) {
      online.acceptWaveform(speech.subarray(i, i + 1000));
      if (online.numFramesReady - online.numFramesPopped > 3) rows.push(online.pop(1).data);
    }
    online.inputFinished();
    rows.push(online.pop().data);
    const all = new Float32Array(rows.reduce((n, r) => n + r.length, 0));
    rows.reduce((at, r) => (all.set(r, at), at + r.length), 0);
    expect(firstBitDifference(all, batch.data)).toBe(-1);
  });

  it('holds bounded memory over 2 minutes of 10 ms chunks when frames are popped', () => {
    const rng = seededRandom(3);
    const chunk = new Float32Array(160);
    const online = new OnlineFbank({ ...WESPEAKER_PRESET, snipEdges: false });
    let maxBytes = 0;
    let maxBytesAfterOneSecond = 0;
    let frames = 0;
    for (let c = 0; c < 12_000; c++) {
      for (let i = 0; i < chunk.length; i++) chunk[i] = 0.1 * rng.normal();
      online.acceptWaveform(chunk);
      frames += online.pop().numFrames;
      maxBytes = Math.max(maxBytes, online.retainedBytes);
      if (c === 100) maxBytesAfterOneSecond = maxBytes;
    }
    expect(frames).toBe(11_999); // the last frame waits for inputFinished (snipEdges false)
    // Eight windows of float64 samples plus a few float32 rows, reached within the first second.
    expect(maxBytes).toBeLessThan(48 * 1024);
    expect(maxBytes).toBe(maxBytesAfterOneSecond);
  });

  it('retainedBytes grows when nothing is popped (so the bound above means something)', () => {
    const online = new OnlineFbank('wespeaker');
    for (let i = 0; i < speech.length; i += 160) online.acceptWaveform(speech.subarray(i, i + 160));
    expect(online.retainedBytes).toBeGreaterThan(batch.numFrames * 80 * 4);
  });
});
